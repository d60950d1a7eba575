"""Held-out evaluation of the NLU: accuracy per language and per intent on unseen sentences."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from parceldesk.conversation.nlu.semantic import remembering_embeddings
from parceldesk.conversation.nlu.training import (
    load_bases,
    load_blind,
    rng_for,
    split_bases,
    variants,
)
from parceldesk.conversation.nlu.understand import TRAINING_SEED, Understander
from parceldesk.domain.waybills import WaybillFormat


@dataclass(frozen=True)
class Score:
    correct: int
    total: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


@dataclass(frozen=True)
class HeldOutReport:
    by_language: dict[str, Score]
    by_intent: dict[tuple[str, str], Score]
    mistakes: list[tuple[str, str, str, str]]  # language, expected, predicted, text


def evaluate_held_out(
    formats: tuple[WaybillFormat, ...], folds: Sequence[int] = (0,), variants_per_sentence: int = 3
) -> HeldOutReport:
    """Per fold: train without its written sentences, then classify them (and varied copies).

    All ``FOLDS`` folds together are a cross-validation: every written sentence is judged once by
    a model that never saw it.
    """
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    mistakes = []
    bases = load_bases()
    with remembering_embeddings():
        for fold in folds:
            understander = Understander.train(formats, held_out_fold=fold)
            _, held_out = split_bases(bases, TRAINING_SEED, fold)
            cases = [
                v
                for base in held_out
                for v in variants(
                    base, variants_per_sentence, rng_for(TRAINING_SEED + 1, base), formats
                )
            ]
            results = understander.understand_many([c.text for c in cases], date(2026, 11, 28))
            for case, result in zip(cases, results, strict=True):
                cell = counts[(case.language, case.intent)]
                cell[1] += 1
                if result.intent == case.intent:
                    cell[0] += 1
                else:
                    mistakes.append((case.language, case.intent, result.intent, case.text))
    by_intent = {key: Score(*value) for key, value in sorted(counts.items())}
    languages: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (language, _), score in by_intent.items():
        languages[language][0] += score.correct
        languages[language][1] += score.total
    return HeldOutReport({k: Score(*v) for k, v in languages.items()}, by_intent, mistakes)


@dataclass(frozen=True)
class BlindReport:
    by_language: dict[str, Score]
    by_intent: dict[tuple[str, str], Score]
    mistakes: list[tuple[str, str, str, str]]  # language, expected, predicted, text
    left_out: int  # sentences that are also training sentences


def evaluate_blind(understander: Understander) -> BlindReport:
    """The trained model on the blind sentences (data/nlu_blind), minus any it was trained on."""
    trained = {base.text.strip().lower() for base in load_bases()}
    blind = load_blind()
    cases = [case for case in blind if case.text.strip().lower() not in trained]
    results = understander.understand_many([c.text for c in cases], date(2026, 11, 28))
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    languages: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    mistakes = []
    for case, result in zip(cases, results, strict=True):
        right = result.intent == case.intent
        for cell in (counts[(case.language, case.intent)], languages[case.language]):
            cell[0] += right
            cell[1] += 1
        if not right:
            mistakes.append((case.language, case.intent, result.intent, case.text))
    return BlindReport(
        {k: Score(*v) for k, v in sorted(languages.items())},
        {k: Score(*v) for k, v in sorted(counts.items())},
        mistakes,
        len(blind) - len(cases),
    )
