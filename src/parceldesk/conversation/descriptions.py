"""Whether a message says what happened, or only asks to complain or to claim.

"I want to make a complaint about PD…" asks; "the courier was rude to my mum" tells. A complaint
or a claim is filed with what the customer told, so a message that only asks is answered with
"what happened?" rather than filed with itself as its description. The words that only ask are
data (``description_words.yaml``).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml

from parceldesk.conversation.nlu.understand import Understanding

OPENING_WORDS = 2  # a first message tells what happened with this many words of its own
OPENING_CHINESE = 3  # or this many Chinese characters
ANSWER_WORDS = 1  # an answer to "what happened?" with this many ("smashed", "碎了")

_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


@cache
def _asking_words() -> tuple[frozenset[str], tuple[str, ...]]:
    path = resources.files("parceldesk.conversation").joinpath("data/description_words.yaml")
    data = yaml.load(path.read_text("utf-8"), Loader=yaml.BaseLoader)
    words = [str(w).lower() for ws in data.values() for w in ws]
    chinese = tuple(sorted((w for w in words if _HAN.search(w)), key=len, reverse=True))
    return frozenset(w for w in words if not _HAN.search(w)), chinese


def _told(u: Understanding) -> tuple[int, int]:
    """The words (Latin) and characters (Chinese) of ``u`` that are neither slots nor asking."""
    rest = list(u.text.lower())
    for slot in u.slots:
        if slot.type != "faq_topic":
            rest[slot.start : slot.end] = [" "] * (slot.end - slot.start)
    text = "".join(rest)
    latin, chinese = _asking_words()
    for phrase in chinese:
        text = text.replace(phrase, " ")
    words = [w for w in _LATIN_WORD.findall(text) if w not in latin and not _HAN.search(w)]
    return len(words), len(_HAN.findall(text))


def tells_what_happened(u: Understanding) -> bool:
    """A first message that already describes the problem (so it is not asked for again)."""
    words, characters = _told(u)
    return words >= OPENING_WORDS or characters >= OPENING_CHINESE


def answers_what_happened(u: Understanding) -> bool:
    """An answer to "what happened?" that says something ("ya ajukan klaim" does not)."""
    words, characters = _told(u)
    return words + characters >= ANSWER_WORDS
