"""`nlu predict` and `test-conversations` as a user runs them: processes, JSON lines, exit codes."""

from __future__ import annotations

import json
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

from parceldesk.conversation.nlu.understand import Understander, training_fingerprint


@pytest.fixture
def env(tmp_path: Path, understander: Understander) -> dict[str, str]:
    """A data directory holding the session's trained model, so no process trains again."""
    models = tmp_path / "data" / "models"
    models.mkdir(parents=True)
    model = pickle.dumps(understander._classifier)
    (models / f"nlu-{training_fingerprint()}.pickle").write_bytes(model)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PARCELDESK_")}
    return clean | {"PARCELDESK_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}


def _run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "parceldesk", *args],
        input=stdin, capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip


def test_nlu_predict_writes_one_json_line_per_input(env: dict[str, str]) -> None:
    lines = ['{"text": "PD0000000000059 到哪了"}', '{"text": "besok sore", "lang": "id"}', "oops"]
    result = _run(env, "nlu", "predict", "--today", "2026-11-28", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 3
    assert out[0]["intent"] == "track_parcel"
    assert out[0]["slots"][0] == {
        "type": "waybill",
        "value": "PD0000000000059",
        "start": 0,
        "end": 15,
    }
    assert {s["value"] for s in out[1]["slots"]} == {"2026-11-29", "14:00-18:00"}
    assert "error" in out[2]


def test_test_conversations_reports_and_fails_honestly(env: dict[str, str], tmp_path: Path) -> None:
    good = Path(__file__).parents[2] / "scenarios" / "pickup.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "scenarios:\n  - name: expects the impossible\n    turns:\n      - user: 你好\n"
        "        expect: {intent: change_address}\n",
        "utf-8",
    )
    passing = _run(env, "test-conversations", str(good))
    assert passing.returncode == 0, passing.stdout
    assert passing.stdout.strip().splitlines()[-1] == "3 passed, 0 failed"
    failing = _run(env, "test-conversations", str(good), str(bad))
    assert failing.returncode == 1
    assert "expects the impossible" in failing.stdout
    assert "intent 'greet', expected 'change_address'" in failing.stdout
    assert failing.stdout.strip().splitlines()[-1] == "3 passed, 1 failed"


def test_bench_http_drives_a_real_server_and_measures_the_floor(env: dict[str, str]) -> None:
    result = _run(env, "bench", "http", "--shipments", "300", "--conversations", "12",
                  "--concurrency", "4", "--think-ms", "5")  # fmt: skip
    assert result.returncode == 0, result.stderr + result.stdout
    turns = re.search(r"http turn: (\d+) requests .* errors (\d+)", result.stdout)
    floor = re.search(r"floor: ([\d,]+) requests .* errors (\d+)", result.stdout)
    assert turns, result.stdout
    assert floor, result.stdout
    assert int(turns.group(1)) > 12
    assert turns.group(2) == "0"
    assert floor.group(2) == "0"
    assert re.search(r"\d+ server processes, 4 concurrent conversations", result.stdout)
    assert "target (>= 200 turns/s with p99 <= 100 ms): " in result.stdout


def test_the_footprint_planner_uses_the_cpu_cost_bench_conversation_measured(
    env: dict[str, str],
) -> None:
    before = json.loads(_run(env, "footprint", "plan", "--site", "lingqiu", "--json").stdout)
    assert before["inputs"]["cpu_ms_per_turn_source"].startswith("default")
    bench = _run(env, "bench", "conversation", "--shipments", "200", "--conversations", "6")
    assert bench.returncode == 0, bench.stderr + bench.stdout
    measured = re.search(r"CPU per turn: ([\d.]+) ms", bench.stdout)
    assert measured, bench.stdout
    after = json.loads(_run(env, "footprint", "plan", "--site", "lingqiu", "--json").stdout)
    assert after["inputs"]["cpu_ms_per_turn_source"].startswith("measured by bench conversation")
    used = after["inputs"]["workload"]["cpu_ms_per_turn"]
    assert used == pytest.approx(float(measured.group(1)), abs=0.01)
    given = _run(env, "footprint", "plan", "--site", "lingqiu", "--cpu-ms-per-turn", "7", "--json")
    assert json.loads(given.stdout)["inputs"]["workload"]["cpu_ms_per_turn"] == 7


def test_simulate_plays_customers_and_holds_analytics_against_the_truth(
    env: dict[str, str], tmp_path: Path
) -> None:
    args = ("simulate", "--conversations", "40", "--shipments", "300", "--seed", "7")
    first, again = _run(env, *args), _run(env, *args)
    assert first.returncode == 0, first.stderr + first.stdout
    true = re.search(r"true AI resolution \(goal met, no person\): ([\d.]+)%", first.stdout)
    measured = re.search(r"measured by analytics \(strict\): +([\d.]+)%", first.stdout)
    assert true, first.stdout
    assert measured, first.stdout
    assert "40 simulated conversations" in first.stdout
    assert "seats saved" in first.stdout

    def numbers(text: str) -> list[str]:
        return re.findall(r"(?:resolution|analytics|difference)[^\n]*?([-+]?[\d.]+)", text)

    assert numbers(first.stdout) == numbers(again.stdout)  # the same seed, the same customers
    mix = tmp_path / "mix.yaml"
    mix.write_text("track_parcel: 1\nteleport: 1\n", encoding="utf-8")
    bad = _run(env, "simulate", "--conversations", "5", "--mix", str(mix))
    assert bad.returncode == 1
    assert "not teleport" in bad.stderr
