"""Rows to domain objects and back."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from parceldesk.domain.addresses import Address
from parceldesk.domain.money import Money
from parceldesk.domain.phones import PhoneNumber
from parceldesk.domain.shipments import (
    Appointment,
    Party,
    ScanEvent,
    Shipment,
    Status,
    TimeWindow,
)
from parceldesk.domain.waybills import Waybill


def address_to_json(address: Address) -> dict[str, str]:
    return {
        "country": address.country,
        "province": address.province,
        "city": address.city,
        "district": address.district,
        "street": address.street,
        "detail": address.detail,
        "postal_code": address.postal_code,
        "raw": address.raw,
    }


def address_from_json(data: dict[str, str]) -> Address:
    return Address(**data)


def scan_to_json(scan: ScanEvent) -> list[str]:
    at = scan.at.astimezone(UTC).isoformat(timespec="seconds")
    return [at, scan.province, scan.city, scan.status.value, scan.event]


def scan_from_json(data: list[str]) -> ScanEvent:
    at = datetime.fromisoformat(data[0])
    return ScanEvent(at, data[1], data[2], Status(data[3]), data[4])


def shipment_to_row(shipment: Shipment) -> dict[str, Any]:
    appointment = shipment.appointment
    return {
        "waybill": shipment.waybill,
        "carrier": shipment.carrier,
        "service_level": shipment.service_level,
        "status": shipment.status.value,
        "sender_name": shipment.sender.name,
        "sender_phone": shipment.sender.phone,
        "recipient_name": shipment.recipient.name,
        "recipient_phone": shipment.recipient.phone,
        "origin": address_to_json(shipment.origin),
        "destination": address_to_json(shipment.destination),
        "weight_grams": shipment.weight_grams,
        "currency": shipment.fee.currency,
        "fee_minor": shipment.fee.minor,
        "declared_value_minor": shipment.declared_value.minor if shipment.declared_value else None,
        "created_at": shipment.created_at,
        "expected_delivery": shipment.expected_delivery,
        "delivered_at": shipment.delivered_at,
        "appointment_date": appointment.day if appointment else None,
        "appointment_window": str(appointment.window) if appointment else None,
        "hold_until": shipment.hold_until,
        "address_changes": shipment.address_changes,
        "reschedules": shipment.reschedules,
        "scans": [scan_to_json(s) for s in shipment.scans],
        "version": shipment.version,
    }


def _appointment(day: date | None, window: str | None) -> Appointment | None:
    if day is None or window is None:
        return None
    return Appointment(day, TimeWindow.parse(window))


def shipment_from_row(row: Any) -> Shipment:
    m = row._mapping
    currency = m["currency"]
    declared = m["declared_value_minor"]
    return Shipment(
        waybill=Waybill(m["waybill"]),
        carrier=m["carrier"],
        service_level=m["service_level"],
        sender=Party(m["sender_name"], PhoneNumber(m["sender_phone"])),
        recipient=Party(m["recipient_name"], PhoneNumber(m["recipient_phone"])),
        origin=address_from_json(m["origin"]),
        destination=address_from_json(m["destination"]),
        weight_grams=m["weight_grams"],
        fee=Money(m["fee_minor"], currency),
        created_at=m["created_at"],
        expected_delivery=m["expected_delivery"],
        declared_value=Money(declared, currency) if declared is not None else None,
        status=Status(m["status"]),
        scans=tuple(scan_from_json(s) for s in m["scans"]),
        appointment=_appointment(m["appointment_date"], m["appointment_window"]),
        hold_until=m["hold_until"],
        address_changes=m["address_changes"],
        reschedules=m["reschedules"],
        delivered_at=m["delivered_at"],
        version=m["version"],
    )
