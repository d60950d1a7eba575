"""Building valid shipments for tests, in any lifecycle state, through the real use cases."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from parceldesk.demo.world import STATUS_MIX
from parceldesk.domain.addresses import Address
from parceldesk.domain.commands import CustomerGrant, VerifyParty
from parceldesk.domain.money import Money
from parceldesk.domain.phones import PhoneNumber
from parceldesk.domain.policy import Policy
from parceldesk.domain.shipments import Party, ScanEvent, Shipment, Status
from parceldesk.services.context import Context
from parceldesk.services.registration import RegisterShipment, register_shipment
from parceldesk.services.verification import Verification, verify_party

SHANGHAI = Address(
    "CN", "上海市", "上海市", "浦东新区", "世纪大道100号", "环球金融中心20楼", "200120"
)
BEIJING = Address(
    "CN", "北京市", "北京市", "朝阳区", "建国路88号", "SOHO现代城2号楼1501室", "100022"
)
BEIJING_HAIDIAN = Address("CN", "北京市", "北京市", "海淀区", "中关村大街27号", "", "100080")
BEIJING_SAME_DISTRICT = Address(
    "CN", "北京市", "北京市", "朝阳区", "建国路93号", "万达广场5号楼", "100022"
)
DATONG = Address("CN", "山西省", "大同市", "平城区", "迎宾路10号", "", "037000")
TAIYUAN = Address("CN", "山西省", "太原市", "小店区", "长治路111号", "", "030006")
JAKARTA = Address(
    "ID", "DKI Jakarta", "Jakarta Selatan", "Tebet", "Jl. Sudirman No. 5", "RT 01/RW 02", "12810"
)
SENDER_PHONE = PhoneNumber("+8613900001111")
RECIPIENT_PHONE = PhoneNumber("+8613812345678")
PATHS = {status: path for _, status, path in STATUS_MIX}
NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


def scans_for(
    status: Status, origin: Address, destination: Address, end: datetime
) -> tuple[ScanEvent, ...]:
    path = PATHS[status]
    scans = []
    for step, state in enumerate(path):
        at = end - timedelta(hours=6 * (len(path) - step))
        place = origin if state in {Status.CREATED, Status.PICKED_UP} else destination
        scans.append(ScanEvent(at, place.province, place.city, state, state.value))
    return tuple(scans)


def make_shipment(
    policy: Policy,
    *,
    serial: int = 1,
    status: Status = Status.IN_TRANSIT,
    origin: Address = SHANGHAI,
    destination: Address = BEIJING,
    sender_phone: str = SENDER_PHONE,
    recipient_phone: str = RECIPIENT_PHONE,
    weight_grams: int = 1200,
    declared_value: Money | None = None,
    now: datetime = NOW,
    expected_delivery: date | None = None,
) -> Shipment:
    carrier = next(f for f in policy.carriers if f.carrier == "PD")
    scans = scans_for(status, origin, destination, now)
    return Shipment(
        waybill=carrier.make(serial),
        carrier="PD",
        service_level="standard",
        sender=Party("王芳", PhoneNumber(sender_phone)),
        recipient=Party("李伟", PhoneNumber(recipient_phone)),
        origin=origin,
        destination=destination,
        weight_grams=weight_grams,
        fee=Money(1200, "CNY"),
        created_at=scans[0].at,
        expected_delivery=expected_delivery or (now + timedelta(days=1)).date(),
        declared_value=declared_value,
        status=status,
        scans=scans,
        delivered_at=scans[-1].at if status is Status.DELIVERED else None,
    )


def register(ctx: Context, shipment: Shipment) -> Shipment:
    register_shipment(ctx, RegisterShipment(shipment, "test", f"register-{uuid.uuid4().hex}"))
    with ctx.uow() as uow:
        return uow.shipments.get(shipment.waybill)


def given_shipment(ctx: Context, **fields: object) -> Shipment:
    return register(ctx, make_shipment(ctx.policy, **fields))  # type: ignore[arg-type]


def verify(ctx: Context, waybill: str, last4: str) -> CustomerGrant:
    result: Verification = verify_party(ctx, VerifyParty(waybill, "test", phone_last4=last4))
    return CustomerGrant(result.token)


def key() -> str:
    return f"key-{uuid.uuid4().hex}"


def with_destination(shipment: Shipment, destination: Address) -> Shipment:
    return replace(shipment, destination=destination)
