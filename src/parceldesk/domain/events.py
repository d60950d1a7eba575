"""Events: what happened, named in the past tense. Use cases return them inside their results."""

from __future__ import annotations

from dataclasses import dataclass

EVENT_OF_ACTION: dict[str, str] = {
    "register_shipment": "ShipmentRegistered",
    "record_scan": "ShipmentScanned",
    "change_address": "DeliveryAddressChanged",
    "reschedule_delivery": "DeliveryRescheduled",
    "hold_at_station": "ShipmentHeldAtStation",
    "intercept_return": "ShipmentIntercepted",
    "file_claim": "ClaimFiled",
    "book_pickup": "PickupBooked",
    "file_complaint": "ComplaintFiled",
    "verify_party": "PartyVerificationAttempted",
    "request_one_time_code": "OneTimeCodeSent",
}


@dataclass(frozen=True)
class Event:
    name: str
    waybill: str | None
    reference: str | None


def event_of(action: str, waybill: str | None, reference: str | None) -> Event:
    return Event(EVENT_OF_ACTION[action], waybill, reference)
