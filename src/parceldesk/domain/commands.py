"""Commands: what a party asks parceldesk to do. Tiny frozen dataclasses, named imperatively."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from parceldesk.domain.addresses import Address
from parceldesk.domain.money import Money
from parceldesk.domain.policy.requests import ClaimKind
from parceldesk.domain.shipments import Appointment, Party, PartyRole, TimeWindow


@dataclass(frozen=True)
class CustomerGrant:
    """Proof that a customer passed verification: the token ``verify_party`` returned."""

    token: str


@dataclass(frozen=True)
class AgentAuthority:
    """A signed-in human agent acting for a party; the web layer authenticates the agent."""

    agent_id: str
    on_behalf_of: PartyRole


Credential = CustomerGrant | AgentAuthority


@dataclass(frozen=True)
class RequestOneTimeCode:
    waybill: str
    role: PartyRole
    channel: str


@dataclass(frozen=True)
class VerifyParty:
    waybill: str
    channel: str
    phone_last4: str | None = None
    one_time_code: str | None = None
    role: PartyRole | None = None
    phone: str | None = None  # the whole number in E.164, as a caller may give it instead


@dataclass(frozen=True)
class ShipmentWrite:
    """Fields every write to a shipment carries."""

    waybill: str
    credential: Credential
    channel: str
    idempotency_key: str


@dataclass(frozen=True)
class ChangeDeliveryAddress(ShipmentWrite):
    new_address: Address
    accepted_fee: Money | None = None


@dataclass(frozen=True)
class RescheduleDelivery(ShipmentWrite):
    appointment: Appointment
    accepted_fee: Money | None = None


@dataclass(frozen=True)
class HoldAtStation(ShipmentWrite):
    until: date


@dataclass(frozen=True)
class InterceptShipment(ShipmentWrite):
    reason: str
    accepted_fee: Money | None = None


@dataclass(frozen=True)
class FileClaim(ShipmentWrite):
    kind: ClaimKind
    description: str
    amount_claimed: Money | None = None


@dataclass(frozen=True)
class BookPickup:
    contact: Party
    address: Address
    day: date
    window: TimeWindow
    weight_grams: int
    items: str
    channel: str
    idempotency_key: str
    accepted_fee: Money | None = None


@dataclass(frozen=True)
class FileComplaint:
    category: str
    severity: int
    description: str
    channel: str
    idempotency_key: str
    waybill: str | None = None
    contact_phone: str | None = None
    credential: Credential | None = None
