"""One conversation in the agent workspace: transcript, summary, parcel, suggested replies, and
the changes the policy allows now, each pre-filled from the conversation and confirmed once."""

from __future__ import annotations

import uuid
from typing import Any

from parceldesk.conversation.actions import offered_slots
from parceldesk.conversation.agent_actions import (
    ACTIONS,
    confirm_agent_action,
    prefill,
    propose_agent_action,
)
from parceldesk.conversation.chat import ChatService
from parceldesk.conversation.desk import WRAP_UPS, AgentView, ConversationTaken
from parceldesk.conversation.suggestions import suggest_replies
from parceldesk.domain.agents import Agent
from parceldesk.domain.commands import AgentAuthority
from parceldesk.domain.shipments import PartyRole
from parceldesk.services.context import Context
from parceldesk.services.tracking import get_allowed_actions, get_shipment, tracking_view

ROLES = (PartyRole.RECIPIENT, PartyRole.SENDER)


class ConversationDesk:
    def __init__(self, ctx: Context, chat: ChatService) -> None:
        self.ctx, self.chat = ctx, chat

    def page_values(self, agent: Agent, conversation_id: str) -> dict[str, Any]:
        """What the conversation page shows (raises ``ConversationNotFound`` outside the
        agent's queues)."""
        view = self.chat.get_agent_view(agent, conversation_id)
        values: dict[str, Any] = {
            "view": view, "shipment": None, "wrap_ups": WRAP_UPS, "prefill": prefill(view),
            "suggestions": suggest_replies(view, agent.display_name), "actions": {},
            "role": view.verified_as or PartyRole.RECIPIENT.value, "slots": [],
            "agents": [],
        }  # fmt: skip
        if view.waybill:
            shipment = get_shipment(self.ctx, view.waybill)
            values["shipment"] = tracking_view(shipment, "agent")  # the agent may see it all
            values["actions"] = self._allowed(agent, view)
            values["slots"] = [f"{day.isoformat()}/{window}"
                               for day, window in offered_slots(self.ctx, shipment)]  # fmt: skip
        return values

    def _allowed(self, agent: Agent, view: AgentView) -> dict[str, str]:
        """Each action the agent may take for some party now, with the parties, e.g.
        ``{"change_address": "recipient, sender"}``; complaints are always possible."""
        allowed: dict[str, list[str]] = {}
        for role in ROLES:
            credential = AgentAuthority(agent.id, role)
            for decision in get_allowed_actions(self.ctx, view.waybill or "", credential):
                if decision.allowed and role.value not in allowed.get(decision.action, []):
                    allowed.setdefault(decision.action, []).append(role.value)
        allowed["file_complaint"] = [r.value for r in ROLES]
        return {action: ", ".join(allowed[action]) for action in ACTIONS if action in allowed}

    def propose(self, agent: Agent, conversation_id: str, form: dict[str, str]) -> dict[str, Any]:
        view = self._owned_view(agent, conversation_id)
        action, role = form.get("action", ""), _role(form)
        proposal = propose_agent_action(self.ctx, view, action, role, form)
        return {"view": view, "proposal": proposal, "form": _echo(form),
                "label": ACTIONS.get(action, action), "role": role.value,
                "key": uuid.uuid4().hex}  # fmt: skip

    def confirm(self, agent: Agent, conversation_id: str, form: dict[str, str]) -> str:
        view = self._owned_view(agent, conversation_id)
        proposal = propose_agent_action(self.ctx, view, form.get("action", ""), _role(form), form)
        key = f"agent:{form.get('key', '')[:64]}"
        return confirm_agent_action(
            self.ctx, self.chat, agent, view, proposal, form.get("fee", ""), key
        )

    def _owned_view(self, agent: Agent, conversation_id: str) -> AgentView:
        view = self.chat.get_agent_view(agent, conversation_id)
        if view.owner != agent.id:
            raise ConversationTaken("take the conversation before acting for the customer")
        return view


def _role(form: dict[str, str]) -> PartyRole:
    return PartyRole.SENDER if form.get("role") == "sender" else PartyRole.RECIPIENT


def _echo(form: dict[str, str]) -> dict[str, str]:
    """The proposal's inputs, carried to the confirmation form unchanged."""
    keep = ("action", "address", "slot", "kind", "description")
    return {name: form[name] for name in keep if name in form}
