"""Proposing and executing the writes a conversation may make, always through the use cases.

A proposal reads the policy first (so refusals are explained before anything is asked), states the
fee, and waits for an explicit yes. Execution presents the party's verification grant and the fee
the customer accepted; the use case checks both again, so the dialogue cannot be talked into more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from parceldesk.conversation import events as e
from parceldesk.conversation.responses import find_word, say, word
from parceldesk.domain.addresses import Address
from parceldesk.domain.commands import (
    BookPickup,
    ChangeDeliveryAddress,
    Credential,
    CustomerGrant,
    FileClaim,
    FileComplaint,
    HoldAtStation,
    InterceptShipment,
    RescheduleDelivery,
)
from parceldesk.domain.errors import InvalidInput, ParceldeskError, PolicyRefusal
from parceldesk.domain.money import Money
from parceldesk.domain.phones import PhoneNumber
from parceldesk.domain.policy.decisions import (
    Decision,
    decide_address_change,
    decide_hold,
    decide_intercept,
    decide_reschedule,
)
from parceldesk.domain.policy.requests import decide_claim, decide_pickup, find_restricted_item
from parceldesk.domain.shipments import Appointment, Party, PartyRole, Shipment, TimeWindow
from parceldesk.services.context import Context
from parceldesk.services.requests import book_pickup, file_claim, file_complaint
from parceldesk.services.shipment_changes import (
    change_delivery_address,
    hold_at_station,
    intercept_shipment,
    reschedule_delivery,
)
from parceldesk.services.snapshots import money_dict, money_from
from parceldesk.services.writes import WriteResult

REFUSAL_KEYS = {
    "past_cutoff": "refused_past_cutoff",
    "past_cutoff_other_city": "refused_past_cutoff_other_city",
    "outside_same_city": "refused_outside",
    "outside_same_district": "refused_outside",
    "outside_same_province": "refused_outside",
    "other_country": "refused_other_country",
    "too_many_changes": "refused_too_many_changes",
    "role_not_allowed": "refused_role_not_allowed",
    "wrong_status": "refused_wrong_status",
    "restricted_item": "refused_restricted",
}


@dataclass(frozen=True)
class Outcome:
    events: tuple[e.Event, ...]
    text: str


def refusal_text(language: str, code: str, reason: str, values: dict[str, str], **more: str) -> str:
    """Why the policy says no, in the customer's language, with the dates and limits it names.

    The policy's own reason is English; it is shown only in English and only for a refusal with
    no wording of its own.
    """
    try:
        if code in REFUSAL_KEYS:
            return say(language, REFUSAL_KEYS[code], reason=reason, **{**values, **more})
        template = find_word(language, "refused_reasons", code)
        if template is not None:
            return template.format(**values, **more)
    except KeyError:  # a refusal without a value its sentence names: say it without them
        pass
    if language == "en":
        return say(language, "refused_generic", reason=reason)
    return say(language, "refused_by_policy")


def fee_text(language: str, fee: Money | None) -> str:
    return (
        say(language, "fee_text", fee=fee)
        if fee and not fee.is_zero
        else say(language, "free_text")
    )


def refusal(
    language: str, action: str, decision: Decision | PolicyRefusal, shipment: Shipment, role: str
) -> Outcome:
    code = decision.reason_code
    reason = decision.reason if isinstance(decision, Decision) else decision.message
    values = dict(decision.values)
    explained = (
        find_word(language, "refused_role_for", action) if code == "role_not_allowed" else None
    )
    text = explained or refusal_text(
        language,
        code,
        reason,
        values,
        status=word(language, "statuses", shipment.status),
        role=word(language, "roles", role),
    )
    return Outcome((e.ActionRefused(action, code, tuple(decision.alternatives)),), text)


def offered_slots(ctx: Context, shipment: Shipment) -> list[tuple[date, TimeWindow]]:
    """The (day, window) pairs the station offers, from tomorrow up to the policy's horizon."""
    rules = ctx.policy.reschedule
    zone = ZoneInfo(ctx.policy.country(shipment.destination.country).timezone)
    today = datetime.astimezone(ctx.clock.now(), zone).date()
    days = [today + timedelta(days=n) for n in range(1, rules.max_days_ahead + 1)]
    return [(day, window) for day in days for window in rules.windows]


def parse_slot(slot: str) -> tuple[date, TimeWindow]:
    """A "YYYY-MM-DD/HH:MM-HH:MM" form value, as offered by ``offered_slots``."""
    day, _, window = slot.partition("/")
    try:
        return date.fromisoformat(day), TimeWindow.parse(window)
    except (ValueError, ParceldeskError):
        raise InvalidInput("please choose one of the offered delivery times") from None


def best_window(offered: tuple[TimeWindow, ...], wanted: TimeWindow) -> TimeWindow:
    """The offered window that overlaps the wanted one most (the earlier one on a tie)."""

    def overlap(window: TimeWindow) -> int:
        start = max(_minutes(window.start), _minutes(wanted.start))
        return max(0, min(_minutes(window.end), _minutes(wanted.end)) - start)

    return max(offered, key=lambda w: (overlap(w), -_minutes(w.start)))


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def propose_address_change(
    ctx: Context, language: str, shipment: Shipment, role: PartyRole, new: Address
) -> Outcome:
    decision = decide_address_change(ctx.policy, shipment, role, new)
    if not decision.allowed:
        return refusal(language, "change_address", decision, shipment, role)
    params = {"address": asdict(new), "fee": money_dict(decision.fee)}
    text = say(
        language,
        "confirm_address",
        waybill=shipment.waybill,
        address=new.one_line(),
        fee_text=fee_text(language, decision.fee),
    )
    return Outcome((e.ActionProposed("change_address", shipment.waybill, params),), text)


def propose_reschedule(
    ctx: Context,
    language: str,
    shipment: Shipment,
    role: PartyRole,
    day: date,
    wanted: TimeWindow,
    now: datetime,
) -> Outcome:
    window = best_window(ctx.policy.reschedule.windows, wanted)
    decision = decide_reschedule(ctx.policy, shipment, role, Appointment(day, window), now)
    if not decision.allowed:
        return refusal(language, "reschedule_delivery", decision, shipment, role)
    params = {"date": day.isoformat(), "window": str(window), "fee": money_dict(decision.fee)}
    text = say(
        language,
        "confirm_reschedule",
        waybill=shipment.waybill,
        date=day.isoformat(),
        window=window,
        fee_text=fee_text(language, decision.fee),
    )
    return Outcome((e.ActionProposed("reschedule_delivery", shipment.waybill, params),), text)


def propose_hold(
    ctx: Context, language: str, shipment: Shipment, role: PartyRole, now: datetime
) -> Outcome:
    until = max(shipment.expected_delivery, now.date()) + timedelta(days=3)
    decision = decide_hold(ctx.policy, shipment, role, until, now)
    if not decision.allowed:
        return refusal(language, "hold_at_station", decision, shipment, role)
    text = say(language, "confirm_hold", waybill=shipment.waybill, until=until.isoformat())
    return Outcome(
        (e.ActionProposed("hold_at_station", shipment.waybill, {"until": until.isoformat()}),), text
    )


def propose_intercept(
    ctx: Context, language: str, shipment: Shipment, role: PartyRole, reason: str
) -> Outcome:
    decision = decide_intercept(ctx.policy, shipment, role)
    if not decision.allowed:
        return refusal(language, "intercept_return", decision, shipment, role)
    params = {"fee": money_dict(decision.fee), "reason": reason}
    text = say(
        language,
        "confirm_intercept",
        waybill=shipment.waybill,
        fee_text=fee_text(language, decision.fee),
    )
    return Outcome((e.ActionProposed("intercept_return", shipment.waybill, params),), text)


def propose_claim(
    ctx: Context,
    language: str,
    shipment: Shipment,
    role: PartyRole,
    kind: str,
    description: str,
    now: datetime,
) -> Outcome:
    decision = decide_claim(ctx.policy, shipment, role, kind, now)  # type: ignore[arg-type]
    if not decision.allowed:
        return refusal(language, "file_claim", decision, shipment, role)
    params = {"kind": kind, "description": description}
    text = say(
        language,
        "confirm_claim",
        waybill=shipment.waybill,
        kind=word(language, "claim_kinds", kind),
        description=description,
        cap=decision.compensation_cap,
    )
    return Outcome((e.ActionProposed("file_claim", shipment.waybill, params),), text)


def check_claim(
    ctx: Context, language: str, shipment: Shipment, role: PartyRole, now: datetime
) -> Outcome | None:
    """The refusal of a loss claim by this caller, before asking them to describe anything."""
    decision = decide_claim(ctx.policy, shipment, role, "loss", now)
    return None if decision.allowed else refusal(language, "file_claim", decision, shipment, role)


def check_pickup_items(ctx: Context, language: str, text: str) -> Outcome | None:
    """The refusal of a pickup for an item the carrier never carries ("几块锂电池"), said as soon
    as the customer names it rather than after the address, the time and the weight."""
    item = find_restricted_item(ctx.policy, text)
    if item is None:
        return None
    reason = f"we cannot carry {item}"
    text = refusal_text(language, "restricted_item", reason, {"item": item})
    return Outcome((e.ActionRefused("book_pickup", "restricted_item"),), text)


def propose_pickup(
    ctx: Context,
    language: str,
    address: Address,
    day: date,
    wanted: TimeWindow,
    weight_grams: int,
    items: str,
    phone: str,
    now: datetime,
) -> Outcome:
    window = best_window(ctx.policy.pickup.windows, wanted)
    decision = decide_pickup(
        ctx.policy,
        country=address.country,
        day=day,
        window=window,
        weight_grams=weight_grams,
        items=items,
        now=now,
    )
    if not decision.allowed:
        code = decision.reason_code
        text = refusal_text(language, code, decision.reason, dict(decision.values))
        return Outcome((e.ActionRefused("book_pickup", code),), text)
    params = {
        "address": asdict(address),
        "date": day.isoformat(),
        "window": str(window),
        "weight_grams": weight_grams,
        "items": items,
        "phone": phone,
        "fee": money_dict(decision.fee),
    }
    text = say(
        language,
        "confirm_pickup",
        address=address.one_line(),
        date=day.isoformat(),
        window=window,
        items=items,
        fee_text=fee_text(language, decision.fee),
    )
    return Outcome((e.ActionProposed("book_pickup", None, params),), text)


@cache
def _complaint_rules() -> dict[str, Any]:
    path = resources.files("parceldesk.conversation").joinpath("data/complaints.yaml")
    data = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def classify_complaint(text: str) -> tuple[str, int]:
    rules, lowered = _complaint_rules(), text.lower()
    category = next(
        (
            c
            for c, words in rules["categories"].items()
            if any(str(w).lower() in lowered for w in words)
        ),
        rules["default_category"],
    )
    levels = [
        int(level)
        for level, words in rules["severity"].items()
        if any(str(w).lower() in lowered for w in words)
    ]
    return category, max([rules["default_severity"], *levels])


def done_message(
    pending: e.ActionProposed, reference: str | None, details: Mapping[str, object]
) -> tuple[str, dict[str, Any]]:
    """The response key and values that tell the customer a change was made."""
    p, waybill = pending.params, pending.waybill
    match pending.action:
        case "change_address":
            return "done_address", {"waybill": waybill,
                                    "address": Address(**p["address"]).one_line()}  # fmt: skip
        case "reschedule_delivery":
            return "done_reschedule", {"waybill": waybill, "date": p["date"], "window": p["window"]}
        case "hold_at_station":
            held_from = details.get("held_from", "station")  # a van's parcel goes back first
            key = "done_hold" if held_from == "station" else f"done_hold_{held_from}"
            return key, {"waybill": waybill, "until": p["until"]}
        case "intercept_return":
            return "done_intercept", {"waybill": waybill}
        case "book_pickup":
            return "done_pickup", {"reference": reference, "date": p["date"], "window": p["window"]}
    return ("done_claim" if pending.action == "file_claim" else "done_complaint"), {
        "reference": reference
    }


def execute(
    ctx: Context,
    pending: e.ActionProposed,
    token: str | None,
    key: str,
    channel: str,
    credential: Credential | None = None,
) -> WriteResult:
    """Run the confirmed proposal through its use case; raises the use case's errors.

    The customer's verification grant (``token``) is the credential, unless ``credential`` (an
    agent's authority) is given."""
    grant = credential or CustomerGrant(token or "")
    waybill, params = pending.waybill or "", pending.params
    fee = money_from(params.get("fee"))
    match pending.action:
        case "change_address":
            return change_delivery_address(
                ctx,
                ChangeDeliveryAddress(
                    waybill, grant, channel, key, Address(**params["address"]), fee
                ),
            )
        case "reschedule_delivery":
            appointment = Appointment(
                date.fromisoformat(params["date"]), TimeWindow.parse(params["window"])
            )
            return reschedule_delivery(
                ctx, RescheduleDelivery(waybill, grant, channel, key, appointment, fee)
            )
        case "hold_at_station":
            return hold_at_station(
                ctx,
                HoldAtStation(waybill, grant, channel, key, date.fromisoformat(params["until"])),
            )
        case "intercept_return":
            return intercept_shipment(
                ctx, InterceptShipment(waybill, grant, channel, key, params["reason"], fee)
            )
        case "file_claim":
            return file_claim(
                ctx, FileClaim(waybill, grant, channel, key, params["kind"], params["description"])
            )
        case "book_pickup":
            contact = Party(params.get("name") or "customer", PhoneNumber(params["phone"]))
            pickup = BookPickup(
                contact,
                Address(**params["address"]),
                date.fromisoformat(params["date"]),
                TimeWindow.parse(params["window"]),
                int(params["weight_grams"]),
                params["items"],
                channel,
                key,
                fee,
            )
            return book_pickup(ctx, pickup)
        case "file_complaint":
            command = FileComplaint(
                params["category"],
                int(params["severity"]),
                params["description"],
                channel,
                key,
                pending.waybill,
                None,
                grant if token else None,
            )
            return file_complaint(ctx, command)
    raise ParceldeskError(f"unknown action {pending.action}")
