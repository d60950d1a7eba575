"""Pure policy decisions: may this party do this to this shipment now, at what fee, until when.

Each ``decide_*`` function returns a ``Decision``; ``Decision.enforce`` raises ``PolicyRefusal``.
Reason codes are stable identifiers that the conversation engine turns into words in each language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from parceldesk.domain.addresses import Address
from parceldesk.domain.errors import PolicyRefusal
from parceldesk.domain.money import Money
from parceldesk.domain.policy.config import CountryPolicy, Policy, Scope
from parceldesk.domain.shipments import Appointment, PartyRole, Shipment, Status

ACTIONS = (
    "change_address",
    "reschedule_delivery",
    "hold_at_station",
    "intercept_return",
    "file_claim",
)


@dataclass(frozen=True)
class Decision:
    action: str
    allowed: bool
    reason_code: str
    reason: str
    fee: Money | None = None
    deadline: datetime | None = None
    alternatives: tuple[str, ...] = ()
    compensation_cap: Money | None = None
    values: tuple[tuple[str, str], ...] = ()  # what a refusal names (a date, a limit), for wording

    def enforce(self) -> Decision:
        if not self.allowed:
            raise PolicyRefusal(self.reason, self.reason_code, self.alternatives, dict(self.values))
        return self


def allow(action: str, reason: str = "allowed", **extra: object) -> Decision:
    return Decision(action, True, "allowed", reason, **extra)  # type: ignore[arg-type]


def refuse(
    action: str, code: str, reason: str, alternatives: tuple[str, ...] = (), **values: object
) -> Decision:
    named = tuple((key, str(value)) for key, value in values.items())
    return Decision(action, False, code, reason, alternatives=alternatives, values=named)


def _check_party_and_status(
    action: str,
    roles: frozenset[PartyRole],
    statuses: frozenset[Status],
    shipment: Shipment,
    role: PartyRole,
    what: str,
) -> Decision | None:
    """The refusal if ``role`` may never do ``action`` or the parcel's state forbids it now."""
    if role not in roles:
        return refuse(action, "role_not_allowed", f"the {role} cannot {what}")
    if shipment.status not in statuses:
        return refuse(action, "wrong_status", f"a {shipment.status} parcel: cannot {what} now")
    return None


def local_today(country: CountryPolicy, now: datetime) -> date:
    return now.astimezone(ZoneInfo(country.timezone)).date()


def _scope_allows(scope: Scope, old: Address, new: Address) -> bool:
    if scope == "same_district":
        return old.same_district(new)
    if scope == "same_city":
        return old.same_city(new)
    if scope == "same_province":
        return old.same_province(new)
    return old.country == new.country


def _holding_alternatives(policy: Policy, shipment: Shipment, role: PartyRole) -> tuple[str, ...]:
    options = []
    if role in policy.hold.roles and shipment.status in policy.hold.statuses:
        options.append("hold_at_station")
    if role in policy.reschedule.roles and shipment.status in policy.reschedule.statuses:
        options.append("reschedule_delivery")
    return tuple(options)


# --- address change ------------------------------------------------------------------------


def decide_address_change(
    policy: Policy, shipment: Shipment, role: PartyRole, new: Address | None
) -> Decision:
    """May ``role`` redirect ``shipment`` to ``new`` (or anywhere, if ``new`` is None)?"""
    action, rules = "change_address", policy.address_change
    alternatives = _holding_alternatives(policy, shipment, role)
    if role not in rules.roles:
        return refuse(action, "role_not_allowed", f"the {role} cannot change the address")
    if shipment.status not in rules.same_city_statuses | rules.other_city_statuses:
        return refuse(
            action,
            "past_cutoff",
            f"the address can no longer be changed: the parcel is {shipment.status}",
            alternatives,
        )
    if shipment.address_changes >= rules.max_changes:
        return refuse(
            action,
            "too_many_changes",
            f"the address was already changed {shipment.address_changes} times",
            alternatives,
        )
    if new is None:
        return allow(action, "the address may still be changed")
    return _decide_new_destination(policy, shipment, role, new, alternatives)


def _decide_new_destination(
    policy: Policy, shipment: Shipment, role: PartyRole, new: Address, alternatives: tuple[str, ...]
) -> Decision:
    action, rules, old = "change_address", policy.address_change, shipment.destination
    if new.country != old.country:
        return refuse(
            action,
            "other_country",
            "moving a parcel to another country is not an address change",
            ("intercept_return",) if role is PartyRole.SENDER else (),
        )
    if new.country not in policy.served_countries or new.district in rules.unserviceable_districts:
        return refuse(action, "not_serviceable", "we do not deliver to that address")
    scope = rules.sender_scope if role is PartyRole.SENDER else rules.recipient_scope
    if not _scope_allows(scope, old, new):
        return refuse(
            action,
            f"outside_{scope}",
            f"the {role} may only change the address within the {scope.replace('_', ' ')}",
            ("intercept_return",) if role is PartyRole.SENDER else alternatives,
        )
    if not old.same_city(new) and shipment.status not in rules.other_city_statuses:
        return refuse(
            action,
            "past_cutoff_other_city",
            "the parcel has reached the destination station; it can only be redirected within "
            "the same city now",
            alternatives,
        )
    return allow(
        action, "the address may be changed", fee=address_change_fee(policy, shipment, new)
    )


def _leg_fee(country: CountryPolicy, point: tuple[str, str], to: Address, weight_kg: int) -> Money:
    there = Address(to.country, point[0], point[1], "", "-")
    fees = country.leg_fees
    if to.same_city(there):
        return fees.same_city
    if to.same_province(there):
        return fees.same_province
    return fees.other_province + fees.per_kg_other_province.times(weight_kg)


def address_change_fee(policy: Policy, shipment: Shipment, new: Address) -> Money:
    """Handling fee plus the price difference of the remaining leg from the transfer point."""
    country = policy.country(new.country)
    weight_kg = max(1, math.ceil(shipment.weight_grams / 1000))
    point = shipment.transfer_point
    old_leg = _leg_fee(country, point, shipment.destination, weight_kg)
    new_leg = _leg_fee(country, point, new, weight_kg)
    old = shipment.destination
    if old.same_district(new):
        handling = country.handling_same_district
    elif old.same_city(new):
        handling = country.handling_same_city
    else:
        handling = country.handling_other_city
    return handling + (new_leg - old_leg).at_least_zero()


# --- reschedule and hold -------------------------------------------------------------------


def decide_reschedule(
    policy: Policy, shipment: Shipment, role: PartyRole, wanted: Appointment | None, now: datetime
) -> Decision:
    action, rules = "reschedule_delivery", policy.reschedule
    refused = _check_party_and_status(
        action, rules.roles, rules.statuses, shipment, role, "reschedule the delivery"
    )
    if refused:
        return refused
    country = policy.country(shipment.destination.country)
    fee = Money.zero(country.currency)
    if shipment.reschedules >= rules.free_reschedules:
        fee = country.reschedule_fee
    if wanted is None:
        return allow(action, "the delivery may be rescheduled", fee=fee)
    return _decide_appointment(policy, shipment, wanted, now, fee)


def _decide_appointment(
    policy: Policy, shipment: Shipment, wanted: Appointment, now: datetime, fee: Money
) -> Decision:
    action, rules = "reschedule_delivery", policy.reschedule
    country = policy.country(shipment.destination.country)
    today = local_today(country, now)
    if wanted.window not in rules.windows:
        offered = ", ".join(str(w) for w in rules.windows)
        return refuse(
            action,
            "window_not_offered",
            f"the station offers these windows: {offered}",
            windows=offered,
        )
    earliest = max(today, shipment.expected_delivery)
    if wanted.day < earliest:
        return refuse(
            action,
            "too_early",
            f"the earliest delivery day is {earliest.isoformat()}",
            earliest=earliest.isoformat(),
        )
    if wanted.day > today + timedelta(days=rules.max_days_ahead):
        last = today + timedelta(days=rules.max_days_ahead)
        return refuse(
            action,
            "too_far_ahead",
            f"deliveries can be booked {rules.max_days_ahead} days ahead",
            days=rules.max_days_ahead,
            last=last.isoformat(),
        )
    if wanted.day == today:
        if shipment.status is Status.OUT_FOR_DELIVERY:
            return refuse(action, "already_out", "today's delivery run has already left")
        start = datetime.combine(today, wanted.window.start, ZoneInfo(country.timezone))
        if start - now < timedelta(minutes=rules.same_day_lead_minutes):
            return refuse(action, "too_late_today", "that window is too soon to arrange")
    return allow(action, "the delivery may be rescheduled", fee=fee)


def decide_hold(
    policy: Policy, shipment: Shipment, role: PartyRole, until: date | None, now: datetime
) -> Decision:
    action, rules = "hold_at_station", policy.hold
    refused = _check_party_and_status(
        action, rules.roles, rules.statuses, shipment, role, "ask to hold the parcel"
    )
    if refused:
        return refused
    country = policy.country(shipment.destination.country)
    last_day = max(local_today(country, now), shipment.expected_delivery) + timedelta(
        days=rules.max_days
    )
    if until is not None and not local_today(country, now) <= until <= last_day:
        return refuse(
            action,
            "hold_too_long",
            f"a parcel can be held until {last_day.isoformat()} at the latest",
            last_day=last_day.isoformat(),
        )
    return allow(action, "the parcel may be held at the station", fee=Money.zero(country.currency))


# --- intercept -----------------------------------------------------------------------------


def decide_intercept(policy: Policy, shipment: Shipment, role: PartyRole) -> Decision:
    action, rules = "intercept_return", policy.intercept
    if role not in rules.roles:
        return refuse(
            action,
            "role_not_allowed",
            "only the sender can send a parcel back; the recipient may refuse it on delivery",
            _holding_alternatives(policy, shipment, role),
        )
    if shipment.status not in rules.statuses:
        return refuse(action, "wrong_status", f"a {shipment.status} parcel cannot be intercepted")
    country = policy.country(shipment.origin.country)
    left_origin = shipment.transfer_point[1] != shipment.origin.city or shipment.status not in {
        Status.CREATED,
        Status.PICKED_UP,
    }
    fee = country.intercept_fee if left_origin else Money.zero(country.currency)
    return allow(action, "the parcel may be returned to the sender", fee=fee)
