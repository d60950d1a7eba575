"""Training examples: read per language from ``data/nlu``, filled in and varied, split honestly.

Every written example is a *base*. The split into training and held-out sets is made over bases,
so no variant of a held-out sentence is ever trained on: the held-out score measures how well the
classifier generalises to sentences it has not seen, not how well it remembers them.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from yaml.constructor import BaseConstructor

from parceldesk.domain.languages import LANGUAGES
from parceldesk.domain.waybills import WaybillFormat

OUT_OF_SCOPE = "out_of_scope"
FOLDS = 5


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    language: str


def _read(name: str) -> str:
    return resources.files("parceldesk.conversation").joinpath(f"data/{name}").read_text("utf-8")


@cache
def _augment_data() -> dict[str, Any]:
    data = yaml.safe_load(_read("nlu_augment.yaml"))
    assert isinstance(data, dict)
    return data


def reject_repeated_keys(loader: BaseConstructor, node: yaml.MappingNode) -> None:
    """A key written twice in one mapping is an error: YAML would keep only the second value."""
    keys = [loader.construct_object(key) for key, _ in node.value]
    repeated = sorted({str(k) for k in keys if keys.count(k) > 1})
    if repeated:
        mark = node.start_mark
        where = f"line {mark.line + 1} column {mark.column + 1}"
        raise ValueError(f"{where}: written twice: {', '.join(repeated)}")


class TextLoader(yaml.BaseLoader):
    """Every scalar as text; an intent written twice in one file is an error."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        reject_repeated_keys(self, node)
        return super().construct_mapping(node, deep=deep)


def _strings(name: str) -> Any:
    """YAML with every scalar read as text ("no" and "yes" are answers here, not booleans)."""
    return yaml.load(_read(name), Loader=TextLoader)


def load_bases() -> list[Example]:
    """The written examples of every language, plus the English CLINC150 negatives sample."""
    bases = []
    for language in LANGUAGES:
        folder = resources.files("parceldesk.conversation").joinpath("data/nlu")
        names = sorted(f.name for f in folder.iterdir() if f.name.split(".")[0] == language)
        for name in (f"nlu/{n}" for n in names if n.endswith(".yaml")):
            for intent, texts in _strings(name).items():
                bases += [Example(str(text), intent, language) for text in texts]
    for line in _read("nlu/clinc150-negatives-sample.jsonl").splitlines():
        bases.append(Example(json.loads(line)["text"], OUT_OF_SCOPE, "en"))
    # A sentence written twice must not land in training and in the held-out set at once.
    return list(dict.fromkeys(bases))


def load_blind() -> list[Example]:
    """The blind test sentences of every language (data/nlu_blind), never used to train."""
    blind = []
    for language in LANGUAGES:
        for line in _read(f"nlu_blind/{language}.tsv").splitlines():
            if line.strip() and not line.startswith("#"):
                intent, text = line.split("\t", 1)
                blind.append(Example(text.strip(), intent, language))
    return blind


def load_composed(seed: int, per_pattern: int = 60) -> list[Example]:
    """Sentences composed from the parts in ``data/nlu/compose.yaml``, sampled per pattern."""
    rng = random.Random(seed)
    composed = []
    for language, intents in _strings("nlu/compose.yaml").items():
        for intent, patterns in intents.items():
            for parts in patterns:
                combos = list(itertools.product(*parts))
                picked = rng.sample(combos, min(per_pattern, len(combos)))
                composed += [Example(_join(language, c), intent, language) for c in picked]
    return composed


def _join(language: str, parts: tuple[str, ...]) -> str:
    joiner = "" if language == "zh" else " "
    return " ".join(joiner.join(p for p in parts if p).split()) if joiner else "".join(parts)


def fold_of(base: Example, seed: int, folds: int = FOLDS) -> int:
    """A written sentence's fold, fixed by its words alone: adding data never moves another one.

    The same words under two intents, or typed twice, land in the same fold.
    """
    key = f"{seed}/{base.language}/{base.text.strip().lower()}".encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big") % folds


def split_bases(
    bases: list[Example], seed: int, fold: int = 0, folds: int = FOLDS
) -> tuple[list[Example], list[Example]]:
    """Hold out one fold (a fifth) of the written examples; train on the rest."""
    train: list[Example] = []
    test: list[Example] = []
    for base in bases:
        (test if fold_of(base, seed, folds) == fold else train).append(base)
    return train, test


def rng_for(seed: int, base: Example) -> random.Random:
    """Each sentence's own random variations, whatever else is in the data."""
    return random.Random(f"{seed}/{base.language}/{base.intent}/{base.text}")


# Deleting one of these flips the meaning ("没错" → "错", "不要" → "要", "don't" → "dont" is fine).
_NEGATIONS = frozenset("不没别未无非否")


def _typo(rng: random.Random, text: str) -> str:
    """One slip of the fingers in the written sentence: a dropped, swapped or doubled character.

    Short sentences are left alone (a slip there makes another word, not a typo), and a negation
    is never dropped, so the label stays true.
    """
    if len(text) < 5:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(3)
    if kind == 0 and text[i] not in _NEGATIONS:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + text[i] + text[i:]


def fill(rng: random.Random, text: str, language: str, formats: tuple[WaybillFormat, ...]) -> str:
    data = _augment_data()
    values: dict[str, Callable[[], str]] = {
        "{waybill}": lambda: rng.choice(formats).make(rng.randrange(10**7)),
        "{address}": lambda: rng.choice(data["addresses"][language]),
        "{time}": lambda: rng.choice(data["times"][language]),
        "{digits}": lambda: f"{rng.randrange(10000):04d}",
    }
    for placeholder, make in values.items():
        while placeholder in text:
            text = text.replace(placeholder, make(), 1)
    return text


def variants(
    example: Example, count: int, rng: random.Random, formats: tuple[WaybillFormat, ...]
) -> Iterator[Example]:
    """``count`` varied versions: filled slots, greetings before, particles after, typos, casing."""
    data = _augment_data()
    for index in range(count):
        text = fill(rng, example.text, example.language, formats)
        if index and rng.random() < 0.3:
            text = _typo(rng, text)
        if index and example.intent in data["mention_intents"] and rng.random() < 0.4:
            text = _mention_waybill(rng, text, example.language, formats)
        if index:
            social = "social_" if example.intent in data["social_intents"] else ""
            text = rng.choice(data[f"{social}prefixes"][example.language]) + text
            text += rng.choice(data[f"{social}suffixes"][example.language])
            if rng.random() < 0.2:
                text = text.capitalize() if rng.random() < 0.5 else text.upper()
        yield Example(text, example.intent, example.language)


def _mention_waybill(
    rng: random.Random, text: str, language: str, formats: tuple[WaybillFormat, ...]
) -> str:
    mention = fill(
        rng, rng.choice(_augment_data()["waybill_mentions"][language]), language, formats
    )
    return mention + text if not mention.startswith((" ", "，", ",")) else text + mention


def expand(bases: list[Example], seed: int, formats: tuple[WaybillFormat, ...]) -> list[Example]:
    """Every base with its variants; out-of-scope negatives stay as they are."""
    out: list[Example] = []
    for base in bases:
        count = 1 if base.intent == OUT_OF_SCOPE and base.language == "en" else 8
        out += variants(base, count, rng_for(seed, base), formats)
    return out
