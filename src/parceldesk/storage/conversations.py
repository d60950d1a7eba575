"""Conversations as append-only event logs in SQL, one transaction per call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from parceldesk.conversation.codec import decode_event, encode_event
from parceldesk.conversation.events import AgentLeft, Event, HandoffRequested
from parceldesk.conversation.ports import (
    ConversationRecord,
    Handoff,
    LoadedConversation,
    StoredEvent,
    StoredTurn,
)
from parceldesk.domain.errors import ConcurrentModification
from parceldesk.storage import tables as t
from parceldesk.storage.engine import READ_ONLY


class SqlConversationStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, record: ConversationRecord, events: Sequence[Event], at: datetime) -> None:
        row = {
            "id": record.id, "token_hash": record.token_hash, "channel": record.channel,
            "language": record.language, "caller_phone": record.caller_phone,
            "created_at": record.created_at, "updated_at": at, "version": 0,
            "handed_off": any(isinstance(x, HandoffRequested) for x in events),
        }  # fmt: skip
        with self._engine.begin() as db:
            db.execute(insert(t.conversations), [row])
            if events:
                db.execute(insert(t.conversation_events), _event_rows(record.id, 0, events, at))

    def find(self, conversation_id: str) -> ConversationRecord | None:
        c = t.conversations.c
        with self._engine.connect().execution_options(**{READ_ONLY: True}) as db:
            row = db.execute(select(t.conversations).where(c.id == conversation_id)).first()
        if row is None:
            return None
        return _record(row._mapping)

    def list_events(self, conversation_id: str) -> list[StoredEvent]:
        c = t.conversation_events.c
        query = select(c.seq, c.at, c.data).where(c.conversation_id == conversation_id)
        with self._engine.connect().execution_options(**{READ_ONLY: True}) as db:
            rows = db.execute(query.order_by(c.seq)).all()
        return [StoredEvent(r.seq, r.at, decode_event(r.data)) for r in rows]

    def find_turn(self, conversation_id: str, client_message_id: str) -> StoredTurn | None:
        c = t.conversation_turns.c
        query = select(c.result).where(
            c.conversation_id == conversation_id, c.client_message_id == client_message_id
        )
        with self._engine.connect().execution_options(**{READ_ONLY: True}) as db:
            result = db.execute(query).scalar_one_or_none()
        return StoredTurn(client_message_id, result) if result is not None else None

    def load(self, conversation_id: str, client_message_id: str) -> LoadedConversation | None:
        c, e, u = t.conversations.c, t.conversation_events.c, t.conversation_turns.c
        with self._engine.connect().execution_options(**{READ_ONLY: True}) as db:
            row = db.execute(select(t.conversations).where(c.id == conversation_id)).first()
            if row is None:
                return None
            answered = db.execute(
                select(u.result).where(
                    u.conversation_id == conversation_id, u.client_message_id == client_message_id
                )
            ).scalar_one_or_none()
            if answered is not None:
                return LoadedConversation(
                    _record(row._mapping), [], StoredTurn(client_message_id, answered)
                )
            query = select(e.data).where(e.conversation_id == conversation_id).order_by(e.seq)
            events = [decode_event(data) for data in db.execute(query).scalars()]
        return LoadedConversation(_record(row._mapping), events, None)

    def list_handoffs(self, limit: int = 200) -> list[Handoff]:
        return self._handoffs(None, limit)

    def find_handoff(self, conversation_id: str) -> Handoff | None:
        found = self._handoffs(conversation_id, 1)
        return found[0] if found else None

    def _handoffs(self, conversation_id: str | None, limit: int) -> list[Handoff]:
        c, e = t.conversations.c, t.conversation_events.c
        latest = (
            select(e.conversation_id, func.max(e.seq).label("seq"))
            .where(e.type == "HandoffRequested")
            .group_by(e.conversation_id)
            .subquery()
        )
        joined = t.conversation_events.alias("joined")
        taken = (
            select(joined.c.seq)
            .where(
                joined.c.conversation_id == c.id,
                joined.c.type == "AgentJoined",
                joined.c.seq > latest.c.seq,
            )
            .exists()
        )
        query = (
            select(c.id, c.language, c.channel, e.at, e.data, taken.label("taken"))
            .join(latest, latest.c.conversation_id == c.id)
            .join(t.conversation_events, and_(e.conversation_id == c.id, e.seq == latest.c.seq))
            .where(c.handed_off.is_(True))
            .order_by(e.at, c.id)
            .limit(limit)
        )
        if conversation_id is not None:
            query = query.where(c.id == conversation_id)
        with self._engine.connect().execution_options(**{READ_ONLY: True}) as db:
            rows = db.execute(query).all()
        return [
            Handoff(
                r.id,
                r.language,
                r.channel,
                r.at,
                r.data["reason"],
                r.data["summary"],
                bool(r.taken),
            )
            for r in rows
        ]

    def append(
        self,
        record: ConversationRecord,
        events: Sequence[Event],
        turn: StoredTurn | None,
        at: datetime,
    ) -> list[int]:
        c = t.conversations.c
        handed_off = record.handed_off
        for event in events:
            if isinstance(event, HandoffRequested | AgentLeft):
                handed_off = isinstance(event, HandoffRequested)
        bump = (
            update(t.conversations)
            .where(c.id == record.id, c.version == record.version)
            .values(version=record.version + 1, updated_at=at, handed_off=handed_off)
        )
        try:
            with self._engine.begin() as db:
                if db.execute(bump).rowcount != 1:
                    raise ConcurrentModification(
                        "the conversation moved on in another request; send the message again"
                    )
                e = t.conversation_events.c
                last = db.execute(
                    select(func.max(e.seq)).where(e.conversation_id == record.id)
                ).scalar_one()
                first = 0 if last is None else last + 1
                if events:
                    db.execute(
                        insert(t.conversation_events), _event_rows(record.id, first, events, at)
                    )
                if turn is not None:
                    db.execute(
                        insert(t.conversation_turns),
                        [{"conversation_id": record.id, "client_message_id": turn.client_message_id,
                          "at": at, "result": turn.result}],
                    )  # fmt: skip
        except IntegrityError as error:
            raise ConcurrentModification(
                "the same message arrived twice at once; send it again for the stored answer"
            ) from error
        return list(range(first, first + len(events)))


def _record(m: Any) -> ConversationRecord:
    return ConversationRecord(
        m["id"], m["token_hash"], m["channel"], m["language"], m["caller_phone"],
        m["created_at"], m["version"], m["handed_off"],
    )  # fmt: skip


def _event_rows(
    conversation_id: str, first: int, events: Sequence[Event], at: datetime
) -> list[dict[str, object]]:
    rows = []
    for offset, event in enumerate(events):
        data = encode_event(event)
        rows.append({"conversation_id": conversation_id, "seq": first + offset, "at": at,
                     "type": data["type"], "data": data})  # fmt: skip
    return rows
