"""Bad input of any shape gets a clear domain error and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parceldesk.domain.addresses import Address
from parceldesk.domain.commands import ChangeDeliveryAddress, VerifyParty
from parceldesk.domain.errors import ParceldeskError
from parceldesk.domain.money import Money
from parceldesk.domain.policy import Policy
from parceldesk.services.context import Context, FixedClock
from parceldesk.services.shipment_changes import change_delivery_address
from parceldesk.services.tracking import track_shipment
from parceldesk.services.verification import verify_party
from tests.conftest import NOW, fresh_sqlite_engine, make_context
from tests.factories import given_shipment, verify

FIELD = st.one_of(st.text(max_size=12), st.sampled_from(["北京市", "朝阳区", "100022", "CN", ""]))
ADDRESSES = st.builds(
    Address,
    st.sampled_from(["CN", "cn", "ID", "XX", "", "CHN"]),
    FIELD,
    FIELD,
    FIELD,
    FIELD,
    FIELD,
    FIELD,
)
SLOW = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _snapshot(ctx: Context, waybill: str) -> tuple[object, int]:
    with ctx.uow() as uow:
        return uow.shipments.get(waybill), uow.audit.count()


@contextmanager
def _context(sqlite_template: Path, tmp_path: Path, policy: Policy) -> Iterator[Context]:
    engine = fresh_sqlite_engine(sqlite_template, tmp_path)
    try:
        yield make_context(engine, policy, FixedClock(NOW))
    finally:
        engine.dispose()


@SLOW
@given(address=ADDRESSES, key=st.text(max_size=20))
def test_any_new_address_either_applies_or_changes_nothing(
    sqlite_template: Path, tmp_path: Path, policy: Policy, address: Address, key: str
) -> None:
    with _context(sqlite_template, tmp_path, policy) as ctx:
        _try_to_change(ctx, address, key)


def _try_to_change(ctx: Context, address: Address, key: str) -> None:
    shipment = given_shipment(ctx)
    grant = verify(ctx, shipment.waybill, "5678")
    before = _snapshot(ctx, shipment.waybill)
    command = ChangeDeliveryAddress(
        shipment.waybill, grant, "test", key, address, Money(9999, "CNY")
    )
    try:
        change_delivery_address(ctx, command)
    except ParceldeskError as error:
        assert error.message
        assert _snapshot(ctx, shipment.waybill) == before
    else:
        _, audit_count = _snapshot(ctx, shipment.waybill)
        assert audit_count == before[1] + 1


@SLOW
@given(waybill=st.text(max_size=20), digits=st.text(max_size=6))
def test_any_waybill_and_digits_get_an_answer_or_a_clear_error(
    sqlite_template: Path, tmp_path: Path, policy: Policy, waybill: str, digits: str
) -> None:
    with _context(sqlite_template, tmp_path, policy) as ctx:
        _try_to_read(ctx, waybill, digits)


def _try_to_read(ctx: Context, waybill: str, digits: str) -> None:
    for call in (
        lambda: track_shipment(ctx, waybill),
        lambda: verify_party(ctx, VerifyParty(waybill, "test", phone_last4=digits)),
    ):
        try:
            call()
        except ParceldeskError as error:
            assert error.message
    with ctx.uow() as uow:
        assert uow.audit.count() == 0
