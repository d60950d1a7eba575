"""Property-based tests: no sequence of use-case calls can break the write rules.

A state machine drives one shipment through random interleavings of verification (right and
wrong), address changes (with fresh and reused idempotency keys, accepted and unaccepted fees,
valid and missing credentials), scans that move it along its lifecycle, and the passing of time.
After every step: no change happened after the cut-off, for an unverified party, or twice for one
key; every write has exactly one audit record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import Engine

from parceldesk.domain.addresses import Address
from parceldesk.domain.commands import ChangeDeliveryAddress, Credential, CustomerGrant, VerifyParty
from parceldesk.domain.errors import ParceldeskError, ShipmentLocked, VerificationFailed
from parceldesk.domain.money import Money
from parceldesk.domain.shipments import ScanEvent, Shipment, Status
from parceldesk.policy_file import load_policy
from parceldesk.services.context import FixedClock
from parceldesk.services.registration import RecordScan, record_scan
from parceldesk.services.shipment_changes import change_delivery_address
from parceldesk.services.verification import verify_party
from tests.conftest import NOW, fresh_sqlite_engine, make_context, truncate_all
from tests.factories import (
    BEIJING_HAIDIAN,
    BEIJING_SAME_DISTRICT,
    DATONG,
    TAIYUAN,
    make_shipment,
    register,
)

LIFECYCLE = [
    Status.PICKED_UP,
    Status.IN_TRANSIT,
    Status.AT_STATION,
    Status.OUT_FOR_DELIVERY,
    Status.DELIVERED,
]
ADDRESSES = [BEIJING_HAIDIAN, BEIJING_SAME_DISTRICT, DATONG, TAIYUAN]


@dataclass
class Expected:
    writes: int = 0
    changes: dict[str, int] = field(default_factory=dict)  # key -> version it produced


class AddressChangeMachine(RuleBasedStateMachine):
    make_engine: Callable[[], Engine]

    def __init__(self) -> None:
        super().__init__()
        self.engine = type(self).make_engine()
        self.clock = FixedClock(NOW)
        self.ctx = make_context(self.engine, load_policy(), self.clock)
        self.shipment = register(self.ctx, make_shipment(self.ctx.policy, status=Status.CREATED))
        self.grants: list[Credential] = [CustomerGrant("never-issued")]
        self.expected = Expected(writes=1)
        self.failures: list[datetime] = []
        self.locked_until: datetime | None = None

    def teardown(self) -> None:
        self.engine.dispose()

    def _stored(self) -> tuple[Shipment, int]:
        with self.ctx.uow() as uow:
            return uow.shipments.get(self.shipment.waybill), uow.audit.count()

    @rule(right=st.booleans(), role_digits=st.sampled_from(["5678", "1111"]))
    def verify(self, right: bool, role_digits: str) -> None:
        """Modelled: failures after the last success, within the window, lock the shipment."""
        rules, now = self.ctx.policy.verification, self.clock.now()
        command = VerifyParty(
            self.shipment.waybill, "prop", phone_last4=role_digits if right else "0000"
        )
        if self.locked_until is not None and self.locked_until > now:
            with pytest.raises(ShipmentLocked):
                verify_party(self.ctx, command)
            return
        self.expected.writes += 1
        if right:
            self.grants.append(CustomerGrant(verify_party(self.ctx, command).token))
            self.failures = []
            return
        self.failures.append(now)
        window = now - timedelta(minutes=rules.failure_window_minutes)
        if len([f for f in self.failures if f >= window]) >= rules.max_failures:
            self.locked_until = now + timedelta(minutes=rules.lock_minutes)
            with pytest.raises(ShipmentLocked):
                verify_party(self.ctx, command)
        else:
            with pytest.raises(VerificationFailed):
                verify_party(self.ctx, command)

    @rule(
        key=st.sampled_from(["key-aaaaaaaa", "key-bbbbbbbb", "key-cccccccc", "key-dddddddd"]),
        address=st.sampled_from(ADDRESSES),
        fee=st.sampled_from([None, Money(300, "CNY"), Money(5000, "CNY")]),
        grant_index=st.integers(min_value=-1, max_value=5),
    )
    def change_address(
        self, key: str, address: Address, fee: Money | None, grant_index: int
    ) -> None:
        before, _ = self._stored()
        credential = self.grants[grant_index % len(self.grants)]
        command = ChangeDeliveryAddress(
            self.shipment.waybill, credential, "prop", key, address, fee
        )
        try:
            result = change_delivery_address(self.ctx, command)
        except ParceldeskError:
            after, _ = self._stored()
            assert after == before, "a refused write changed the shipment"
            return
        after, _ = self._stored()
        if result.replayed:
            assert key in self.expected.changes
            assert after == before
            return
        assert key not in self.expected.changes, "one idempotency key changed the address twice"
        assert credential != self.grants[0], "an unverified party changed the address"
        rules = self.ctx.policy.address_change
        assert before.status in rules.same_city_statuses, "changed after the cut-off"
        if not before.destination.same_city(address):
            assert before.status in rules.other_city_statuses, "changed city after the cut-off"
        self.expected.changes[key] = after.version
        self.expected.writes += 1

    @rule()
    def scan_forward(self) -> None:
        current, _ = self._stored()
        if current.status is Status.DELIVERED:
            return
        following = (
            LIFECYCLE[LIFECYCLE.index(current.status) + 1]
            if current.status in LIFECYCLE
            else Status.PICKED_UP
        )
        scan = ScanEvent(self.clock.now(), "北京市", "北京市", following, following.value)
        record_scan(
            self.ctx,
            RecordScan(
                self.shipment.waybill, scan, "scanner", f"scan-{current.version}-{following}"
            ),
        )
        self.expected.writes += 1

    @rule(minutes=st.integers(min_value=1, max_value=90))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    @invariant()
    def every_write_has_exactly_one_audit_record(self) -> None:
        stored, audit_count = self._stored()
        assert audit_count == self.expected.writes
        assert stored.address_changes == len(self.expected.changes)


def _run(make_engine: Callable[[], Engine], examples: int) -> None:
    machine = type("Machine", (AddressChangeMachine,), {"make_engine": staticmethod(make_engine)})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_address_change_rules_hold_for_any_sequence_on_sqlite(
    sqlite_template: Path, tmp_path: Path
) -> None:
    _run(lambda: fresh_sqlite_engine(sqlite_template, tmp_path), examples=60)


@pytest.mark.postgres
def test_address_change_rules_hold_for_any_sequence_on_postgres(postgres_engine: Engine) -> None:
    def clean() -> Engine:
        truncate_all(postgres_engine)
        return postgres_engine

    _run(clean, examples=25)
