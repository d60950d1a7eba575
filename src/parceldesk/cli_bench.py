"""`parceldesk bench ...`: benchmarks that measure performance on this machine."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from parceldesk.bootstrap import bootstrap
from parceldesk.cli_footprint import save_measurement
from parceldesk.cli_shared import (
    SeedOption,
    ShipmentsOption,
    console,
    seed_into,
    understander_of_settings,
)
from parceldesk.config import Settings, load_settings
from parceldesk.conversation.ports import ConversationStore
from parceldesk.operations import measure_lookups

if TYPE_CHECKING:
    from parceldesk.voicebench import VoiceLatency

bench_app = typer.Typer(
    help="Benchmarks that measure performance on this machine.", no_args_is_help=True
)


@bench_app.command("seed")
def benchseed_into(
    shipments: ShipmentsOption = 1_000_000,
    seed: SeedOption = 42,
    lookups: Annotated[int, typer.Option(help="How many lookups to time.")] = 2000,
) -> None:
    """Build a world in a fresh SQLite file, then time lookups by waybill and by phone."""
    with tempfile.TemporaryDirectory(prefix="parceldesk-bench-") as folder:
        settings = Settings(data_dir=Path(folder), database_url=f"sqlite:///{folder}/bench.db")
        application = bootstrap(settings, migrate=True)
        report = seed_into(application, shipments, seed, replace=False)
        latencies = measure_lookups(application, lookups, seed)
        application.close()
    console.print(f"seed: {report.shipments:,} shipments in {report.seconds:.1f} s = "
                  f"{report.per_second:,.0f} shipments/s")  # fmt: skip
    for latency in latencies:
        console.print(f"{latency.name}: p50 {latency.p50_ms:.2f} ms, p99 {latency.p99_ms:.2f} ms "
                      f"over {latency.samples} lookups")  # fmt: skip


@bench_app.command("conversation")
def bench_conversation(
    shipments: ShipmentsOption = 1000,
    conversations: Annotated[int, typer.Option(help="How many scripted conversations.")] = 300,
    seed: SeedOption = 42,
) -> None:
    """Scripted conversations in-process: turns/s and p50/p99 turn latency (NLU + dialogue +
    use cases + SQLite), and the NLU alone, on a fresh world of N shipments."""
    from parceldesk.operations import measure_conversations

    understander = understander_of_settings()
    with tempfile.TemporaryDirectory(prefix="parceldesk-bench-") as folder:
        settings = Settings(data_dir=Path(folder), database_url=f"sqlite:///{folder}/bench.db")
        application = bootstrap(settings, migrate=True)
        seed_into(application, shipments, seed, replace=False)
        report = measure_conversations(application, understander, conversations, seed)
        application.close()
    console.print(f"{report.shipments:,} shipments, {report.conversations} conversations, "
                  f"{report.turns} turns in {report.seconds:.1f} s = {report.turns_per_second:,.0f} turns/s")  # noqa: E501  # fmt: skip
    for latency in (report.turn, report.nlu):
        console.print(f"{latency.name}: p50 {latency.p50_ms:.2f} ms, p99 {latency.p99_ms:.2f} ms "
                      f"over {latency.samples}")  # fmt: skip
    kept = save_measurement(load_settings().data_dir, report.cpu_ms_per_turn, report.shipments)
    console.print(f"CPU per turn: {report.cpu_ms_per_turn:.2f} ms (kept in {kept} for "
                  "`parceldesk footprint`)")  # fmt: skip


@bench_app.command("http")
def bench_http(
    shipments: ShipmentsOption = 1000,
    conversations: Annotated[int, typer.Option(help="How many scripted conversations.")] = 3000,
    concurrency: Annotated[int, typer.Option(help="Conversations going on at once.")] = 50,
    think_ms: Annotated[
        float, typer.Option(help="Mean pause before each customer message (0: none).")
    ] = 150.0,
    workers: Annotated[
        int | None, typer.Option(help="Server processes (default: one per core).")
    ] = None,
    turn_threads: Annotated[
        int | None, typer.Option(min=1, max=64, help="Turns one server process runs at once.")
    ] = None,
    seed: SeedOption = 42,
) -> None:
    """Start `parceldesk serve` on a fresh SQLite world and drive it over HTTP from another
    process: turns/s and p50/p99, next to GET /healthz of the same server (the floor)."""
    from parceldesk.loadtest import drive_in_another_process, serving
    from parceldesk.operations import sample_parcels

    with tempfile.TemporaryDirectory(prefix="parceldesk-bench-") as folder:
        settings = Settings(data_dir=Path(folder))
        application = bootstrap(settings, migrate=True)
        seed_into(application, shipments, seed, replace=False)
        parcels = sample_parcels(application, conversations, seed)
        application.close()
        models = load_settings().data_dir / "models"
        processes = workers or os.cpu_count() or 1
        with serving(Path(folder), models, processes, turn_threads) as base:
            report = drive_in_another_process(base, parcels, conversations, concurrency, think_ms)
    for run in (report.turns, report.floor):
        console.print(f"{run.latency.name}: {run.requests:,} requests in {run.seconds:.1f} s = "
                      f"{run.per_second:,.0f}/s, p50 {run.latency.p50_ms:.1f} ms, "
                      f"p99 {run.latency.p99_ms:.1f} ms, errors {run.errors}")  # fmt: skip
    ratio = report.turns.per_second / report.floor.per_second if report.floor.per_second else 0
    console.print(f"{processes} server processes, {report.concurrency} concurrent conversations, "
                  f"{think_ms:.0f} ms mean pause before each message; turns/s is {ratio:.0%} of "
                  "the floor's requests/s")  # fmt: skip
    met = report.turns.per_second >= 200 and report.turns.latency.p99_ms <= 100
    console.print(f"target (>= 200 turns/s with p99 <= 100 ms): {'met' if met else 'not met'}")


@bench_app.command("voice")
def bench_voice(
    calls: Annotated[str, typer.Option(help="Simultaneous calls to try, e.g. 1,2,4.")] = "1,2,4",
    rounds: Annotated[
        int, typer.Option(min=1, help="Times each number of calls is placed, one after another.")
    ] = 3,
    languages: Annotated[
        str | None, typer.Option(help="Languages to call in, e.g. en,zh (default: all).")
    ] = None,
    asr_threads: Annotated[
        int | None,
        typer.Option(min=1, max=16, help="Threads of one recognition (PARCELDESK_VOICE_THREADS)."),
    ] = None,
    asr_tail: Annotated[
        int | None,
        typer.Option(
            min=10,
            max=29,
            help="Whisper reads the speech and this many seconds after it, not its 30 s window "
            "(PARCELDESK_VOICE_ASR_TAIL_SECONDS).",
        ),
    ] = None,
    seed: SeedOption = 42,
) -> None:
    """Place phone calls against `parceldesk serve` over its media WebSocket, speech in real
    time: end of caller speech to first bot audio (p50, p95) per number of simultaneous calls,
    and the recogniser's word error on synthesised sentences, clean and through 8 kHz μ-law."""
    from parceldesk.channels.voice.audio import encode_ulaw
    from parceldesk.channels.voice.engines import find_voice_engines
    from parceldesk.loadtest import serving
    from parceldesk.operations import sample_parcels
    from parceldesk.voicebench import (
        SENTENCES,
        caller_speech,
        measure_asr,
        measure_calls,
        spelled,
    )

    engines = find_voice_engines(
        models=load_settings().data_dir / "models", asr_tail_seconds=asr_tail
    )
    if engines is None:
        raise typer.BadParameter(
            "the voice extra is not installed: pip install 'parceldesk[voice]'"
        )
    levels = [int(level) for level in calls.split(",")]
    chosen = languages.split(",") if languages else list(engines.languages)
    if unknown := [x for x in chosen if x not in engines.languages]:
        raise typer.BadParameter(
            f"no voice for {','.join(unknown)}; choose from {','.join(engines.languages)}"
        )
    with tempfile.TemporaryDirectory(prefix="parceldesk-bench-") as folder:
        settings = Settings(data_dir=Path(folder))
        application = bootstrap(settings, migrate=True)
        seed_into(application, 200, seed, replace=False)
        (waybill, _), *_ = sample_parcels(application, 1, seed)
        application.close()
        for language in chosen:
            error = measure_asr(engines, language, waybill)
            console.print(f"{language} ASR {error.unit} error, {error.sentences} sentences: clean "
                          f"{error.clean:.1%}, 8 kHz μ-law {error.phone_line:.1%}; long numbers "
                          f"heard digit for digit through μ-law: {error.numbers_heard} of "
                          f"{error.numbers}")  # fmt: skip
        models = load_settings().data_dir / "models"
        with serving(
            Path(folder), models, voice_threads=asr_threads, asr_tail_seconds=asr_tail
        ) as base:
            url = base.replace("http://", "ws://") + "/api/v1/voice/media"
            application = bootstrap(settings)  # reads what the server kept of each call
            for language in chosen:
                texts = [s.format(waybill=spelled(waybill)) for s in SENTENCES[language][:4]]
                speech = [encode_ulaw(caller_speech(engines, t, language)) for t in texts]
                runs = []
                for level in levels:
                    began = datetime.now(UTC)
                    run = measure_calls(url, speech, language, level, rounds)
                    runs.append(run)
                    console.print(f"{language}, {level} simultaneous calls, {run.turns} turns: "
                                  f"end of speech to first bot audio p50 {run.p50_ms:.0f} ms, "
                                  f"p95 {run.p95_ms:.0f} ms; silence inside an answer, "
                                  f"waiting for speech, p95 {run.gap_p95_ms:.0f} ms")  # fmt: skip
                    _print_time_spent(application.conversation_store(), language, began)
                _print_sustained(language, runs)
            application.close()


def _print_sustained(language: str, runs: list[VoiceLatency]) -> None:
    from parceldesk.voicebench import REAL_TIME_GAP_MS, TARGET_P95_MS, find_sustained_calls

    tried = sorted(run.concurrent_calls for run in runs)

    def calls(sustained: int) -> str:  # none of the levels tried: fewer than the lowest of them
        return f"fewer than {tried[0]}" if sustained == 0 and tried[0] > 1 else str(sustained)

    console.print(f"{language}: this machine sustains {calls(find_sustained_calls(runs))} "
                  f"simultaneous calls in real time (silence inside answers p95 ≤ "
                  f"{REAL_TIME_GAP_MS:.0f} ms), {calls(find_sustained_calls(runs, TARGET_P95_MS))} "
                  f"of them answering within {TARGET_P95_MS:.0f} ms (p95); calls at once tried: "
                  f"{', '.join(map(str, tried))}")  # fmt: skip


def _print_time_spent(store: ConversationStore, language: str, since: datetime) -> None:
    """Where the turns of the calls just made spent their time, from what the server kept."""
    from parceldesk.voicebench import find_time_spent

    spent = find_time_spent(store, language, since, datetime.now(UTC))
    if spent is None:
        return
    console.print(f"  where a turn's time went (medians over {spent.turns} "
                  f"turns): {spent.end_silence_ms} ms of silence ends the turn; "
                  f"recognition {spent.asr_ms:.0f} ms (begun after a {spent.pause_ms} ms pause, "
                  f"{spent.asr_wait_ms:.0f} ms of it after the turn ended); after the end of the "
                  f"turn, the engine's answer at {spent.turn_ms:.0f} ms and the first audio sent "
                  f"at {spent.first_audio_ms:.0f} ms")  # fmt: skip
