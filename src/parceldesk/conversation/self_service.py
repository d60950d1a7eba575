"""The self-service mini app's logic: what a link's holder sees, may do, and confirms.

It reuses the chat's proposals (``actions.propose_*``) and ``actions.execute``, so the mini app
asks the same policy, shows the same fee, and writes through the same use cases, idempotency keys
and audit as the bot. The first change made through a link spends it (``services.links``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from parceldesk.conversation import events as e
from parceldesk.conversation.actions import (
    Outcome,
    execute,
    offered_slots,
    parse_slot,
    propose_address_change,
    propose_hold,
    propose_intercept,
    propose_reschedule,
)
from parceldesk.conversation.addresses import parse_address
from parceldesk.domain.errors import InvalidInput, PolicyRefusal
from parceldesk.domain.money import Money
from parceldesk.domain.policy import Decision
from parceldesk.domain.shipments import Shipment, TimeWindow
from parceldesk.services.context import Context
from parceldesk.services.links import SelfServiceLink, open_link, spend_link
from parceldesk.services.tracking import (
    TrackingView,
    get_allowed_actions,
    get_shipment,
    tracking_view,
)

CHANNEL = "miniapp"
ACTIONS = ("change_address", "reschedule_delivery", "hold_at_station", "intercept_return")
LANGUAGE_OF_COUNTRY = {"CN": "zh", "ID": "id"}
MAX_ADDRESS_CHARS = 300


@dataclass(frozen=True)
class Desk:
    link: SelfServiceLink
    shipment: Shipment
    view: TrackingView
    allowed: dict[str, Decision]
    language: str


@dataclass(frozen=True)
class Proposal:
    """A change ready to confirm (``pending``), or the reason it cannot be made (``refused``)."""

    text: str
    pending: e.ActionProposed | None = None
    refused: e.ActionRefused | None = None
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def fee(self) -> Money | None:
        raw = self.pending.params.get("fee") if self.pending else None
        return Money(int(raw["minor"]), str(raw["currency"])) if raw else None

    @property
    def fee_code(self) -> str:
        """The fee as the confirm form carries it back ("" when free)."""
        fee = self.fee
        return f"{fee.minor} {fee.currency}" if fee and not fee.is_zero else ""


def open_desk(ctx: Context, token: str, language: str | None = None) -> Desk:
    link = open_link(ctx, token)
    shipment = get_shipment(ctx, link.waybill)
    decisions = get_allowed_actions(ctx, link.waybill, link.credential)
    allowed = {d.action: d for d in decisions if d.action in ACTIONS}
    chosen = language or LANGUAGE_OF_COUNTRY.get(shipment.destination.country, "en")
    return Desk(link, shipment, tracking_view(shipment, link.role.value), allowed, chosen)


def delivery_choices(ctx: Context, desk: Desk) -> list[tuple[date, TimeWindow]]:
    return offered_slots(ctx, desk.shipment)


def propose(ctx: Context, desk: Desk, action: str, form: dict[str, str]) -> Proposal:
    """Ask the policy about the change described by ``form``; nothing is written."""
    shipment, role, language = desk.shipment, desk.link.role, desk.language
    now = ctx.clock.now()
    if action == "change_address":
        text = form.get("address", "").strip()
        if not text or len(text) > MAX_ADDRESS_CHARS:
            raise InvalidInput(
                f"please write the new address ({MAX_ADDRESS_CHARS} characters at most)"
            )
        address = parse_address(text, shipment.destination)
        if address is None or not address.street:
            raise InvalidInput("that does not look like a full address: street and number, please")
        outcome = propose_address_change(ctx, language, shipment, role, address)
        fields = {"one_line": address.one_line(), "street": address.street,
                  "detail": address.detail, "district": address.district, "city": address.city,
                  "postal_code": address.postal_code}  # fmt: skip
        return _proposal(outcome, fields)
    if action == "reschedule_delivery":
        day, window = parse_slot(form.get("slot", ""))
        return _proposal(propose_reschedule(ctx, language, shipment, role, day, window, now))
    if action == "hold_at_station":
        return _proposal(propose_hold(ctx, language, shipment, role, now))
    if action == "intercept_return":
        return _proposal(propose_intercept(ctx, language, shipment, role, "self-service"))
    raise InvalidInput(f"unknown action {action!r}")


def confirm(
    ctx: Context, desk: Desk, action: str, form: dict[str, str], accepted_fee: str, key: str
) -> str:
    """Make the change the customer confirmed, at the fee they saw; then spend the link."""
    proposal = propose(ctx, desk, action, form)
    if proposal.pending is None:
        raise PolicyRefusal(proposal.text, proposal.refused.reason_code if proposal.refused else "")
    if proposal.fee_code != accepted_fee:
        raise PolicyRefusal("the fee has changed since you saw it; please review it again", "fee")
    result = execute(ctx, proposal.pending, desk.link.credential.token, key, CHANNEL)
    spend_link(ctx, desk.link, CHANNEL)
    return result.reference or ""


def _proposal(outcome: Outcome, fields: dict[str, str] | None = None) -> Proposal:
    pending = next((x for x in outcome.events if isinstance(x, e.ActionProposed)), None)
    refused = next((x for x in outcome.events if isinstance(x, e.ActionRefused)), None)
    return Proposal(outcome.text, pending, refused, fields or {})
