"""Slots in a customer's message: waybills, phone numbers, verification digits, dates, windows.

Offsets refer to the text as the customer wrote it. Full-width characters (５６７８, ＰＤ…) typed on
Chinese keyboards are read as their ASCII twins without moving offsets.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import phonenumbers

from parceldesk.conversation.time_expressions import find_time_phrases
from parceldesk.domain.errors import InvalidWaybill
from parceldesk.domain.waybills import WaybillFormat, check_waybill

_WAYBILL_CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{1,4}(?:[ \-]?[0-9]){8,14}(?:[A-Za-z]{2,3})?(?![A-Za-z0-9])"
)
_FOUR_DIGITS = re.compile(r"(?<![0-9])[0-9]{4}(?![0-9])")
_PHONE_REGIONS = ("CN", "ID", "SG")


@dataclass(frozen=True)
class Slot:
    type: str
    value: str
    start: int
    end: int


def fold_width(text: str) -> str:
    """Full-width ASCII to ASCII, one character for one, so offsets stay valid."""
    return "".join(
        folded if len(folded := unicodedata.normalize("NFKC", ch)) == 1 else ch for ch in text
    )


_RUN_ON_WAYBILL = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,4}[0-9]{9,}")


def find_waybills(text: str, formats: Iterable[WaybillFormat]) -> list[Slot]:
    """Valid waybills as ``waybill``; near misses (a wrong check digit) as ``waybill_invalid``."""
    known = tuple(formats)
    slots = []
    for match in _WAYBILL_CANDIDATE.finditer(text):
        try:
            value = check_waybill(match.group(), known)
            slots.append(Slot("waybill", value, match.start(), match.end()))
        except InvalidWaybill:
            if any(match.group().upper().startswith(f.prefix) for f in known):
                slots.append(Slot("waybill_invalid", match.group(), match.start(), match.end()))
    slots += _run_on_waybills(text, known, slots)
    return sorted(slots, key=lambda slot: slot.start)


def _run_on_waybills(
    text: str, formats: tuple[WaybillFormat, ...], found: list[Slot]
) -> list[Slot]:
    """A waybill typed against the digits after it, as Chinese is typed without spaces
    ("PD000000010000812月20号"): the first characters that make a waybill with a check digit."""
    slots = []
    for match in _RUN_ON_WAYBILL.finditer(text):
        if any(slot.start <= match.start() < slot.end for slot in found):
            continue
        for waybill_format in formats:
            head = match.group()[: waybill_format.length]
            if waybill_format.check_digit == "none" or len(match.group()) <= len(head):
                continue
            try:
                value = check_waybill(head, (waybill_format,))
            except InvalidWaybill:
                continue
            slots.append(Slot("waybill", value, match.start(), match.start() + len(head)))
            break
    return slots


def find_keyed_waybill(text: str, formats: Iterable[WaybillFormat]) -> str | None:
    """A waybill keyed on a phone pad, digits only ("5839201742612#"): the waybill of the one
    carrier whose letters make those digits valid, or None (not digits, none, or ambiguous)."""
    digits = re.sub(r"[\s\-#*]", "", fold_width(text))
    if not (digits.isascii() and digits.isdigit()):
        return None
    found = {f.prefix + digits for f in formats if not f.suffix and f.matches(f.prefix + digits)}
    return found.pop() if len(found) == 1 else None


def find_phones(text: str, taken: list[Slot]) -> list[Slot]:
    slots: list[Slot] = []
    for region in _PHONE_REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(text, region):
            if _overlaps(match.start, match.end, taken + slots):
                continue
            e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            slots.append(Slot("phone", e164, match.start, match.end))
    return slots


# "5 6 7 8" as people type digits they read out, and "五六七八" (幺 is 1 when reading numbers)
_SPACED_FOUR_DIGITS = re.compile(r"(?<![0-9][ \-])(?<![0-9])[0-9](?:[ \-][0-9]){3}(?![ \-]?[0-9])")
_CHINESE_DIGITS = "零〇一幺二两三四五六七八九"
_CHINESE_FOUR_DIGITS = re.compile(
    rf"(?<![{_CHINESE_DIGITS}十百千万亿])[{_CHINESE_DIGITS}]{{4}}(?![{_CHINESE_DIGITS}十百千万亿])"
)
_DIGITS_CUE = re.compile(r"(?:^|尾号|后四位|后4位|末四位|号码|手机)[是为：:\s，,]*$")
_CHINESE_DIGIT_VALUES = dict(zip(_CHINESE_DIGITS, "0011223456789", strict=True))


def find_digits(text: str, taken: list[Slot]) -> list[Slot]:
    """Four digits on their own: the last digits of a phone, for verification."""
    found = [
        Slot("digits", re.sub(r"[^0-9]", "", m.group()), m.start(), m.end())
        for pattern in (_FOUR_DIGITS, _SPACED_FOUR_DIGITS)
        for m in pattern.finditer(text)
    ]
    found += [
        Slot("digits", "".join(_CHINESE_DIGIT_VALUES[c] for c in m.group()), m.start(), m.end())
        for m in _CHINESE_FOUR_DIGITS.finditer(text)
        if _DIGITS_CUE.search(text[: m.start()])  # not "等了三四五六天"
    ]
    kept: list[Slot] = []
    for slot in sorted(found, key=lambda s: s.start):
        if not _overlaps(slot.start, slot.end, taken + kept):
            kept.append(slot)
    return kept


def _overlaps(start: int, end: int, slots: list[Slot]) -> bool:
    return any(start < s.end and s.start < end for s in slots)


def extract_slots(text: str, formats: Iterable[WaybillFormat], today: date) -> list[Slot]:
    """Every slot in ``text``, in order of position."""
    folded = fold_width(text)
    slots = find_waybills(folded, formats)
    times = [Slot(p.kind, p.value, p.start, p.end) for p in find_time_phrases(folded, today)]
    slots += find_phones(folded, slots + times)
    slots += find_digits(folded, slots + times)
    slots += times
    return sorted(slots, key=lambda s: (s.start, s.type))
