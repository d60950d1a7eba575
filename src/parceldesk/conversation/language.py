"""Which language a message is in: Chinese, English or Indonesian, with mixed messages common.

Chinese is recognised by its script; English and Indonesian by marker words
(``data/language_markers.yaml``). A message with both Chinese characters and Latin words counts as
Chinese when most of its letters are Chinese, which is how code-switching customers write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

_WORD = re.compile(r"[a-z']+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class LanguageGuess:
    language: str
    scores: dict[str, float]
    mixed: bool


@cache
def _markers() -> dict[str, frozenset[str]]:
    text = resources.files("parceldesk.conversation").joinpath("data/language_markers.yaml")
    data = yaml.safe_load(text.read_text("utf-8"))
    return {language: frozenset(words) for language, words in data.items()}


def detect_language(text: str, hint: str | None = None) -> LanguageGuess:
    """The message's main language; ``hint`` (e.g. the conversation's language) breaks ties."""
    han = len(_HAN.findall(text))
    words = _WORD.findall(text.lower())
    markers = _markers()
    counts = {lang: sum(w in markers[lang] for w in words) for lang in ("en", "id")}
    latin = sum(len(w) for w in words)
    scores = {
        "zh": han / max(1, han + latin / 4),
        **{k: v / max(1, len(words)) for k, v in counts.items()},
    }
    mixed = sum(score > 0.15 for score in scores.values()) > 1
    if han and han * 4 >= latin and max(counts.values()) < 3:
        return LanguageGuess("zh", scores, mixed)
    if counts["en"] == counts["id"]:
        fallback = hint if hint in {"zh", "en", "id"} else ("zh" if han else "en")
        return LanguageGuess(fallback, scores, mixed)
    best = "id" if counts["id"] > counts["en"] else "en"
    return LanguageGuess(best, scores, mixed)
