"""Reading customer words: patterns, number-only messages, building corrections, addresses."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Literal

import yaml

from parceldesk.conversation.nlu.understand import Understanding
from parceldesk.domain.addresses import Address

WEIGHT = re.compile(r"(\d+(?:\.\d+)?)\s*(kg|公斤|千克|kilo(?:gram)?s?|斤)", re.IGNORECASE)
HOLD_WORDS = re.compile(
    r"驿站|网点|自取|快递柜|自提|station|pick it up myself|collect it|agen|ambil sendiri|gudang",
    re.IGNORECASE,
)
HOLD_REQUEST = re.compile(
    r"暂存|放(?:到|在)?(?:驿站|网点|快递柜|快递站)|自取|自提|hold (?:it|the parcel) at|keep it at|"
    r"titip di agen|tahan (?:di|dulu)|ambil sendiri",
    re.IGNORECASE,
)
LOSS_WORDS = re.compile(r"丢|没收到|lost|never arrived|missing|hilang|tidak terima", re.IGNORECASE)
HUMAN_WORDS = re.compile(
    r"转人工|人工客服|真人|\bagen\b|\bagent\b|a person|a human|real person|operator|"
    r"petugas|manusia",
    re.IGNORECASE,
)


def only_slots(u: Understanding) -> bool:
    """The message is nothing but numbers we recognised (a waybill, four digits, a date…)."""
    rest = list(u.text)
    for slot in u.slots:
        if slot.type != "faq_topic":
            rest[slot.start : slot.end] = [" "] * (slot.end - slot.start)
    return not re.search(r"[^\W\d_]", "".join(rest).replace("尾号", "").replace("后四位", ""))


_BUILDING = re.compile(
    r"(\d+\s*(?:号楼|栋|幢|单元|室)|building\s+\w+|blok\s+\w+|unit\s+\w+)", re.IGNORECASE
)


_CHINESE_PARTS = (("building", "号楼"), ("unit", "单元"), ("room", "室"), ("blok", "号楼"))


def _as_chinese(part: str) -> str:
    for word, suffix in _CHINESE_PARTS:
        if part.lower().startswith(word):
            return part[len(word) :].strip() + suffix
    return part


def correct_building(base: Address, text: str) -> Address | None:
    """ "No, building 5": keep the street, change the building."""
    if re.search(r"路|街|道|jl\.?|jalan|road|street", text, re.IGNORECASE):
        return None
    found = _BUILDING.findall(text)
    if not found:
        return None
    if base.country == "CN":  # "building 5" for a Chinese address is 5号楼
        found = [_as_chinese(part) for part in found]
    detail = _BUILDING.sub("", base.detail).strip() + "".join(found)
    return Address(
        base.country,
        base.province,
        base.city,
        base.district,
        base.street,
        detail,
        base.postal_code,
        "",
    )


def encode_address(address: Address) -> str:
    return "\x1f".join(
        [
            address.country,
            address.province,
            address.city,
            address.district,
            address.street,
            address.detail,
            address.postal_code,
            address.raw,
        ]
    )


def decode_address(text: str) -> Address:
    return Address(*text.split("\x1f"))


@cache
def _yes_no() -> dict[str, tuple[str, ...]]:
    path = resources.files("parceldesk.conversation").joinpath("data/yes_no.yaml")
    data = yaml.load(path.read_text("utf-8"), Loader=yaml.BaseLoader)
    return {key: tuple(str(w).lower() for w in words) for key, words in data.items()}


def contains_word(text: str, word: str) -> bool:
    """``word`` in ``text``: as characters for Chinese, as a whole word otherwise."""
    if re.search(r"[\u4e00-\u9fff]", word):
        return word in text
    return re.search(rf"(?<![\w']){re.escape(word)}(?![\w'])", text) is not None


def confirmation(text: str) -> Literal["yes", "no"] | None:
    """An explicit yes or no to a proposal, or None when the message is neither."""
    lowered = text.lower().strip()
    words = _yes_no()
    if any(contains_word(lowered, idiom) for idiom in words["yes_idioms"]):
        return "yes"
    if any(contains_word(lowered, negation) for negation in words["negations"]):
        return "no"
    if any(contains_word(lowered, yes) for yes in words["affirmations"]):
        return "yes"
    return None
