"""Use cases that change a shipment for a party: redirect, reschedule, hold, intercept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from parceldesk.domain.addresses import check_address
from parceldesk.domain.commands import (
    ChangeDeliveryAddress,
    HoldAtStation,
    InterceptShipment,
    RescheduleDelivery,
    ShipmentWrite,
)
from parceldesk.domain.errors import InvalidInput, PolicyRefusal
from parceldesk.domain.money import Money
from parceldesk.domain.policy.decisions import (
    Decision,
    decide_address_change,
    decide_hold,
    decide_intercept,
    decide_reschedule,
)
from parceldesk.domain.shipments import PartyRole, ScanEvent, Shipment, Status
from parceldesk.domain.waybills import check_waybill
from parceldesk.services.context import Context
from parceldesk.services.ports import UnitOfWork
from parceldesk.services.snapshots import address_dict
from parceldesk.services.verification import authorise_party
from parceldesk.services.writes import Actor, Change, WriteResult, WriteSpec, run_write

Apply = Callable[[Shipment, PartyRole, datetime], Change]


def check_fee_accepted(decision: Decision, accepted: Money | None) -> None:
    """A paid change happens only if the party accepted at least the fee the policy asks now."""
    fee = decision.fee
    if fee is None or fee.is_zero:
        return
    if accepted is None or accepted.currency != fee.currency or accepted < fee:
        raise PolicyRefusal(
            f"this change costs {fee}; please confirm the fee first",
            "fee_not_accepted",
            values={"fee": str(fee)},
        )


def _run_shipment_write(ctx: Context, action: str, cmd: ShipmentWrite, apply: Apply) -> WriteResult:
    waybill = check_waybill(cmd.waybill, ctx.policy.carriers)

    def perform(uow: UnitOfWork, now: datetime) -> tuple[Actor, Shipment, Change]:
        shipment = uow.shipments.get(waybill)
        actor, role = authorise_party(ctx, uow, cmd.credential, waybill)
        return actor, shipment, apply(shipment, role, now)

    return run_write(ctx, WriteSpec(action, cmd, cmd.idempotency_key, cmd.channel), perform)


def change_delivery_address(ctx: Context, cmd: ChangeDeliveryAddress) -> WriteResult:
    new = check_address(cmd.new_address, ctx.policy.served_countries)

    def apply(shipment: Shipment, role: PartyRole, now: datetime) -> Change:
        decision = decide_address_change(ctx.policy, shipment, role, new).enforce()
        check_fee_accepted(decision, cmd.accepted_fee)
        return Change(
            after=shipment.redirected_to(new),
            fee=decision.fee,
            details={"from": address_dict(shipment.destination), "to": address_dict(new)},
        )

    return _run_shipment_write(ctx, "change_address", cmd, apply)


def reschedule_delivery(ctx: Context, cmd: RescheduleDelivery) -> WriteResult:
    def apply(shipment: Shipment, role: PartyRole, now: datetime) -> Change:
        decision = decide_reschedule(ctx.policy, shipment, role, cmd.appointment, now).enforce()
        check_fee_accepted(decision, cmd.accepted_fee)
        return Change(
            after=shipment.rescheduled_to(cmd.appointment),
            fee=decision.fee,
            details={"appointment": str(cmd.appointment)},
        )

    return _run_shipment_write(ctx, "reschedule_delivery", cmd, apply)


def hold_at_station(ctx: Context, cmd: HoldAtStation) -> WriteResult:
    def apply(shipment: Shipment, role: PartyRole, now: datetime) -> Change:
        decision = decide_hold(ctx.policy, shipment, role, cmd.until, now).enforce()
        scan = None
        if shipment.status in {Status.AT_STATION, Status.FAILED_ATTEMPT}:
            province, city = shipment.transfer_point
            scan = ScanEvent(now, province, city, Status.HELD, "held_on_request")
        return Change(
            after=shipment.held_at_station(cmd.until, scan),
            fee=decision.fee,
            details={"until": cmd.until.isoformat(), "held_from": _held_from(shipment.status)},
        )

    return _run_shipment_write(ctx, "hold_at_station", cmd, apply)


def _held_from(status: Status) -> str:
    """Where the held parcel is now: at the station, on the courier's van, or still on its way."""
    if status in {Status.AT_STATION, Status.FAILED_ATTEMPT, Status.HELD}:
        return "station"
    return "courier" if status is Status.OUT_FOR_DELIVERY else "on_the_way"


def intercept_shipment(ctx: Context, cmd: InterceptShipment) -> WriteResult:
    reason = cmd.reason.strip()
    if not reason or len(reason) > 500:
        raise InvalidInput("please give a reason of up to 500 characters")

    def apply(shipment: Shipment, role: PartyRole, now: datetime) -> Change:
        decision = decide_intercept(ctx.policy, shipment, role).enforce()
        check_fee_accepted(decision, cmd.accepted_fee)
        province, city = shipment.transfer_point
        scan = ScanEvent(now, province, city, Status.RETURNING, "intercepted")
        return Change(
            after=shipment.returned_to_sender(scan), fee=decision.fee, details={"reason": reason}
        )

    return _run_shipment_write(ctx, "intercept_return", cmd, apply)
