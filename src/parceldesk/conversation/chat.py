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
from parceldesk.conversation.state import ConversationState, fold
from parceldesk.domain.agents import Agent
from parceldesk.domain.errors import InvalidInput, NotFound, ParceldeskError
from parceldesk.domain.phones import parse_phone
from parceldesk.services.context import Context
from parceldesk.services.writes import WriteResult

MAX_MESSAGE_CHARS = 2000
CLIENT_MESSAGE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
CHANNELS = ("web", "api", "sms", "voice", "cli")
LOCK_STRIPES = 64
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
            if any(isinstance(x, e.HandoffRequested) for x in new):
                told = self._queue_position(conversation.state.language)
                new.append(told)
                replies.append(told.text)
            intent = next((x.intent for x in new if isinstance(x, e.IntentDetected)), None)
            result = TurnResult(
                uuid.uuid4().hex, tuple(replies), intent, conversation.state.language,
                conversation.state.handed_off, quick_replies(conversation.state),
                actions=tuple(x.action for x in new if isinstance(x, e.ActionExecuted)),
                handoff=any(isinstance(x, e.HandoffRequested) for x in new),
                verification_failed=any(isinstance(x, e.VerificationFailed) for x in new),
            )  # fmt: skip
            turn = StoredTurn(client_message_id, result.to_json())
            self._store.append(record, new, turn, self._ctx.clock.now())
            return result

    def transcript(self, conversation_id: str, token: str | None) -> list[TranscriptEntry]:
        self.check_access(conversation_id, token)
        return _transcript(self._store.list_events(conversation_id))

    def get_agent_view(self, agent: Agent, conversation_id: str) -> AgentView:
        """A handed-off conversation in one of the agent's queues (else it does not exist)."""
        handoff = self._store.find_handoff(conversation_id) if len(conversation_id) <= 64 else None
        language = handoff.summary.get("language", handoff.language) if handoff else ""
        if handoff is None or not agent.may_handle(language):
            raise ConversationNotFound("no such conversation in your queues")
        events = self._store.list_events(conversation_id)
        waybill = handoff.summary.get("slots", {}).get("waybill") or next(
            (x.event.value for x in reversed(events)
             if isinstance(x.event, e.SlotFilled) and x.event.name == "waybill" and x.event.value),
            None,
        )  # fmt: skip
        owner = fold([x.event for x in events]).agent
        return AgentView(handoff, _transcript(events), waybill, owner)

    def take(self, agent: Agent, conversation_id: str) -> None:
        """The agent takes the conversation over; the bot stays silent from now on."""
        with self._lock(conversation_id):
            view = self.get_agent_view(agent, conversation_id)
            if view.owner == agent.id:
                return
            if view.owner is not None and not agent.sees_every_queue:
                raise ConversationTaken("a colleague has already taken this conversation")
            self._append(conversation_id, e.AgentJoined(agent.id, agent.display_name))

    def say_as_agent(self, agent: Agent, conversation_id: str, text: str) -> None:
        text = _check_message(text, "agent")
        with self._lock(conversation_id):
            if self.get_agent_view(agent, conversation_id).owner != agent.id:
                raise ConversationTaken("take the conversation before writing to the customer")
            [seq] = self._append(conversation_id, e.AgentSaid(agent.id, agent.display_name, text))
        self._publish(conversation_id, _agent_frame(seq, agent, text))

    def hand_back(self, agent: Agent, conversation_id: str, wrap_up: str) -> None:
        """Wrap up with a reason code and give the conversation back to the bot."""
        if wrap_up not in WRAP_UPS:
            raise InvalidInput(f"wrap-up must be one of {', '.join(WRAP_UPS)}")
        with self._lock(conversation_id):
            if self.get_agent_view(agent, conversation_id).owner != agent.id:
                raise ConversationTaken("only the agent who took the conversation can wrap it up")
            self._append(conversation_id, e.AgentLeft(agent.id, wrap_up))

    def record_agent_action(
        self, agent: Agent, conversation_id: str, result: WriteResult, told: str
    ) -> None:
        """A write the agent made for the customer, and what the customer was told about it."""
        with self._lock(conversation_id):
            executed = e.ActionExecuted(result.action, result.waybill, result.reference)
            saying = e.AgentSaid(agent.id, agent.display_name, told)
            seqs = self._append(conversation_id, executed, saying)
        self._publish(conversation_id, _agent_frame(seqs[-1], agent, told))

    def _queue_position(self, language: str) -> e.BotSaid:
        """Where a customer who was just handed off stands among those waiting in their language."""
        waiting = [
            h for h in self._store.list_handoffs()
            if not h.taken and h.summary.get("language", h.language) == language
        ]  # fmt: skip
        return e.BotSaid(
            "queue_position", say(language, "queue_position", position=len(waiting) + 1)
        )

    def _publish(self, conversation_id: str, frame: dict[str, Any]) -> None:
        if self._feed is not None:
            self._feed.publish(conversation_id, frame)

    def subscribe(self, conversation_id: str) -> AsyncIterator[dict[str, Any]]:
        """Live frames for a conversation (nothing without a feed); check access first."""
        return self._feed.subscribe(conversation_id) if self._feed else _nothing()

    def _append(self, conversation_id: str, *events: e.Event) -> list[int]:
        record = self._store.find(conversation_id)
        if record is None:
            raise ConversationNotFound("no such conversation")
        return self._store.append(record, list(events), None, self._ctx.clock.now())

    def list_handoffs(self, agent: Agent) -> list[Handoff]:
        """The queue this agent may see: their languages (every queue for a supervisor)."""
        return [
            h
            for h in self._store.list_handoffs()
            if agent.may_handle(h.summary.get("language", h.language))
        ]

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


def _agent_frame(seq: int, agent: Agent, text: str) -> dict[str, Any]:
    return {"type": "agent", "seq": seq, "name": agent.display_name, "text": text}


async def _nothing() -> AsyncIterator[dict[str, Any]]:
    return
    yield {}


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
