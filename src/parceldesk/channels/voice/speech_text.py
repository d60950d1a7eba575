"""Text between the conversation and the speech engines, per language (words in ``voice.yaml``).

``spoken_text``: what the bot writes, made fit to be read aloud — waybill numbers letter by letter
and digit by digit in groups, money with its currency's name, no "(yes/no)" hints meant for a
screen.
``spoken_pieces``: that text cut into the pieces synthesised one after another: a short first
piece (the caller hears it sooner), each next one at most ``PIECE_GROWTH`` times the one before
(it is synthesised while that one plays, so the speech has no gaps).
``heard_text``: what the recogniser wrote, made fit for the engine — spelled-out digits and
letters that were spoken one by one joined back into one waybill or one code.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import yaml

WAYBILL = re.compile(r"\b([A-Z]{1,4})(\d{6,})([A-Z]{0,3})\b")
MONEY = re.compile(r"(¥|Rp|CNY|IDR)\s?(\d[\d,]*(?:\.\d+)?)")
SPOKEN_WAYBILL = re.compile(r"\b([A-Za-z]{1,4})[\s.\-]+(\d{3,}(?:[\s.\-]\d+)*)")
ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")  # no \b: 在2026-12-05
CLOCK = r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])"
TIMES = re.compile(rf"{CLOCK}(?:\s*[-–~]\s*{CLOCK})?")  # a time, or a window of two
THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
WAYBILL_GROUP = 4  # digits read in one breath
MIN_WAYBILL_DIGITS = 6  # digits after a spoken carrier code that make it a waybill
MIN_GROUPED_DIGITS = 8  # ... when the recogniser wrote them in groups (an S10 serial has 8 + 1)
SPLIT_WAYBILL = re.compile(r"\b([A-Z]{1,4}\d{3,})((?:[\s.\-]+\d+)+)\b")
MAX_WAYBILL_DIGITS = 15  # digits the recogniser's pauses may split a waybill into, at most
# Latin punctuation ends a sentence or phrase only before a space: "8.50", "15,000" and "14:00"
# are numbers and times, not two pieces ("8." and "50 yuan" would be read as two amounts).
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*")
PHRASE_END = re.compile(r"(?<=[,:;])\s+|(?<=[，：；])\s*")
DIGIT_LENGTH = 4  # characters a digit read out alone adds, outside Chinese
PIECE_GROWTH = 3  # a piece takes ~0.3 s per second of speech to synthesise, plus its overhead
SPELLED = re.compile(r"(?<![\w])(?:[A-Za-z0-9](?:\s|-|\.\s?)){3,}[A-Za-z0-9](?![\w])")


@cache
def voice_words() -> dict[str, dict[str, Any]]:
    path = resources.files("parceldesk.channels.voice").joinpath("data/voice.yaml")
    data: dict[str, dict[str, Any]] = yaml.safe_load(path.read_text("utf-8"))
    return data


def spoken_text(text: str, language: str) -> str:
    words = voice_words()[language]
    for hint in words["drop"]:
        text = text.replace(hint, "")
    text = WAYBILL.sub(lambda m: _read_out(m, words["group_pause"]), text)
    text = _dates_and_times(text, words)
    currency: dict[str, str] = words["currency"]

    def money(match: re.Match[str]) -> str:
        amount = match.group(2).replace(",", "")
        if amount.endswith(".00"):
            amount = amount[:-3]
        joiner = "" if language == "zh" else " "
        return f"{amount}{joiner}{currency[match.group(1)]}"

    return MONEY.sub(money, text).strip()


def _dates_and_times(text: str, words: dict[str, Any]) -> str:
    """ISO dates and clock times as people say them ("2026-12-05, 14:00-18:00" → "December 5,
    2 pm to 6 pm", "12月5日，14点到18点"); read as written they come out as "two thousand
    twenty-six dash twelve dash zero five". The year is left out: a call is about days near."""
    months: list[str] = words.get("months", [])

    def day(match: re.Match[str]) -> str:
        month, number = int(match.group(2)), int(match.group(3))
        name = months[month - 1] if months else str(month)
        return str(words["date"].format(month=name, day=number))

    def clock(hour: str, minutes: str) -> str:
        h, m = int(hour), int(minutes)
        half = "am" if h < 12 else "pm"
        template = words["hour"] if m == 0 else words["minutes"]
        return str(template.format(h=h, h12=(h - 1) % 12 + 1, half=half, mm=f"{m:02d}"))

    def times(match: re.Match[str]) -> str:
        start = clock(*match.group(1, 2))
        if match.group(3) is None:
            return start
        end = clock(*match.group(3, 4))
        return str(words["time_range"].format(start=start, end=end))

    return TIMES.sub(times, ISO_DATE.sub(day, text))


def spoken_pieces(text: str, language: str) -> list[str]:
    """``text`` (already spoken text) cut after sentences and phrases into growing pieces."""
    limit = int(voice_words()[language]["first_piece"])
    pieces: list[str] = []
    for sentence in _sentences(text, language):
        phrases = [part for part in PHRASE_END.split(sentence) if part.strip()]
        if not pieces and _length(phrases[0], language) > limit:  # no phrase end early enough
            phrases[:1] = _cut_at_word(phrases[0], limit, language)
        for number, phrase in enumerate(phrases):  # a piece never runs across a sentence's end
            if number and _length(pieces[-1], language) + _length(phrase, language) <= limit:
                pieces[-1] += phrase if language == "zh" else f" {phrase}"
            else:
                if pieces:
                    limit = max(limit, PIECE_GROWTH * _length(pieces[-1], language))
                pieces.append(phrase)
    return [piece.strip() for piece in pieces]


def _sentences(text: str, language: str) -> list[str]:
    """``text`` cut after its sentences, but not after an abbreviation ("Jl.", "No.", "Ave.")."""
    abbreviations = tuple(voice_words()[language].get("abbreviations", ()))
    sentences: list[str] = []
    for part in (part for part in SENTENCE_END.split(text) if part.strip()):
        if sentences and sentences[-1].split()[-1] in abbreviations:
            sentences[-1] += f" {part}"
        else:
            sentences.append(part)
    return sentences


def _length(text: str, language: str) -> int:
    """How long ``text`` takes to say, in characters of ordinary text: a digit read out alone
    ("nol", "zero") takes as long as a short word (in Chinese, one character, 零, as others)."""
    return len(text) + (0 if language == "zh" else DIGIT_LENGTH * sum(c.isdigit() for c in text))


def _cut_at_word(phrase: str, limit: int, language: str) -> list[str]:
    """``phrase`` cut at the last word boundary within ``limit`` characters (Chinese words by
    jieba, which the Mandarin voice's front end already loads), never inside spelled letters or
    digits read one by one, nor between a number and its word ("5 | December")."""
    if language == "zh":
        import jieba

        words = jieba.lcut(phrase)
    else:
        words = [word + " " for word in phrase.split()]
    head = ""
    for word in words:
        whole = len(word.strip(" ,，")) > 1  # not inside "P D" or "0 0 1 2"
        after_number = head.rstrip()[-1:].isdigit()
        if head and whole and not after_number and _length(head + word.rstrip(), language) > limit:
            return [head.strip(), phrase[len(head) :].strip()]
        head += word
    return [phrase]


def _read_out(waybill: re.Match[str], pause: str) -> str:
    """A waybill as a person reads it on the phone: the letters, then the digits in fours, a
    short pause between (and the first words of an answer are ready sooner)."""
    letters, digits, suffix = waybill.groups()
    groups = [digits[at : at + WAYBILL_GROUP] for at in range(0, len(digits), WAYBILL_GROUP)]
    if len(groups) > 1 and len(groups[-1]) == 1:  # no digit left alone at the end
        groups[-2:] = [groups[-2] + groups[-1]]
    spoken = [" ".join(part) for part in (letters, *groups, suffix) if part]
    return pause.join(spoken)


def heard_text(text: str, language: str) -> str:
    words = voice_words()[language]
    for heard, meant in words.get("heard_words", {}).items():
        text = re.sub(rf"\b{re.escape(heard)}(?!\w)", meant, text, flags=re.IGNORECASE)
    digits: dict[str, str] = words["number_words"]
    if words.get("counted"):
        text = _counted_in_digits(text, words["counted"])
    if language == "zh":
        text = re.sub("[" + "".join(digits) + "]{3,}", lambda m: _digits(m.group(0), digits), text)
    else:
        pattern = r"\b(?:" + "|".join(digits) + r")\b"
        text = re.sub(pattern, lambda m: digits[m.group(0).lower()], text, flags=re.IGNORECASE)
    text = THOUSANDS.sub("", text)  # "Singapore 228,220" is a postal code, not a sum
    text = SPELLED.sub(lambda m: re.sub(r"[\s.\-]", "", m.group(0)).upper(), text)
    text = SPOKEN_WAYBILL.sub(_join_carrier_code, text)
    return SPLIT_WAYBILL.sub(_rejoin, text)


def _join_carrier_code(match: re.Match[str]) -> str:
    """ "pd 583920174261" and "PD-5839-2017-42612" (a recogniser's grouping) start a waybill; a
    word before a short number ("is 5678", "I 123") does not."""
    letters, digits = match.group(1), match.group(2)
    if not letters.isupper() and match.group(0)[len(letters)].isspace():
        return match.group(0)  # "the port 228220": a word and a number (the engine reads "pd 5…")
    if len(re.split(r"[\s.\-]", digits)[0]) >= MIN_WAYBILL_DIGITS:
        return letters.upper() + digits
    grouped = sum(c.isdigit() for c in digits) >= MIN_GROUPED_DIGITS
    if len(letters) >= 2 and letters.isupper() and grouped:
        return letters + digits
    return match.group(0)


def _rejoin(match: re.Match[str]) -> str:
    """ "PD5839201742 612" (a pause heard as a gap) is one waybill; digits beyond a waybill's
    length ("PD5839201742612 5678") stay apart."""
    head, groups = match.group(1), re.split(r"[\s.\-]+", match.group(2).strip(" .-"))
    digits = sum(c.isdigit() for c in head)
    while groups and digits + len(groups[0]) <= MAX_WAYBILL_DIGITS:
        head, digits = head + groups[0], digits + len(groups[0])
        groups.pop(0)
    return " ".join([head, *groups])


def _counted_in_digits(text: str, counters: list[str]) -> str:
    """ "大街二十七号" → "大街27号": house and floor numbers in digits, as addresses are written."""
    import cn2an  # the voice extra's (Chinese numerals both ways)

    counted = "|".join(map(re.escape, counters))
    return re.sub(
        rf"[零〇一二两三四五六七八九十百千]+(?={counted})",
        lambda m: str(cn2an.cn2an(m.group(0), "smart")),
        text,
    )


def _digits(run: str, digits: dict[str, str]) -> str:
    return "".join(digits[c] for c in run)
