"""Conversations over a network: started with a resume token, stored as events, replayed safely.

Only the holder of the resume token may read or write a conversation; the token is kept as an
HMAC only. A customer message is answered and stored in one transaction before the answer is
returned, and a resend with the same ``client_message_id`` gets the stored answer without the
engine running again. A write the engine executes carries an idempotency key made of the
conversation id and the turn number, so a turn replayed after a crash cannot act twice.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

import yaml

from parceldesk.conversation import events as e
from parceldesk.conversation.engine import Conversation
from parceldesk.conversation.nlu.training import LANGUAGES
from parceldesk.conversation.ports import (
    ConversationRecord,
    ConversationStore,
    Handoff,
    LiveFeed,
    MessageUnderstander,
    StoredEvent,
    StoredTurn,
)
from parceldesk.conversation.responses import say
from parceldesk.conversation.state import ConversationState
from parceldesk.domain.agents import SKILLS, Agent
from parceldesk.domain.errors import (
    ConcurrentModification,
    InvalidInput,
    NotFound,
    ParceldeskError,
)
from parceldesk.domain.phones import parse_phone
from parceldesk.domain.routing import (
    AgentStatus,
    Seat,
    WaitingConversation,
    check_priority,
    plan_assignments,
    queue_position,
    queue_skill,
)
from parceldesk.domain.routing import queue_order as queue_order_of
from parceldesk.services.context import Context
from parceldesk.services.writes import WriteResult

LANGUAGES_SET = frozenset(LANGUAGES)
MAX_MESSAGE_CHARS = 2000
CLIENT_MESSAGE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
CHANNELS = ("web", "api", "sms", "voice", "cli")
LOCK_STRIPES = 64
SIGNALS = ("typing", "here", "left")
WRAP_UPS = ("resolved", "changed_for_customer", "no_reply", "escalated", "other")


class ConversationNotFound(NotFound):
    code = "conversation_not_found"


class NotAuthenticated(ParceldeskError):
    code = "not_authenticated"


@dataclass(frozen=True)
class StartedConversation:
    id: str
    token: str
    replies: tuple[str, ...]
    language: str
    quick_replies: tuple[str, ...]


@dataclass(frozen=True)
class TurnResult:
    message_id: str
    replies: tuple[str, ...]
    intent: str | None
    language: str
    handed_off: bool
    quick_replies: tuple[str, ...] = ()
    replayed: bool = False
    actions: tuple[str, ...] = ()  # writes executed in this turn (not kept for replays)
    handoff: bool = False  # this turn handed the conversation to a human
    verification_failed: bool = False  # the customer gave details that did not match

    def to_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "replies": list(self.replies),
            "intent": self.intent,
            "language": self.language,
            "handed_off": self.handed_off,
            "quick_replies": list(self.quick_replies),
        }


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


def _transcript(events: list[StoredEvent]) -> list[TranscriptEntry]:
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


class ChatService:
    def __init__(
        self,
        ctx: Context,
        store: ConversationStore,
        understander: Callable[[], MessageUnderstander],
        feed: LiveFeed | None = None,
    ) -> None:
        self._ctx, self._store, self._understander = ctx, store, understander
        self._feed = feed
        self._locks = tuple(threading.Lock() for _ in range(LOCK_STRIPES))

    def start(
        self, channel: str, language: str | None = None, caller_phone: str | None = None
    ) -> StartedConversation:
        if channel not in CHANNELS:
            raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}")
        if language is not None and language not in LANGUAGES:
            raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)}")
        phone = (
            parse_phone(caller_phone, self._ctx.policy.default_country) if caller_phone else None
        )
        conversation_id, token = uuid.uuid4().hex, secrets.token_urlsafe(32)
        conversation = Conversation(self._ctx, self._understander(), conversation_id, channel)
        replies = conversation.open(language or "en")
        now = self._ctx.clock.now()
        record = ConversationRecord(
            conversation_id, self._hash(token), channel, conversation.state.language,
            phone, now,
        )  # fmt: skip
        self._store.add(record, conversation.events, now)
        return StartedConversation(
            conversation_id, token, tuple(replies), record.language,
            quick_replies(conversation.state),
        )  # fmt: skip

    def check_access(self, conversation_id: str, token: str | None) -> ConversationRecord:
        """The conversation, if ``token`` is its resume token (else it does not exist for you)."""
        if not token:
            raise NotAuthenticated("send the conversation's resume token as a Bearer token")
        record = self._store.find(conversation_id) if len(conversation_id) <= 64 else None
        return self._checked(record, token)

    def _checked(self, record: ConversationRecord | None, token: str) -> ConversationRecord:
        if record is None or not hmac.compare_digest(record.token_hash, self._hash(token)):
            raise ConversationNotFound("no such conversation for this token")
        return record

    def post(
        self, conversation_id: str, token: str | None, text: str, client_message_id: str
    ) -> TurnResult:
        if not token:
            raise NotAuthenticated("send the conversation's resume token as a Bearer token")
        text = _check_message(text, client_message_id)
        with self._lock(conversation_id):
            loaded = self._store.load(conversation_id, client_message_id)
            record = self._checked(loaded.record if loaded else None, token)
            if loaded is not None and loaded.turn is not None:
                return _replayed(loaded.turn)
            history = loaded.events if loaded else []
            conversation = Conversation(
                self._ctx, self._understander(), conversation_id, record.channel, history
            )
            replies = conversation.handle(text)
            new = conversation.events[len(history) :]
            handoff = next((x for x in new if isinstance(x, e.HandoffRequested)), None)
            if handoff is not None:
                told = self._queue_message(record, handoff)
                new.append(told)
                replies.append(told.text)
            intent = next((x.intent for x in new if isinstance(x, e.IntentDetected)), None)
            result = TurnResult(
                uuid.uuid4().hex, tuple(replies), intent, conversation.state.language,
                conversation.state.handed_off, quick_replies(conversation.state),
                actions=tuple(x.action for x in new if isinstance(x, e.ActionExecuted)),
                handoff=handoff is not None,
                verification_failed=any(isinstance(x, e.VerificationFailed) for x in new),
            )  # fmt: skip
            turn = StoredTurn(client_message_id, result.to_json())
            seqs = self._store.append(record, new, turn, self._ctx.clock.now())
        if record.handed_off or result.handed_off:  # an agent may be watching
            self._publish(conversation_id, _customer_frame(seqs, new), "agent")
        if handoff is not None:
            self.route()
        return result

    def _queue_message(self, record: ConversationRecord, handoff: e.HandoffRequested) -> e.BotSaid:
        """Who will help the customer just handed off, or their place in the queue (the same
        routing ``route`` does once the handoff is stored)."""
        now = self._ctx.clock.now()
        mine = Handoff(record.id, record.language, record.channel, now, handoff.reason,
                       handoff.summary)  # fmt: skip
        waiting = [_waiting(h, now) for h in self._store.list_handoffs() if not h.taken]
        waiting.append(_waiting(mine, now))
        agents, seats = self._seats()
        assigned = dict(plan_assignments(waiting, seats)).get(record.id)
        language = mine.queue_language
        if assigned is not None:
            name = agents[assigned].display_name
            return e.BotSaid("agent_assigned", say(language, "agent_assigned", name=name))
        position = queue_position(waiting, record.id)
        return e.BotSaid("queue_position", say(language, "queue_position", position=position))

    def transcript(self, conversation_id: str, token: str | None) -> list[TranscriptEntry]:
        self.check_access(conversation_id, token)
        return _transcript(self._store.list_events(conversation_id))

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
            handoff, _transcript(events), waybill, handoff.owner, done,
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
        now = self._ctx.clock.now()
        waiting = [_waiting(h, now) for h in self._store.list_handoffs() if not h.taken]
        if not waiting:
            return []
        agents, seats = self._seats()
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
        text = _check_message(text, "agent")
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
            [seq] = self._append(conversation_id, left, check=_owned_by(agent, "wrapping up"))
        self._publish(conversation_id, {"type": "left", "seq": seq, "name": agent.display_name})
        self.route()  # the agent has a free seat again

    def record_agent_action(
        self, agent: Agent, conversation_id: str, result: WriteResult, told: str
    ) -> None:
        """A write the agent made for the customer, and what the customer was told about it."""
        with self._lock(conversation_id):
            executed = e.ActionExecuted(result.action, result.waybill, result.reference)
            saying = e.AgentSaid(agent.id, agent.display_name, told)
            seqs = self._append(conversation_id, executed, saying)
        self._publish(conversation_id, _agent_frame(seqs[-1], agent, told))

    def _owner(self, conversation_id: str) -> str | None:
        record = self._store.find(conversation_id)
        return record.agent_id if record else None

    def _find_agent(self, agent_id: str) -> Agent | None:
        with self._ctx.uow() as uow:
            return uow.agents.find(agent_id)

    def _publish(self, conversation_id: str, frame: dict[str, Any], audience: str = "both") -> None:
        if self._feed is not None:
            self._feed.publish(conversation_id, {**frame, "for": audience})

    async def subscribe(self, conversation_id: str, audience: str) -> AsyncIterator[dict[str, Any]]:
        """Live frames for a conversation meant for ``audience`` (customer | agent); nothing
        without a feed. Check access first."""
        if self._feed is None:
            return
        async for frame in self._feed.subscribe(conversation_id):
            if frame.get("for", "both") in (audience, "both"):  # shared: copy, never change
                yield {key: value for key, value in frame.items() if key != "for"}

    def signal(self, conversation_id: str, sender: str, state: str, name: str = "") -> None:
        """Tell the other side that the customer or the agent is typing, here, or has left
        (not stored: a signal is only worth something while it happens)."""
        if state not in SIGNALS:
            raise InvalidInput(f"a signal is one of {', '.join(SIGNALS)}")
        audience = "agent" if sender == "customer" else "customer"
        frame = {"type": "signal", "sender": sender, "state": state, "name": name}
        self._publish(conversation_id, frame, audience)

    def _append(
        self,
        conversation_id: str,
        *events: e.Event,
        check: Callable[[ConversationRecord], None] | None = None,
    ) -> list[int]:
        """Add events after ``check`` passed on the record they are added to (the store's
        version check makes the two one step, across server processes too)."""
        record = self._store.find(conversation_id)
        if record is None:
            raise ConversationNotFound("no such conversation")
        if check is not None:
            check(record)
        return self._store.append(record, list(events), None, self._ctx.clock.now())

    def list_handoffs(self, agent: Agent) -> list[Handoff]:
        """The queue this agent may see: their languages and skills (all for a supervisor),
        in the order they will be served."""
        now = self._ctx.clock.now()
        mine = {
            h.conversation_id: h
            for h in self._store.list_handoffs()
            if agent.may_handle(h.queue_language, _skill(h))
        }
        order = queue_order_of([_waiting(h, now) for h in mine.values()])
        return [mine[w.conversation_id] for w in order]

    def priority_of(self, handoff: Handoff) -> int:
        return _waiting(handoff, self._ctx.clock.now()).priority

    def _hash(self, token: str) -> str:
        return hmac.new(self._ctx.secret_key, token.encode(), hashlib.sha256).hexdigest()

    def _lock(self, conversation_id: str) -> threading.Lock:
        """Turns of one conversation run one at a time in this process (other processes are
        caught by the store's version check)."""
        return self._locks[hash(conversation_id) % LOCK_STRIPES]


def _check_message(text: str, client_message_id: str) -> str:
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


def _skill(handoff: Handoff) -> str:
    return queue_skill(handoff.summary.get("intent"))


def _waiting(handoff: Handoff, now: datetime) -> WaitingConversation:
    priority = check_priority(handoff.reason, handoff.repeat_contact, now - handoff.since)
    return WaitingConversation(
        handoff.conversation_id, handoff.queue_language, _skill(handoff), priority, handoff.since
    )


def _seat(agent: Agent, load: int) -> Seat:
    if agent.sees_every_queue:
        return Seat(agent.id, LANGUAGES_SET, SKILLS, agent.capacity, load)
    return Seat(agent.id, agent.languages, agent.skills, agent.capacity, load)


def _owned_by(agent: Agent, doing: str) -> Callable[[ConversationRecord], None]:
    def check(record: ConversationRecord) -> None:
        if record.agent_id != agent.id or not record.handed_off:
            raise ConversationTaken(f"take the conversation before {doing} the customer")

    return check


def _customer_frame(seqs: list[int], events: list[e.Event]) -> dict[str, Any]:
    """What an agent watching the conversation sees of a customer's turn."""
    lines = [
        {"seq": seq, "sender": "customer" if isinstance(x, e.UserSaid) else "bot", "text": x.text}
        for seq, x in zip(seqs, events, strict=True)
        if isinstance(x, e.UserSaid | e.BotSaid)
    ]
    return {"type": "lines", "lines": lines}


def _agent_frame(seq: int, agent: Agent, text: str) -> dict[str, Any]:
    return {"type": "agent", "seq": seq, "name": agent.display_name, "text": text}


@cache
def _quick_reply_texts() -> dict[str, dict[str, list[str]]]:
    path = resources.files("parceldesk.conversation").joinpath("data/quick_replies.yaml")
    data: dict[str, dict[str, list[str]]] = yaml.safe_load(path.read_text("utf-8"))
    return data


def quick_replies(state: ConversationState) -> tuple[str, ...]:
    """The buttons worth offering now: yes/no for a pending change, the tasks when idle."""
    if state.handed_off:
        return ()
    texts = _quick_reply_texts()[state.language]
    if state.pending is not None:
        return tuple(texts["confirm"])
    return tuple(texts["start"]) if state.task is None else ()


def _replayed(stored: StoredTurn) -> TurnResult:
    data = stored.result
    return TurnResult(
        str(data["message_id"]), tuple(data["replies"]), data["intent"], str(data["language"]),
        bool(data["handed_off"]), tuple(data.get("quick_replies", ())), replayed=True,
    )  # fmt: skip
