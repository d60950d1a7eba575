"""System use cases: a shipment enters the network, and scans move it through its lifecycle."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from parceldesk.domain.addresses import check_address
from parceldesk.domain.errors import InvalidInput
from parceldesk.domain.phones import parse_phone
from parceldesk.domain.shipments import Party, ScanEvent, Shipment
from parceldesk.domain.waybills import check_waybill
from parceldesk.services.context import Context
from parceldesk.services.ports import UnitOfWork
from parceldesk.services.snapshots import shipment_snapshot
from parceldesk.services.writes import Actor, Change, WriteResult, WriteSpec, run_write


@dataclass(frozen=True)
class RegisterShipment:
    shipment: Shipment
    channel: str
    idempotency_key: str


@dataclass(frozen=True)
class RecordScan:
    waybill: str
    scan: ScanEvent
    channel: str
    idempotency_key: str


def check_shipment(ctx: Context, shipment: Shipment) -> Shipment:
    """Validate everything a new shipment carries; return it normalised."""
    served = ctx.policy.served_countries
    origin = check_address(shipment.origin, served)
    destination = check_address(shipment.destination, served)
    if not 0 < shipment.weight_grams <= 1_000_000:
        raise InvalidInput("a parcel weighs between 1 g and 1,000 kg")
    return replace(
        shipment,
        waybill=check_waybill(shipment.waybill, ctx.policy.carriers),
        origin=origin,
        destination=destination,
        sender=Party(
            shipment.sender.name.strip(), parse_phone(shipment.sender.phone, origin.country)
        ),
        recipient=Party(
            shipment.recipient.name.strip(),
            parse_phone(shipment.recipient.phone, destination.country),
        ),
    )


def register_shipment(ctx: Context, cmd: RegisterShipment) -> WriteResult:
    shipment = check_shipment(ctx, cmd.shipment)

    def perform(uow: UnitOfWork, now: datetime) -> tuple[Actor, None, Change]:
        if uow.shipments.find(shipment.waybill) is not None:
            raise InvalidInput(f"waybill {shipment.waybill} is already registered")
        uow.shipments.add(shipment)
        details = {"shipment": shipment_snapshot(shipment)}
        return Actor("system", None), None, Change(waybill=shipment.waybill, details=details)

    spec = WriteSpec("register_shipment", cmd, cmd.idempotency_key, cmd.channel)
    return run_write(ctx, spec, perform)


def record_scan(ctx: Context, cmd: RecordScan) -> WriteResult:
    waybill = check_waybill(cmd.waybill, ctx.policy.carriers)

    def perform(uow: UnitOfWork, now: datetime) -> tuple[Actor, Shipment, Change]:
        shipment = uow.shipments.get(waybill)
        after = shipment.with_scan(cmd.scan)
        return (
            Actor("system", None),
            shipment,
            Change(after=after, details={"event": cmd.scan.event}),
        )

    return run_write(ctx, WriteSpec("record_scan", cmd, cmd.idempotency_key, cmd.channel), perform)
