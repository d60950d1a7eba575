"""Every scenario file in scenarios/ runs through the real engine and real use cases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from parceldesk.conversation.nlu.understand import Understander
from parceldesk.scenarios import ScenarioError, load_scenarios, run_scenario

FOLDER = Path(__file__).parents[2] / "scenarios"
CASES = [
    pytest.param(scenario, str(path), id=f"{path.stem}: {scenario.get('name')}")
    for path in sorted(FOLDER.glob("*.yaml"))
    for scenario in load_scenarios(path)
]


def test_the_suite_covers_every_language_and_at_least_150_scenarios() -> None:
    names = [case.values[0]["name"] for case in CASES]  # type: ignore[index]
    assert len(names) >= 150
    assert all(any(n.startswith(f"{lang} ") for n in names) for lang in ("zh", "en", "id"))


@pytest.mark.parametrize(("scenario", "source"), CASES)
def test_scenario(scenario: dict[str, Any], source: str, understander: Understander) -> None:
    result = run_scenario(scenario, source, understander)
    assert result.failure is None, "\n".join([result.failure or "", *result.transcript])


def test_unknown_keys_are_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "scenarios:\n  - name: x\n    turns: [{user: hi, expect: {intnet: greet}}]\n", "utf-8"
    )
    with pytest.raises(ScenarioError, match="intnet"):
        load_scenarios(bad)


def test_a_file_that_is_not_yaml_is_an_error_naming_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenarios:\n  - name: x\n    turns:\n      - user: {P1.waybill} hi\n", "utf-8")
    with pytest.raises(ScenarioError, match=r"bad.yaml: line 4 column \d+: .*must be in quotes"):
        load_scenarios(bad)
    with pytest.raises(ScenarioError, match="cannot read the file"):
        load_scenarios(tmp_path / "missing.yaml")


def test_a_key_written_twice_is_an_error_not_the_second_one_kept(tmp_path: Path) -> None:
    bad = tmp_path / "twice.yaml"
    bad.write_text(
        "scenarios:\n  - name: x\n    given: {shipments: []}\n    given: {shipments: []}\n"
        "    turns: [{user: hi}]\n",
        "utf-8",
    )
    with pytest.raises(ScenarioError, match=r"twice\.yaml: .*written twice: given"):
        load_scenarios(bad)


def test_a_shipment_named_but_not_given_fails_the_scenario_naming_it(
    understander: Understander,
) -> None:
    scenario = {
        "name": "x",
        "given": {"shipments": [{"ref": "P1"}]},
        "turns": [{"user": "where is {P2.waybill}"}],
    }
    result = run_scenario(scenario, "inline", understander)
    assert result.failure == "error: {P2.waybill}: no shipment P2 is given (given: P1)"
