"""``parceldesk footprint plan|compare``: what the AI costs on a site, and which site is best."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from parceldesk.config import load_settings
from parceldesk.domain.errors import InvalidInput
from parceldesk.footprint.cooling import design_from
from parceldesk.footprint.plan import Network, inputs, make_plan
from parceldesk.footprint.sites import load_cities, load_site
from parceldesk.footprint.workload import Workload

footprint_app = typer.Typer(
    help="Servers, energy, PUE, water, carbon, cost and latency of the AI on a site.",
    no_args_is_help=True,
)

Contacts = Annotated[float, typer.Option(help="Contacts (calls and chats) a year.")]
Sites = Annotated[
    list[str], typer.Option("--site", help="A packaged site (lingqiu) or a site file.")
]


MEASUREMENT = Path("bench") / "conversation.json"


def save_measurement(data_dir: Path, cpu_ms_per_turn: float, shipments: int) -> Path:
    """Keep ``bench conversation``'s CPU cost per turn for the planner."""
    path = data_dir / MEASUREMENT
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"cpu_ms_per_turn": round(cpu_ms_per_turn, 3), "shipments": shipments,
              "measured_at": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def measured_cpu_ms(data_dir: Path) -> tuple[float, str]:
    """The CPU-ms per turn this installation measured, else the documented default."""
    try:
        record = json.loads((data_dir / MEASUREMENT).read_text(encoding="utf-8"))
        value = float(record["cpu_ms_per_turn"])
    except (OSError, ValueError, KeyError, TypeError):
        return Workload().cpu_ms_per_turn, "default (docs/footprint.md)"
    return value, f"measured by bench conversation at {record.get('measured_at', '?')}"


def _options(
    contacts_per_year: float, voice_share: float, peak_factor: float,
    cpu_ms_per_turn: float | None, llm_tokens_per_contact: float,
) -> tuple[Workload, str]:  # fmt: skip
    source = "given"
    if cpu_ms_per_turn is None:
        cpu_ms_per_turn, source = measured_cpu_ms(load_settings().data_dir)
    workload = replace(
        Workload(), contacts_per_year=contacts_per_year, voice_share=voice_share,
        peak_factor=peak_factor, cpu_ms_per_turn=cpu_ms_per_turn,
        llm_tokens_per_contact=llm_tokens_per_contact,
    )  # fmt: skip
    return workload, source


def _overrides(settings: list[str]) -> dict[str, float]:
    values: dict[str, float] = {}
    for setting in settings:
        name, _, value = setting.partition("=")
        try:
            values[name.strip()] = float(value)
        except ValueError:
            raise InvalidInput(f"--set takes NAME=NUMBER, not {setting!r}") from None
    return values


def run_plans(
    sites: list[str], workload: Workload, cooling: str, settings: list[str],
    cities: str | None, route_factor: float, equipment_ms: float,
) -> dict[str, Any]:  # fmt: skip
    design = design_from(cooling, _overrides(settings))
    network = Network(route_factor, equipment_ms)
    if route_factor < 1 or equipment_ms < 0:
        raise InvalidInput("the route factor is at least 1 and the equipment delay not negative")
    towns = load_cities(cities)
    plans = [make_plan(load_site(s), workload, design, towns, network) for s in sites]
    return {"inputs": inputs(workload, design, network),
            "plans": [p.summary(workload) for p in plans]}  # fmt: skip


ROWS = (
    ("servers", "servers"), ("peak cores", "peak_cores"), ("IT MWh/yr", "it_mwh"),
    ("facility MWh/yr", "facility_mwh"), ("PUE (energy-weighted)", "pue"),
    ("dry-mode months", "dry_months"), ("free-cooling months", "free_cooling_months"),
    ("free-cooling hours", "free_cooling_hours"), ("water m³/yr", "water_m3"),
    ("WUE L/kWh", "wue_l_per_kwh"), ("tCO2/yr", "tonnes_co2"), ("energy cost/yr", "energy_cost"),
    ("servers' cost/yr", "server_cost_per_year"), ("mean round trip ms", "mean_latency_ms"),
)  # fmt: skip


def print_plans(result: dict[str, Any], as_json: bool) -> None:
    console = Console()
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    plans = result["plans"]
    table = Table(title="Compute footprint")
    table.add_column("")
    for plan in plans:
        table.add_column(f"{plan['site']} ({plan['currency'] or '-'})", justify="right")
    for label, key in ROWS:
        table.add_row(label, *(f"{plan[key]:,}" for plan in plans))
    for city in plans[0]["latency_ms"]:
        table.add_row(f"round trip to {city}, ms", *(f"{p['latency_ms'][city]}" for p in plans))
    console.print(table)


def _command(
    sites: list[str], contacts_per_year: float, voice_share: float, peak_factor: float,
    cpu_ms_per_turn: float | None, llm_tokens_per_contact: float, cooling: str,
    settings: list[str], cities: str | None, route_factor: float, equipment_ms: float,
    as_json: bool,
) -> None:  # fmt: skip
    workload, source = _options(contacts_per_year, voice_share, peak_factor, cpu_ms_per_turn,
                                llm_tokens_per_contact)  # fmt: skip
    result = run_plans(sites, workload, cooling, settings, cities, route_factor, equipment_ms)
    result["inputs"]["cpu_ms_per_turn_source"] = source
    print_plans(result, as_json)
    if not as_json:
        Console().print(f"CPU per turn: {workload.cpu_ms_per_turn} ms, {source}.")


DEFAULT = Workload()
VoiceShare = Annotated[float, typer.Option(help="Share of contacts that are calls.")]
PeakFactor = Annotated[float, typer.Option(help="Busiest hour / average hour.")]
CpuMs = Annotated[
    float | None,
    typer.Option(help="Engine CPU-ms per turn; default: what bench conversation measured."),
]
LlmTokens = Annotated[float, typer.Option(help="LLM tokens a contact (0: none).")]
Cooling = Annotated[str, typer.Option(help="hyperscale or colocation.")]
Settings = Annotated[list[str] | None, typer.Option("--set", help="Cooling NAME=VALUE.")]
Cities = Annotated[str | None, typer.Option(help="Customers' cities file (YAML).")]
RouteFactor = Annotated[float, typer.Option(help="Fibre route length / great circle.")]
EquipmentMs = Annotated[float, typer.Option(help="Equipment delay per round trip, ms.")]
AsJson = Annotated[bool, typer.Option("--json", help="JSON for machines.")]


@footprint_app.command()
def plan(
    site: Annotated[str, typer.Option(help="A packaged site (lingqiu) or a site file.")],
    contacts_per_year: Contacts = DEFAULT.contacts_per_year,
    voice_share: VoiceShare = DEFAULT.voice_share,
    peak_factor: PeakFactor = DEFAULT.peak_factor,
    cpu_ms_per_turn: CpuMs = None,
    llm_tokens_per_contact: LlmTokens = 0.0,
    cooling: Cooling = "hyperscale",
    set_: Settings = None,
    cities: Cities = None,
    route_factor: RouteFactor = 1.5,
    equipment_ms: EquipmentMs = 0.5,
    as_json: AsJson = False,
) -> None:
    """Plan one site: servers, MWh, PUE by month, free cooling, water, tCO2, cost, latency."""
    _command([site], contacts_per_year, voice_share, peak_factor, cpu_ms_per_turn,
             llm_tokens_per_contact, cooling, set_ or [], cities, route_factor, equipment_ms,
             as_json)  # fmt: skip


@footprint_app.command()
def compare(
    site: Sites,
    contacts_per_year: Contacts = DEFAULT.contacts_per_year,
    voice_share: VoiceShare = DEFAULT.voice_share,
    peak_factor: PeakFactor = DEFAULT.peak_factor,
    cpu_ms_per_turn: CpuMs = None,
    llm_tokens_per_contact: LlmTokens = 0.0,
    cooling: Cooling = "hyperscale",
    set_: Settings = None,
    cities: Cities = None,
    route_factor: RouteFactor = 1.5,
    equipment_ms: EquipmentMs = 0.5,
    as_json: AsJson = False,
) -> None:
    """Compare sites side by side for the same workload and hall."""
    if len(site) < 2:
        raise InvalidInput("compare needs two or more --site")
    _command(site, contacts_per_year, voice_share, peak_factor, cpu_ms_per_turn,
             llm_tokens_per_contact, cooling, set_ or [], cities, route_factor, equipment_ms,
             as_json)  # fmt: skip
