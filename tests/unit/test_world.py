"""The demo world: deterministic, valid, and realistic in its mix."""

from __future__ import annotations

import itertools
from collections import Counter

from parceldesk.demo.world import generate_shipments
from parceldesk.domain.addresses import check_address
from parceldesk.domain.phones import parse_phone
from parceldesk.domain.policy import Policy
from parceldesk.domain.shipments import TRANSITIONS, Status
from parceldesk.domain.waybills import check_waybill
from tests.factories import NOW


def test_the_same_seed_builds_the_same_world(policy: Policy) -> None:
    first = list(generate_shipments(policy, 300, seed=7, now=NOW))
    again = list(generate_shipments(policy, 300, seed=7, now=NOW))
    other = list(generate_shipments(policy, 300, seed=8, now=NOW))
    assert first == again
    assert first != other


def test_every_shipment_is_valid_and_its_scans_follow_the_lifecycle(policy: Policy) -> None:
    world = list(generate_shipments(policy, 2000, seed=1, now=NOW))
    assert len({s.waybill for s in world}) == len(world)
    for shipment in world:
        check_waybill(shipment.waybill, policy.carriers)
        assert parse_phone(shipment.sender.phone) == shipment.sender.phone
        assert parse_phone(shipment.recipient.phone) == shipment.recipient.phone
        assert check_address(shipment.destination, policy.served_countries) == shipment.destination
        statuses = [scan.status for scan in shipment.scans]
        assert statuses[0] is Status.CREATED
        assert statuses[-1] is shipment.status
        assert all(b in TRANSITIONS[a] for a, b in itertools.pairwise(statuses))
        assert all(
            a.at <= b.at <= NOW for a, b in zip(shipment.scans, shipment.scans[1:], strict=False)
        )
        assert (shipment.delivered_at is not None) == (shipment.status is Status.DELIVERED)


def test_the_world_has_every_state_three_countries_datong_beijing_and_repeat_customers(
    policy: Policy,
) -> None:
    world = list(generate_shipments(policy, 3000, seed=3, now=NOW))
    assert set(Counter(s.status for s in world)) == set(Status)
    assert {s.destination.country for s in world} == {"CN", "ID", "SG"}
    cities = {s.destination.city for s in world}
    assert {"大同市", "北京市", "Jakarta Selatan", "Singapore"} <= cities
    phones = Counter(p for s in world for p in (s.sender.phone, s.recipient.phone))
    assert phones.most_common(1)[0][1] > 1
    delivered_share = sum(s.status is Status.DELIVERED for s in world) / len(world)
    assert 0.35 < delivered_share < 0.5
