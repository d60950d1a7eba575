"""Read-side use cases: where is my parcel, what may I do with it, which parcels are mine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from parceldesk.domain.commands import Credential
from parceldesk.domain.errors import NotVerified
from parceldesk.domain.phones import PhoneNumber, mask_phone
from parceldesk.domain.policy.decisions import (
    Decision,
    decide_address_change,
    decide_hold,
    decide_intercept,
    decide_reschedule,
)
from parceldesk.domain.policy.requests import decide_claim
from parceldesk.domain.shipments import ScanEvent, Shipment, Status
from parceldesk.domain.waybills import check_waybill
from parceldesk.services.context import Context
from parceldesk.services.verification import authorise, authorise_party

NEXT_STEP: dict[Status, str] = {
    Status.CREATED: "awaiting_pickup",
    Status.PICKED_UP: "to_origin_hub",
    Status.IN_TRANSIT: "to_destination_station",
    Status.AT_STATION: "out_for_delivery_next",
    Status.OUT_FOR_DELIVERY: "delivery_today",
    Status.FAILED_ATTEMPT: "redelivery_or_pickup",
    Status.HELD: "collect_at_station",
    Status.RETURNING: "back_to_sender",
    Status.DAMAGED: "inspection",
    Status.LOST: "investigation",
    Status.DELIVERED: "none",
    Status.RETURNED: "none",
}


@dataclass(frozen=True)
class TrackingView:
    """What a caller may see; ``verified`` says whether names and full addresses are included."""

    waybill: str
    status: Status
    next_step: str
    expected_delivery: date
    appointment: str | None
    hold_until: date | None
    delivered_at: datetime | None
    current_city: str
    scans: tuple[ScanEvent, ...]
    destination: str
    recipient_name: str
    recipient_phone: str
    sender_name: str
    verified_role: str | None


def _mask_name(name: str) -> str:
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def tracking_view(shipment: Shipment, role: str | None) -> TrackingView:
    verified = role is not None
    return TrackingView(
        waybill=shipment.waybill,
        status=shipment.status,
        next_step=NEXT_STEP[shipment.status],
        expected_delivery=shipment.expected_delivery,
        appointment=str(shipment.appointment) if shipment.appointment else None,
        hold_until=shipment.hold_until,
        delivered_at=shipment.delivered_at,
        current_city=shipment.transfer_point[1],
        scans=shipment.scans,
        destination=shipment.destination.one_line() if verified else shipment.destination.masked(),
        recipient_name=shipment.recipient.name if verified else _mask_name(shipment.recipient.name),
        recipient_phone=shipment.recipient.phone
        if verified
        else mask_phone(shipment.recipient.phone),
        sender_name=shipment.sender.name if verified else _mask_name(shipment.sender.name),
        verified_role=role,
    )


def track_shipment(
    ctx: Context, waybill: str, credential: Credential | None = None
) -> TrackingView:
    """Status for anyone with the waybill; names and addresses only for a verified party."""
    number = check_waybill(waybill, ctx.policy.carriers)
    with ctx.reader() as uow:
        shipment = uow.shipments.get(number)
        role = None
        if credential is not None:
            try:
                role = authorise(ctx, uow, credential, number).role
            except NotVerified:
                role = None
    return tracking_view(shipment, role)


def get_allowed_actions(ctx: Context, waybill: str, credential: Credential) -> list[Decision]:
    """Every action and whether the policy allows it for this party now."""
    number = check_waybill(waybill, ctx.policy.carriers)
    now, policy = ctx.clock.now(), ctx.policy
    with ctx.reader() as uow:
        shipment = uow.shipments.get(number)
        _, role = authorise_party(ctx, uow, credential, number)
    return [
        decide_address_change(policy, shipment, role, None),
        decide_reschedule(policy, shipment, role, None, now),
        decide_hold(policy, shipment, role, None, now),
        decide_intercept(policy, shipment, role),
        decide_claim(policy, shipment, role, "damage", now),
        decide_claim(policy, shipment, role, "loss", now),
    ]


def find_shipments_of_phone(
    ctx: Context, phone: PhoneNumber, limit: int = 20
) -> list[TrackingView]:
    """Parcels where ``phone`` is a party, masked: a caller ID alone proves nothing."""
    with ctx.reader() as uow:
        shipments = uow.shipments.find_by_phone(phone, limit)
    return [tracking_view(s, None) for s in shipments]


def get_shipment(ctx: Context, waybill: str) -> Shipment:
    """The whole shipment, for deciding what is possible; callers disclose only what is allowed."""
    number = check_waybill(waybill, ctx.policy.carriers)
    with ctx.reader() as uow:
        return uow.shipments.get(number)
