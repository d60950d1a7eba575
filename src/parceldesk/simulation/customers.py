"""Simulated customers: a goal, a language, how patient they are, how they phrase things, the
mistakes they make, when they ask for a person, whether they answer the survey, and when in
the day they come. Deterministic for a seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from parceldesk.domain.errors import InvalidInput
from parceldesk.domain.languages import LANGUAGES

GOALS = ("track_parcel", "change_address", "reschedule_delivery", "intercept_return",
         "complaint", "faq", "human_agent")  # fmt: skip
RATES_SURVEY = 0.35  # share of customers who answer a satisfaction survey when asked
POLITE = 0.05  # share who say "yes, that answered it" whether it did or not


@dataclass(frozen=True)
class Persona:
    number: int
    goal: str
    language: str
    opening: str  # a template with {w}
    patience: int  # turns before giving up
    wrong_digits_first: bool
    thanks: bool  # says thank you once helped
    asks_for_person_when_stuck: bool
    rates: bool = False  # answers the satisfaction survey when asked
    polite: bool = False  # says the answer helped even when it did not


@cache
def phrases() -> dict[str, dict[str, Any]]:
    return _data("phrases.yaml")


def _data(name: str) -> dict[Any, Any]:
    path = resources.files("parceldesk.simulation").joinpath(f"data/{name}")
    data: dict[Any, Any] = yaml.safe_load(path.read_text("utf-8"))
    return data


def load_mix(path: str | None) -> dict[str, float]:
    source = resources.files("parceldesk.simulation").joinpath("data/default-mix.yaml")
    try:
        text = Path(path).read_text("utf-8") if path else source.read_text("utf-8")
        mix = {str(k): float(v) for k, v in (yaml.safe_load(text) or {}).items()}
    except (OSError, yaml.YAMLError, ValueError, AttributeError) as error:
        raise InvalidInput(f"cannot read the intent mix {path}: {error}") from None
    unknown = set(mix) - set(GOALS)
    if unknown or not mix or any(v < 0 for v in mix.values()) or sum(mix.values()) <= 0:
        extra = f" (not {', '.join(sorted(unknown))})" if unknown else ""
        raise InvalidInput(f"an intent mix gives non-negative shares of {', '.join(GOALS)}{extra}")
    return mix


def check_languages(text: str) -> tuple[str, ...]:
    chosen = tuple(x.strip() for x in text.split(",") if x.strip())
    if not chosen or not set(chosen) <= set(LANGUAGES):
        raise InvalidInput(f"--languages is some of {', '.join(LANGUAGES)}")
    return chosen


def make_personas(
    count: int, mix: dict[str, float], languages: tuple[str, ...], seed: int
) -> list[Persona]:
    if count < 1:
        raise InvalidInput("--conversations must be at least 1")
    rng = random.Random(seed)
    goals, weights = list(mix), list(mix.values())
    personas = []
    for number in range(count):
        goal, language = rng.choices(goals, weights)[0], rng.choice(languages)
        personas.append(Persona(
            number, goal, language, rng.choice(phrases()[language][goal]),
            patience=rng.randint(5, 10), wrong_digits_first=rng.random() < 0.15,
            thanks=rng.random() < 0.5, asks_for_person_when_stuck=rng.random() < 0.5,
            rates=rng.random() < RATES_SURVEY, polite=rng.random() < POLITE,
        ))  # fmt: skip
    return personas


def arrival_times(count: int, day: datetime, seed: int) -> list[datetime]:
    """When ``count`` customers start their conversations in the day from ``day`` (local
    midnight), by the hourly profile in ``data/arrivals.yaml``; sorted."""
    profile = {int(hour): float(weight) for hour, weight in _data("arrivals.yaml").items()}
    rng = random.Random(seed)
    hours = rng.choices(list(profile), list(profile.values()), k=count)
    return sorted(day + timedelta(hours=hour, seconds=rng.uniform(0, 3600)) for hour in hours)
