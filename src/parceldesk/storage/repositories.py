"""SQL implementations of the repository and store ports, over one connection per unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from parceldesk.domain.errors import ConcurrentModification, ShipmentNotFound
from parceldesk.domain.money import Money
from parceldesk.domain.phones import PhoneNumber
from parceldesk.domain.records import AuditRecord
from parceldesk.domain.shipments import PartyRole, Shipment
from parceldesk.services.ports import Grant, OneTimeCode, OutgoingMessage, StoredResult
from parceldesk.storage import tables as t
from parceldesk.storage.mapping import shipment_from_row, shipment_to_row


class SqlShipmentRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def find(self, waybill: str) -> Shipment | None:
        row = self._db.execute(select(t.shipments).where(t.shipments.c.waybill == waybill)).first()
        return shipment_from_row(row) if row else None

    def get(self, waybill: str) -> Shipment:
        shipment = self.find(waybill)
        if shipment is None:
            raise ShipmentNotFound(f"no parcel with waybill {waybill}")
        return shipment

    def find_by_phone(self, phone: PhoneNumber, limit: int = 20) -> Sequence[Shipment]:
        c = t.shipments.c
        query = (
            select(t.shipments)
            .where(or_(c.recipient_phone == phone, c.sender_phone == phone))
            .order_by(c.created_at.desc())
            .limit(limit)
        )
        return [shipment_from_row(r) for r in self._db.execute(query)]

    def add(self, shipment: Shipment) -> None:
        self._db.execute(insert(t.shipments), [shipment_to_row(shipment)])

    def update(self, shipment: Shipment) -> Shipment:
        row = shipment_to_row(shipment)
        row["version"] = shipment.version + 1
        query = (
            update(t.shipments)
            .where(t.shipments.c.waybill == shipment.waybill)
            .where(t.shipments.c.version == shipment.version)
            .values(**row)
        )
        if self._db.execute(query).rowcount != 1:
            raise ConcurrentModification(
                f"parcel {shipment.waybill} was changed by someone else; please try again"
            )
        return self.get(shipment.waybill)


def _money(minor: int | None, currency: str | None) -> Money | None:
    return Money(minor, currency) if minor is not None and currency else None


class SqlAuditLog:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, record: AuditRecord) -> None:
        row: dict[str, Any] = {
            k: getattr(record, k)
            for k in ("id", "at", "action", "outcome", "actor", "role", "channel", "waybill")
        }
        row |= {
            "before": record.before,
            "after": record.after,
            "fee_minor": record.fee.minor if record.fee else None,
            "currency": record.fee.currency if record.fee else None,
            "idempotency_key": record.idempotency_key,
            "reference": record.reference,
            "details": record.details,
        }
        self._db.execute(insert(t.audit_records), [row])

    def list_for_waybill(self, waybill: str) -> Sequence[AuditRecord]:
        c = t.audit_records.c
        rows = self._db.execute(select(t.audit_records).where(c.waybill == waybill).order_by(c.seq))
        return [self._record(r._mapping) for r in rows]

    def count(self) -> int:
        return int(self._db.execute(select(func.count()).select_from(t.audit_records)).scalar_one())

    @staticmethod
    def _record(m: Any) -> AuditRecord:
        return AuditRecord(
            id=m["id"], at=m["at"], action=m["action"], outcome=m["outcome"], actor=m["actor"],
            role=m["role"], channel=m["channel"], waybill=m["waybill"], before=m["before"],
            after=m["after"], fee=_money(m["fee_minor"], m["currency"]),
            idempotency_key=m["idempotency_key"], reference=m["reference"], details=m["details"],
        )  # fmt: skip


class SqlIdempotencyStore:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def find(self, key: str) -> StoredResult | None:
        row = self._db.execute(
            select(t.idempotency_keys).where(t.idempotency_keys.c.key == key)
        ).first()
        if row is None:
            return None
        m = row._mapping
        return StoredResult(m["key"], m["action"], m["fingerprint"], m["result"])

    def add(self, stored: StoredResult, at: datetime) -> None:
        self._db.execute(
            insert(t.idempotency_keys),
            [{"key": stored.key, "action": stored.action, "fingerprint": stored.fingerprint,
              "result": stored.result, "created_at": at}],
        )  # fmt: skip


class SqlVerificationStore:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add_attempt(self, waybill: str, at: datetime, method: str, success: bool) -> None:
        self._db.execute(
            insert(t.verification_attempts),
            [{"waybill": waybill, "at": at, "method": method, "success": success}],
        )

    def count_failures_since(self, waybill: str, since: datetime) -> int:
        """Failures at or after ``since`` that came after the last success."""
        c = t.verification_attempts.c
        last_success = (
            select(func.coalesce(func.max(c.id), 0))
            .where(and_(c.waybill == waybill, c.success.is_(True)))
            .scalar_subquery()
        )
        query = select(func.count()).where(
            and_(c.waybill == waybill, c.at >= since, c.success.is_(False), c.id > last_success)
        )
        return int(self._db.execute(query).scalar_one())

    def find_lock(self, waybill: str) -> datetime | None:
        c = t.shipment_locks.c
        return self._db.execute(select(c.locked_until).where(c.waybill == waybill)).scalar()

    def set_lock(self, waybill: str, until: datetime) -> None:
        c = t.shipment_locks.c
        if self._db.execute(update(t.shipment_locks).where(c.waybill == waybill).values(
            locked_until=until
        )).rowcount == 0:  # fmt: skip
            self._db.execute(
                insert(t.shipment_locks), [{"waybill": waybill, "locked_until": until}]
            )

    def add_grant(self, grant: Grant, channel: str) -> None:
        self._db.execute(
            insert(t.verification_grants),
            [{"token_hash": grant.token_hash, "waybill": grant.waybill, "channel": channel,
              "roles": ",".join(r.value for r in grant.roles), "expires_at": grant.expires_at}],
        )  # fmt: skip

    def find_grant(self, token_hash: str) -> Grant | None:
        c = t.verification_grants.c
        row = self._db.execute(
            select(t.verification_grants).where(c.token_hash == token_hash)
        ).first()
        if row is None:
            return None
        m = row._mapping
        roles = tuple(PartyRole(r) for r in m["roles"].split(","))
        return Grant(m["token_hash"], m["waybill"], roles, m["expires_at"])

    def expire_grant(self, token_hash: str, at: datetime) -> None:
        c = t.verification_grants.c
        self._db.execute(
            update(t.verification_grants)
            .where(c.token_hash == token_hash, c.expires_at > at)
            .values(expires_at=at)
        )

    def add_code(self, code: OneTimeCode, channel: str) -> None:
        self._db.execute(
            insert(t.one_time_codes),
            [{"id": code.id, "waybill": code.waybill, "role": code.role.value, "used": False,
              "code_hash": code.code_hash, "channel": channel, "expires_at": code.expires_at}],
        )  # fmt: skip

    def find_codes(self, waybill: str, now: datetime) -> Sequence[OneTimeCode]:
        c = t.one_time_codes.c
        rows = self._db.execute(
            select(t.one_time_codes).where(
                and_(c.waybill == waybill, c.used.is_(False), c.expires_at > now)
            )
        )
        return [
            OneTimeCode(
                m["id"], m["waybill"], PartyRole(m["role"]), m["code_hash"], m["expires_at"]
            )
            for m in (r._mapping for r in rows)
        ]

    def use_code(self, code_id: str) -> None:
        c = t.one_time_codes.c
        self._db.execute(update(t.one_time_codes).where(c.id == code_id).values(used=True))


class SqlOutbox:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, message: OutgoingMessage) -> None:
        self._db.execute(
            insert(t.outbox_messages),
            [{"id": message.id, "at": message.at, "channel": message.channel,
              "to_phone": message.to, "body": message.body}],
        )  # fmt: skip

    def list_to(self, phone: PhoneNumber) -> Sequence[OutgoingMessage]:
        c = t.outbox_messages.c
        rows = self._db.execute(select(t.outbox_messages).where(c.to_phone == phone).order_by(c.at))
        return [
            OutgoingMessage(m["id"], m["at"], m["channel"], PhoneNumber(m["to_phone"]), m["body"])
            for m in (r._mapping for r in rows)
        ]
