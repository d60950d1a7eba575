"""The ports the outside world implements: clock, unit of work, repositories and stores."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from parceldesk.domain.phones import PhoneNumber
from parceldesk.domain.records import AuditRecord, Claim, Complaint, Pickup
from parceldesk.domain.shipments import PartyRole, Shipment


class Clock(Protocol):
    def now(self) -> datetime: ...


class ShipmentRepository(Protocol):
    def find(self, waybill: str) -> Shipment | None: ...
    def get(self, waybill: str) -> Shipment: ...
    def find_by_phone(self, phone: PhoneNumber, limit: int = 20) -> Sequence[Shipment]: ...
    def add(self, shipment: Shipment) -> None: ...
    def update(self, shipment: Shipment) -> Shipment:
        """Store ``shipment`` if nobody changed it since it was read; return it one version up."""
        ...


class AuditLog(Protocol):
    def add(self, record: AuditRecord) -> None: ...
    def list_for_waybill(self, waybill: str) -> Sequence[AuditRecord]: ...
    def count(self) -> int: ...


@dataclass(frozen=True)
class StoredResult:
    key: str
    action: str
    fingerprint: str
    result: dict[str, Any]


class IdempotencyStore(Protocol):
    def find(self, key: str) -> StoredResult | None: ...
    def add(self, stored: StoredResult, at: datetime) -> None: ...


@dataclass(frozen=True)
class Grant:
    token_hash: str
    waybill: str
    roles: tuple[PartyRole, ...]
    expires_at: datetime


@dataclass(frozen=True)
class OneTimeCode:
    id: str
    waybill: str
    role: PartyRole
    code_hash: str
    expires_at: datetime


class VerificationStore(Protocol):
    def add_attempt(self, waybill: str, at: datetime, method: str, success: bool) -> None: ...
    def count_failures_since(self, waybill: str, since: datetime) -> int:
        """Failed attempts at or after ``since`` and after the latest successful one."""
        ...

    def find_lock(self, waybill: str) -> datetime | None: ...
    def set_lock(self, waybill: str, until: datetime) -> None: ...
    def add_grant(self, grant: Grant, channel: str) -> None: ...
    def find_grant(self, token_hash: str) -> Grant | None: ...
    def expire_grant(self, token_hash: str, at: datetime) -> None: ...
    def add_code(self, code: OneTimeCode, channel: str) -> None: ...
    def find_codes(self, waybill: str, now: datetime) -> Sequence[OneTimeCode]: ...
    def use_code(self, code_id: str) -> None: ...


class RecordStore(Protocol):
    def add_claim(self, claim: Claim) -> None: ...
    def add_pickup(self, pickup: Pickup) -> None: ...
    def add_complaint(self, complaint: Complaint) -> None: ...
    def find_claims(self, waybill: str) -> Sequence[Claim]: ...
    def find_complaint(self, reference: str) -> Complaint | None: ...
    def find_pickup(self, reference: str) -> Pickup | None: ...


@dataclass(frozen=True)
class OutgoingMessage:
    id: str
    at: datetime
    channel: str
    to: PhoneNumber
    body: str


class Outbox(Protocol):
    """Messages to customers (SMS), written in the same transaction and sent by a relay."""

    def add(self, message: OutgoingMessage) -> None: ...
    def list_to(self, phone: PhoneNumber) -> Sequence[OutgoingMessage]: ...


class UnitOfWork(Protocol):
    @property
    def shipments(self) -> ShipmentRepository: ...
    @property
    def audit(self) -> AuditLog: ...
    @property
    def idempotency(self) -> IdempotencyStore: ...
    @property
    def verification(self) -> VerificationStore: ...
    @property
    def records(self) -> RecordStore: ...
    @property
    def outbox(self) -> Outbox: ...

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
