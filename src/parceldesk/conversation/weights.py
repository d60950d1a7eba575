"""A parcel's weight and what it holds, as a customer says them when booking a pickup.

"衣服，3公斤", "some kitchen stuff, around two kilos", "sepatu, 1,5 kg", or all of a booking in
one message ("烦请明天下午上门取件，地址…，寄两本书，1公斤，电话…"): the weight is a number (digits
with a point or a comma, or a number word of ``data/weights.yaml``) before a unit, and the items
are the words beside it, or the clause before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from parceldesk.conversation.addresses import looks_like_address
from parceldesk.conversation.slots import Slot

_UNITS = r"kg|公斤|千克|kilo(?:gram)?s?|斤"
# what is left of "shoes, about 2 kg" once the weight is taken out: "about" is not an item
ABOUT = re.compile(
    r"(?:\b(?:about|around|approx(?:imately)?|roughly|weighs?|weighing|sekitar|kira-kira|"
    r"kurang lebih|beratnya|berat)\b|大概|大约|约|差不多|重)\s*$",
    re.IGNORECASE,
)
_SENDING = re.compile(r"^(?:我要寄|我寄|寄|send(?:ing)?|kirim)\s*", re.IGNORECASE)
_CLAUSE = re.compile(r"[^，,;；。]+")
_EDGES = " ,，。.、!！?？"  # punctuation around the items is not part of them ("shoes, 2 kg.")
_TIME_OR_NUMBER = {"date", "window", "phone", "waybill", "digits"}


@dataclass(frozen=True)
class Weight:
    grams: int
    start: int
    end: int


@cache
def _data() -> dict[str, Any]:
    path = resources.files("parceldesk.conversation").joinpath("data/weights.yaml")
    data = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


@cache
def _numbers() -> dict[str, float]:
    data = _data()
    return {str(w).lower(): float(v) for lang in ("en", "id", "zh") for w, v in data[lang].items()}


@cache
def _weight_pattern() -> re.Pattern[str]:
    words = sorted(_numbers(), key=len, reverse=True)
    latin = "|".join(re.escape(w) for w in words if w.isascii())
    chinese = "".join(w for w in words if not w.isascii())
    return re.compile(
        rf"(?:(\d+(?:[.,]\d+)?)|\b({latin})|([{chinese}]+))\s*({_UNITS})", re.IGNORECASE
    )


def _chinese_number(chars: str) -> float:
    """ "两" 2, "十" 10, "十五" 15, "五十" 50, "半" 0.5 (the numbers a parcel weighs)."""
    numbers = _numbers()
    if "十" not in chars:
        return numbers[chars[-1]]
    tens, _, ones = chars.rpartition("十")
    return numbers.get(tens[-1:], 1.0) * 10 + (numbers[ones[0]] if ones else 0.0)


def find_weight(text: str) -> Weight | None:
    """The first weight said in ``text``, in grams (a 斤 is 500 g)."""
    found = _weight_pattern().search(text)
    if found is None:
        return None
    digits, word, char, unit = found.groups()
    if digits:
        amount = float(digits.replace(",", "."))
    else:
        amount = _numbers()[word.lower()] if word else _chinese_number(char)
    grams = amount * (500 if unit == "斤" else 1000)
    return Weight(int(grams), found.start(), found.end())


def find_items(text: str, weight: Weight, slots: tuple[Slot, ...]) -> str | None:
    """What is sent, said beside the weight ("two books, 1 kg"); None if nothing is."""
    clauses = list(_CLAUSE.finditer(text))
    at = next((i for i, c in enumerate(clauses) if c.start() <= weight.start < c.end()), None)
    if at is None:
        return None
    own = text[clauses[at].start() : weight.start] + text[weight.end : clauses[at].end()]
    candidates = [(own, clauses[at].start())]
    if at > 0:
        candidates.append((clauses[at - 1].group(), clauses[at - 1].start()))
    for words, start in candidates:
        items = _SENDING.sub("", ABOUT.sub("", words.strip(_EDGES)).strip()).strip(_EDGES)
        end = start + len(words)
        if items and _says_what_is_sent(items, start, end, slots):
            return items
    return None


def _says_what_is_sent(items: str, start: int, end: int, slots: tuple[Slot, ...]) -> bool:
    lowered = items.lower()
    if looks_like_address(items) or any(w in lowered for w in _data()["pickup_words"]):
        return False
    return not any(s.type in _TIME_OR_NUMBER and s.start < end and start < s.end for s in slots)
