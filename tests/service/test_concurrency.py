"""Concurrent writes to one shipment cannot both win: no lost update, ever."""

from __future__ import annotations

import threading

import pytest

from parceldesk.domain.commands import ChangeDeliveryAddress
from parceldesk.domain.errors import ConcurrentModification, ParceldeskError
from parceldesk.domain.money import Money
from parceldesk.services.context import Context
from parceldesk.services.shipment_changes import change_delivery_address
from parceldesk.services.writes import WriteResult
from tests.factories import BEIJING_HAIDIAN, BEIJING_SAME_DISTRICT, given_shipment, key, verify


def test_a_stale_copy_cannot_overwrite_a_newer_version(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    with ctx.uow() as uow:
        stale = uow.shipments.get(shipment.waybill)
    with ctx.uow() as uow:
        uow.shipments.update(stale.redirected_to(BEIJING_HAIDIAN))
        uow.commit()
    with ctx.uow() as uow, pytest.raises(ConcurrentModification):
        uow.shipments.update(stale.redirected_to(BEIJING_SAME_DISTRICT))
    with ctx.uow() as uow:
        stored = uow.shipments.get(shipment.waybill)
    assert stored.destination.district == "海淀区"
    assert stored.version == shipment.version + 1


def test_parallel_changes_each_either_win_whole_or_fail_cleanly(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    grant = verify(ctx, shipment.waybill, "5678")
    results: list[WriteResult] = []
    errors: list[ParceldeskError] = []
    start = threading.Barrier(6)

    def attempt(index: int) -> None:
        address = BEIJING_HAIDIAN if index % 2 else BEIJING_SAME_DISTRICT
        command = ChangeDeliveryAddress(
            shipment.waybill, grant, "test", key(), address, Money(500, "CNY")
        )
        start.wait()
        try:
            results.append(change_delivery_address(ctx, command))
        except ParceldeskError as error:
            errors.append(error)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with ctx.uow() as uow:
        stored = uow.shipments.get(shipment.waybill)
        audit = [
            r for r in uow.audit.list_for_waybill(shipment.waybill) if r.action == "change_address"
        ]
    assert len(results) + len(errors) == 6
    assert 1 <= len(results) <= ctx.policy.address_change.max_changes
    assert stored.address_changes == len(results) == len(audit)
    assert stored.version == shipment.version + len(results)
    assert {e.code for e in errors} <= {"concurrent_modification", "policy_refusal"}
