"""Seeding in parallel gives the same world as seeding in one process; the bench reports numbers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from parceldesk.demo.world import generate_shipments
from parceldesk.domain.policy import Policy
from parceldesk.operations import _generate_rows_in_parallel
from parceldesk.storage.mapping import shipment_to_row
from tests.factories import NOW


def test_parallel_generation_matches_the_sequential_world(policy: Policy) -> None:
    count = 12_500  # two chunks: the second is made by another process
    parallel = [row for chunk in _generate_rows_in_parallel(policy, count, 5, NOW) for row in chunk]
    sequential = [shipment_to_row(s) for s in generate_shipments(policy, count, 5, NOW)]
    assert len(parallel) == count
    assert parallel == sequential


def test_bench_seed_reports_throughput_and_lookup_latency(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCELDESK_")}
    env["PARCELDESK_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "parceldesk", "bench", "seed", "--shipments", "3000", "--lookups", "200"],  # noqa: E501
        capture_output=True, text=True, env=env, timeout=300, check=True,
    )  # fmt: skip
    assert "shipments/s" in result.stdout
    assert "track by waybill: p50" in result.stdout
    assert "find by phone: p50" in result.stdout
