"""The ``parceldesk`` command line. Thin: parse, call bootstrap/services, print.

Errors a user can cause print as one line (``error: …``) with exit code 1, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from parceldesk import __version__
from parceldesk.bootstrap import bootstrap, build_served_app
from parceldesk.cli_analytics import report, simulate
from parceldesk.cli_bench import bench_app
from parceldesk.cli_footprint import footprint_app
from parceldesk.cli_shared import (
    SeedOption,
    ShipmentsOption,
    console,
    seed_into,
    understander_of_settings,
)
from parceldesk.config import load_settings
from parceldesk.domain.errors import ParceldeskError
from parceldesk.domain.waybills import check_waybill
from parceldesk.policy_file import load_policy
from parceldesk.storage.bulk import count_shipments

if TYPE_CHECKING:
    from parceldesk.conversation.nlu.report import BlindReport, HeldOutReport

app = typer.Typer(
    help="parceldesk: self-hosted AI customer service for parcel carriers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
shipment_app = typer.Typer(help="Look at shipments.", no_args_is_help=True)
policy_app = typer.Typer(help="Check and show the carrier policy.", no_args_is_help=True)
app.add_typer(shipment_app, name="shipment")
app.add_typer(bench_app, name="bench")
app.add_typer(policy_app, name="policy")
nlu_app = typer.Typer(help="Natural-language understanding.", no_args_is_help=True)
agent_app = typer.Typer(help="Human agents' accounts.", no_args_is_help=True)
app.add_typer(agent_app, name="agent")
app.add_typer(nlu_app, name="nlu")
app.add_typer(footprint_app, name="footprint")
app.command("report")(report)
app.command("simulate")(simulate)


@app.command()
def init() -> None:
    """Create or upgrade the database schema (and the secret key of an embedded install)."""
    application = bootstrap(migrate=True)
    url = application.engine.url.render_as_string(hide_password=True)
    console.print(f"database ready: {url}")
    application.close()


@app.command()
def seed(
    shipments: ShipmentsOption = 10_000,
    seed: SeedOption = 42,
    replace: Annotated[bool, typer.Option(help="Delete all existing data first.")] = False,
) -> None:
    """Fill the database with a deterministic, realistic demo world."""
    application = bootstrap()
    report = seed_into(application, shipments, seed, replace)
    console.print(
        f"seeded {report.shipments:,} shipments in {report.seconds:.1f} s "
        f"({report.per_second:,.0f} shipments/s)"
    )
    application.close()


@agent_app.command("add")
def agent_add(
    username: Annotated[str, typer.Argument(help="Sign-in name (lower case).")],
    name: Annotated[str, typer.Option(help="Name shown to colleagues.")],
    role: Annotated[str, typer.Option(help="agent, supervisor or admin.")] = "agent",
    languages: Annotated[str, typer.Option(help="Queues by language, e.g. zh,en.")] = "zh",
    skills: Annotated[
        str, typer.Option(help="Some of general, complaints, claims, vip.")
    ] = "general,complaints,claims",
    capacity: Annotated[int, typer.Option(help="Chats at once.")] = 3,
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from stdin instead of asking.")
    ] = False,
) -> None:
    """Create an agent account (the password is asked for, or read from stdin)."""
    from parceldesk.domain.agents import AgentRole
    from parceldesk.services.agents import AddAgent, add_agent

    if role not in {r.value for r in AgentRole}:
        raise typer.BadParameter("role must be agent, supervisor or admin", param_hint="--role")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    application = bootstrap()
    command = AddAgent(username, name, AgentRole(role), _set(languages), _set(skills), capacity,
                       password)  # fmt: skip
    agent = add_agent(application.context, command)
    queues = ", ".join(sorted(agent.languages))
    console.print(f"agent {agent.username} ({agent.role}) added: queues {queues}, "
                  f"{agent.capacity} chats at once")  # fmt: skip
    application.close()


def _set(text: str) -> frozenset[str]:
    return frozenset(part.strip() for part in text.split(",") if part.strip())


@shipment_app.command("link")
def shipment_link(
    waybill: Annotated[str, typer.Argument(help="The waybill number.")],
    role: Annotated[str, typer.Option(help="Whose phone gets it: recipient or sender.")] = (
        "recipient"
    ),
    sms: Annotated[bool, typer.Option(help="Text the link to the party's phone.")] = True,
) -> None:
    """Make a signed self-service link for one parcel (and text it to the party)."""
    from parceldesk.domain.shipments import PartyRole
    from parceldesk.services.links import IssueSelfServiceLink, issue_link

    if role not in ("recipient", "sender"):
        raise typer.BadParameter("role must be recipient or sender", param_hint="--role")
    application = bootstrap()
    base = application.settings.resolved_public_url
    command = IssueSelfServiceLink(waybill, PartyRole(role), "cli", send_sms=sms)
    link = issue_link(application.context, command, base)
    console.print(f"{base}/m/{link.token}", soft_wrap=True, highlight=False)
    console.print(f"valid until {link.expires_at:%Y-%m-%d %H:%M} UTC"
                  + (", texted to the " + role if sms else ""))  # fmt: skip
    application.close()


@shipment_app.command("show")
def shipment_show(waybill: Annotated[str, typer.Argument(help="The waybill number.")]) -> None:
    """Everything about one shipment: parties, addresses, status and scan history."""
    application = bootstrap()
    number = check_waybill(waybill, application.policy.carriers)
    with application.context.uow() as uow:
        shipment = uow.shipments.get(number)
        audit = uow.audit.list_for_waybill(number)
    table = Table(title=f"{shipment.waybill} · {shipment.status}", show_header=False)
    rows = {
        "carrier / service": f"{shipment.carrier} / {shipment.service_level}",
        "sender": f"{shipment.sender.name} {shipment.sender.phone}",
        "recipient": f"{shipment.recipient.name} {shipment.recipient.phone}",
        "from": shipment.origin.one_line(),
        "to": shipment.destination.one_line(),
        "weight": f"{shipment.weight_grams / 1000:.1f} kg",
        "postage": str(shipment.fee),
        "declared value": str(shipment.declared_value or "-"),
        "expected delivery": shipment.expected_delivery.isoformat(),
        "appointment": str(shipment.appointment or "-"),
        "held until": str(shipment.hold_until or "-"),
        "version": str(shipment.version),
    }
    for key, value in rows.items():
        table.add_row(key, value)
    console.print(table)
    scans = Table("time (UTC)", "place", "status", "event", title="scan history")
    for scan in shipment.scans:
        scans.add_row(
            f"{scan.at:%Y-%m-%d %H:%M}", f"{scan.province} {scan.city}", scan.status, scan.event
        )
    console.print(scans)
    if audit:
        changes = Table("time (UTC)", "action", "actor", "channel", "fee", title="audit trail")
        for record in audit:
            changes.add_row(f"{record.at:%Y-%m-%d %H:%M}", record.action, record.actor,
                            record.channel, str(record.fee or "-"))  # fmt: skip
        console.print(changes)
    application.close()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int | None, typer.Option(help="Server processes (default 1).")] = None,
) -> None:
    """Run the web service: web chat at /chat, chat API at /api/v1, health at /healthz."""
    import uvicorn

    application = bootstrap()
    settings = application.settings
    from parceldesk.web.observability import configure_logging

    with console.status("loading the language model"):
        application.understander()  # trains it once into the data directory if it is not there
    configure_logging(settings.log_level)
    workers = workers or settings.workers
    target = "parceldesk.bootstrap:web_app_from_settings" if workers > 1 else None
    uvicorn.run(  # its access log is off: ours masks secrets in paths (see web/observability)
        target or build_served_app(application), factory=bool(target), workers=workers,
        host=host or settings.host, port=port or settings.port, log_level=settings.log_level,
        timeout_graceful_shutdown=30, access_log=False,
    )  # fmt: skip


@app.command()
def demo(
    shipments: ShipmentsOption = 10_000,
    seed: SeedOption = 42,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Set up the database, seed the demo world if it is empty, and serve."""
    application = bootstrap(migrate=True)
    if count_shipments(application.engine) == 0:
        seed_into(application, shipments, seed, replace=False)
    application.close()
    with console.status("preparing the language model (once)"):
        understander_of_settings()
    serve(host, port, None)


@policy_app.command("check")
def policy_check(
    path: Annotated[
        Path | None, typer.Argument(help="Policy file; default: the configured one.")
    ] = None,
) -> None:
    """Validate a policy file and summarise it."""
    policy = load_policy(path or load_settings().policy_file)
    carriers = ", ".join(f"{f.carrier} (e.g. {f.example})" for f in policy.carriers)
    console.print(f"policy ok: countries {', '.join(policy.countries)}; carriers {carriers}")


@nlu_app.command("predict")
def nlu_predict(
    today: Annotated[str | None, typer.Option(help="Date for relative times (YYYY-MM-DD).")] = None,
) -> None:
    """Read JSON lines {"text", "lang"?} on stdin; write language, intent, confidence, slots."""
    from parceldesk.conversation.nlu.predict import predict_lines

    understander = understander_of_settings()
    day = date.fromisoformat(today) if today else datetime.now(UTC).date()
    for batch in _batches(sys.stdin, 512):
        for line in predict_lines(understander, batch, day):
            sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _batches(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for line in lines:
        if line.strip():
            batch.append(line)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@nlu_app.command("evaluate")
def nlu_evaluate(
    mistakes: Annotated[int, typer.Option(help="How many mistakes to list.")] = 20,
    folds: Annotated[
        int, typer.Option(min=0, max=5, help="How many of the five folds to hold out in turn.")
    ] = 5,
    blind: Annotated[
        bool, typer.Option(help="Also judge the blind sentences (data/nlu_blind).")
    ] = True,
) -> None:
    """Cross-validate: train without a fifth of the written examples, judge it, for each fifth;
    then judge the blind sentences no model was trained or tuned on."""
    from parceldesk.conversation.nlu.report import evaluate_blind, evaluate_held_out

    if folds:
        policy = load_policy(load_settings().policy_file)
        report = evaluate_held_out(policy.carriers, folds=range(folds))
        _print_scores("held-out accuracy (cross-validation)", report, mistakes)
    if blind:
        blind_report = evaluate_blind(understander_of_settings())
        _print_scores("blind sentences", blind_report, mistakes)
        console.print(f"left out (also training sentences): {blind_report.left_out}")


def _print_scores(title: str, report: HeldOutReport | BlindReport, mistakes: int) -> None:
    table = Table("language", "intent", "correct", "total", "accuracy", title=title)
    for (language, intent), score in report.by_intent.items():
        table.add_row(
            language, intent, str(score.correct), str(score.total), f"{score.accuracy:.1%}"
        )
    for language, score in report.by_language.items():
        table.add_row(
            language,
            "[bold]all[/bold]",
            str(score.correct),
            str(score.total),
            f"[bold]{score.accuracy:.1%}[/bold]",
        )
    console.print(table)
    for language, expected, predicted, text in report.mistakes[:mistakes]:
        console.print(f"{language} {expected} → {predicted}: {text}", highlight=False, markup=False)


@app.command("test-conversations")
def run_conversation_tests(
    paths: Annotated[list[Path], typer.Argument(help="Scenario files or folders of them.")],
    verbose: Annotated[
        bool, typer.Option(help="Print the transcript of failing scenarios.")
    ] = False,
) -> None:
    """Run scenario files through the real engine, each on a fresh temporary database."""
    from parceldesk.scenarios import run_files

    results = run_files(paths, understander_of_settings())
    failed = [r for r in results if r.failure]
    for result in failed:
        console.print(
            f"FAILED {result.source} :: {result.name}: {result.failure}",
            highlight=False,
            markup=False,
        )
        if verbose:
            for line in result.transcript:
                console.print(f"    {line}", highlight=False, markup=False)
    console.print(f"{len(results) - len(failed)} passed, {len(failed)} failed", highlight=False)
    if failed:
        raise typer.Exit(1)


@app.command()
def chat(
    channel: Annotated[str, typer.Option(help="Channel name recorded in the audit trail.")] = "cli",
) -> None:
    """Talk to the assistant in the terminal, against the local database (Ctrl-D to stop)."""
    import uuid

    from parceldesk.conversation.engine import Conversation

    application = bootstrap()
    conversation = Conversation(
        application.context, application.understander(), uuid.uuid4().hex, channel
    )
    console.print("parceldesk assistant: type a message (Ctrl-D to stop)")
    for line in sys.stdin if not sys.stdin.isatty() else iter(lambda: console.input("> "), None):
        if not line.strip():
            continue
        for reply in conversation.handle(line.strip()):
            console.print(f"[bold]bot:[/bold] {escape(reply)}")
        if conversation.state.handed_off:
            console.print("[dim](handed off to a human agent)[/dim]")
    application.close()


@app.command()
def version() -> None:
    """Print the version."""
    console.print(__version__)


def main() -> None:
    try:
        app()
    except ParceldeskError as error:
        Console(stderr=True, soft_wrap=True).print(
            f"[red]error:[/red] {escape(error.message)}", highlight=False
        )
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
