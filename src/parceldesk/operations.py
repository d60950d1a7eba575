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
from typing import Any

from sqlalchemy import func, select

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
    return _latency(name, timings)


def measure_lookups(app: Application, samples: int, seed: int) -> list[Latency]:
    """p50/p99 of tracking by waybill and finding parcels by phone, through the use cases."""
    with app.engine.connect() as connection:
        top = connection.execute(select(t.shipments.c.id).order_by(t.shipments.c.id.desc())).first()
        highest = top[0] if top else 0
        rng = random.Random(seed)
        ids = [rng.randint(1, highest) for _ in range(samples)]
        c = t.shipments.c
        found = connection.execute(select(c.id, c.waybill, c.recipient_phone).where(c.id.in_(ids)))
        by_id = {row[0]: (row[1], row[2]) for row in found}
        rows = [by_id[i] for i in ids if i in by_id]
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


@dataclass(frozen=True)
class ConversationBench:
    shipments: int
    conversations: int
    turns: int
    seconds: float
    turn: Latency
    nlu: Latency
    cpu_seconds: float = 0.0  # the process's CPU time over the turns

    @property
    def turns_per_second(self) -> float:
        return self.turns / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_turn(self) -> float:
        return 1000 * self.cpu_seconds / self.turns if self.turns else 0.0


SCRIPTS: tuple[tuple[str, ...], ...] = (
    ("{w} 到哪了",),
    (
        "我想改一下 {w} 的收货地址",
        "尾号{d}",
        "改到北京市海淀区中关村大街27号",
        "不对，是5号楼",
        "对",
    ),
    ("please deliver {w} tomorrow afternoon", "{d}", "yes"),
    ("paket saya {w} di mana",),
    ("kirim besok sore aja, resi {w}", "{d}", "iya"),
    ("where is my parcel", "{w}", "thanks", "bye"),
)


def sample_parcels(app: Application, count: int, seed: int) -> list[tuple[str, str]]:
    """(waybill, recipient phone) of ``count`` parcels of the seeded world, drawn at random."""
    rng = random.Random(seed)
    with app.engine.connect() as connection:
        c = t.shipments.c
        top = connection.execute(select(func.max(c.id))).scalar_one() or 0
        ids = [rng.randint(1, top) for _ in range(count)]
        found = connection.execute(select(c.id, c.waybill, c.recipient_phone).where(c.id.in_(ids)))
        by_id = {row[0]: (row[1], row[2]) for row in found}
        rows = [by_id[i] for i in ids if i in by_id]
    if not rows:
        raise InvalidInput("there are no shipments to talk about; seed some first")
    return rows


def measure_conversations(
    app: Application, understander: Any, conversations: int, seed: int
) -> ConversationBench:
    """Scripted conversations in-process on parcels of the seeded world; every turn is timed."""
    from parceldesk.conversation.engine import Conversation

    rows = sample_parcels(app, conversations, seed)
    turn_times: list[float] = []
    started, cpu_started = time.perf_counter(), time.process_time()
    for number, (waybill, phone) in enumerate(rows):
        talk = Conversation(app.context, understander, f"bench-{number}", "bench")
        for text in SCRIPTS[number % len(SCRIPTS)]:
            began = time.perf_counter()
            talk.handle(text.format(w=waybill, d=phone[-4:]))
            turn_times.append((time.perf_counter() - began) * 1000)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    texts = [s.format(w=rows[0][0], d="5678") for script in SCRIPTS for s in script] * 20
    today = app.context.clock.now().date()
    nlu = _measure("nlu", [partial(understander.understand, text, today) for text in texts])
    with app.engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(t.shipments)).scalar_one()
    return ConversationBench(
        int(count),
        len(rows),
        len(turn_times),
        seconds,
        _latency("turn", turn_times),
        nlu,
        cpu_seconds,
    )


def _latency(name: str, timings: list[float]) -> Latency:
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return Latency(name, len(timings), cuts[49], cuts[98])
