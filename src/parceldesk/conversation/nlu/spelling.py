"""Chat spellings read as the words they stand for ("gak" → "tidak", "pls" → "please").

Chinese too: "啥" → "什么".

The intent model reads a message after this, in training and in prediction alike: the written
sentences use "ga", "gak", "nggak" and "tidak" for one word, and a customer may use a fifth, so
pooling them gives the model one feature to learn instead of several half-learnt ones. Slots are
found on the message as written, before this runs. The list is data (``nlu_spelling.yaml``).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml

from parceldesk.conversation.nlu.training import TextLoader

_LATIN = re.compile(r"[A-Za-z0-9']+")


@cache
def _replacements() -> tuple[re.Pattern[str], dict[str, str]]:
    path = resources.files("parceldesk.conversation").joinpath("data/nlu_spelling.yaml")
    data = yaml.load(path.read_text("utf-8"), Loader=TextLoader)
    table: dict[str, str] = {}
    for language, words in data.items():
        for word, spellings in words.items():
            for spelling in spellings:
                key = spelling.lower()
                if key in table and table[key] != word:
                    raise ValueError(f"{path}: {spelling!r} stands for two words ({language})")
                table[key] = word
    keys = sorted(table, key=len, reverse=True)
    parts = [
        rf"(?<![\w']){re.escape(k)}(?![\w'])" if _LATIN.fullmatch(k) else re.escape(k) for k in keys
    ]
    return re.compile("|".join(parts), re.IGNORECASE), table


def normalise_spelling(text: str) -> str:
    """``text`` with each chat spelling replaced by the word it stands for."""
    pattern, table = _replacements()
    return pattern.sub(lambda match: table[match.group(0).lower()], text)
