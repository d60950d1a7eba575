"""Changes an agent makes for the customer: pre-filled from the conversation, one confirmation.

The agent acts with ``AgentAuthority`` on behalf of the party the customer verified as (the
recipient if they did not verify). The proposal, the fee, the use case, idempotency and audit
are the ones the bot and the mini app use; the customer is told in their language.
"""

from __future__ import annotations

from dataclasses import dataclass

from parceldesk.conversation import events as e
from parceldesk.conversation.actions import execute, propose_address_change
from parceldesk.conversation.addresses import looks_like_address, parse_address
from parceldesk.conversation.chat import AgentView, ChatService
from parceldesk.conversation.responses import say
from parceldesk.domain.agents import Agent
from parceldesk.domain.commands import AgentAuthority
from parceldesk.domain.errors import InvalidInput, PolicyRefusal
from parceldesk.domain.shipments import PartyRole
from parceldesk.services.context import Context
from parceldesk.services.snapshots import money_from
from parceldesk.services.tracking import get_shipment

CHANNEL = "agent"


@dataclass(frozen=True)
class AgentProposal:
    text: str  # the read-back (or the refusal) in the agent's working language, English
    pending: e.ActionProposed | None
    fee_code: str
    address: str = ""  # the new address as the customer will read it


def prefill_address(view: AgentView) -> str:
    """The new address the customer gave: the summary's, else their last address-like message."""
    slots = view.handoff.summary.get("slots", {})
    if slots.get("new_address"):
        return str(slots["new_address"])
    said = [m.text for m in view.transcript if m.sender == "customer"]
    return next((text for text in reversed(said) if looks_like_address(text)), "")


def propose_agent_address_change(
    ctx: Context, view: AgentView, role: PartyRole, text: str
) -> AgentProposal:
    if not view.waybill:
        raise InvalidInput("this conversation names no parcel")
    shipment = get_shipment(ctx, view.waybill)
    address = parse_address(text.strip()[:300], shipment.destination)
    if address is None or not address.street:
        raise InvalidInput("that does not look like a full address: street and number, please")
    outcome = propose_address_change(ctx, "en", shipment, role, address)
    pending = next((x for x in outcome.events if isinstance(x, e.ActionProposed)), None)
    if pending is None:
        return AgentProposal(outcome.text, None, "")  # the policy's reason, in plain words
    fee = money_from(pending.params.get("fee"))
    charged = fee is not None and not fee.is_zero
    text = (f"New delivery address: {address.one_line()}. "
            f"Fee for the customer: {fee if charged else 'none'}.")  # fmt: skip
    fee_code = f"{fee.minor} {fee.currency}" if fee and charged else ""
    return AgentProposal(text, pending, fee_code, address.one_line())


def confirm_agent_address_change(
    ctx: Context,
    chat: ChatService,
    agent: Agent,
    view: AgentView,
    role: PartyRole,
    text: str,
    accepted_fee: str,
    key: str,
) -> str:
    """Change the address at the fee the agent saw, record it and tell the customer."""
    proposal = propose_agent_address_change(ctx, view, role, text)
    if proposal.pending is None:
        raise PolicyRefusal(proposal.text, "refused")
    if proposal.fee_code != accepted_fee:
        raise PolicyRefusal("the fee has changed since you saw it; please review it again", "fee")
    credential = AgentAuthority(agent.id, role)
    result = execute(ctx, proposal.pending, None, key, CHANNEL, credential)
    language = view.handoff.summary.get("language", view.handoff.language)
    told = say(language, "done_address", waybill=view.waybill, address=proposal.address)
    chat.record_agent_action(agent, view.handoff.conversation_id, result, told)
    return told
