"""``parceldesk report``: the period's numbers in the terminal, and the seats they save."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from parceldesk.analytics.export import write_csv
from parceldesk.analytics.metrics import DIMENSIONS, Summary
from parceldesk.analytics.report import Report, make_report
from parceldesk.analytics.staffing import staffing_saving
from parceldesk.bootstrap import bootstrap
from parceldesk.config import load_settings
from parceldesk.domain.errors import InvalidInput
from parceldesk.services.context import FixedClock


def _day(text: str, name: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(text), time(0), UTC)
    except ValueError:
        raise InvalidInput(f"--{name} takes a date like 2026-11-30") from None


def csat(s: Summary) -> str:
    if s.csat is None or s.csat_mean is None:
        return "— (no survey answers)"
    answered = f"{s.csat_responses:,} answers, {s.rate(s.csat_responses):.0%} of conversations"
    return f"{s.csat:.1%} (mean {s.csat_mean:.2f}; {answered})"


def summary_rows(s: Summary) -> list[tuple[str, str]]:
    def pct(count: int) -> str:
        return f"{s.rate(count):.1%} ({count:,})"

    def secs(value: float | None) -> str:
        return "—" if value is None else f"{value:,.0f} s"

    fees = ", ".join(f"{minor / 100:,.2f} {cur}" for cur, minor in sorted(s.fees.items()))
    return [
        ("conversations", f"{s.conversations:,}"),
        ("AI resolution (strict)", pct(s.ai_resolved)),
        ("containment (no handoff)", pct(s.contained)),
        ("handed to a person", pct(s.handed_off)),
        ("handoff reasons", ", ".join(f"{k} {v}" for k, v in sorted(s.handoff_reasons.items()))
         or "—"),
        ("first-contact resolution", pct(s.first_contact_resolved)),
        ("never reached a person", pct(s.abandoned)),
        ("verification failures", f"{s.verification_failures:,}"),
        ("policy refusals", f"{s.refusals:,}"),
        ("out-of-scope turns", f"{s.out_of_scope_turns:,} of {s.turns:,}"),
        ("wait for a person p50 / p90", f"{secs(s.wait_p50_s)} / {secs(s.wait_p90_s)}"),
        ("handle time p50", secs(s.handle_p50_s)),
        ("CSAT (4-5 of 5)", csat(s)),
        ("answer did not help", f"{s.not_answered:,}"),
        ("changes made", ", ".join(f"{k} {v}" for k, v in sorted(s.actions.items())) or "—"),
        ("fees charged", fees or "—"),
    ]  # fmt: skip


By = Annotated[
    str, typer.Option(help="Break down by day, hour, channel, language, intent or queue.")
]
Contacts = Annotated[float, typer.Option(help="For staffing: contacts a year.")]
HandleSeconds = Annotated[float, typer.Option(help="For staffing: a person's handle time, s.")]
PeakFactor = Annotated[float, typer.Option(help="For staffing: busiest hour / average hour.")]
CsvFile = Annotated[Path | None, typer.Option("--csv", help="Write one row per conversation.")]


def report(
    from_: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD, UTC).")],
    to: Annotated[str, typer.Option(help="Last day, included.")],
    by: By = "intent",
    contacts_per_year: Contacts = 20_000_000,
    handle_seconds: HandleSeconds = 300,
    peak_factor: PeakFactor = 2.0,
    csv_file: CsvFile = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for machines.")] = False,
) -> None:
    """AI resolution (strict) and containment, handoffs and why, waits, handle times,
    first-contact resolution, abandonment, refusals, changes and fees; the seats the AI saves."""
    if by not in DIMENSIONS:
        raise InvalidInput(f"--by is one of {', '.join(DIMENSIONS)}")
    since, until = _day(from_, "from"), _day(to, "to") + timedelta(days=1)
    application = bootstrap(load_settings())
    made = make_report(application.conversation_store(), since, until)
    application.close()
    seats = staffing_saving(contacts_per_year, peak_factor, handle_seconds,
                            made.summary.ai_resolution_rate)  # fmt: skip
    if csv_file is not None:
        with csv_file.open("w", newline="", encoding="utf-8") as out:
            write_csv(made, out)
    if as_json:
        data = {"from": from_, "to": to, "summary": dict(summary_rows(made.summary)),
                "ai_resolution_rate": made.summary.ai_resolution_rate,
                "containment_rate": made.summary.containment_rate,
                "by": {k: dict(summary_rows(v)) for k, v in made.by(by).items()},
                "staffing": seats.__dict__}  # fmt: skip
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        return
    _print(made, by, seats.__dict__, contacts_per_year)


def _print(made: Report, by: str, seats: dict[str, Any], contacts: float) -> None:
    console = Console()
    table = Table(title=f"{made.since:%Y-%m-%d} to {made.until - timedelta(days=1):%Y-%m-%d}")
    table.add_column("")
    table.add_column("all", justify="right")
    groups = made.by(by)
    for value in groups:
        table.add_column(f"{by} {value}", justify="right")
    columns = [summary_rows(made.summary)] + [summary_rows(s) for s in groups.values()]
    for index, (label, _) in enumerate(columns[0]):
        table.add_row(label, *(rows[index][1] for rows in columns))
    console.print(table)
    console.print(
        f"Staffing for {contacts:,.0f} contacts a year (Erlang C, 80% in 20 s): "
        f"{seats['agents_without_ai']} agents scheduled for the busiest hour without the AI, "
        f"{seats['agents_with_ai']} with it: {seats['saved']} seats saved."
    )


Mix = Annotated[
    str | None, typer.Option(help="Intent mix (YAML goal: share); default tracking-heavy.")
]


def simulate(
    conversations: Annotated[int, typer.Option(help="Simulated customers.")] = 1000,
    mix: Mix = None,
    languages: Annotated[str, typer.Option(help="Their languages, e.g. zh,en,id.")] = "zh,en,id",
    shipments: Annotated[int, typer.Option(help="Parcels in the simulated world.")] = 10_000,
    seed: Annotated[int, typer.Option(help="The same seed, the same customers.")] = 42,
    workers: Annotated[
        int,
        typer.Option(help="Processes playing customers; 0: one per core from 2,000 customers on."),
    ] = 0,
) -> None:
    """Play a day of customers who know their goal against the real engine on a fresh world,
    and show the true AI resolution rate (goal met, no person) beside the one analytics
    measured, and the satisfaction they gave beside the CSAT analytics measured."""
    import tempfile
    import time as clock

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from parceldesk.operations import seed_world
    from parceldesk.simulation.customers import check_languages, load_mix, make_personas
    from parceldesk.simulation.run import simulate as run_simulation

    personas = make_personas(conversations, load_mix(mix), check_languages(languages), seed)
    columns = (BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with tempfile.TemporaryDirectory(prefix="parceldesk-sim-") as folder:
        settings = load_settings().model_copy(
            update={"data_dir": Path(folder), "database_url": f"sqlite:///{folder}/sim.db"}
        )
        sim_clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
        application = bootstrap(settings, clock=sim_clock, migrate=True)
        application.models_dir = load_settings().data_dir / "models"  # trained once, kept
        seed_world(application, shipments, seed)
        started = clock.perf_counter()
        with Progress("simulating", *columns) as progress:
            task = progress.add_task("customers", total=len(personas))
            result = run_simulation(application, personas, seed,
                                    lambda n: progress.advance(task, n),
                                    workers or _auto_workers(len(personas)))  # fmt: skip
        seconds = clock.perf_counter() - started
        application.close()
    _print_simulation(result, seconds)


def _auto_workers(customers: int) -> int:
    import os

    return max(1, min(os.cpu_count() or 1, 8)) if customers >= 2000 else 1


def _print_simulation(result: Any, seconds: float) -> None:
    console = Console()
    outcomes = result.outcomes
    turns = sum(o.turns for o in outcomes)
    true, measured = result.true_rate, result.measured_rate
    console.print(f"{len(outcomes):,} simulated conversations, {turns:,} customer turns in "
                  f"{seconds:.0f} s ({turns / seconds:,.0f} turns/s)")  # fmt: skip
    console.print(f"true AI resolution (goal met, no person): {true:.1%}")
    console.print(f"measured by analytics (strict):          {measured:.1%}")
    summary = result.report.summary
    console.print(f"difference: {100 * (measured - true):+.1f} points; "
                  f"containment {summary.containment_rate:.1%}")  # fmt: skip
    given = "—" if result.true_csat is None else f"{result.true_csat:.1%}"
    console.print(f"CSAT: the customers gave {given}, analytics measured {csat(summary)}")
    for why, ids in sorted(result.disagreements().items(), key=lambda kv: -len(kv[1])):
        console.print(f"  disagreement ×{len(ids)}: {why} (e.g. {', '.join(ids[:2])})")
    for label, rate in (("measured", measured), ("true", true)):
        seats = staffing_saving(20_000_000, 2.0, 300, rate)
        console.print(f"seats saved at 20 M contacts a year, {label} rate: {seats.saved} of "
                      f"{seats.agents_without_ai}")  # fmt: skip
