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
import secrets
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from parceldesk.conversation import events as e
from parceldesk.conversation.desk import (
    AgentSide,
    ConversationNotFound,
    TranscriptEntry,
    check_message,
    transcript,
    waiting_of,
)
from parceldesk.conversation.engine import Conversation
from parceldesk.conversation.ports import (
    ConversationRecord,
    ConversationStore,
    Handoff,
    LiveFeed,
    MessageUnderstander,
    StoredTurn,
)
from parceldesk.conversation.responses import quick_reply_texts, say
from parceldesk.conversation.state import ConversationState
from parceldesk.domain.errors import InvalidInput, ParceldeskError
from parceldesk.domain.languages import LANGUAGES
from parceldesk.domain.phones import parse_phone
from parceldesk.domain.routing import plan_assignments, queue_position
from parceldesk.services.context import Context

CHANNELS = ("web", "api", "sms", "voice", "cli")
LOCK_STRIPES = 64
SIGNALS = ("typing", "here", "left")


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


class ChatService(AgentSide):
    def __init__(
        self,
        ctx: Context,
        store: ConversationStore,
        understander: Callable[[], MessageUnderstander],
        feed: LiveFeed | None = None,
        survey: bool = True,
    ) -> None:
        self._ctx, self._store, self._understander = ctx, store, understander
        self._feed, self._survey = feed, survey
        self._locks = tuple(threading.Lock() for _ in range(LOCK_STRIPES))

    @property
    def store(self) -> ConversationStore:
        """Where the conversations are kept (for reports over them)."""
        return self._store

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
        conversation = Conversation(
            self._ctx, self._understander(), conversation_id, channel, survey=self._survey
        )
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
        text = check_message(text, client_message_id)
        with self._lock(conversation_id):
            loaded = self._store.load(conversation_id, client_message_id)
            record = self._checked(loaded.record if loaded else None, token)
            if loaded is not None and loaded.turn is not None:
                return _replayed(loaded.turn)
            history = loaded.events if loaded else []
            conversation = Conversation(
                self._ctx, self._understander(), conversation_id, record.channel, history,
                self._survey,
            )  # fmt: skip
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
            seqs = self._store.append(record, new, turn, self._ctx.clock.now(), len(history))
        if record.handed_off or result.handed_off:  # an agent may be watching
            self._publish(conversation_id, _customer_frame(seqs, new), "agent")
        if handoff is not None:
            self.route()
        return result

    def record_call_event(
        self, conversation_id: str, token: str | None, kind: str, detail: dict[str, Any]
    ) -> None:
        """Keep something that happened on a phone call with its conversation."""
        self.check_access(conversation_id, token)
        with self._lock(conversation_id):
            self._append(conversation_id, e.CallEvent(kind, detail))

    def _queue_message(self, record: ConversationRecord, handoff: e.HandoffRequested) -> e.BotSaid:
        """Who will help the customer just handed off, or their place in the queue (the same
        routing ``route`` does once the handoff is stored)."""
        now = self._ctx.clock.now()
        mine = Handoff(record.id, record.language, record.channel, now, handoff.reason,
                       handoff.summary)  # fmt: skip
        waiting = [waiting_of(h, now) for h in self._store.list_handoffs() if not h.taken]
        waiting.append(waiting_of(mine, now))
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
        return transcript(self._store.list_events(conversation_id))

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

    def _hash(self, token: str) -> str:
        return hmac.new(self._ctx.secret_key, token.encode(), hashlib.sha256).hexdigest()

    def _lock(self, conversation_id: str) -> threading.Lock:
        """Turns of one conversation run one at a time in this process (other processes are
        caught by the store's version check)."""
        return self._locks[hash(conversation_id) % LOCK_STRIPES]


def _customer_frame(seqs: list[int], events: list[e.Event]) -> dict[str, Any]:
    """What an agent watching the conversation sees of a customer's turn."""
    lines = [
        {"seq": seq, "sender": "customer" if isinstance(x, e.UserSaid) else "bot", "text": x.text}
        for seq, x in zip(seqs, events, strict=True)
        if isinstance(x, e.UserSaid | e.BotSaid)
    ]
    return {"type": "lines", "lines": lines}


def quick_replies(state: ConversationState) -> tuple[str, ...]:
    """The buttons worth offering now: yes/no for a pending change, the tasks when idle."""
    if state.handed_off:
        return ()
    texts = quick_reply_texts(state.language)
    if state.pending is not None:
        return tuple(texts["confirm"])
    if state.closing_question_asked is not None:
        return tuple(texts[state.closing_question_asked])
    return tuple(texts["start"]) if state.task is None else ()


def _replayed(stored: StoredTurn) -> TurnResult:
    data = stored.result
    return TurnResult(
        str(data["message_id"]), tuple(data["replies"]), data["intent"], str(data["language"]),
        bool(data["handed_off"]), tuple(data.get("quick_replies", ())), replayed=True,
    )  # fmt: skip
