"""Records that use cases create besides shipments: claims, pickups, complaints, audit entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from parceldesk.domain.addresses import Address
from parceldesk.domain.money import Money
from parceldesk.domain.policy.requests import ClaimKind
from parceldesk.domain.shipments import Appointment, Party, PartyRole


@dataclass(frozen=True)
class Claim:
    reference: str
    waybill: str
    kind: ClaimKind
    claimant: PartyRole
    description: str
    amount_claimed: Money | None
    compensation_cap: Money
    filed_at: datetime
    status: str = "filed"


@dataclass(frozen=True)
class Pickup:
    reference: str
    contact: Party
    address: Address
    appointment: Appointment
    weight_grams: int
    items: str
    fee: Money
    booked_at: datetime
    status: str = "booked"


@dataclass(frozen=True)
class Complaint:
    reference: str
    waybill: str | None
    category: str
    severity: int
    description: str
    contact_phone: str | None
    filed_at: datetime
    status: str = "open"


@dataclass(frozen=True)
class AuditRecord:
    """One audited write: who, when, which channel, before and after, at what fee."""

    id: str
    at: datetime
    action: str
    outcome: str
    actor: str
    role: str | None
    channel: str
    waybill: str | None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    fee: Money | None = None
    idempotency_key: str | None = None
    reference: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
