"""The agent's side of a conversation: the queues an agent sees, routing to free seats, taking
over, writing, changes made for the customer, wrap-up, and a supervisor's reassignment.

``ChatService`` (``chat``) includes this side; it supplies the store, the per-conversation lock,
appending with a version check, and the live feed.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from parceldesk.conversation import events as e
from parceldesk.conversation.ports import (
    ConversationRecord,
    ConversationStore,
    Handoff,
    StoredEvent,
)
from parceldesk.conversation.responses import quick_reply_texts, say
from parceldesk.conversation.state import fold
from parceldesk.domain.agents import LANGUAGES, SKILLS, Agent
from parceldesk.domain.errors import ConcurrentModification, InvalidInput, NotFound, ParceldeskError
from parceldesk.domain.routing import (
    AgentStatus,
    Seat,
    WaitingConversation,
    check_priority,
    plan_assignments,
    queue_order,
    queue_skill,
)
from parceldesk.services.context import Context
from parceldesk.services.snapshots import money_dict
from parceldesk.services.writes import WriteResult

MAX_MESSAGE_CHARS = 2000
CLIENT_MESSAGE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
WRAP_UPS = ("resolved", "changed_for_customer", "no_reply", "escalated", "other")


class ConversationNotFound(NotFound):
    code = "conversation_not_found"


@dataclass(frozen=True)
class TranscriptEntry:
    seq: int
    sender: str  # customer | bot
    text: str
    at: str


@dataclass(frozen=True)
class AgentView:
    handoff: Handoff
    transcript: list[TranscriptEntry]
    waybill: str | None
    owner: str | None  # the agent id that has taken the conversation, if any
    done_since_handoff: tuple[str, ...] = ()  # the writes made for the customer since
    verified_as: str | None = None  # the party the customer proved to be, if any


class ConversationTaken(ParceldeskError):
    code = "conversation_taken"


def transcript(events: list[StoredEvent]) -> list[TranscriptEntry]:
    entries = []
    for stored in events:
        at = stored.at.isoformat()
        if isinstance(stored.event, e.UserSaid):
            entries.append(TranscriptEntry(stored.seq, "customer", stored.event.text, at))
        elif isinstance(stored.event, e.BotSaid):
            entries.append(TranscriptEntry(stored.seq, "bot", stored.event.text, at))
        elif isinstance(stored.event, e.AgentSaid):
            entries.append(TranscriptEntry(stored.seq, "agent", stored.event.text, at))
    return entries


class AgentSide:
    """Included in ``ChatService``, which provides what is declared here."""

    _ctx: Context
    _store: ConversationStore
    _survey: bool

    def _lock(self, conversation_id: str) -> threading.Lock:
        raise NotImplementedError

    def _append(
        self,
        conversation_id: str,
        *events: e.Event,
        check: Callable[[ConversationRecord], None] | None = None,
    ) -> list[int]:
        raise NotImplementedError

    def _publish(self, conversation_id: str, frame: dict[str, Any], audience: str = "both") -> None:
        raise NotImplementedError

    def get_agent_view(self, agent: Agent, conversation_id: str) -> AgentView:
        """A handed-off conversation in one of the agent's queues (else it does not exist)."""
        handoff = self._handoff_for(agent, conversation_id)
        events = self._store.list_events(conversation_id)
        waybill = handoff.summary.get("slots", {}).get("waybill") or next(
            (x.event.value for x in reversed(events)
             if isinstance(x.event, e.SlotFilled) and x.event.name == "waybill" and x.event.value),
            None,
        )  # fmt: skip
        handed = max((x.seq for x in events if isinstance(x.event, e.HandoffRequested)), default=0)
        done = tuple(
            x.event.action for x in events
            if x.seq > handed and isinstance(x.event, e.ActionExecuted)
        )  # fmt: skip
        verified = [x.event.role for x in events if isinstance(x.event, e.PartyVerified)]
        return AgentView(
            handoff, transcript(events), waybill, handoff.owner, done,
            verified[-1] if verified else None,
        )  # fmt: skip

    def _handoff_for(self, agent: Agent, conversation_id: str) -> Handoff:
        handoff = self._store.find_handoff(conversation_id) if len(conversation_id) <= 64 else None
        if handoff is None or not agent.may_handle(handoff.queue_language, _skill(handoff)):
            raise ConversationNotFound("no such conversation in your queues")
        return handoff

    def take(self, agent: Agent, conversation_id: str, assigned_by: str = "") -> None:
        """The agent takes the conversation over; the bot stays silent from now on. A supervisor
        may take (join) one a colleague has, or give it to another agent (``reassign``)."""
        self._handoff_for(agent, conversation_id)

        def check(record: ConversationRecord) -> None:
            if not record.handed_off:
                raise ConversationNotFound("no such conversation in your queues")
            if record.agent_id is not None and not (assigned_by or agent.sees_every_queue):
                raise ConversationTaken("a colleague has already taken this conversation")
            if assigned_by == "router" and record.agent_id is not None:
                raise ConversationTaken("already with an agent")

        with self._lock(conversation_id):
            if self._owner(conversation_id) == agent.id:
                return
            joined = e.AgentJoined(agent.id, agent.display_name, assigned_by)
            [seq] = self._append(conversation_id, joined, check=check)
        self._publish(conversation_id, {"type": "joined", "seq": seq, "name": agent.display_name})

    def reassign(self, supervisor: Agent, conversation_id: str, agent_id: str) -> None:
        """A supervisor gives the conversation to another agent who may handle its queue."""
        if not supervisor.sees_every_queue:
            raise ConversationTaken("only a supervisor can reassign a conversation")
        target = self._find_agent(agent_id)
        if target is None:
            raise InvalidInput("no such agent")
        self.take(target, conversation_id, assigned_by=supervisor.id)

    def route(self) -> list[tuple[str, str]]:
        """Offer the waiting conversations to available agents with a free seat; returns the
        ``(conversation_id, agent_id)`` pairs that were assigned."""
        agents, seats = self._seats()
        if not agents:
            return []  # nobody to give a conversation to: no need to read the queue
        now = self._ctx.clock.now()
        waiting = [waiting_of(h, now) for h in self._store.list_handoffs() if not h.taken]
        assigned = []
        for conversation_id, agent_id in plan_assignments(waiting, seats):
            try:
                self.take(agents[agent_id], conversation_id, assigned_by="router")
            except (ConversationTaken, ConcurrentModification, ConversationNotFound):
                continue  # another server process routed it first
            assigned.append((conversation_id, agent_id))
        return assigned

    def _seats(self) -> tuple[dict[str, Agent], list[Seat]]:
        """The available agents, and their seats with the chats they have now."""
        with self._ctx.uow() as uow:
            agents = {a.id: a for a in uow.agents.list() if a.status is AgentStatus.AVAILABLE}
        loads = self._store.count_owned() if agents else {}
        return agents, [_seat(agent, loads.get(agent.id, 0)) for agent in agents.values()]

    def say_as_agent(self, agent: Agent, conversation_id: str, text: str) -> None:
        text = check_message(text, "agent")
        with self._lock(conversation_id):
            saying = e.AgentSaid(agent.id, agent.display_name, text)
            [seq] = self._append(conversation_id, saying, check=_owned_by(agent, "writing to"))
        self._publish(conversation_id, _agent_frame(seq, agent, text))

    def hand_back(self, agent: Agent, conversation_id: str, wrap_up: str) -> None:
        """Wrap up with a reason code and give the conversation back to the bot."""
        if wrap_up not in WRAP_UPS:
            raise InvalidInput(f"wrap-up must be one of {', '.join(WRAP_UPS)}")
        with self._lock(conversation_id):
            left = e.AgentLeft(agent.id, wrap_up)
            survey = self._survey_after_agent(conversation_id, wrap_up)
            asking = (e.Asked("survey"), survey[1]) if survey else ()
            seqs = self._append(
                conversation_id, left, *asking, check=_owned_by(agent, "wrapping up")
            )
        frame: dict[str, Any] = {"type": "left", "seq": seqs[0], "name": agent.display_name}
        if survey:  # the customer's chat shows the question with its rating buttons
            language, question = survey
            frame |= {"bot": question.text, "bot_seq": seqs[-1],
                      "quick_replies": quick_reply_texts(language)["survey"]}  # fmt: skip
        self._publish(conversation_id, frame)
        self.route()  # the agent has a free seat again

    def _survey_after_agent(
        self, conversation_id: str, wrap_up: str
    ) -> tuple[str, e.BotSaid] | None:
        """The customer's language and the satisfaction survey's question for a customer a
        person has helped (once a conversation; not when the customer had stopped answering)."""
        if not self._survey or wrap_up == "no_reply":
            return None
        state = fold([x.event for x in self._store.list_events(conversation_id)])
        if state.surveyed:
            return None
        text = say(state.language, "survey_after_agent")
        return state.language, e.BotSaid("survey_after_agent", text)

    def record_agent_action(
        self, agent: Agent, conversation_id: str, result: WriteResult, told: str
    ) -> None:
        """A write the agent made for the customer, and what the customer was told about it."""
        with self._lock(conversation_id):
            executed = e.ActionExecuted(
                result.action, result.waybill, result.reference, money_dict(result.fee)
            )
            saying = e.AgentSaid(agent.id, agent.display_name, told)
            seqs = self._append(conversation_id, executed, saying)
        self._publish(conversation_id, _agent_frame(seqs[-1], agent, told))

    def _owner(self, conversation_id: str) -> str | None:
        record = self._store.find(conversation_id)
        return record.agent_id if record else None

    def _find_agent(self, agent_id: str) -> Agent | None:
        with self._ctx.uow() as uow:
            return uow.agents.find(agent_id)

    def list_handoffs(self, agent: Agent) -> list[Handoff]:
        """The queue this agent may see: their languages and skills (all for a supervisor),
        in the order they will be served."""
        now = self._ctx.clock.now()
        mine = {
            h.conversation_id: h
            for h in self._store.list_handoffs()
            if agent.may_handle(h.queue_language, _skill(h))
        }
        order = queue_order([waiting_of(h, now) for h in mine.values()])
        return [mine[w.conversation_id] for w in order]

    def priority_of(self, handoff: Handoff) -> int:
        return waiting_of(handoff, self._ctx.clock.now()).priority


def _skill(handoff: Handoff) -> str:
    return queue_skill(handoff.summary.get("intent"))


def waiting_of(handoff: Handoff, now: datetime) -> WaitingConversation:
    priority = check_priority(handoff.reason, handoff.repeat_contact, now - handoff.since)
    return WaitingConversation(
        handoff.conversation_id, handoff.queue_language, _skill(handoff), priority, handoff.since
    )


def _seat(agent: Agent, load: int) -> Seat:
    if agent.sees_every_queue:
        return Seat(agent.id, LANGUAGES, SKILLS, agent.capacity, load)
    return Seat(agent.id, agent.languages, agent.skills, agent.capacity, load)


def _owned_by(agent: Agent, doing: str) -> Callable[[ConversationRecord], None]:
    def check(record: ConversationRecord) -> None:
        if record.agent_id != agent.id or not record.handed_off:
            raise ConversationTaken(f"take the conversation before {doing} the customer")

    return check


def _agent_frame(seq: int, agent: Agent, text: str) -> dict[str, Any]:
    return {"type": "agent", "seq": seq, "name": agent.display_name, "text": text}


def check_message(text: str, client_message_id: str) -> str:
    if not CLIENT_MESSAGE_ID.match(client_message_id or ""):
        raise InvalidInput("client_message_id must be 1-64 letters, digits or _ . : -")
    text = (text or "").strip()
    if not text:
        raise InvalidInput("the message is empty")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidInput(f"the message is longer than {MAX_MESSAGE_CHARS} characters")
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise InvalidInput("the message contains control characters")
    return text
