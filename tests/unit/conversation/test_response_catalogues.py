"""Every language says everything: the same sentences, with the same values to fill in."""

from __future__ import annotations

import string
from importlib import resources
from typing import Any

import yaml

from parceldesk.conversation.actions import refusal_text
from parceldesk.domain.languages import LANGUAGES


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        elif isinstance(value, list):
            flat.update({f"{prefix}{key}.{i}": str(v) for i, v in enumerate(value)})
        else:
            flat[f"{prefix}{key}"] = str(value)
    return flat


def _catalogue(language: str) -> dict[str, str]:
    path = resources.files("parceldesk.conversation").joinpath(f"data/responses/{language}.yaml")
    return _flatten(yaml.safe_load(path.read_text("utf-8")))


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_language_has_every_sentence_with_the_same_placeholders() -> None:
    english = _catalogue("en")
    assert "refused_reasons.too_far_ahead" in english
    for language in LANGUAGES:
        catalogue = _catalogue(language)
        assert set(catalogue) == set(english), language
        for key, text in english.items():
            assert _placeholders(catalogue[key]) == _placeholders(text), (language, key)


def test_a_refusal_is_worded_in_the_customers_language_never_with_the_english_reason() -> None:
    reason = "deliveries can be booked 7 days ahead"
    values = {"days": "7", "last": "2026-12-05"}
    for language in ("zh", "id"):
        for code in ("too_far_ahead", "a_code_with_no_wording_yet"):
            text = refusal_text(language, code, reason, values)
            assert text, (language, code)
            assert reason not in text, (language, code)
    assert "2026-12-05" in refusal_text("zh", "too_far_ahead", reason, values)
    assert reason in refusal_text("en", "a_code_with_no_wording_yet", reason, {})


def test_a_refusal_missing_a_value_its_sentence_names_is_still_said() -> None:
    assert refusal_text("zh", "too_far_ahead", "too far", {}) == refusal_text("zh", "?", "", {})
    assert "too far" in refusal_text("en", "too_far_ahead", "too far", {})
