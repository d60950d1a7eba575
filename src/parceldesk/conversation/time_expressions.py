"""Dates and delivery windows from relative expressions in Chinese, English and Indonesian.

"明天下午" → tomorrow, 14:00-18:00; "besok sore" → tomorrow, 14:00-18:00; "the day after tomorrow
before 10" → +2 days, 09:00-10:00. The expressions are data (``data/time/*.yaml``); this module
only compiles and applies them. dateparser reads English well but not Chinese ranges or Indonesian
compounds ("besok sore", "lusa"), so the three languages share these rules instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import cache
from importlib import resources
from typing import Any

import yaml

from parceldesk.domain.languages import LANGUAGES
from parceldesk.domain.shipments import TimeWindow

_CHINESE_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_HOUR = r"(?P<hour>\d{1,2}|[零一二两三四五六七八九十]{1,3})"
_START = _HOUR.replace("?P<hour>", "?P<start>")
_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "mei": 5, "jun": 6, "jul": 7,
           "aug": 8, "agu": 8, "agt": 8, "sep": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12,
           "des": 12}  # fmt: skip


@dataclass(frozen=True)
class TimePhrase:
    """A found expression: ``kind`` is ``date`` (ISO) or ``window`` (``HH:MM-HH:MM``)."""

    kind: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class _Rules:
    relative: re.Pattern[str]
    relative_days: dict[str, int]
    weekday: re.Pattern[str]
    weekdays: dict[str, int]
    next_prefixes: tuple[str, ...]
    this_prefixes: tuple[str, ...]
    parts: re.Pattern[str]
    parts_of_day: dict[str, str]
    before: tuple[re.Pattern[str], ...]
    after: tuple[re.Pattern[str], ...]
    ranges: tuple[re.Pattern[str], ...]
    absolute: tuple[re.Pattern[str], ...]
    greetings: tuple[re.Pattern[str], ...]
    reasons: re.Pattern[str]


def _load(name: str) -> dict[str, Any]:
    text = resources.files("parceldesk.conversation").joinpath(f"data/time/{name}.yaml")
    data = yaml.safe_load(text.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


# A Latin word ends at a character that is not a letter or digit of its own script: "改到tomorrow"
# holds "tomorrow" (a Chinese character is a word character too, so \b would not see the edge).
_NOT_CJK_WORD = r"[^\W\u3040-\u30ff\u3400-\u9fff]"


def _alternation(words: list[str], bounded: bool) -> str:
    body = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    edge = _NOT_CJK_WORD
    return rf"(?<!{edge})(?:{body})(?!{edge})" if bounded else f"(?:{body})"


@cache
def _rules(language: str) -> _Rules:
    data = _load(language)
    bounded = language != "zh"
    flags = re.IGNORECASE
    prefixes = [*data["weekday_prefixes"], *data["next_week_prefixes"], *data["this_week_prefixes"]]
    weekday = rf"(?P<prefix>{'|'.join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True))})(?P<weekday>{'|'.join(re.escape(w) for w in sorted(data['weekdays'], key=len, reverse=True))})"  # noqa: E501
    return _Rules(
        relative=re.compile(_alternation(list(data["relative_days"]), bounded), flags),
        relative_days={k.lower(): v for k, v in data["relative_days"].items()},
        weekday=re.compile(
            rf"(?<!{_NOT_CJK_WORD}){weekday}(?!{_NOT_CJK_WORD})" if bounded else weekday, flags
        ),
        weekdays={k.lower(): v for k, v in data["weekdays"].items()},
        next_prefixes=tuple(p.lower() for p in data["next_week_prefixes"]),
        this_prefixes=tuple(p.lower() for p in data["this_week_prefixes"]),
        parts=re.compile(_alternation(list(data["parts_of_day"]), bounded), flags),
        parts_of_day={k.lower(): v for k, v in data["parts_of_day"].items()},
        before=tuple(re.compile(p.replace("{hour}", _HOUR), flags) for p in data["before"]),
        after=tuple(re.compile(p.replace("{hour}", _HOUR), flags) for p in data["after"]),
        ranges=tuple(
            re.compile(p.replace("{start}", _START).replace("{hour}", _HOUR), flags)
            for p in data["ranges"]
        ),
        absolute=tuple(re.compile(p, flags) for p in data["absolute_date"]),
        greetings=tuple(re.compile(p, flags) for p in data["greetings"]),
        reasons=re.compile(_alternation(list(data["reasons"]), bounded), flags),
    )


@cache
def _common() -> tuple[time, time, dict[str, TimeWindow]]:
    data = _load("common")
    windows = {k: TimeWindow.parse(v) for k, v in data["windows"].items()}
    return time.fromisoformat(data["day_start"]), time.fromisoformat(data["day_end"]), windows


def chinese_number(text: str) -> int | None:
    """1-99 in digits or Chinese numerals (十, 十二, 二十三, 两); None if it is neither."""
    if text.isdigit():
        return int(text)
    tens, has_ten, ones = text.partition("十")
    if not has_ten:
        return _CHINESE_DIGITS[text] if len(text) == 1 else None
    if any(part and part not in _CHINESE_DIGITS for part in (tens, ones)):
        return None
    return (_CHINESE_DIGITS[tens] if tens else 1) * 10 + (_CHINESE_DIGITS[ones] if ones else 0)


def _date_phrases(rules: _Rules, text: str, today: date) -> list[TimePhrase]:
    found = [
        TimePhrase(
            "date",
            (today + timedelta(days=rules.relative_days[m.group().lower()])).isoformat(),
            m.start(),
            m.end(),
        )
        for m in rules.relative.finditer(text)
    ]
    for match in rules.weekday.finditer(text):
        wanted = rules.weekdays[match.group("weekday").lower()]
        if match.group("prefix").lower() in rules.next_prefixes:
            ahead = 7 - today.weekday() + wanted
        elif match.group("prefix").lower() in rules.this_prefixes:
            ahead = (wanted - today.weekday()) % 7  # "this Saturday" on a Saturday is today
        else:
            ahead = (wanted - today.weekday()) % 7 or 7
        day = today + timedelta(days=ahead)
        found.append(TimePhrase("date", day.isoformat(), match.start(), match.end()))
    for pattern in rules.absolute:
        for match in pattern.finditer(text):
            named = _absolute_day(match, today)
            if named:
                found.append(TimePhrase("date", named.isoformat(), match.start(), match.end()))
    return found


def _absolute_day(match: re.Match[str], today: date) -> date | None:
    groups = match.groupdict()
    month = (
        int(groups["month"]) if groups.get("month") else _MONTHS[groups["monthname"][:3].lower()]
    )
    try:
        day = date(today.year, month, int(groups["day"]))
    except ValueError:
        return None
    return day.replace(year=today.year + 1) if day < today - timedelta(days=60) else day


def _resolve_hour(hour: int, part: str | None, ampm: str | None) -> int:
    if ampm and ampm.lower().startswith("p") and hour < 12:
        return hour + 12
    if ampm:
        return hour
    if part in {"afternoon", "evening"} and hour < 12:
        return hour + 12
    return hour + 12 if part is None and 1 <= hour <= 7 else hour


def _range_phrases(rules: _Rules, text: str, part: str | None, dated: bool) -> list[TimePhrase]:
    """ "2-6pm", "from 9 to 12", "2点到6点": a window of the customer's own hours, within the
    delivery day. Two bare numbers ("9-12") are hours only beside a day ("tomorrow 9-12")."""
    day_start, day_end, _ = _common()
    found = []
    for pattern in rules.ranges:
        for match in pattern.finditer(text):
            first, last = chinese_number(match.group("start")), chinese_number(match.group("hour"))
            ampm, ampm1 = match.groupdict().get("ampm"), match.groupdict().get("ampm1")
            said = match.group()
            marked = ampm or ampm1 or match.groupdict().get("from") or ":" in said or "." in said
            marked = marked or not (
                said[0].isdigit() and said[-1].isdigit()
            )  # "jam 2-6", "2点到6点"
            if first is None or last is None or not (marked or dated or part):
                continue
            end = _resolve_hour(last, part, ampm)
            start = _resolve_hour(first, part, ampm1 or ampm)
            if start >= end:  # "10-2pm": the pm is the end's
                start = _resolve_hour(first, part, ampm1)
            start, end = max(start, day_start.hour), min(end, day_end.hour)
            if 0 <= start < end <= 24:
                window = TimeWindow(time(start), time(end) if end < 24 else time(23, 59))
                found.append(TimePhrase("window", str(window), match.start(), match.end()))
    return found


def _window_phrases(rules: _Rules, text: str, dated: bool = False) -> list[TimePhrase]:
    day_start, day_end, windows = _common()
    parts = [(m, rules.parts_of_day[m.group().lower()]) for m in rules.parts.finditer(text)]
    part = parts[0][1] if parts else None
    found = _range_phrases(rules, text, part, dated)
    ranged = [(p.start, p.end) for p in found]
    for patterns, is_before in ((rules.before, True), (rules.after, False)):
        for pattern in patterns:
            for match in pattern.finditer(text):
                if any(a <= match.start() < b for a, b in ranged):
                    continue  # "from 9" of "from 9 to 12"
                number = chinese_number(match.group("hour"))
                if number is None:
                    continue
                hour = _resolve_hour(number, part, match.groupdict().get("ampm"))
                if not 0 < hour < 24:
                    continue
                edge = time(hour)
                if (is_before and edge <= day_start) or (not is_before and edge >= day_end):
                    continue
                window = TimeWindow(day_start, edge) if is_before else TimeWindow(edge, day_end)
                found.append(TimePhrase("window", str(window), match.start(), match.end()))
    if not found:
        found = [TimePhrase("window", str(windows[p]), m.start(), m.end()) for m, p in parts]
    return found


def _meant(rules: _Rules, text: str, phrases: list[TimePhrase]) -> list[TimePhrase]:
    """The times the customer asks for: not the part of the day in a greeting ("good morning"),
    nor a time given as a reason after the one asked for ("…, because I work in the morning")."""
    greeted = [m.span() for pattern in rules.greetings for m in pattern.finditer(text)]
    kept = [p for p in phrases if not any(s <= p.start and p.end <= e for s, e in greeted)]
    reason = rules.reasons.search(text)
    if reason is None:
        return kept
    asked = {p.kind for p in kept if p.end <= reason.start()}
    return [p for p in kept if p.end <= reason.start() or p.kind not in asked]


def find_time_phrases(
    text: str, today: date, languages: tuple[str, ...] = LANGUAGES
) -> list[TimePhrase]:
    """Every date and window expressed in ``text``, in order of position."""
    phrases: list[TimePhrase] = []
    for language in languages:
        rules = _rules(language)
        dates = _date_phrases(rules, text, today)
        phrases += _meant(rules, text, dates + _window_phrases(rules, text, dated=bool(dates)))
    unique = {(p.kind, p.value, p.start, p.end): p for p in phrases}
    return sorted(unique.values(), key=lambda p: (p.start, p.kind))
