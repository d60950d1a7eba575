"""Phones, addresses, money and time windows: good input normalised, bad input a clear error."""

from __future__ import annotations

from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parceldesk.domain.addresses import Address, check_address
from parceldesk.domain.errors import InvalidAddress, InvalidInput, InvalidPhone, InvalidTimeWindow
from parceldesk.domain.money import Money
from parceldesk.domain.phones import mask_phone, parse_phone
from parceldesk.domain.shipments import TimeWindow
from tests.factories import BEIJING, JAKARTA


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("13812345678", "CN", "+8613812345678"),
        ("+86 138-1234-5678", "ID", "+8613812345678"),
        ("0812-3456-7890", "ID", "+6281234567890"),
        ("+62 812 3456 7890", "CN", "+6281234567890"),
        ("9123 4567", "SG", "+6591234567"),
    ],
)
def test_phone_numbers_are_normalised_to_e164(text: str, region: str, expected: str) -> None:
    assert parse_phone(text, region) == expected


@pytest.mark.parametrize(
    "text", ["", "12345", "1381234567", "phone", "+86 000 0000 0000", "1" * 40]
)
def test_invalid_phone_numbers_are_rejected(text: str) -> None:
    with pytest.raises(InvalidPhone):
        parse_phone(text, "CN")


@given(st.text(max_size=30))
def test_any_text_is_a_valid_phone_or_a_clear_error(text: str) -> None:
    try:
        phone = parse_phone(text, "CN")
    except InvalidPhone as error:
        assert error.message
    else:
        assert phone.startswith("+")
        assert phone[1:].isdigit()


def test_masked_phones_keep_country_and_last_four_digits() -> None:
    assert mask_phone(parse_phone("13812345678")) == "+86*******5678"


def test_addresses_are_normalised_and_get_a_raw_line() -> None:
    checked = check_address(
        Address("cn", " 北京市 ", "北京市", "朝阳区", "建国路88号 ", "", "100022")
    )
    assert checked.country == "CN"
    assert checked.province == "北京市"
    assert checked.raw == "北京市朝阳区建国路88号"


def test_beijing_and_beijing_city_are_the_same_city() -> None:
    assert BEIJING.same_city(Address("CN", "北京", "北京", "海淀区", "x路1号"))
    assert not BEIJING.same_city(JAKARTA)


@pytest.mark.parametrize(
    ("address", "message"),
    [
        (Address("CHN", "", "北京市", "", "x路"), "two-letter"),
        (Address("CN", "北京市", "", "朝阳区", "x路"), "city"),
        (Address("CN", "北京市", "北京市", "朝阳区", ""), "street"),
        (Address("CN", "北京市", "北京市", "朝阳区", "x路", "", "1000"), "postal code"),
        (Address("SG", "", "Singapore", "", "1 Orchard Road"), "postal code"),
        (Address("CN", "北京市", "北京市", "朝阳区", "x路\x00"), "control"),
        (Address("CN", "北京市", "北京市" * 50, "朝阳区", "x路"), "longer"),
        (Address("FR", "", "Paris", "", "1 rue de Rivoli"), "deliver"),
    ],
)
def test_bad_addresses_say_what_is_wrong(address: Address, message: str) -> None:
    with pytest.raises(InvalidAddress, match=message):
        check_address(address, frozenset({"CN", "ID", "SG"}))


@given(st.builds(Address, st.text(max_size=4), st.text(max_size=10), st.text(max_size=10),
                 st.text(max_size=10), st.text(max_size=20), st.text(max_size=20), st.text(max_size=8)))  # fmt: skip  # noqa: E501
def test_any_address_is_valid_or_a_clear_error(address: Address) -> None:
    try:
        checked = check_address(address, frozenset({"CN", "ID", "SG"}))
    except InvalidAddress as error:
        assert error.message
    else:
        assert checked.city
        assert checked.street or checked.detail
        assert checked.raw


def test_money_parses_and_prints_per_currency() -> None:
    assert Money.parse("12.50", "CNY") == Money(1250, "CNY")
    assert str(Money(1250, "CNY")) == "¥12.50"
    assert str(Money.parse("15000", "IDR")) == "Rp15.000"
    with pytest.raises(InvalidInput):
        Money.parse("1.005", "CNY")
    with pytest.raises(InvalidInput):
        Money.parse("-1", "CNY")
    with pytest.raises(ValueError, match="mix"):
        _ = Money(1, "CNY") + Money(1, "IDR")


def test_time_windows_parse_and_print() -> None:
    window = TimeWindow.parse("9:00 - 12:30")
    assert (window.start, window.end) == (time(9), time(12, 30))
    assert str(window) == "09:00-12:30"
    assert str(TimeWindow.parse("18:00-24:00")) == "18:00-24:00"


@pytest.mark.parametrize(
    "text", ["afternoon", "14:00", "18:00-14:00", "25:00-26:00", "10:61-11:00"]
)
def test_bad_time_windows_are_rejected(text: str) -> None:
    with pytest.raises(InvalidTimeWindow):
        TimeWindow.parse(text)
