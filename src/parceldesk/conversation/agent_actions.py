"""Changes an agent makes for the customer: pre-filled from the conversation, one confirmation.

The agent acts with ``AgentAuthority`` on behalf of the party the customer verified as (the
recipient if they did not verify). The proposals, the fees, the use cases, idempotency and audit
are the ones the bot and the mini app use; the customer is told in their language.
"""

from __future__ import annotations

from dataclasses import dataclass

from parceldesk.conversation import events as e
from parceldesk.conversation.actions import (
    Outcome,
    classify_complaint,
    done_message,
    execute,
    parse_slot,
    propose_address_change,
    propose_claim,
    propose_hold,
    propose_intercept,
    propose_reschedule,
)
from parceldesk.conversation.addresses import looks_like_address, parse_address
from parceldesk.conversation.chat import ChatService
from parceldesk.conversation.desk import AgentView
from parceldesk.conversation.responses import say
from parceldesk.domain.agents import Agent
from parceldesk.domain.commands import AgentAuthority
from parceldesk.domain.errors import InvalidInput, PolicyRefusal
from parceldesk.domain.shipments import PartyRole, Shipment
from parceldesk.services.context import Context
from parceldesk.services.snapshots import money_from
from parceldesk.services.tracking import get_shipment

CHANNEL = "agent"
ACTIONS = {
    "change_address": "Change the address",
    "reschedule_delivery": "Reschedule",
    "hold_at_station": "Hold at the station",
    "intercept_return": "Return to sender",
    "file_claim": "File a claim",
    "file_complaint": "Record a complaint",
}
MAX_TEXT_CHARS = 300


@dataclass(frozen=True)
class AgentProposal:
    action: str
    text: str  # the read-back (or the refusal) in the agent's working language, English
    pending: e.ActionProposed | None
    fee_code: str
    fee: str = ""  # what the customer pays, as shown ("" when free)


def prefill(view: AgentView) -> dict[str, str]:
    """What the forms start with: the new address and the trouble the customer described."""
    slots = view.handoff.summary.get("slots", {})
    said = [m.text for m in view.transcript if m.sender == "customer"]
    address = str(slots.get("new_address") or "") or next(
        (text for text in reversed(said) if looks_like_address(text)), ""
    )
    description = str(slots.get("description") or "") or (said[-1] if said else "")
    return {"address": address, "description": description[:MAX_TEXT_CHARS],
            "slot": _wanted_slot(slots)}  # fmt: skip


def propose_agent_action(
    ctx: Context, view: AgentView, action: str, role: PartyRole, form: dict[str, str]
) -> AgentProposal:
    """Ask the policy about the change the agent's form describes; nothing is written."""
    if not view.waybill:
        raise InvalidInput("this conversation names no parcel")
    if action not in ACTIONS:
        raise InvalidInput(f"unknown action {action!r}")
    shipment = get_shipment(ctx, view.waybill)
    outcome = _outcome(ctx, shipment, action, role, form)
    pending = next((x for x in outcome.events if isinstance(x, e.ActionProposed)), None)
    if pending is None:
        return AgentProposal(action, outcome.text, None, "")  # the policy's reason, in plain words
    fee = money_from(pending.params.get("fee"))
    charged = fee is not None and not fee.is_zero
    fee_code = f"{fee.minor} {fee.currency}" if fee and charged else ""
    shown = str(fee) if fee and charged else ""
    return AgentProposal(action, _without_question(outcome.text), pending, fee_code, shown)


def confirm_agent_action(
    ctx: Context, chat: ChatService, agent: Agent, view: AgentView, proposal: AgentProposal,
    accepted_fee: str, key: str,
) -> str:  # fmt: skip
    """Make the change at the fee the agent saw, record it and tell the customer."""
    if proposal.pending is None:
        raise PolicyRefusal(proposal.text, "refused")
    if proposal.fee_code != accepted_fee:
        raise PolicyRefusal("the fee has changed since you saw it; please review it again", "fee")
    credential = AgentAuthority(agent.id, PartyRole(_role_of(proposal)))
    result = execute(ctx, proposal.pending, None, key, CHANNEL, credential)
    message, values = done_message(proposal.pending, result.reference, result.details)
    told = say(view.handoff.queue_language, message, **values)
    chat.record_agent_action(agent, view.handoff.conversation_id, result, told)
    return told


def _outcome(
    ctx: Context, shipment: Shipment, action: str, role: PartyRole, form: dict[str, str]
) -> Outcome:
    now = ctx.clock.now()
    match action:
        case "change_address":
            text = _text(form, "address", "the new address")
            address = parse_address(text, shipment.destination)
            if address is None or not address.street:
                raise InvalidInput("that does not look like a full address: street and number")
            outcome = propose_address_change(ctx, "en", shipment, role, address)
        case "reschedule_delivery":
            day, window = parse_slot(form.get("slot", ""))
            outcome = propose_reschedule(ctx, "en", shipment, role, day, window, now)
        case "hold_at_station":
            outcome = propose_hold(ctx, "en", shipment, role, now)
        case "intercept_return":
            outcome = propose_intercept(ctx, "en", shipment, role, "agent for the customer")
        case "file_claim":
            kind = form.get("kind", "")
            if kind not in ("damage", "loss"):
                raise InvalidInput("a claim is for damage or loss")
            description = _text(form, "description", "what happened")
            outcome = propose_claim(ctx, "en", shipment, role, kind, description, now)
        case _:
            outcome = _complaint(shipment, _text(form, "description", "the complaint"))
    return _with_role(outcome, role)


def _complaint(shipment: Shipment, description: str) -> Outcome:
    category, severity = classify_complaint(description)
    params = {"category": category, "severity": severity, "description": description}
    text = f"Record a {category} complaint (severity {severity}) for {shipment.waybill}."
    return Outcome((e.ActionProposed("file_complaint", shipment.waybill, params),), text)


def _with_role(outcome: Outcome, role: PartyRole) -> Outcome:
    """The proposal remembers on whose behalf the agent acts."""
    events = tuple(
        e.ActionProposed(x.action, x.waybill, {**x.params, "on_behalf_of": role.value})
        if isinstance(x, e.ActionProposed) else x
        for x in outcome.events
    )  # fmt: skip
    return Outcome(events, outcome.text)


def _role_of(proposal: AgentProposal) -> str:
    return str(proposal.pending.params.get("on_behalf_of", "recipient")) if proposal.pending else ""


def _without_question(read_back: str) -> str:
    """The customer's read-back without its closing "Shall I go ahead? (yes/no)": the agent
    confirms with a button."""
    return read_back.rsplit("?", 1)[0].rsplit(".", 1)[0] + "."


def _text(form: dict[str, str], name: str, what: str) -> str:
    text = form.get(name, "").strip()
    if not text or len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(f"please write {what} ({MAX_TEXT_CHARS} characters at most)")
    return text


def _wanted_slot(slots: dict[str, object]) -> str:
    """The day and window the customer asked the bot for, as the reschedule form's value."""
    day, window = slots.get("date"), slots.get("window")
    return f"{day}/{window}" if day and window else ""
