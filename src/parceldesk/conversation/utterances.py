"""Reading customer words: patterns, number-only messages, building corrections, addresses."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Literal

import yaml

from parceldesk.conversation.addresses import looks_like_address
from parceldesk.conversation.nlu.understand import Understanding
from parceldesk.domain.addresses import Address

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
    r"转人工|人工客服|真人|领导|主管|\bagen\b|\bagent\b|a person|a human|real person|operator|"
    r"manager|supervisor|petugas|manusia|atasan|manajer",
    re.IGNORECASE,
)
# Asking for a person in so many words, whatever else the message says ("快递员态度太差了，我要
# 投诉，给我转人工"): a human is reachable from any point by asking.
PERSON_REQUESTED = re.compile(
    r"转人工|找人工|接人工|人工客服|人工服务|真人客服|"
    r"\b(?:talk|speak|chat) (?:to|with) (?:a |an )?(?:human|real person|person|agent)\b|"
    r"\b(?:connect|transfer|put) me (?:to|through to) (?:a |an )?(?:human|person|agent)\b|"
    r"\b(?:bicara|ngomong|chat) (?:dengan|sama) (?:cs|petugas|manusia|orang|agen)\b|"
    r"\bsambungkan (?:ke|dengan) (?:cs|petugas|agen)\b",
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


def changes_proposal(u: Understanding, waybill: str | None) -> bool:
    """The message carries something new for a proposal: a date or time, another parcel, an
    address or a building ("ok, but building 5"), so a yes-word in it is not a plain yes."""
    other_parcel = u.slot("waybill") not in (None, waybill)
    timed = any(slot.type in {"date", "window"} for slot in u.slots)
    return other_parcel or timed or looks_like_address(u.text) or bool(_BUILDING.search(u.text))


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


# "no, number 51", "不对，是29号", "salah, nomor 51": the house number, not a building or a road
_HOUSE_NUMBER = re.compile(
    r"(?:\b(?:number|no\.?|nomor|nmr|house)\s*(\d+[a-z]?)\b)|(?<![\d.])(\d+)\s*号(?![楼院])",
    re.IGNORECASE,
)
_STREET_NUMBER = {
    "CN": re.compile(r"\d+(?=号$)"),
    "ID": re.compile(
        r"(?:(?<=\bNo\. )|(?<=\bNo\.)|(?<=\bNo )|(?<=\bNomor ))\d+[a-zA-Z]?|\d+[a-zA-Z]?$"
    ),
}
_LEADING_NUMBER = re.compile(r"^\d+[a-zA-Z]?(?=\s)")  # "25 Jurong East Street 31"


def correct_house_number(base: Address, text: str) -> Address | None:
    """ "No, number 51": keep the street's name, change its number."""
    if re.search(r"路|街|道|jl\.?|jalan|road|street", text, re.IGNORECASE) or _BUILDING.search(
        text
    ):
        return None
    found = _HOUSE_NUMBER.search(text)
    if not found:
        return None
    number = found.group(1) or found.group(2)
    pattern = _STREET_NUMBER.get(base.country, _LEADING_NUMBER)
    street, replaced = pattern.subn(number, base.street, count=1)
    if not replaced:
        return None
    return Address(
        base.country,
        base.province,
        base.city,
        base.district,
        street,
        base.detail,
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
def _frustration() -> re.Pattern[str]:
    path = resources.files("parceldesk.conversation").joinpath("data/frustration.yaml")
    data = yaml.load(path.read_text("utf-8"), Loader=yaml.BaseLoader)
    phrases = sorted({str(p).lower() for ps in data.values() for p in ps}, key=len, reverse=True)
    return re.compile(
        "|".join(
            re.escape(p)
            if re.search(r"[\u4e00-\u9fff]", p)
            else rf"(?<![\w']){re.escape(p)}(?![\w'])"
            for p in phrases
        )
    )


def is_frustrated(text: str) -> bool:
    """The customer says the bot does not understand them or is useless ("你到底懂不懂")."""
    return _frustration().search(text.lower().replace("’", "'")) is not None


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


# A question is never a yes: "where is it right now?" holds "right", "地址是哪里" holds "是".
_QUESTION = re.compile(
    r"[?？]|吗|么|哪|几|多少|啥|\b(?:where|what|when|why|how|which|who|whose|apa|apakah|kapan|"
    r"mana|bagaimana|gimana|berapa|kenapa|mengapa|siapa)\b",
    re.IGNORECASE,
)
_LEAD_FILLER = re.compile(r"^(?:(?:um+|uh+|well|oh|ah|so|hmm+|eh|哦|噢|那就|那)[\s,，.。!！]*)+")
MAX_WORDS_ANYWHERE = 4  # a yes-word anywhere in a message this short: "the address is right"
MAX_CHARS_ANYWHERE = 6  # the same for Chinese: "地址是对的"


def is_tentative(text: str) -> bool:
    """A question or a hesitation ("ok but wait"): not an answer to act on."""
    lowered = text.lower()
    hesitations = _yes_no()["hesitations"]
    return _QUESTION.search(text) is not None or any(
        contains_word(lowered, word) for word in hesitations
    )


def confirmation(text: str) -> Literal["yes", "no"] | None:
    """An explicit yes or no to a proposal, or None when the message is neither.

    A negation anywhere wins over a yes-word, except in idioms that mean yes ("没问题", "why
    not"). A yes-word counts at the start of the message, or anywhere in a short one: in a
    longer message it is often part of something else ("deliver it right after lunch", "是不是在
    路上了"). A question or a hesitation ("ok but wait") is neither: the bot asks again.
    """
    lowered = text.lower().strip()
    words = _yes_no()
    rest = lowered
    for idiom in words["yes_idioms"]:
        rest = _without_word(rest, idiom)
    if _QUESTION.search(rest):
        return None
    if any(contains_word(rest, negation) for negation in words["negations"]):
        return "no"
    if is_tentative(rest):
        return None
    if rest != lowered:
        return "yes"
    start = _LEAD_FILLER.sub("", lowered)
    if any(_starts_with_word(start, yes) for yes in words["affirmations"]):
        return "yes"
    if _is_short(lowered) and any(contains_word(lowered, yes) for yes in words["affirmations"]):
        return "yes"
    return None


def _without_word(text: str, word: str) -> str:
    if re.search(r"[\u4e00-\u9fff]", word):
        return text.replace(word, " ")
    return re.sub(rf"(?<![\w']){re.escape(word)}(?![\w'])", " ", text)


def _starts_with_word(text: str, word: str) -> bool:
    if re.search(r"[\u4e00-\u9fff]", word):
        return text.startswith(word)
    return re.match(rf"{re.escape(word)}(?![\w'])", text) is not None


def _is_short(text: str) -> bool:
    chinese = re.findall(r"[\u4e00-\u9fff]", text)
    if chinese:
        return len(chinese) <= MAX_CHARS_ANYWHERE
    return len(re.findall(r"[\w']+", text)) <= MAX_WORDS_ANYWHERE
