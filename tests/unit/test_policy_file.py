"""The policy file: the packaged default is valid and documented; bad files fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from parceldesk.domain.errors import InvalidPolicy
from parceldesk.policy_file import default_policy_text, load_policy, parse_policy, policy_as_data


def _with(change: dict[str, object], drop: str | None = None) -> str:
    data = policy_as_data(default_policy_text())
    for dotted, value in change.items():
        *parents, last = dotted.split(".")
        node = data
        for part in parents:
            node = node[part]
        node[last] = value
    if drop:
        del data[drop]
    return yaml.safe_dump(data, allow_unicode=True)


def test_the_packaged_default_policy_loads() -> None:
    policy = load_policy()
    assert {"CN", "ID", "SG"} <= set(policy.countries)
    assert policy.address_change.max_changes == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"address_change.max_changes": 0}, "address_change.max_changes"),
        ({"address_change.same_city_statuses": ["teleported"]}, "same_city_statuses"),
        ({"address_change.other_city_statuses": ["out_for_delivery"]}, "subset"),
        ({"countries.CN.timezone": "Mars/Olympus"}, "time zone"),
        ({"countries.CN.intercept_fee": "ten"}, "intercept_fee"),
        ({"countries.IDX": {}}, "countries.IDX"),
        ({"reschedule.windows": ["morning"]}, "14:00-18:00"),
        ({"reschedule.windows": []}, "time window"),
        ({"default_country": "FR"}, "default_country"),
        ({"surprise": 1}, "surprise"),
        ({"complaints.handoff_severity": 9}, "handoff_severity"),
    ],
)
def test_a_bad_policy_names_the_key_that_is_wrong(change: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidPolicy, match=message):
        parse_policy(_with(change), "test.yaml")


def test_a_missing_section_is_named() -> None:
    with pytest.raises(InvalidPolicy, match="claims"):
        parse_policy(_with({}, drop="claims"))


def test_unreadable_and_non_yaml_files_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(InvalidPolicy, match="cannot read"):
        load_policy(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("carriers: [unclosed", "utf-8")
    with pytest.raises(InvalidPolicy, match="not valid YAML"):
        load_policy(broken)


@given(st.text(max_size=200))
def test_any_text_is_a_policy_or_a_clear_policy_error(text: str) -> None:
    with pytest.raises(InvalidPolicy):
        parse_policy(text)


def test_every_policy_key_is_documented() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "policy.md").read_text("utf-8")
    data = policy_as_data(default_policy_text())
    missing = [
        key
        for section, value in data.items()
        for key in (
            [section] + (list(value) if isinstance(value, dict) and section != "countries" else [])
        )
        if f"`{key}`" not in docs
    ]
    assert missing == []
