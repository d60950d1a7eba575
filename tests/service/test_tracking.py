"""Tracking and what a party may do: nothing personal leaks to an unverified caller."""

from __future__ import annotations

from parceldesk.domain.commands import CustomerGrant
from parceldesk.domain.phones import PhoneNumber
from parceldesk.domain.shipments import Status
from parceldesk.services.context import Context
from parceldesk.services.tracking import (
    find_shipments_of_phone,
    get_allowed_actions,
    track_shipment,
)
from tests.factories import RECIPIENT_PHONE, given_shipment, verify


def test_anyone_with_the_waybill_sees_status_but_not_the_address_or_names(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    view = track_shipment(ctx, shipment.waybill)
    assert view.status is Status.IN_TRANSIT
    assert view.next_step == "to_destination_station"
    assert view.current_city == "北京市"
    assert view.destination == "北京市朝阳区"
    assert "建国路" not in repr(view)
    assert "李伟" not in repr(view)
    assert "王芳" not in repr(view)
    assert view.recipient_phone.endswith("5678")
    assert "138123" not in view.recipient_phone


def test_a_bad_grant_is_treated_as_unverified(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    view = track_shipment(ctx, shipment.waybill, CustomerGrant("guess"))
    assert view.verified_role is None
    assert "建国路" not in view.destination


def test_a_verified_party_sees_the_full_address(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    view = track_shipment(ctx, shipment.waybill, verify(ctx, shipment.waybill, "5678"))
    assert view.destination == "北京市朝阳区建国路88号SOHO现代城2号楼1501室"
    assert view.recipient_name == "李伟"


def test_waybills_are_read_forgivingly(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    spaced = f"{shipment.waybill[:2].lower()} {shipment.waybill[2:8]}-{shipment.waybill[8:]}"
    assert track_shipment(ctx, spaced).waybill == shipment.waybill


def test_parcels_of_a_phone_are_listed_masked(ctx: Context) -> None:
    given_shipment(ctx, serial=1)
    given_shipment(ctx, serial=2)
    given_shipment(ctx, serial=3, recipient_phone="+8613700009999")
    views = find_shipments_of_phone(ctx, PhoneNumber(RECIPIENT_PHONE))
    assert len(views) == 2
    assert all(v.verified_role is None and "建国路" not in v.destination for v in views)


def test_allowed_actions_follow_the_policy_for_the_party(ctx: Context) -> None:
    shipment = given_shipment(ctx, status=Status.OUT_FOR_DELIVERY)
    decisions = {
        d.action: d
        for d in get_allowed_actions(ctx, shipment.waybill, verify(ctx, shipment.waybill, "5678"))
    }
    assert not decisions["change_address"].allowed
    assert decisions["reschedule_delivery"].allowed
    assert decisions["hold_at_station"].allowed
    assert not decisions["intercept_return"].allowed
