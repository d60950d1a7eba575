"""Relative dates and delivery windows in Chinese, English and Indonesian."""

from __future__ import annotations

from datetime import date

import pytest

from parceldesk.conversation.time_expressions import chinese_number, find_time_phrases

SATURDAY = date(2026, 11, 28)


def _read(text: str) -> tuple[str | None, str | None]:
    phrases = find_time_phrases(text, SATURDAY)
    dates = [p.value for p in phrases if p.kind == "date"]
    windows = [p.value for p in phrases if p.kind == "window"]
    return (dates[0] if dates else None), (windows[0] if windows else None)


@pytest.mark.parametrize(
    ("text", "day", "window"),
    [
        ("明天下午", "2026-11-29", "14:00-18:00"),
        ("后天上午十点前", "2026-11-30", "09:00-10:00"),
        ("大后天晚上", "2026-12-01", "18:00-21:00"),
        ("明天下午3点以后送", "2026-11-29", "15:00-21:00"),
        ("周五晚上吧", "2026-12-04", "18:00-21:00"),
        ("下周一上午", "2026-11-30", "09:00-12:00"),
        ("12月3号下午", "2026-12-03", "14:00-18:00"),
        ("今天两点后", "2026-11-28", "14:00-21:00"),
        ("tomorrow afternoon please", "2026-11-29", "14:00-18:00"),
        ("the day after tomorrow before 10", "2026-11-30", "09:00-10:00"),
        ("Tomorrow after 6", "2026-11-29", "18:00-21:00"),
        ("after 3pm on Friday", "2026-12-04", "15:00-21:00"),
        ("next Monday morning", "2026-11-30", "09:00-12:00"),
        ("by 11am on Dec 3rd", "2026-12-03", "09:00-11:00"),
        ("tonight", "2026-11-28", "18:00-21:00"),
        # English written against Chinese, no space between them
        ("改到tomorrow evening", "2026-11-29", "18:00-21:00"),
        ("帮我改到friday afternoon吧", "2026-12-04", "14:00-18:00"),
        ("besok sore", "2026-11-29", "14:00-18:00"),
        ("lusa pagi aja", "2026-11-30", "09:00-12:00"),
        ("sebelum jam 10 besok", "2026-11-29", "09:00-10:00"),
        ("hari Jumat siang", "2026-12-04", "14:00-18:00"),
        ("setelah jam 4 sore besok", "2026-11-29", "16:00-21:00"),
        ("tanggal 3 Desember malam", "2026-12-03", "18:00-21:00"),
        ("tomorrow 2-6pm", "2026-11-29", "14:00-18:00"),
        ("tomorrow 14:00-18:00", "2026-11-29", "14:00-18:00"),
        ("tomorrow 9-12", "2026-11-29", "09:00-12:00"),
        ("10-2pm tomorrow", "2026-11-29", "10:00-14:00"),
        ("between 2 and 6pm on Monday", "2026-11-30", "14:00-18:00"),
        ("明天两点到六点", "2026-11-29", "14:00-18:00"),
        ("明天2-6点", "2026-11-29", "14:00-18:00"),
        ("besok pukul 14.00 sampai 18.00", "2026-11-29", "14:00-18:00"),
        ("this Saturday evening", "2026-11-28", "18:00-21:00"),
        ("这周六上午", "2026-11-28", "09:00-12:00"),
        ("本周日", "2026-11-29", None),
    ],
)
def test_expressions_become_a_day_and_a_window(text: str, day: str, window: str | None) -> None:
    assert _read(text) == (day, window)


@pytest.mark.parametrize(
    "text",
    [
        "where is my parcel",
        "我的快递到哪了",
        "paket saya di mana",
        "I need 3 boxes",
        "delivery takes 2-3 days",
        "it weighs 5-10 kg",
        "Jl. Merdeka No. 5-7, Bandung",
        "10 Anson Road, #09-11, Singapore 079903",  # a unit, even beside "tomorrow" below
        "9-12",  # two bare numbers are hours only beside a day
        "三到五天能到吗",
    ],
)
def test_text_without_time_has_no_time_phrases(text: str) -> None:
    assert find_time_phrases(text, SATURDAY) == []


def test_a_singapore_unit_beside_a_day_is_not_a_window() -> None:
    assert _read("deliver tomorrow to 10 Anson Road, #09-11") == ("2026-11-29", None)


def test_a_range_from_a_to_b_is_one_window_not_an_open_end() -> None:
    assert [(p.kind, p.value) for p in find_time_phrases("from 9 to 12", SATURDAY)] == [
        ("window", "09:00-12:00")
    ]


def test_a_bare_weekday_means_the_next_one_never_today() -> None:
    assert _read("Saturday") == ("2026-12-05", None)
    assert _read("周日") == ("2026-11-29", None)


def test_a_past_month_day_rolls_into_next_year() -> None:
    assert _read("1月5日") == ("2027-01-05", None)
    assert _read("2月30日") == (None, None)


def test_spans_point_at_the_words() -> None:
    text = "可以明天下午送吗"
    spans = [text[p.start : p.end] for p in find_time_phrases(text, SATURDAY)]
    assert spans == ["明天", "下午"]


@pytest.mark.parametrize(
    ("text", "value"), [("十", 10), ("十二", 12), ("两", 2), ("二十三", 23), ("7", 7)]
)
def test_chinese_numbers(text: str, value: int) -> None:
    assert chinese_number(text) == value


@pytest.mark.parametrize("text", ["六六", "十十", "二二十", "三十四五"])
def test_strings_of_numerals_that_are_not_numbers_are_ignored(text: str) -> None:
    assert chinese_number(text) is None
    assert find_time_phrases(f"明天{text}点前", SATURDAY)[0].value == "2026-11-29"


@pytest.mark.parametrize(
    ("text", "windows"),
    [
        # the part of the day in a greeting is no window
        ("good morning, can you deliver it tomorrow?", []),
        ("Good evening! tomorrow morning works", ["09:00-12:00"]),
        ("selamat siang, paketnya antar besok ya", []),
        ("siang kak, antar besok sore ya", ["14:00-18:00"]),
        ("下午好，明天上午送吧", ["09:00-12:00"]),
        ("早上好，明天能送吗", []),
        # a time given as the reason, after the one asked for, is not asked for
        ("tomorrow afternoon because I work in the morning", ["14:00-18:00"]),
        ("besok sore aja, soalnya pagi saya kerja", ["14:00-18:00"]),
        ("明天下午送吧，因为上午我要上班", ["14:00-18:00"]),
        # ... but a reason first and the time after it is the time asked for
        ("because I'm out, deliver it in the evening", ["18:00-21:00"]),
        # a part of the day said as the answer is still one
        ("pagi aja kak", ["09:00-12:00"]),
        ("afternoon, please", ["14:00-18:00"]),
    ],
)  # fmt: skip
def test_greetings_and_reasons_are_not_the_window_asked_for(text: str, windows: list[str]) -> None:
    found = find_time_phrases(text, SATURDAY)
    assert [p.value for p in found if p.kind == "window"] == windows
