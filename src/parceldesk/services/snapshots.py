"""Plain-data views of domain objects for audit records and idempotent replays."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from parceldesk.domain.addresses import Address
from parceldesk.domain.money import Money
from parceldesk.domain.shipments import Shipment


def address_dict(address: Address) -> dict[str, str]:
    return asdict(address)


def money_dict(money: Money | None) -> dict[str, Any] | None:
    return None if money is None else {"minor": money.minor, "currency": money.currency}


def money_from(data: dict[str, Any] | None) -> Money | None:
    return None if data is None else Money(int(data["minor"]), str(data["currency"]))


def shipment_snapshot(shipment: Shipment) -> dict[str, Any]:
    """The fields a write may change: enough to tell before from after in an audit record."""
    return {
        "status": str(shipment.status),
        "destination": address_dict(shipment.destination),
        "appointment": str(shipment.appointment) if shipment.appointment else None,
        "hold_until": shipment.hold_until.isoformat() if shipment.hold_until else None,
        "address_changes": shipment.address_changes,
        "reschedules": shipment.reschedules,
        "version": shipment.version,
    }
