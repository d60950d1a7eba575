"""``parceldesk bench http``: a real server, driven over HTTP from a separate process.

The server runs as ``parceldesk serve`` on a fresh SQLite world; the driver is another process
with an asyncio HTTP client keeping ``concurrency`` conversations going at once. In the same run
it measures ``GET /healthz`` of the same server at the same concurrency: the framework's floor.

The client shares the machine's cores with the server, so it should cost the server little:
measured against the same server, aiohttp's client spent 0.10-0.17 ms of CPU a request where
httpx2's spent 0.67-0.71 ms (and held the floor at ~1,400 requests/s, its own limit).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from parceldesk.operations import SCRIPTS, Latency


@dataclass(frozen=True)
class HttpRun:
    requests: int
    seconds: float
    latency: Latency
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class HttpBench:
    think_ms: float
    concurrency: int
    conversations: int
    turns: HttpRun
    floor: HttpRun


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(
    data_dir: Path,
    model_cache: Path | None,
    workers: int = 1,
    turn_threads: int | None = None,
    voice_threads: int | None = None,
    asr_tail_seconds: int | None = None,
) -> Iterator[str]:
    """``parceldesk serve`` on ``data_dir`` (already migrated and seeded) until the block ends."""
    if model_cache is not None and model_cache.is_dir():
        shutil.copytree(model_cache, data_dir / "models", dirs_exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCELDESK_")}
    env |= {"PARCELDESK_DATA_DIR": str(data_dir), "PARCELDESK_LOG_LEVEL": "warning",
            # one client address drives every conversation here: lift the per-address limit
            "PARCELDESK_CONVERSATIONS_PER_MINUTE": "1000000",
            "PARCELDESK_WORKERS": str(workers)}  # fmt: skip
    if turn_threads is not None:
        env["PARCELDESK_TURN_THREADS"] = str(turn_threads)
    if voice_threads is not None:
        env["PARCELDESK_VOICE_THREADS"] = str(voice_threads)
    if asr_tail_seconds is not None:
        env["PARCELDESK_VOICE_ASR_TAIL_SECONDS"] = str(asr_tail_seconds)
    port = free_port()
    log = (data_dir / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "parceldesk", "serve", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, server, data_dir / "serve.log")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()


def _wait_ready(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not become ready in 5 minutes")


def drive_in_another_process(
    base: str,
    parcels: list[tuple[str, str]],
    conversations: int,
    concurrency: int,
    think_ms: float = 0.0,
) -> HttpBench:
    """Run the driver in a fresh process, so client and server do not share an interpreter."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        result: HttpBench = pool.apply(
            _drive_sync, (base, parcels, conversations, concurrency, think_ms)
        )
    return result


def _drive_sync(
    base: str,
    parcels: list[tuple[str, str]],
    conversations: int,
    concurrency: int,
    think_ms: float = 0.0,
) -> HttpBench:
    return asyncio.run(_drive(base, parcels, conversations, concurrency, think_ms))


async def _drive(
    base: str,
    parcels: list[tuple[str, str]],
    conversations: int,
    concurrency: int,
    think_ms: float = 0.0,
) -> HttpBench:
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(base, connector=connector, timeout=timeout) as client:
        jobs: asyncio.Queue[int] = asyncio.Queue()
        for number in range(conversations):
            jobs.put_nowait(number)
        timings: list[float] = []
        errors = [0]
        started = time.perf_counter()
        await asyncio.gather(
            *(
                _converse(client, jobs, parcels, timings, errors, random.Random(n), think_ms)
                for n in range(concurrency)
            )
        )
        turns = HttpRun(len(timings), time.perf_counter() - started, _latency("http turn", timings),
                        errors[0])  # fmt: skip
        floor = await _floor(client, max(len(timings), 1000), concurrency)
    return HttpBench(think_ms, concurrency, conversations, turns, floor)


async def _converse(
    client: aiohttp.ClientSession,
    jobs: asyncio.Queue[int],
    parcels: list[tuple[str, str]],
    timings: list[float],
    errors: list[int],
    rng: random.Random,
    think_ms: float,
) -> None:
    """Conversations one after another; ``think_ms`` (mean, exponential) is the customer's pause
    before each message, so 50 conversations need not mean 50 requests in flight."""
    while not jobs.empty():
        number = jobs.get_nowait()
        waybill, phone = parcels[number % len(parcels)]
        async with client.post("/api/v1/conversations", json={"channel": "api"}) as started:
            body = await started.json() if started.status == 201 else None
        if body is None:
            errors[0] += 1
            continue
        headers = {"Authorization": f"Bearer {body['token']}"}
        path = f"/api/v1/conversations/{body['id']}/messages"
        for text in SCRIPTS[number % len(SCRIPTS)]:
            message = {"text": text.format(w=waybill, d=phone[-4:]),
                       "client_message_id": uuid.uuid4().hex}  # fmt: skip
            if think_ms:
                await asyncio.sleep(rng.expovariate(1000 / think_ms))
            began = time.perf_counter()
            async with client.post(path, json=message, headers=headers) as response:
                await response.read()
            timings.append((time.perf_counter() - began) * 1000)
            errors[0] += response.status != 200


async def _floor(client: aiohttp.ClientSession, requests: int, concurrency: int) -> HttpRun:
    timings: list[float] = []
    errors = [0]
    remaining = [requests]

    async def worker() -> None:
        while remaining[0] > 0:
            remaining[0] -= 1
            began = time.perf_counter()
            async with client.get("/healthz") as response:
                await response.read()
            timings.append((time.perf_counter() - began) * 1000)
            errors[0] += response.status != 200

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    return HttpRun(len(timings), seconds, _latency("floor", timings), errors[0])


def _latency(name: str, timings: list[float]) -> Latency:
    if len(timings) < 2:
        value = timings[0] if timings else 0.0
        return Latency(name, len(timings), value, value)
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return Latency(name, len(timings), cuts[49], cuts[98])
