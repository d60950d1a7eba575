"""A parcel's weight and items as said when booking a pickup."""

from __future__ import annotations

from datetime import date

import pytest

from parceldesk.conversation.slots import extract_slots
from parceldesk.conversation.weights import find_items, find_weight
from parceldesk.domain.policy import Policy


@pytest.mark.parametrize(
    ("text", "grams"),
    [
        ("衣服，3公斤", 3000),
        ("sepatu, 1,5 kg", 1500),
        ("books, 1.5kg", 1500),
        ("some kitchen stuff, around two kilos", 2000),
        ("a couple of kilos", 2000),
        ("half a kilo of tea", 500),
        ("baju, dua kilo", 2000),
        ("sekilo", 1000),
        ("两公斤", 2000),
        ("五斤苹果", 2500),
        ("十五公斤", 15000),
        ("五十公斤", 50000),
    ],
)
def test_a_weight_is_read_from_digits_or_words(text: str, grams: int) -> None:
    weight = find_weight(text)
    assert weight is not None
    assert weight.grams == grams


def test_no_weight_without_a_unit() -> None:
    assert find_weight("two books") is None
    assert find_weight("明天下午两点") is None


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("衣服，3公斤", "衣服"),
        ("some kitchen stuff, around two kilos", "some kitchen stuff"),
        ("books 2 kg", "books"),
        # the full stop after the weight is not the items, nor part of them
        ("shoes, 2 kg.", "shoes"),
        ("books 2 kg.", "books"),
        # all of a booking in one message: the clause before the weight, not the request or time
        ("烦请明天下午上门取件，地址山西省大同市平城区迎宾路10号，寄两本书，1公斤，电话13812345678",
         "两本书"),
        ("明天下午上门取件，1公斤", None),
        ("please collect tomorrow afternoon, 2 kg", None),
    ],
)  # fmt: skip
def test_the_items_are_the_words_beside_the_weight(
    text: str, items: str | None, policy: Policy
) -> None:
    weight = find_weight(text)
    assert weight is not None
    slots = tuple(extract_slots(text, policy.carriers, date(2026, 11, 28)))
    assert find_items(text, weight, slots) == items
