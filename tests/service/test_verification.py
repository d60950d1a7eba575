"""Verifying callers: last four digits or a one-time code; failures lock the shipment."""

from __future__ import annotations

import re

import pytest

from parceldesk.domain.commands import CustomerGrant, RequestOneTimeCode, VerifyParty
from parceldesk.domain.errors import (
    InvalidInput,
    ShipmentLocked,
    ShipmentNotFound,
    VerificationFailed,
)
from parceldesk.domain.shipments import PartyRole
from parceldesk.services.context import Context, FixedClock
from parceldesk.services.tracking import track_shipment
from parceldesk.services.verification import request_one_time_code, verify_party
from tests.factories import RECIPIENT_PHONE, given_shipment


def _verify(ctx: Context, waybill: str, **kw: str) -> CustomerGrant:
    return CustomerGrant(verify_party(ctx, VerifyParty(waybill, "test", **kw)).token)  # type: ignore[arg-type]


def _attempts(ctx: Context, waybill: str) -> list[str]:
    with ctx.uow() as uow:
        return [
            r.outcome for r in uow.audit.list_for_waybill(waybill) if r.action == "verify_party"
        ]


def test_last_four_digits_of_the_recipient_phone_verify_the_recipient(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    result = verify_party(ctx, VerifyParty(shipment.waybill, "test", phone_last4="5678"))
    assert result.roles == (PartyRole.RECIPIENT,)
    view = track_shipment(ctx, shipment.waybill, CustomerGrant(result.token))
    assert view.verified_role == "recipient"
    assert _attempts(ctx, shipment.waybill) == ["verified"]


def test_the_whole_phone_number_verifies_and_a_number_with_the_same_last_four_does_not(
    ctx: Context,
) -> None:
    shipment = given_shipment(ctx)
    with pytest.raises(VerificationFailed):
        _verify(ctx, shipment.waybill, phone="+8613900005678")  # same last four, other number
    result = verify_party(ctx, VerifyParty(shipment.waybill, "test", phone=str(RECIPIENT_PHONE)))
    assert result.roles == (PartyRole.RECIPIENT,)
    assert _attempts(ctx, shipment.waybill) == ["failed", "verified"]


def test_wrong_digits_fail_and_say_how_many_tries_are_left(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    with pytest.raises(VerificationFailed) as failed:
        _verify(ctx, shipment.waybill, phone_last4="0000")
    assert failed.value.attempts_left == 2
    assert _attempts(ctx, shipment.waybill) == ["failed"]


def test_repeated_failures_lock_the_shipment_even_for_the_right_digits(
    ctx: Context, clock: FixedClock
) -> None:
    shipment = given_shipment(ctx)
    for _ in range(2):
        with pytest.raises(VerificationFailed):
            _verify(ctx, shipment.waybill, phone_last4="0000")
    with pytest.raises(ShipmentLocked):
        _verify(ctx, shipment.waybill, phone_last4="0000")
    with pytest.raises(ShipmentLocked):
        _verify(ctx, shipment.waybill, phone_last4="5678")
    assert _attempts(ctx, shipment.waybill) == ["failed", "failed", "locked"]
    clock.advance(minutes=ctx.policy.verification.lock_minutes + 1)
    assert _verify(ctx, shipment.waybill, phone_last4="5678").token


def test_a_success_resets_the_failure_count(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    for _ in range(2):
        with pytest.raises(VerificationFailed):
            _verify(ctx, shipment.waybill, phone_last4="0000")
    _verify(ctx, shipment.waybill, phone_last4="5678")
    with pytest.raises(VerificationFailed) as failed:
        _verify(ctx, shipment.waybill, phone_last4="0000")
    assert failed.value.attempts_left == 2


@pytest.mark.parametrize("digits", ["567", "56789", "abcd", "", "٥٦٧٨", "5 678"])
def test_malformed_digits_are_an_input_error_and_do_not_count(ctx: Context, digits: str) -> None:
    shipment = given_shipment(ctx)
    with pytest.raises(InvalidInput):
        _verify(ctx, shipment.waybill, phone_last4=digits)
    assert _attempts(ctx, shipment.waybill) == []


def test_unknown_waybill_is_not_found(ctx: Context) -> None:
    with pytest.raises(ShipmentNotFound):
        _verify(ctx, ctx.policy.carriers[0].make(999), phone_last4="5678")


def test_full_width_digits_typed_on_a_chinese_keyboard_verify(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    assert _verify(ctx, shipment.waybill, phone_last4="５６７８").token


def _code_sent_to(ctx: Context, phone: str) -> str:
    with ctx.uow() as uow:
        messages = uow.outbox.list_to(phone)  # type: ignore[arg-type]
    match = re.search(r"\d{6}", messages[-1].body)
    assert match is not None
    return match.group()


def test_a_one_time_code_sent_by_sms_verifies_once(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    request_one_time_code(ctx, RequestOneTimeCode(shipment.waybill, PartyRole.RECIPIENT, "test"))
    code = _code_sent_to(ctx, RECIPIENT_PHONE)
    assert _verify(ctx, shipment.waybill, one_time_code=code).token
    with pytest.raises(VerificationFailed):
        _verify(ctx, shipment.waybill, one_time_code=code)


def test_an_expired_code_does_not_verify(ctx: Context, clock: FixedClock) -> None:
    shipment = given_shipment(ctx)
    request_one_time_code(ctx, RequestOneTimeCode(shipment.waybill, PartyRole.RECIPIENT, "test"))
    code = _code_sent_to(ctx, RECIPIENT_PHONE)
    clock.advance(minutes=ctx.policy.verification.code_ttl_minutes + 1)
    with pytest.raises(VerificationFailed):
        _verify(ctx, shipment.waybill, one_time_code=code)


def test_codes_are_stored_hashed_and_never_in_the_audit(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    request_one_time_code(ctx, RequestOneTimeCode(shipment.waybill, PartyRole.RECIPIENT, "test"))
    code = _code_sent_to(ctx, RECIPIENT_PHONE)
    with ctx.uow() as uow:
        stored = uow.verification.find_codes(shipment.waybill, ctx.clock.now())
        audit = uow.audit.list_for_waybill(shipment.waybill)
    assert stored
    assert all(code not in c.code_hash for c in stored)
    assert all(code not in repr(record) for record in audit)


def test_a_grant_expires(ctx: Context, clock: FixedClock) -> None:
    shipment = given_shipment(ctx)
    grant = _verify(ctx, shipment.waybill, phone_last4="5678")
    clock.advance(minutes=ctx.policy.verification.grant_ttl_minutes + 1)
    assert track_shipment(ctx, shipment.waybill, grant).verified_role is None
