"""Generate a deterministic, realistic world of shipments in every lifecycle state.

The same ``seed`` and ``now`` give the same world. Scan histories follow the lifecycle: pickup in
the origin city, hub scans on the way, the destination station, the courier, and the exceptions.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from parceldesk.demo.places import Place, load_world, make_address, make_person, number, pick
from parceldesk.domain.money import Money
from parceldesk.domain.policy import Policy
from parceldesk.domain.shipments import Party, ScanEvent, Shipment, Status
from parceldesk.domain.waybills import WaybillFormat

S = Status
# (share of the world, the path of statuses that leads there)
STATUS_MIX: tuple[tuple[float, Status, tuple[Status, ...]], ...] = (
    (0.05, S.CREATED, (S.CREATED,)),
    (0.05, S.PICKED_UP, (S.CREATED, S.PICKED_UP)),
    (0.15, S.IN_TRANSIT, (S.CREATED, S.PICKED_UP, S.IN_TRANSIT)),
    (0.07, S.AT_STATION, (S.CREATED, S.PICKED_UP, S.IN_TRANSIT, S.AT_STATION)),
    (
        0.08,
        S.OUT_FOR_DELIVERY,
        (S.CREATED, S.PICKED_UP, S.IN_TRANSIT, S.AT_STATION, S.OUT_FOR_DELIVERY),
    ),
    (
        0.43,
        S.DELIVERED,
        (S.CREATED, S.PICKED_UP, S.IN_TRANSIT, S.AT_STATION, S.OUT_FOR_DELIVERY, S.DELIVERED),
    ),
    (
        0.04,
        S.FAILED_ATTEMPT,
        (S.CREATED, S.PICKED_UP, S.IN_TRANSIT, S.AT_STATION, S.OUT_FOR_DELIVERY, S.FAILED_ATTEMPT),
    ),
    (0.03, S.HELD, (S.CREATED, S.PICKED_UP, S.IN_TRANSIT, S.AT_STATION, S.HELD)),
    (0.03, S.RETURNING, (S.CREATED, S.PICKED_UP, S.IN_TRANSIT, S.RETURNING)),
    (0.03, S.RETURNED, (S.CREATED, S.PICKED_UP, S.IN_TRANSIT, S.RETURNING, S.RETURNED)),
    (0.02, S.LOST, (S.CREATED, S.PICKED_UP, S.IN_TRANSIT, S.LOST)),
    (0.02, S.DAMAGED, (S.CREATED, S.PICKED_UP, S.IN_TRANSIT, S.DAMAGED)),
)
EVENT_NAMES: dict[Status, str] = {
    S.CREATED: "order_created", S.PICKED_UP: "picked_up", S.IN_TRANSIT: "hub_scan",
    S.AT_STATION: "arrived_at_station", S.OUT_FOR_DELIVERY: "out_for_delivery",
    S.DELIVERED: "delivered", S.FAILED_ATTEMPT: "recipient_not_home", S.HELD: "held_at_station",
    S.RETURNING: "intercepted", S.RETURNED: "returned_to_sender", S.LOST: "reported_missing",
    S.DAMAGED: "damage_found",
}  # fmt: skip
# (share, origin country, destination country)
ROUTES = ((0.70, "CN", "CN"), (0.18, "ID", "ID"), (0.05, "SG", "SG"), (0.04, "CN", "ID"),
          (0.03, "CN", "SG"))  # fmt: skip
CARRIER_OF_COUNTRY = {"CN": "PD", "ID": "JX", "SG": "SG"}


@dataclass
class _People:
    """Repeat customers: a quarter of the parties come back from earlier shipments."""

    recent: dict[str, list[Party]]

    def pick(self, rng: random.Random, country: str) -> Party:
        pool = self.recent.setdefault(country, [])
        if pool and rng.random() < 0.25:
            return pick(rng, pool)
        person = make_person(rng, country)
        if len(pool) < 5000:
            pool.append(person)
        else:
            pool[number(rng, 0, 4999)] = person
        return person


def _choose(rng: random.Random, weighted: tuple[tuple[float, ...], ...]) -> int:
    roll, total = rng.random(), 0.0
    for index, row in enumerate(weighted):
        total += row[0]
        if roll < total:
            return index
    return len(weighted) - 1


def _formats(policy: Policy) -> dict[str, WaybillFormat]:
    return {f.carrier: f for f in policy.carriers}


CHUNK = 10_000


def generate_shipments(policy: Policy, count: int, seed: int, now: datetime) -> Iterator[Shipment]:
    """Yield ``count`` shipments; waybill serials are unique within one world."""
    for chunk in range(0, count, CHUNK):
        yield from generate_chunk(policy, seed, chunk // CHUNK, min(CHUNK, count - chunk), now)


def generate_chunk(
    policy: Policy, seed: int, index: int, size: int, now: datetime
) -> Iterator[Shipment]:
    """Chunk ``index`` of the world: the same whichever process makes it, in whatever order."""
    rng = random.Random(f"{seed}:{index}")
    places = load_world().places
    formats = _formats(policy)
    people = _People({})
    status_rows = tuple((share,) for share, _, _ in STATUS_MIX)
    route_rows = tuple((share,) for share, _, _ in ROUTES)
    for serial in range(index * CHUNK, index * CHUNK + size):
        _, origin_country, dest_country = ROUTES[_choose(rng, route_rows)]
        _, _status, path = STATUS_MIX[_choose(rng, status_rows)]
        origin = pick(rng, places[origin_country])
        destination = _destination(rng, places[dest_country], origin)
        carrier = formats[CARRIER_OF_COUNTRY[dest_country]]
        yield _shipment(policy, rng, people, carrier, serial, path, origin, destination, now)


def _destination(rng: random.Random, places: tuple[Place, ...], origin: Place) -> Place:
    """A third of domestic parcels stay in their city: local deliveries are common."""
    if places[0].country == origin.country and rng.random() < 0.3:
        same_city = [p for p in places if p.city == origin.city]
        return pick(rng, same_city)
    return pick(rng, places)


def _transit_days(origin: Place, destination: Place) -> int:
    if origin.country != destination.country:
        return 6
    if origin.city == destination.city:
        return 1
    return 2 if origin.province == destination.province else 3


def _shipment(
    policy: Policy,
    rng: random.Random,
    people: _People,
    carrier: WaybillFormat,
    serial: int,
    path: tuple[Status, ...],
    origin: Place,
    destination: Place,
    now: datetime,
) -> Shipment:
    days = _transit_days(origin, destination)
    final = path[-1]
    if final in {S.DELIVERED, S.RETURNED}:
        span = timedelta(days=days * rng.uniform(0.7, 1.6))
        created = now - span - timedelta(days=rng.uniform(0, 45))
    else:
        span = timedelta(hours=rng.uniform(2, 20) * len(path))
        created = now - span
    scans = _scans(rng, path, created, origin, destination, span)
    weight = pick(rng, (300, 500, 800, 1200, 2000, 3500, 5000, 12000))
    currency = policy.country(origin.country).currency
    postage = pick(rng, (8, 10, 12, 15, 18, 23))
    fee = Money(postage * 2000 if currency == "IDR" else postage * 100, currency)
    declared = Money(fee.minor * number(rng, 10, 200), currency) if rng.random() < 0.3 else None
    return Shipment(
        waybill=carrier.make(serial),
        carrier=carrier.carrier,
        service_level=pick(rng, ("standard", "standard", "standard", "express")),
        sender=people.pick(rng, origin.country),
        recipient=people.pick(rng, destination.country),
        origin=make_address(rng, origin),
        destination=make_address(rng, destination),
        weight_grams=weight,
        fee=fee,
        created_at=created,
        expected_delivery=(created + timedelta(days=days)).date(),
        declared_value=declared,
        status=final,
        scans=scans,
        delivered_at=scans[-1].at if final is S.DELIVERED else None,
    )


def _scans(
    rng: random.Random,
    path: tuple[Status, ...],
    created: datetime,
    origin: Place,
    destination: Place,
    span: timedelta,
) -> tuple[ScanEvent, ...]:
    at = created
    step = span / (len(path) + 1)
    events: list[ScanEvent] = []
    returning = False
    for status in path:
        returning = returning or status is S.RETURNING
        place = origin if status in {S.CREATED, S.PICKED_UP} or returning else destination
        if status is S.IN_TRANSIT:
            events.append(ScanEvent(at, origin.province, origin.city, status, "departed_hub"))
            at += step * rng.uniform(0.3, 0.9)
            place = destination
        events.append(ScanEvent(at, place.province, place.city, status, EVENT_NAMES[status]))
        at += step * rng.uniform(0.5, 1.0)
    return tuple(events)
