"""Changing the delivery address: verified, policy-checked, fee-confirmed, idempotent, audited."""

from __future__ import annotations

import pytest

from parceldesk.domain.commands import AgentAuthority, ChangeDeliveryAddress, CustomerGrant
from parceldesk.domain.errors import (
    IdempotencyKeyReused,
    InvalidAddress,
    NotVerified,
    PolicyRefusal,
)
from parceldesk.domain.money import Money
from parceldesk.domain.shipments import PartyRole, Status
from parceldesk.services.context import Context
from parceldesk.services.shipment_changes import change_delivery_address
from tests.factories import (
    BEIJING_HAIDIAN,
    BEIJING_SAME_DISTRICT,
    DATONG,
    JAKARTA,
    given_shipment,
    key,
    verify,
)


def _change(ctx: Context, waybill: str, grant: object, address=BEIJING_HAIDIAN, **kw: object):  # type: ignore[no-untyped-def]
    command = ChangeDeliveryAddress(
        waybill=waybill, credential=grant, channel="test",  # type: ignore[arg-type]
        idempotency_key=kw.pop("idempotency_key", key()), new_address=address, **kw,  # type: ignore[arg-type]
    )  # fmt: skip
    return change_delivery_address(ctx, command)


def _stored(ctx: Context, waybill: str):  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        return uow.shipments.get(waybill), uow.audit.list_for_waybill(waybill)


def test_recipient_redirects_within_the_city_after_verifying(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    grant = verify(ctx, shipment.waybill, "5678")
    result = _change(ctx, shipment.waybill, grant, accepted_fee=Money(300, "CNY"))
    stored, audit = _stored(ctx, shipment.waybill)
    assert stored.destination.street == "中关村大街27号"
    assert stored.address_changes == 1
    assert stored.version == shipment.version + 1
    assert result.fee == Money(300, "CNY")  # same-city handling fee, no extra leg cost
    change = [r for r in audit if r.action == "change_address"]
    assert len(change) == 1
    assert change[0].before is not None
    assert change[0].after is not None
    assert change[0].before["destination"]["district"] == "朝阳区"
    assert change[0].after["destination"]["district"] == "海淀区"
    assert change[0].role == "recipient"
    assert change[0].channel == "test"
    assert change[0].fee == Money(300, "CNY")


def test_same_district_change_is_free_and_needs_no_fee_confirmation(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    grant = verify(ctx, shipment.waybill, "5678")
    result = _change(ctx, shipment.waybill, grant, address=BEIJING_SAME_DISTRICT)
    assert result.fee == Money(0, "CNY")


def test_paid_change_is_refused_until_the_fee_is_accepted(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    grant = verify(ctx, shipment.waybill, "5678")
    with pytest.raises(PolicyRefusal) as refused:
        _change(ctx, shipment.waybill, grant)
    assert refused.value.reason_code == "fee_not_accepted"
    with pytest.raises(PolicyRefusal):
        _change(ctx, shipment.waybill, grant, accepted_fee=Money(299, "CNY"))
    stored, _ = _stored(ctx, shipment.waybill)
    assert stored.destination == shipment.destination


def test_unverified_caller_cannot_change_the_address(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    for credential in (CustomerGrant("made-up-token"), CustomerGrant("")):
        with pytest.raises(NotVerified):
            _change(ctx, shipment.waybill, credential, accepted_fee=Money(300, "CNY"))
    stored, audit = _stored(ctx, shipment.waybill)
    assert stored.destination == shipment.destination
    assert [r.action for r in audit] == ["register_shipment"]


def test_a_grant_for_one_parcel_does_not_open_another(ctx: Context) -> None:
    mine = given_shipment(ctx, serial=1)
    other = given_shipment(ctx, serial=2, recipient_phone="+8613700009999")
    grant = verify(ctx, mine.waybill, "5678")
    with pytest.raises(NotVerified):
        _change(ctx, other.waybill, grant, accepted_fee=Money(300, "CNY"))


def test_recipient_may_not_move_the_parcel_to_another_city(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    grant = verify(ctx, shipment.waybill, "5678")
    with pytest.raises(PolicyRefusal) as refused:
        _change(ctx, shipment.waybill, grant, address=DATONG, accepted_fee=Money(10_000, "CNY"))
    assert refused.value.reason_code == "outside_same_city"
    assert "hold_at_station" in refused.value.alternatives


def test_sender_redirects_to_another_province_and_pays_the_longer_leg(ctx: Context) -> None:
    shipment = given_shipment(ctx, weight_grams=2500)
    grant = verify(ctx, shipment.waybill, "1111")
    result = _change(ctx, shipment.waybill, grant, address=DATONG, accepted_fee=Money(5000, "CNY"))
    # handling 5.00 + (other province 12.00 + 3 kg x 2.00) - same city 6.00 from the Beijing hub
    assert result.fee == Money(1700, "CNY")


def test_address_change_is_refused_once_out_for_delivery(ctx: Context) -> None:
    shipment = given_shipment(ctx, status=Status.OUT_FOR_DELIVERY)
    grant = verify(ctx, shipment.waybill, "5678")
    with pytest.raises(PolicyRefusal) as refused:
        _change(ctx, shipment.waybill, grant, accepted_fee=Money(300, "CNY"))
    assert refused.value.reason_code == "past_cutoff"
    assert "reschedule_delivery" in refused.value.alternatives


def test_other_city_change_is_refused_at_the_destination_station(ctx: Context) -> None:
    shipment = given_shipment(ctx, status=Status.AT_STATION)
    grant = verify(ctx, shipment.waybill, "1111")
    with pytest.raises(PolicyRefusal) as refused:
        _change(ctx, shipment.waybill, grant, address=DATONG, accepted_fee=Money(9999, "CNY"))
    assert refused.value.reason_code == "past_cutoff_other_city"


def test_moving_a_parcel_to_another_country_is_not_an_address_change(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    grant = verify(ctx, shipment.waybill, "1111")
    with pytest.raises(PolicyRefusal) as refused:
        _change(ctx, shipment.waybill, grant, address=JAKARTA, accepted_fee=Money(9999, "CNY"))
    assert refused.value.reason_code == "other_country"
    assert refused.value.alternatives == ("intercept_return",)


def test_a_retry_with_the_same_key_is_a_no_op_returning_the_same_result(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    grant = verify(ctx, shipment.waybill, "5678")
    the_key = key()
    first = _change(
        ctx, shipment.waybill, grant, idempotency_key=the_key, accepted_fee=Money(300, "CNY")
    )
    again = _change(
        ctx, shipment.waybill, grant, idempotency_key=the_key, accepted_fee=Money(300, "CNY")
    )
    assert again.replayed
    assert not first.replayed
    assert (again.audit_id, again.fee) == (first.audit_id, first.fee)
    stored, audit = _stored(ctx, shipment.waybill)
    assert stored.address_changes == 1
    assert sum(r.action == "change_address" for r in audit) == 1


def test_reusing_a_key_for_a_different_request_is_an_error(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    grant = verify(ctx, shipment.waybill, "5678")
    the_key = key()
    _change(ctx, shipment.waybill, grant, idempotency_key=the_key, accepted_fee=Money(300, "CNY"))
    with pytest.raises(IdempotencyKeyReused):
        _change(
            ctx, shipment.waybill, grant, address=BEIJING_SAME_DISTRICT, idempotency_key=the_key
        )


def test_the_number_of_changes_is_limited(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    grant = verify(ctx, shipment.waybill, "5678")
    addresses = [BEIJING_HAIDIAN, BEIJING_SAME_DISTRICT, BEIJING_HAIDIAN]
    for address in addresses:
        _change(ctx, shipment.waybill, grant, address=address, accepted_fee=Money(500, "CNY"))
    with pytest.raises(PolicyRefusal) as refused:
        _change(
            ctx,
            shipment.waybill,
            grant,
            address=BEIJING_SAME_DISTRICT,
            accepted_fee=Money(500, "CNY"),
        )
    assert refused.value.reason_code == "too_many_changes"


def test_a_malformed_address_is_rejected_before_anything_is_read(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    grant = verify(ctx, shipment.waybill, "5678")
    bad = BEIJING_HAIDIAN.__class__("CN", "北京市", "", "海淀区", "中关村大街27号", "", "100080")
    with pytest.raises(InvalidAddress, match="city"):
        _change(ctx, shipment.waybill, grant, address=bad)
    stored, _ = _stored(ctx, shipment.waybill)
    assert stored.version == shipment.version


def test_an_agent_acts_for_a_party_and_is_named_in_the_audit(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    agent = AgentAuthority("agent-7", PartyRole.RECIPIENT)
    _change(ctx, shipment.waybill, agent, accepted_fee=Money(300, "CNY"))
    _, audit = _stored(ctx, shipment.waybill)
    assert audit[-1].actor == "agent:agent-7"
    assert audit[-1].role == "recipient"
