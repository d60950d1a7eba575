"""The one path every write takes: validate, replay or run once, check policy, audit, commit.

A write runs inside one unit of work. An idempotency key that was seen before returns the stored
result without doing anything; the same key with a different request is an error. The audit record
and the idempotency record are written in the same transaction as the change itself.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import Enum
from typing import Any

from parceldesk.domain.errors import IdempotencyKeyReused, InvalidInput
from parceldesk.domain.events import Event, event_of
from parceldesk.domain.money import Money
from parceldesk.domain.records import AuditRecord
from parceldesk.domain.shipments import Shipment
from parceldesk.services.context import Context
from parceldesk.services.ports import StoredResult, UnitOfWork
from parceldesk.services.snapshots import money_dict, money_from, shipment_snapshot


@dataclass(frozen=True)
class WriteResult:
    action: str
    waybill: str | None
    reference: str | None
    fee: Money | None
    audit_id: str
    details: dict[str, Any] = field(default_factory=dict)
    replayed: bool = False

    @property
    def event(self) -> Event:
        return event_of(self.action, self.waybill, self.reference)

    def to_data(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["fee"] = money_dict(self.fee)
        del data["replayed"]
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> WriteResult:
        return cls(**{**data, "fee": money_from(data["fee"]), "replayed": True})


@dataclass(frozen=True)
class Actor:
    label: str
    role: str | None


@dataclass(frozen=True)
class Change:
    """What a write did: the shipment after it (if one changed) and what to report."""

    after: Shipment | None = None
    waybill: str | None = None
    fee: Money | None = None
    reference: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def new_reference(prefix: str, now: datetime) -> str:
    return f"{prefix}{now:%y%m%d}{uuid.uuid4().hex[:6].upper()}"


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"type": type(value).__name__, **{k: _plain(v) for k, v in vars(value).items()}}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def fingerprint_of(command: Any) -> str:
    data = _plain(command)
    data.pop("idempotency_key", None)
    encoded = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def check_idempotency_key(key: str) -> str:
    if not isinstance(key, str) or not 8 <= len(key.strip()) <= 128:
        raise InvalidInput("an idempotency key must be 8-128 characters")
    return key.strip()


def find_replay(uow: UnitOfWork, key: str, action: str, fingerprint: str) -> WriteResult | None:
    stored = uow.idempotency.find(key)
    if stored is None:
        return None
    if stored.action != action or stored.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            f"idempotency key {key!r} was already used for a different {stored.action} request"
        )
    return WriteResult.from_data(stored.result)


@dataclass(frozen=True)
class WriteSpec:
    action: str
    command: Any
    idempotency_key: str
    channel: str


def run_write(
    ctx: Context,
    spec: WriteSpec,
    perform: Callable[[UnitOfWork, datetime], tuple[Actor, Shipment | None, Change]],
) -> WriteResult:
    """Run ``perform`` once per idempotency key, with its audit record, in one transaction.

    ``perform`` returns who acted, the shipment as it was read (or None) and the change.
    """
    key = check_idempotency_key(spec.idempotency_key)
    fingerprint = fingerprint_of(spec.command)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        replay = find_replay(uow, key, spec.action, fingerprint)
        if replay is not None:
            return replay
        actor, before, change = perform(uow, now)
        after = uow.shipments.update(change.after) if change.after is not None else None
        touched = after or before
        waybill = touched.waybill if touched else change.waybill
        record = AuditRecord(
            id=uuid.uuid4().hex,
            at=now,
            action=spec.action,
            outcome="done",
            actor=actor.label,
            role=actor.role,
            channel=spec.channel,
            waybill=waybill,
            before=shipment_snapshot(before) if before else None,
            after=shipment_snapshot(after) if after else None,
            fee=change.fee,
            idempotency_key=key,
            reference=change.reference,
            details=change.details,
        )
        uow.audit.add(record)
        result = WriteResult(
            spec.action, waybill, change.reference, change.fee, record.id, change.details
        )
        uow.idempotency.add(StoredResult(key, spec.action, fingerprint, result.to_data()), now)
        uow.commit()
    return result
