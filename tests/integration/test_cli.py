"""The CLI as a user runs it: a real process, a real database, one-line errors."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

Run = Callable[..., subprocess.CompletedProcess[str]]


def _runner(env: dict[str, str]) -> Run:
    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "parceldesk", *args],
            capture_output=True, text=True, env=env, timeout=300, check=False,
        )  # fmt: skip
        assert "Traceback" not in result.stderr + result.stdout
        assert (result.returncode == 0) == ok, result.stderr + result.stdout
        return result

    return run


@pytest.fixture
def run(tmp_path: Path) -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCELDESK_")}
    env |= {"PARCELDESK_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}
    return _runner(env)


def test_commands_before_init_say_what_to_do(run: Run) -> None:
    result = run("seed", "-n", "10", ok=False)
    assert result.stderr.strip().count("\n") == 0
    assert "parceldesk init" in result.stderr


def test_init_seed_and_show_a_shipment(run: Run, tmp_path: Path) -> None:
    assert "database ready" in run("init").stdout
    seeded = run("seed", "--shipments", "500", "--seed", "3")
    assert "seeded 500 shipments" in seeded.stdout
    database = tmp_path / "data" / "parceldesk.db"
    with sqlite3.connect(database) as connection:
        waybill, status = connection.execute(
            "SELECT waybill, status FROM shipments LIMIT 1"
        ).fetchone()
    shown = run("shipment", "show", waybill.lower())
    assert waybill in shown.stdout
    assert status in shown.stdout
    assert "scan history" in shown.stdout
    again = run("seed", "--shipments", "10", ok=False)
    assert "--replace" in again.stderr
    assert "seeded 10 shipments" in run("seed", "--shipments", "10", "--replace").stdout


def test_bad_input_is_one_clear_line(run: Run, tmp_path: Path) -> None:
    run("init")
    assert "not a waybill" in run("shipment", "show", "hello", ok=False).stderr
    assert "no parcel" in run("shipment", "show", "PD0000000000059", ok=False).stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("default_country: CN\ncarriers: []\n", "utf-8")
    result = run("policy", "check", str(bad), ok=False)
    assert "carriers" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_a_bad_policy_file_stops_start_up(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("nonsense: [", "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCELDESK_")}
    env |= {"PARCELDESK_DATA_DIR": str(tmp_path / "d"), "PARCELDESK_POLICY_FILE": str(bad)}
    assert "not valid YAML" in _runner(env)("init", ok=False).stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("PARCELDESK_PORT", "eighty", "setting port"),
        ("PARCELDESK_CONFIG_FILE", "/nonexistent/parceldesk.toml", "does not exist"),
    ],
)
def test_bad_settings_are_one_clear_line(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCELDESK_")}
    env |= {"PARCELDESK_DATA_DIR": str(tmp_path), variable: value}
    result = _runner(env)("init", ok=False)
    assert message in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_settings_come_from_a_toml_file(tmp_path: Path) -> None:
    config = tmp_path / "parceldesk.toml"
    config.write_text(f'data_dir = "{tmp_path / "elsewhere"}"\n', "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCELDESK_")}
    env["PARCELDESK_CONFIG_FILE"] = str(config)
    assert "elsewhere" in _runner(env)("init").stdout


def test_an_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCELDESK_")}
    env |= {
        "PARCELDESK_DATA_DIR": str(tmp_path),
        "PARCELDESK_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
    }
    result = _runner(env)("init", ok=False)
    assert "cannot use the database" in result.stderr


@pytest.mark.postgres
def test_every_command_works_on_postgresql(postgres_engine: Engine, tmp_path: Path) -> None:
    from tests.conftest import truncate_all

    truncate_all(postgres_engine)
    url = postgres_engine.url.render_as_string(hide_password=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCELDESK_")}
    env |= {"PARCELDESK_DATA_DIR": str(tmp_path), "PARCELDESK_DATABASE_URL": url, "COLUMNS": "200"}
    run = _runner(env)
    run("init")
    assert "seeded 300 shipments" in run("seed", "-n", "300").stdout
    with postgres_engine.connect() as connection:
        waybill = connection.exec_driver_sql("SELECT waybill FROM shipments LIMIT 1").scalar_one()
    assert waybill in run("shipment", "show", waybill).stdout


def test_footprint_plan_prints_json_and_compare_refuses_an_unknown_site(run: Run) -> None:
    plan = run("footprint", "plan", "--site", "lingqiu", "--contacts-per-year", "20000000",
               "--json")  # fmt: skip
    result = json.loads(plan.stdout)
    [lingqiu] = result["plans"]
    assert 1.12 <= lingqiu["pue"] <= 1.22
    assert result["inputs"]["workload"]["contacts_per_year"] == 20000000
    table = run("footprint", "compare", "--site", "lingqiu", "--site", "lingqiu").stdout
    assert "PUE (energy-weighted)" in table
    bad = run("footprint", "compare", "--site", "lingqiu", "--site", "atlantis", ok=False)
    assert bad.stderr.strip().startswith("error: no site 'atlantis'")
    negative = run("footprint", "plan", "--site", "lingqiu", "--contacts-per-year", "-1", ok=False)
    assert "contacts_per_year must not be negative" in negative.stderr
    assert negative.stderr.strip().count("\n") == 0


def test_report_prints_the_period_and_refuses_bad_dates(run: Run, tmp_path: Path) -> None:
    run("init")
    table = run("report", "--from", "2026-11-01", "--to", "2026-11-30").stdout
    assert "AI resolution (strict)" in table
    assert "containment (no handoff)" in table
    assert "seats saved" in table
    out = tmp_path / "rows.csv"
    data = json.loads(run("report", "--from", "2026-11-01", "--to", "2026-11-30", "--json",
                          "--csv", str(out)).stdout)  # fmt: skip
    assert data["summary"]["conversations"] == "0"
    assert out.read_text().startswith("id,started_at,channel")
    bad = run("report", "--from", "2026-11-30", "--to", "yesterday", ok=False)
    assert bad.stderr.strip() == "error: --to takes a date like 2026-11-30"
    backwards = run("report", "--from", "2026-11-30", "--to", "2026-11-01", ok=False)
    assert "end must come after its start" in backwards.stderr
