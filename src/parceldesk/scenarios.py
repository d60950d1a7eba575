"""Conversation scenarios: YAML files run through the real engine and real use cases.

Each scenario gets a fresh SQLite database in a temporary folder, its own clock (``now``), the
shipments it names, and a conversation. The format is documented in docs/scenarios.md; unknown keys
are errors.
"""

from __future__ import annotations

import re
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from pydantic import SecretStr

from parceldesk.bootstrap import Application, bootstrap
from parceldesk.config import Settings
from parceldesk.conversation.addresses import parse_address
from parceldesk.conversation.engine import Conversation
from parceldesk.conversation.nlu.training import reject_repeated_keys
from parceldesk.conversation.nlu.understand import Understander
from parceldesk.demo.world import STATUS_MIX
from parceldesk.domain.addresses import Address, check_address
from parceldesk.domain.errors import InvalidInput, ParceldeskError
from parceldesk.domain.money import Money
from parceldesk.domain.phones import parse_phone
from parceldesk.domain.shipments import Party, ScanEvent, Shipment, Status
from parceldesk.services.context import FixedClock
from parceldesk.services.registration import RegisterShipment, register_shipment

SCENARIO_KEYS = {"name", "now", "given", "turns", "then", "channel"}
SHIPMENT_KEYS = {
    "ref",
    "status",
    "sender",
    "recipient",
    "origin",
    "destination",
    "declared_value",
    "weight_kg",
    "delivered_at",
}
EXPECT_KEYS = {"intent", "bot_says_any", "bot_says_all", "bot_says_none", "handoff"}
THEN_SHIPMENT_KEYS = {
    "status",
    "destination_contains",
    "destination_not_contains",
    "delivery_date",
    "delivery_window",
    "returning_to_sender",
}
THEN_KEYS = {"shipments", "actions", "handoff", "resolved_by_ai"}
WRITE_ACTIONS = {
    "change_address",
    "reschedule_delivery",
    "hold_at_station",
    "intercept_return",
    "file_claim",
    "book_pickup",
    "file_complaint",
}
DEFAULT_ORIGIN = Address("CN", "上海市", "上海市", "浦东新区", "世纪大道100号", "", "200120")
DEFAULT_DESTINATION = Address("CN", "北京市", "北京市", "朝阳区", "建国路88号", "", "100022")
PATHS = {status: path for _, status, path in STATUS_MIX}


class ScenarioError(InvalidInput):
    code = "invalid_scenario"


@dataclass
class ScenarioResult:
    name: str
    source: str
    failure: str | None = None
    transcript: list[str] = field(default_factory=list)


def _check_keys(data: Any, allowed: set[str], where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ScenarioError(f"{where}: expected a mapping")
    unknown = set(data) - allowed
    if unknown:
        raise ScenarioError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    return data


class _Loader(yaml.SafeLoader):
    """YAML where only true/false are booleans: "yes", "no", "y" and "n" are things people say;
    a key written twice (two ``given:`` in one scenario) is an error, not the second one kept."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        reject_repeated_keys(self, node)
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _read_yaml(path: Path) -> Any:
    """The file's YAML, or a ScenarioError that names the file and the line."""
    try:
        return yaml.load(path.read_text("utf-8"), Loader=_Loader)
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read the file ({error.strerror})") from error
    except UnicodeDecodeError as error:
        raise ScenarioError(f"{path}: not UTF-8 text") from error
    except ValueError as error:  # a key written twice
        raise ScenarioError(f"{path}: {error}") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        hint = " (a text that starts with '{' must be in quotes)" if "{" in str(error) else ""
        raise ScenarioError(f"{path}:{where}: {problem}{hint}") from error


def load_scenarios(path: Path) -> list[dict[str, Any]]:
    data = _read_yaml(path)
    scenarios = _check_keys(data, {"scenarios"}, str(path)).get("scenarios")
    if not isinstance(scenarios, list):
        raise ScenarioError(f"{path}: 'scenarios' must be a list")
    for index, scenario in enumerate(scenarios):
        where = f"{path} scenario {index + 1}"
        _check_keys(scenario, SCENARIO_KEYS, where)
        _check_keys(scenario.get("given", {}), {"shipments"}, f"{where} given")
        for shipment in scenario.get("given", {}).get("shipments", []):
            _check_keys(shipment, SHIPMENT_KEYS, f"{where} shipment")
        for turn in scenario.get("turns", []):
            _check_keys(turn, {"user", "expect"}, f"{where} turn")
            _check_keys(turn.get("expect", {}), EXPECT_KEYS, f"{where} expect")
        then = _check_keys(scenario.get("then", {}), THEN_KEYS, f"{where} then")
        for ref, expected in (then.get("shipments") or {}).items():
            _check_keys(expected, THEN_SHIPMENT_KEYS, f"{where} then {ref}")
    return scenarios


def _moment(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _address(value: Any, default: Address) -> Address:
    if value is None:
        return default
    parsed = parse_address(str(value), None) or parse_address(str(value), default)
    if parsed is None:
        raise ScenarioError(f"cannot read the address {value!r}")
    return check_address(parsed)


def _party(value: Any, default_name: str, default_phone: str, region: str) -> Party:
    value = value or {}
    return Party(
        str(value.get("name", default_name)),
        parse_phone(str(value.get("phone", default_phone)), region),
    )


def _shipment(app: Application, given: dict[str, Any], serial: int, now: datetime) -> Shipment:
    status = Status(given.get("status", "in_transit"))
    origin = _address(given.get("origin"), DEFAULT_ORIGIN)
    destination = _address(given.get("destination"), DEFAULT_DESTINATION)
    path = PATHS[status]
    scans = []
    for step, state in enumerate(path):
        at = now - timedelta(hours=6 * (len(path) - step))
        place = (
            origin
            if state in {Status.CREATED, Status.PICKED_UP} or state is Status.RETURNING
            else destination
        )
        scans.append(ScanEvent(at, place.province, place.city, state, state.value))
    delivered_at = _moment(given["delivered_at"]) if given.get("delivered_at") else scans[-1].at
    currency = app.policy.country(origin.country).currency
    declared = given.get("declared_value")
    carrier = next(f for f in app.policy.carriers if f.carrier == "PD")
    return Shipment(
        waybill=carrier.make(10_000 + serial), carrier="PD", service_level="standard",
        sender=_party(given.get("sender"), "王芳", "+8613900001111", origin.country),
        recipient=_party(given.get("recipient"), "李伟", "+8613812345678", destination.country),
        origin=origin, destination=destination,
        weight_grams=int(float(given.get("weight_kg", 1.2)) * 1000),
        fee=Money.parse("12", currency), created_at=scans[0].at,
        expected_delivery=(now + timedelta(days=1)).date(),
        declared_value=Money.parse(str(declared), currency) if declared is not None else None,
        status=status, scans=tuple(scans),
        delivered_at=delivered_at if status is Status.DELIVERED else None,
    )  # fmt: skip


def _substitute(text: str, refs: dict[str, Shipment]) -> str:
    def value(match: re.Match[str]) -> str:
        ref, attribute = match.group(1), match.group(2)
        if ref not in refs:
            known = ", ".join(sorted(refs)) or "none"
            raise ScenarioError(
                f"{{{ref}.{attribute}}}: no shipment {ref} is given (given: {known})"
            )
        shipment = refs[ref]
        fields = {
            "waybill": shipment.waybill,
            "recipient_last4": shipment.recipient.phone[-4:],
            "sender_last4": shipment.sender.phone[-4:],
        }
        if attribute not in fields:
            raise ScenarioError(f"unknown field {{{ref}.{attribute}}}")
        return fields[attribute]

    return re.sub(r"\{(\w+)\.(\w+)\}", value, text)


def _check_turn(
    expect: dict[str, Any], replies: list[str], conversation: Conversation
) -> str | None:
    said = "\n".join(replies)
    if (
        "intent" in expect
        and conversation.last is not None
        and conversation.last.intent != expect["intent"]
    ):
        return f"intent {conversation.last.intent!r}, expected {expect['intent']!r}"
    if "bot_says_any" in expect and not any(s in said for s in expect["bot_says_any"]):
        return f"bot said {said!r}, expected any of {expect['bot_says_any']}"
    for needle in expect.get("bot_says_all", []):
        if needle not in said:
            return f"bot said {said!r}, expected {needle!r}"
    for needle in expect.get("bot_says_none", []):
        if needle in said:
            return f"bot said {said!r}, which must not contain {needle!r}"
    if "handoff" in expect and conversation.state.handed_off != expect["handoff"]:
        return f"handoff is {conversation.state.handed_off}, expected {expect['handoff']}"
    return None


def _check_then(
    then: dict[str, Any], app: Application, refs: dict[str, Shipment], conversation: Conversation
) -> str | None:
    with app.context.uow() as uow:
        for ref, expected in (then.get("shipments") or {}).items():
            shipment = uow.shipments.get(refs[ref].waybill)
            problem = _check_shipment(shipment, expected)
            if problem:
                return f"{ref}: {problem}"
        done = {
            r.action
            for s in refs.values()
            for r in uow.audit.list_for_waybill(s.waybill)
            if r.action in WRITE_ACTIONS
        }
    done |= {a for a in conversation.state.executed if a in WRITE_ACTIONS}
    if "actions" in then and done != set(then["actions"] or []):
        return f"actions {sorted(done)}, expected {sorted(then['actions'] or [])}"
    if "handoff" in then and conversation.state.handed_off != then["handoff"]:
        return f"handoff is {conversation.state.handed_off}, expected {then['handoff']}"
    resolved = not conversation.state.handed_off and conversation.state.resolved > 0
    if "resolved_by_ai" in then and resolved != then["resolved_by_ai"]:
        return f"resolved_by_ai is {resolved}, expected {then['resolved_by_ai']}"
    return None


def _check_shipment(shipment: Shipment, expected: dict[str, Any]) -> str | None:
    line, raw = shipment.destination.one_line(), shipment.destination.raw
    destination = line if raw in ("", line) else f"{line} {raw}"
    appointment = shipment.appointment
    checks = {
        "status": (str(shipment.status), lambda want: want),
        "destination_contains": (destination, None),
        "destination_not_contains": (destination, None),
        "delivery_date": (
            appointment.day.isoformat() if appointment else None,
            lambda want: str(want),
        ),
        "delivery_window": (
            str(appointment.window) if appointment else None,
            lambda want: str(want),
        ),
        "returning_to_sender": (shipment.returning_to_sender, lambda want: bool(want)),
    }
    for key, want in expected.items():
        actual, normalise = checks[key]
        if key == "destination_contains" and str(want) not in destination:
            return f"destination {destination!r} does not contain {want!r}"
        if key == "destination_not_contains" and str(want) in destination:
            return f"destination {destination!r} contains {want!r}"
        if normalise is not None and actual != normalise(want):
            return f"{key} is {actual!r}, expected {want!r}"
    return None


def run_scenario(
    scenario: dict[str, Any], source: str, understander: Understander
) -> ScenarioResult:
    name = str(scenario.get("name", "unnamed"))
    now = _moment(scenario.get("now", "2026-11-28T10:00:00+08:00"))
    result = ScenarioResult(name, source)
    with tempfile.TemporaryDirectory(prefix="parceldesk-scenario-") as folder:
        settings = Settings(
            data_dir=Path(folder),
            database_url=f"sqlite:///{folder}/scenario.db",
            secret_key=SecretStr("scenario-secret"),
        )
        app = bootstrap(settings, clock=FixedClock(now.astimezone(UTC)), migrate=True)
        try:
            result.failure = _play(app, scenario, understander, now, result)
        except ParceldeskError as error:
            result.failure = f"error: {error.message}"
        finally:
            app.close()
    return result


def _play(
    app: Application,
    scenario: dict[str, Any],
    understander: Understander,
    now: datetime,
    result: ScenarioResult,
) -> str | None:
    refs: dict[str, Shipment] = {}
    for serial, given in enumerate((scenario.get("given") or {}).get("shipments", [])):
        shipment = _shipment(app, given, serial, now)
        register_shipment(
            app.context, RegisterShipment(shipment, "scenario", f"given-{uuid.uuid4().hex}")
        )
        refs[str(given.get("ref", f"P{serial + 1}"))] = shipment
    conversation = Conversation(
        app.context,
        understander,
        f"scenario-{uuid.uuid4().hex[:8]}",
        str(scenario.get("channel", "chat")),
    )
    for number, turn in enumerate(scenario.get("turns", []), start=1):
        text = _substitute(str(turn["user"]), refs)
        replies = conversation.handle(text)
        result.transcript += [f"user: {text}", *(f"bot: {r}" for r in replies)]
        expect = {
            key: [_substitute(str(n), refs) for n in value] if key.startswith("bot_says") else value
            for key, value in (turn.get("expect") or {}).items()
        }
        problem = _check_turn(expect, replies, conversation)
        if problem:
            return f"turn {number} ({text}): {problem}"
    return _check_then(scenario.get("then") or {}, app, refs, conversation)


def run_files(paths: list[Path], understander: Understander) -> list[ScenarioResult]:
    results = []
    for path in paths:
        files = sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
        for file in files:
            for scenario in load_scenarios(file):
                results.append(run_scenario(scenario, str(file), understander))
    return results
