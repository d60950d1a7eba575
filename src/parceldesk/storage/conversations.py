"""Conversations as append-only event logs in SQL, one transaction per call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import BindParameter

from parceldesk.conversation.codec import decode_event, encode_event
from parceldesk.conversation.events import (
    AgentJoined,
    AgentLeft,
    Event,
    HandoffRequested,
    PartyVerified,
    SlotFilled,
)
from parceldesk.conversation.ports import (
    ConversationRecord,
    Handoff,
    LoadedConversation,
    StoredEvent,
    StoredTurn,
)
from parceldesk.domain.errors import ConcurrentModification
from parceldesk.domain.routing import DEFAULT_RULES
from parceldesk.storage import tables as t
from parceldesk.storage.engine import READ_ONLY


class SqlConversationStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._hot = _HotStatements()

    def add(self, record: ConversationRecord, events: Sequence[Event], at: datetime) -> None:
        now = _after(record, events)
        row = {
            "id": record.id, "token_hash": record.token_hash, "channel": record.channel,
            "language": record.language, "caller_phone": record.caller_phone,
            "created_at": record.created_at, "updated_at": at, "version": 0,
            "handed_off": now.handed_off, "waybill": now.waybill, "agent_id": now.agent_id,
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
        ids = {"conversation_id": conversation_id, "client_message_id": client_message_id}
        with self._engine.connect().execution_options(**{READ_ONLY: True}) as db:
            row = db.execute(self._hot.record_and_answer, ids).first()
            if row is None:
                return None
            answered = row.answered
            if answered is not None:
                return LoadedConversation(
                    _record(row._mapping), [], StoredTurn(client_message_id, answered)
                )
            found = db.execute(self._hot.event_data, ids).scalars()
            events = [decode_event(data) for data in found]
        return LoadedConversation(_record(row._mapping), events, None)

    def list_logs(
        self, since: datetime, until: datetime
    ) -> list[tuple[ConversationRecord, list[StoredEvent]]]:
        c, e = t.conversations.c, t.conversation_events.c
        window = and_(c.created_at >= since, c.created_at < until)
        with self._engine.connect().execution_options(**{READ_ONLY: True}) as db:
            records = [
                _record(r._mapping)
                for r in db.execute(select(t.conversations).where(window).order_by(c.created_at))
            ]
            rows = db.execute(
                select(e.conversation_id, e.seq, e.at, e.data)
                .join(t.conversations, c.id == e.conversation_id)
                .where(window)
                .order_by(e.conversation_id, e.seq)
            ).all()
        logs: dict[str, list[StoredEvent]] = {r.id: [] for r in records}
        for row in rows:
            logs[row.conversation_id].append(StoredEvent(row.seq, row.at, decode_event(row.data)))
        return [(record, logs[record.id]) for record in records]

    def list_handoffs(self, limit: int = 1000) -> list[Handoff]:
        return self._handoffs(None, limit)

    def find_handoff(self, conversation_id: str) -> Handoff | None:
        found = self._handoffs(conversation_id, 1)
        return found[0] if found else None

    def count_owned(self) -> dict[str, int]:
        c = t.conversations.c
        query = (
            select(c.agent_id, func.count())
            .where(c.handed_off.is_(True), c.agent_id.is_not(None))
            .group_by(c.agent_id)
        )
        with self._engine.connect().execution_options(**{READ_ONLY: True}) as db:
            return {agent_id: count for agent_id, count in db.execute(query).tuples()}

    def _handoffs(self, conversation_id: str | None, limit: int) -> list[Handoff]:
        c, e = t.conversations.c, t.conversation_events.c
        earlier = t.conversation_events.alias("handoff")
        latest = (  # the conversation's last handoff, found through its primary key
            select(func.max(earlier.c.seq))
            .where(earlier.c.conversation_id == c.id, earlier.c.type == "HandoffRequested")
            .scalar_subquery()
        )
        query = (
            select(c.id, c.language, c.channel, c.agent_id, c.waybill, c.caller_phone,
                   c.created_at, e.at, e.data)
            .select_from(t.conversations)
            .join(t.conversation_events, and_(e.conversation_id == c.id, e.seq == latest))
            .where(c.handed_off.is_(True))
            .order_by(e.at, c.id)
            .limit(limit)
        )  # fmt: skip
        if conversation_id is not None:
            query = query.where(c.id == conversation_id)
        with self._engine.connect().execution_options(**{READ_ONLY: True}) as db:
            rows = db.execute(query).all()
            repeats = _repeat_contacts(db, rows)
        return [
            Handoff(r.id, r.language, r.channel, r.at, r.data["reason"], r.data["summary"],
                    r.agent_id, r.id in repeats)
            for r in rows
        ]  # fmt: skip

    def append(
        self,
        record: ConversationRecord,
        events: Sequence[Event],
        turn: StoredTurn | None,
        at: datetime,
        first_seq: int | None = None,
    ) -> list[int]:
        now = _after(record, events)
        bump = {
            "conversation_id": record.id, "old_version": record.version,
            "new_version": record.version + 1, "new_updated_at": at,
            "new_handed_off": now.handed_off, "new_waybill": now.waybill,
            "new_agent_id": now.agent_id,
        }  # fmt: skip
        first = first_seq
        rows = _event_rows(record.id, first, events, at) if first is not None else []
        try:
            with self._engine.begin() as db:
                if db.execute(self._hot.bump_version, bump).rowcount != 1:
                    raise ConcurrentModification(
                        "the conversation moved on in another request; send the message again"
                    )
                if first is None:
                    first = _next_seq(db, record.id)
                    rows = _event_rows(record.id, first, events, at)
                if rows:
                    db.execute(self._hot.insert_events, rows)
                if turn is not None:
                    db.execute(
                        self._hot.insert_turn,
                        [{"conversation_id": record.id, "client_message_id": turn.client_message_id,
                          "at": at, "result": turn.result}],
                    )  # fmt: skip
        except IntegrityError as error:
            raise ConcurrentModification(
                "the same message arrived twice at once; send it again for the stored answer"
            ) from error
        return list(range(first, first + len(events)))


class _HotStatements:
    """The statements every customer turn runs, built once per store: SQLAlchemy then finds
    their compiled form without rebuilding and hashing the expression each time."""

    def __init__(self) -> None:
        c, e, u = t.conversations.c, t.conversation_events.c, t.conversation_turns.c
        conversation_id: BindParameter[str] = bindparam("conversation_id")
        answer = (
            select(u.result)
            .where(u.conversation_id == c.id, u.client_message_id == bindparam("client_message_id"))
            .scalar_subquery()
        )
        self.record_and_answer = select(t.conversations, answer.label("answered")).where(
            c.id == conversation_id
        )
        self.event_data = select(e.data).where(e.conversation_id == conversation_id).order_by(e.seq)
        self.bump_version = (
            update(t.conversations)
            .where(c.id == conversation_id, c.version == bindparam("old_version"))
            .values(version=bindparam("new_version"), updated_at=bindparam("new_updated_at"),
                    handed_off=bindparam("new_handed_off"), waybill=bindparam("new_waybill"),
                    agent_id=bindparam("new_agent_id"))
        )  # fmt: skip
        self.insert_events = insert(t.conversation_events)
        self.insert_turn = insert(t.conversation_turns)


def _next_seq(db: Any, conversation_id: str) -> int:
    e = t.conversation_events.c
    last = db.execute(
        select(func.max(e.seq)).where(e.conversation_id == conversation_id)
    ).scalar_one()
    return 0 if last is None else int(last) + 1


def _record(m: Any) -> ConversationRecord:
    return ConversationRecord(
        m["id"], m["token_hash"], m["channel"], m["language"], m["caller_phone"],
        m["created_at"], m["version"], m["handed_off"], m["waybill"], m["agent_id"],
    )  # fmt: skip


def _after(record: ConversationRecord, events: Sequence[Event]) -> ConversationRecord:
    """The record's handoff flag, parcel and owning agent once ``events`` are added."""
    for event in events:
        match event:
            case HandoffRequested():
                record = replace(record, handed_off=True, agent_id=None)
            case AgentLeft():
                record = replace(record, handed_off=False, agent_id=None)
            case AgentJoined(agent_id=agent_id):
                record = replace(record, agent_id=agent_id)
            case SlotFilled(name="waybill", value=value) if value:
                record = replace(record, waybill=value[:32])
            case PartyVerified(waybill=waybill):
                record = replace(record, waybill=waybill[:32])
    return record


def _repeat_contacts(db: Any, rows: Sequence[Any]) -> set[str]:
    """The handed-off conversations whose parcel or caller phone appeared in another
    conversation started in the days before (``RoutingRules.repeat_contact_days``)."""
    waybills = {r.waybill for r in rows if r.waybill}
    phones = {r.caller_phone for r in rows if r.caller_phone}
    if not rows or not (waybills or phones):
        return set()
    window = timedelta(days=DEFAULT_RULES.repeat_contact_days)
    c = t.conversations.c
    earliest = min(r.created_at for r in rows) - window
    others = db.execute(
        select(c.id, c.waybill, c.caller_phone, c.created_at).where(
            c.created_at >= earliest, (c.waybill.in_(waybills)) | (c.caller_phone.in_(phones))
        )
    ).all()
    seen: dict[str, list[tuple[datetime, str]]] = {}
    for o in others:
        for key in _contact_keys(o):
            seen.setdefault(key, []).append((o.created_at, o.id))
    repeats = set()
    for r in rows:
        if any(
            o_id != r.id and r.created_at - window <= at < r.created_at
            for key in _contact_keys(r)
            for at, o_id in seen.get(key, [])
        ):
            repeats.add(r.id)
    return repeats


def _contact_keys(row: Any) -> list[str]:
    """What makes two conversations the same customer's: the parcel, or the caller's phone."""
    return [f"w:{row.waybill}"] * bool(row.waybill) + [f"p:{row.caller_phone}"] * bool(
        row.caller_phone
    )


def _event_rows(
    conversation_id: str, first: int, events: Sequence[Event], at: datetime
) -> list[dict[str, object]]:
    rows = []
    for offset, event in enumerate(events):
        data = encode_event(event)
        rows.append({"conversation_id": conversation_id, "seq": first + offset, "at": at,
                     "type": data["type"], "data": data})  # fmt: skip
    return rows
