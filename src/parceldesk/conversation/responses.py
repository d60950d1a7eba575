"""What the bot says, per language, from ``data/responses/<language>.yaml``."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from parceldesk.domain.languages import LANGUAGES


@cache
def _catalogue(language: str) -> dict[str, Any]:
    path = resources.files("parceldesk.conversation").joinpath(f"data/responses/{language}.yaml")
    data = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def say(language: str, key: str, **values: object) -> str:
    """The sentence ``key`` in ``language`` (English if the language is unknown)."""
    catalogue = _catalogue(language if language in LANGUAGES else "en")
    return str(catalogue[key]).format(**values)


def word(language: str, group: str, key: str) -> str:
    """A word from a group, e.g. ``word("zh", "statuses", "in_transit")``."""
    catalogue = _catalogue(language if language in LANGUAGES else "en")
    return str(catalogue[group][key])


def find_word(language: str, group: str, key: str) -> str | None:
    """A word from a group, or None when the group has none for ``key``."""
    catalogue = _catalogue(language if language in LANGUAGES else "en")
    found = catalogue.get(group, {}).get(key)
    return None if found is None else str(found)


@cache
def _quick_replies() -> dict[str, dict[str, list[str]]]:
    path = resources.files("parceldesk.conversation").joinpath("data/quick_replies.yaml")
    data: dict[str, dict[str, list[str]]] = yaml.safe_load(path.read_text("utf-8"))
    return data


def quick_reply_texts(language: str) -> dict[str, list[str]]:
    """The buttons offered in ``language``, by when they are offered (data/quick_replies.yaml)."""
    return _quick_replies()[language if language in LANGUAGES else "en"]
