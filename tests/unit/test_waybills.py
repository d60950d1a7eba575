"""Waybill formats: prefixes, lengths and check digits, configurable per carrier."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parceldesk.domain.errors import InvalidPolicy, InvalidWaybill
from parceldesk.domain.waybills import (
    WaybillFormat,
    check_waybill,
    luhn_digit,
    mod7_digit,
    s10_digit,
)

PD = WaybillFormat("PD", "ParcelDesk Express", "PD", 12, "luhn")
JX = WaybillFormat("JX", "Jalur Express", "JX", 10, "mod7")
LC = WaybillFormat("SG", "Lion City Post", "LC", 8, "s10", "SG")
FORMATS = (PD, JX, LC)


def test_check_digit_algorithms_match_known_values() -> None:
    assert luhn_digit("7992739871") == 3  # the classic Luhn example 79927398713
    assert s10_digit("47312482") == 9  # the UPU S10 worked example: 473124829
    assert s10_digit("00000000") == 5  # a remainder of 11 maps to 5
    assert mod7_digit("0001234567") == 1234567 % 7


def test_upu_s10_example_from_the_standard() -> None:
    fmt = WaybillFormat("RR", "Registered", "RR", 8, "s10", "GB")
    assert fmt.make(47312482) == "RR473124829GB"


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_every_made_waybill_is_valid(serial: int) -> None:
    assert check_waybill(PD.make(serial), FORMATS) == PD.make(serial)


@given(
    st.integers(min_value=0, max_value=10**12 - 1),
    st.integers(min_value=2, max_value=14),
    st.integers(1, 9),
)
def test_a_single_mistyped_digit_is_caught_by_luhn(serial: int, position: int, delta: int) -> None:
    waybill = PD.make(serial)
    wrong_digit = str((int(waybill[position]) + delta) % 10)
    typo = waybill[:position] + wrong_digit + waybill[position + 1 :]
    with pytest.raises(InvalidWaybill):
        check_waybill(typo, FORMATS)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "PD",
        "PD00000000000",
        "XX0000000000000",
        "PD00000000000O5",
        "快递单号",
        "PD 0000 0000 000 5 5",
    ],
)
def test_malformed_waybills_are_rejected_with_an_example(text: str) -> None:
    with pytest.raises(InvalidWaybill, match=r"not a waybill|check digit"):
        check_waybill(text, FORMATS)


def test_wrong_check_digit_gets_its_own_message() -> None:
    good = PD.make(42)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(InvalidWaybill, match="check digit"):
        check_waybill(bad, FORMATS)


def test_spaces_dashes_and_lower_case_are_forgiven() -> None:
    good = JX.make(987654)
    assert check_waybill(f" {good[:4].lower()}-{good[4:]} ", FORMATS) == good
    assert check_waybill(LC.make(1234567).lower(), FORMATS) == LC.make(1234567)


@given(st.text(max_size=40))
def test_any_text_is_either_a_valid_waybill_or_a_clear_error(text: str) -> None:
    try:
        waybill = check_waybill(text, FORMATS)
    except InvalidWaybill as error:
        assert error.message
    else:
        assert any(f.matches(waybill) for f in FORMATS)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prefix": "pd"}, "prefix"),
        ({"serial_digits": 3}, "10-15"),
        ({"serial_digits": 14}, "10-15"),
        ({"check_digit": "s10"}, "8 serial digits"),
        ({"suffix": "1"}, "suffix"),
    ],
)
def test_bad_formats_are_policy_errors(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"carrier": "X", "name": "X", "prefix": "PD", "serial_digits": 12}
    with pytest.raises(InvalidPolicy, match=message):
        WaybillFormat(**(fields | kwargs))  # type: ignore[arg-type]
