"""Operator tasks that wire several parts together: seeding the demo world and benchmarks."""

from __future__ import annotations

import random
import statistics
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from multiprocessing import get_context

from sqlalchemy import select

from parceldesk.bootstrap import Application
from parceldesk.demo.world import CHUNK, generate_chunk
from parceldesk.domain.errors import InvalidInput
from parceldesk.domain.phones import PhoneNumber
from parceldesk.domain.policy import Policy
from parceldesk.services.tracking import find_shipments_of_phone, track_shipment
from parceldesk.storage import tables as t
from parceldesk.storage.bulk import Row, audit_load, count_shipments, delete_all_data, load_rows
from parceldesk.storage.mapping import shipment_to_row


@dataclass(frozen=True)
class SeedReport:
    shipments: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.shipments / self.seconds if self.seconds else 0.0


def seed_world(
    app: Application,
    count: int,
    seed: int,
    *,
    replace: bool = False,
    progress: Callable[[int], None] | None = None,
) -> SeedReport:
    if count < 1:
        raise InvalidInput("--shipments must be at least 1")
    existing = count_shipments(app.engine)
    if existing and not replace:
        raise InvalidInput(
            f"the database already holds {existing} shipments; use --replace to start over"
        )
    if replace:
        delete_all_data(app.engine)
    now = app.context.clock.now()
    started = time.perf_counter()
    chunks = _generate_rows_in_parallel(app.policy, count, seed, now)
    loaded = load_rows(app.engine, chunks, progress=progress)
    audit_load(app.engine, loaded, now, f"demo world, seed {seed}")
    return SeedReport(loaded, time.perf_counter() - started)


def _chunk_rows(policy: Policy, seed: int, index: int, size: int, now: datetime) -> list[Row]:
    return [shipment_to_row(s) for s in generate_chunk(policy, seed, index, size, now)]


def _generate_rows_in_parallel(
    policy: Policy, count: int, seed: int, now: datetime
) -> Iterator[list[Row]]:
    """Chunks of rows in order, made by worker processes while this one writes.

    At most ``ahead`` chunks wait in memory, so a slow database does not fill the memory.
    """
    sizes = [(i // CHUNK, min(CHUNK, count - i)) for i in range(0, count, CHUNK)]
    if len(sizes) == 1:
        yield _chunk_rows(policy, seed, sizes[0][0], sizes[0][1], now)
        return
    ahead = 4
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        pending: deque[Future[list[Row]]] = deque()
        for index, size in sizes:
            pending.append(pool.submit(_chunk_rows, policy, seed, index, size, now))
            if len(pending) >= ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


@dataclass(frozen=True)
class Latency:
    name: str
    samples: int
    p50_ms: float
    p99_ms: float


def _measure(name: str, calls: list[Callable[[], object]]) -> Latency:
    timings = []
    for call in calls:
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return Latency(name, len(timings), cuts[49], cuts[98])


def measure_lookups(app: Application, samples: int, seed: int) -> list[Latency]:
    """p50/p99 of tracking by waybill and finding parcels by phone, through the use cases."""
    with app.engine.connect() as connection:
        top = connection.execute(select(t.shipments.c.id).order_by(t.shipments.c.id.desc())).first()
        highest = top[0] if top else 0
        rng = random.Random(seed)
        ids = [rng.randint(1, highest) for _ in range(samples)]
        c = t.shipments.c
        rows = connection.execute(select(c.waybill, c.recipient_phone).where(c.id.in_(ids))).all()
    if not rows:
        raise InvalidInput("there are no shipments to look up; seed some first")
    ctx = app.context
    return [
        _measure("track by waybill", [partial(track_shipment, ctx, r[0]) for r in rows]),
        _measure(
            "find by phone",
            [partial(find_shipments_of_phone, ctx, PhoneNumber(r[1])) for r in rows],
        ),
    ]
