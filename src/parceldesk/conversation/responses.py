"""What the bot says, per language, from ``data/responses/<language>.yaml``."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

LANGUAGES = ("zh", "en", "id")


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
