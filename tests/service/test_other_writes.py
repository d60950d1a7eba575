"""Reschedule, hold, intercept, claims, pickups and complaints through the real use cases."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from parceldesk.domain.commands import (
    BookPickup,
    Credential,
    FileClaim,
    FileComplaint,
    HoldAtStation,
    InterceptShipment,
    RescheduleDelivery,
)
from parceldesk.domain.errors import InvalidInput, PolicyRefusal
from parceldesk.domain.money import Money
from parceldesk.domain.phones import PhoneNumber
from parceldesk.domain.shipments import Appointment, Party, Status, TimeWindow
from parceldesk.services.context import Context, FixedClock
from parceldesk.services.requests import book_pickup, file_claim, file_complaint
from parceldesk.services.shipment_changes import (
    hold_at_station,
    intercept_shipment,
    reschedule_delivery,
)
from parceldesk.services.writes import WriteResult
from tests.factories import DATONG, given_shipment, key, verify

TOMORROW = date(2026, 11, 29)
AFTERNOON = TimeWindow.parse("14:00-18:00")


def _reschedule(
    ctx: Context,
    waybill: str,
    grant: Credential,
    day: date,
    window: TimeWindow,
    fee: Money | None = None,
) -> WriteResult:
    command = RescheduleDelivery(waybill, grant, "test", key(), Appointment(day, window), fee)
    return reschedule_delivery(ctx, command)


def _get(ctx: Context, waybill: str):  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        return uow.shipments.get(waybill)


def test_recipient_books_tomorrow_afternoon(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    grant = verify(ctx, shipment.waybill, "5678")
    result = _reschedule(ctx, shipment.waybill, grant, TOMORROW, AFTERNOON)
    assert result.fee == Money(0, "CNY")
    stored = _get(ctx, shipment.waybill)
    assert str(stored.appointment) == "2026-11-29 14:00-18:00"


def test_a_window_the_station_does_not_offer_is_refused(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    grant = verify(ctx, shipment.waybill, "5678")
    with pytest.raises(PolicyRefusal) as refused:
        _reschedule(ctx, shipment.waybill, grant, TOMORROW, TimeWindow.parse("12:00-13:00"))
    assert refused.value.reason_code == "window_not_offered"


def test_delivery_cannot_be_booked_before_the_parcel_arrives(ctx: Context) -> None:
    shipment = given_shipment(ctx, expected_delivery=date(2026, 12, 1))
    grant = verify(ctx, shipment.waybill, "5678")
    with pytest.raises(PolicyRefusal) as refused:
        _reschedule(ctx, shipment.waybill, grant, TOMORROW, AFTERNOON)
    assert refused.value.reason_code == "too_early"


def test_same_day_window_needs_lead_time(ctx: Context, clock: FixedClock) -> None:
    shipment = given_shipment(ctx, status=Status.AT_STATION, expected_delivery=date(2026, 11, 28))
    clock.current = clock.current.replace(hour=9)  # 17:00 in Beijing: the 18:00 window is 1 h away
    grant = verify(ctx, shipment.waybill, "5678")
    with pytest.raises(PolicyRefusal) as refused:
        _reschedule(
            ctx, shipment.waybill, grant, date(2026, 11, 28), TimeWindow.parse("18:00-21:00")
        )
    assert refused.value.reason_code == "too_late_today"


def test_rescheduling_costs_a_fee_after_the_free_ones(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    grant = verify(ctx, shipment.waybill, "5678")
    for offset in range(ctx.policy.reschedule.free_reschedules):
        _reschedule(ctx, shipment.waybill, grant, TOMORROW + timedelta(days=offset), AFTERNOON)
    with pytest.raises(PolicyRefusal) as refused:
        _reschedule(ctx, shipment.waybill, grant, TOMORROW, AFTERNOON)
    assert refused.value.reason_code == "fee_not_accepted"
    result = _reschedule(ctx, shipment.waybill, grant, TOMORROW, AFTERNOON, Money(300, "CNY"))
    assert result.fee == Money(300, "CNY")


def test_recipient_holds_a_parcel_at_the_station(ctx: Context) -> None:
    shipment = given_shipment(ctx, status=Status.FAILED_ATTEMPT)
    grant = verify(ctx, shipment.waybill, "5678")
    hold_at_station(ctx, HoldAtStation(shipment.waybill, grant, "test", key(), date(2026, 12, 2)))
    stored = _get(ctx, shipment.waybill)
    assert stored.status is Status.HELD
    assert stored.hold_until == date(2026, 12, 2)


def test_the_sender_may_not_hold_and_holds_are_limited_in_time(ctx: Context) -> None:
    shipment = given_shipment(ctx, status=Status.AT_STATION)
    sender = verify(ctx, shipment.waybill, "1111")
    with pytest.raises(PolicyRefusal, match="sender"):
        hold_at_station(ctx, HoldAtStation(shipment.waybill, sender, "test", key(), TOMORROW))
    recipient = verify(ctx, shipment.waybill, "5678")
    with pytest.raises(PolicyRefusal) as refused:
        hold_at_station(
            ctx, HoldAtStation(shipment.waybill, recipient, "test", key(), date(2027, 1, 1))
        )
    assert refused.value.reason_code == "hold_too_long"


def test_only_the_sender_can_send_a_parcel_back(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    recipient = verify(ctx, shipment.waybill, "5678")
    with pytest.raises(PolicyRefusal) as refused:
        intercept_shipment(
            ctx, InterceptShipment(shipment.waybill, recipient, "test", key(), "wrong item")
        )
    assert refused.value.reason_code == "role_not_allowed"
    sender = verify(ctx, shipment.waybill, "1111")
    result = intercept_shipment(
        ctx,
        InterceptShipment(
            shipment.waybill, sender, "test", key(), "wrong item", Money(1000, "CNY")
        ),
    )
    assert result.fee == Money(1000, "CNY")  # it has left Shanghai
    stored = _get(ctx, shipment.waybill)
    assert stored.status is Status.RETURNING
    assert stored.returning_to_sender


def test_intercept_is_free_before_the_parcel_leaves_the_origin_city(ctx: Context) -> None:
    shipment = given_shipment(ctx, status=Status.CREATED)
    sender = verify(ctx, shipment.waybill, "1111")
    result = intercept_shipment(
        ctx, InterceptShipment(shipment.waybill, sender, "test", key(), "cancel")
    )
    assert result.fee == Money(0, "CNY")


def test_a_delivered_parcel_cannot_be_intercepted(ctx: Context) -> None:
    shipment = given_shipment(ctx, status=Status.DELIVERED)
    sender = verify(ctx, shipment.waybill, "1111")
    with pytest.raises(PolicyRefusal) as refused:
        intercept_shipment(ctx, InterceptShipment(shipment.waybill, sender, "test", key(), "x"))
    assert refused.value.reason_code == "wrong_status"


def test_damage_claim_within_the_window_records_the_compensation_cap(ctx: Context) -> None:
    shipment = given_shipment(ctx, status=Status.DELIVERED, weight_grams=3200)
    grant = verify(ctx, shipment.waybill, "5678")
    result = file_claim(
        ctx, FileClaim(shipment.waybill, grant, "test", key(), "damage", "box crushed, vase broken")
    )
    assert result.reference
    assert result.reference.startswith("CL")
    with ctx.uow() as uow:
        (claim,) = uow.records.find_claims(shipment.waybill)
    assert claim.compensation_cap == Money(8000, "CNY")  # 4 kg x 20.00, under the 300.00 cap


def test_declared_value_caps_the_compensation(ctx: Context) -> None:
    shipment = given_shipment(ctx, status=Status.DELIVERED, declared_value=Money(150000, "CNY"))
    grant = verify(ctx, shipment.waybill, "5678")
    file_claim(ctx, FileClaim(shipment.waybill, grant, "test", key(), "damage", "screen cracked"))
    with ctx.uow() as uow:
        (claim,) = uow.records.find_claims(shipment.waybill)
    assert claim.compensation_cap == Money(150000, "CNY")


def test_damage_claim_after_the_window_is_refused(ctx: Context, clock: FixedClock) -> None:
    shipment = given_shipment(ctx, status=Status.DELIVERED)
    clock.advance(days=ctx.policy.claims.damage_days_after_delivery + 1)
    grant = verify(ctx, shipment.waybill, "5678")
    with pytest.raises(PolicyRefusal) as refused:
        file_claim(ctx, FileClaim(shipment.waybill, grant, "test", key(), "damage", "broken"))
    assert refused.value.reason_code == "claim_too_late"


def test_loss_claim_waits_until_the_parcel_is_overdue(ctx: Context, clock: FixedClock) -> None:
    shipment = given_shipment(ctx, expected_delivery=date(2026, 11, 28))
    sender = verify(ctx, shipment.waybill, "1111")
    with pytest.raises(PolicyRefusal) as refused:
        file_claim(ctx, FileClaim(shipment.waybill, sender, "test", key(), "loss", "never arrived"))
    assert refused.value.reason_code == "not_overdue_yet"
    clock.advance(days=5)
    sender = verify(ctx, shipment.waybill, "1111")
    assert file_claim(
        ctx, FileClaim(shipment.waybill, sender, "test", key(), "loss", "never arrived")
    ).reference


def _pickup(
    items: str = "clothes", weight: int = 2000, window: str = "13:00-17:00", day: date = TOMORROW
) -> BookPickup:
    return BookPickup(
        Party("张伟", PhoneNumber("13812340000")),
        DATONG,
        day,
        TimeWindow.parse(window),
        weight,
        items,
        "test",
        key(),
    )


def test_a_pickup_is_booked_with_a_reference(ctx: Context) -> None:
    result = book_pickup(ctx, _pickup())
    assert result.reference
    assert result.reference.startswith("PU")
    with ctx.uow() as uow:
        pickup = uow.records.find_pickup(result.reference)
    assert pickup is not None
    assert pickup.contact.phone == "+8613812340000"
    assert str(pickup.appointment) == "2026-11-29 13:00-17:00"


@pytest.mark.parametrize(
    ("pickup", "code"),
    [
        (_pickup(items="充电宝 锂电池 两个"), "restricted_item"),
        (_pickup(items="Fireworks for new year"), "restricted_item"),
        (_pickup(weight=80_000), "too_heavy"),
        (_pickup(window="06:00-08:00"), "window_not_offered"),
        (_pickup(day=date(2026, 12, 25)), "day_not_offered"),
    ],
)
def test_pickups_the_policy_forbids_are_refused(
    ctx: Context, pickup: BookPickup, code: str
) -> None:
    with pytest.raises(PolicyRefusal) as refused:
        book_pickup(ctx, pickup)
    assert refused.value.reason_code == code
    with ctx.uow() as uow:
        assert uow.audit.count() == 0


def test_a_complaint_gets_a_reference_and_severe_ones_escalate(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    mild = file_complaint(
        ctx, FileComplaint("late_delivery", 2, "two days late", "test", key(), shipment.waybill)
    )
    severe = file_complaint(
        ctx, FileComplaint("courier_behaviour", 5, "courier was rude", "test", key())
    )
    assert mild.details["escalate"] is False
    assert severe.details["escalate"] is True
    with ctx.uow() as uow:
        complaint = uow.records.find_complaint(mild.reference or "")
    assert complaint is not None
    assert complaint.waybill == shipment.waybill


@pytest.mark.parametrize(
    ("category", "severity", "description", "error"),
    [
        ("nonsense", 2, "x", PolicyRefusal),
        ("other", 9, "x", PolicyRefusal),
        ("other", 2, "  ", InvalidInput),
    ],
)
def test_bad_complaints_are_rejected_and_change_nothing(
    ctx: Context, category: str, severity: int, description: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        file_complaint(ctx, FileComplaint(category, severity, description, "test", key()))
    with ctx.uow() as uow:
        assert uow.audit.count() == 0
