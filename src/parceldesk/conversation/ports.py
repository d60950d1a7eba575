"""Ports of the conversation engine: where conversations are kept, and the understander seam.

The embedded ``nlu.understand.Understander`` implements ``MessageUnderstander``. An optional
LLM-backed understander (run on the carrier's own compute) would implement the same Protocol and
return the same ``Understanding``; the dialogue, the policies and every write stay deterministic.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from parceldesk.conversation.events import Event
from parceldesk.conversation.nlu.understand import Understanding


class MessageUnderstander(Protocol):
    def understand(self, text: str, today: date, hint: str | None = None) -> Understanding: ...


@dataclass(frozen=True)
class ConversationRecord:
    id: str
    token_hash: str
    channel: str
    language: str
    caller_phone: str | None
    created_at: datetime
    version: int = 0
    handed_off: bool = False
    waybill: str | None = None  # the parcel it is about, lately
    agent_id: str | None = None  # the agent who has it now


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    at: datetime
    event: Event


@dataclass(frozen=True)
class StoredTurn:
    """What one customer message was answered with, kept so a resend gets the same answer."""

    client_message_id: str
    result: dict[str, Any]


@dataclass(frozen=True)
class LoadedConversation:
    record: ConversationRecord
    events: list[Event]
    turn: StoredTurn | None  # the stored answer, if this message was answered before


@dataclass(frozen=True)
class Handoff:
    """A conversation waiting for (or with) a human, and the bot's summary of it."""

    conversation_id: str
    language: str
    channel: str
    since: datetime
    reason: str
    summary: dict[str, Any]
    owner: str | None = None  # the agent who has joined since the handoff, if any
    repeat_contact: bool = False  # the same parcel or phone contacted us in the last days

    @property
    def taken(self) -> bool:
        return self.owner is not None

    @property
    def queue_language(self) -> str:
        """The language the customer speaks now (the conversation may have started in another)."""
        return str(self.summary.get("language", self.language))


class ConversationStore(Protocol):
    """Conversations as append-only event logs. Every method is its own transaction."""

    def add(self, record: ConversationRecord, events: Sequence[Event], at: datetime) -> None: ...
    def find(self, conversation_id: str) -> ConversationRecord | None: ...
    def list_events(self, conversation_id: str) -> list[StoredEvent]: ...
    def find_turn(self, conversation_id: str, client_message_id: str) -> StoredTurn | None: ...
    def list_handoffs(self, limit: int = 1000) -> list[Handoff]:
        """Handed-off conversations, the longest waiting first."""

    def list_logs(
        self, since: datetime, until: datetime
    ) -> list[tuple[ConversationRecord, list[StoredEvent]]]:
        """Every conversation started in [since, until), with its events in order."""

    def count_owned(self) -> dict[str, int]:
        """How many handed-off conversations each agent has now."""

    def find_handoff(self, conversation_id: str) -> Handoff | None:
        """The conversation, if it is handed off, with its latest handoff summary."""

    def load(self, conversation_id: str, client_message_id: str) -> LoadedConversation | None:
        """The record, its events and the answer to ``client_message_id``, in one read."""

    def append(
        self,
        record: ConversationRecord,
        events: Sequence[Event],
        turn: StoredTurn | None,
        at: datetime,
        first_seq: int | None = None,
    ) -> list[int]:
        """Add the events and the turn if ``record.version`` is still current, else raise
        ``ConcurrentModification``; the stored version becomes ``record.version + 1``.
        ``first_seq``: the number of events stored at that version, when the caller read them
        all (saves looking it up).
        Returns the events' sequence numbers."""


class LiveFeed(Protocol):
    """Frames about a conversation for whoever is connected to it, on any server process."""

    def publish(self, conversation_id: str, frame: dict[str, Any]) -> None:
        """Send ``frame`` to the conversation's subscribers (callable from any thread)."""

    def subscribe(self, conversation_id: str) -> AsyncIterator[dict[str, Any]]:
        """The frames published for the conversation from now on, until the caller stops."""
