"""Understanding one message: language, intent with confidence, and slots.

Slots are found by rules first and masked (a waybill becomes ``⟨waybill⟩``) before the classifier
sees the text, so the intent never depends on which number a customer typed.
"""

from __future__ import annotations

import hashlib
import pickle
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

import sklearn
import yaml

from parceldesk.conversation.addresses import looks_like_address, parse_address, strip_lead_in
from parceldesk.conversation.language import detect_language, warm_up_language_detection
from parceldesk.conversation.nlu.classifier import MODEL_FORMAT, IntentClassifier
from parceldesk.conversation.nlu.semantic import EMBEDDER_NAME, find_embedder
from parceldesk.conversation.nlu.spelling import normalise_spelling
from parceldesk.conversation.nlu.training import (
    Example,
    expand,
    load_bases,
    load_composed,
    split_bases,
)
from parceldesk.conversation.slots import Slot, extract_slots
from parceldesk.domain.waybills import WaybillFormat

MASKED = ("waybill", "waybill_invalid", "phone", "digits")
ASSISTANT_TOPIC = "assistant"
ASKS_FOR_A_PERSON = re.compile(
    r"转人工|人工客服|\bagent\b|\bagen\b|talk to|speak (?:to|with)|connect me|transfer me|"
    r"bicara (?:dengan|sama)|sambungkan",
    re.IGNORECASE,
)
TRAINING_SEED = 20261128


@dataclass(frozen=True)
class Understanding:
    text: str
    language: str
    intent: str
    confidence: float
    slots: tuple[Slot, ...]

    def slot(self, kind: str) -> str | None:
        return next((s.value for s in self.slots if s.type == kind), None)


def mask(text: str, slots: Sequence[Slot]) -> str:
    """What the intent model reads: slots masked, chat spellings read as words."""
    out, last = [], 0
    for slot in sorted((s for s in slots if s.type in MASKED), key=lambda s: s.start):
        out += [text[last : slot.start], f" ⟨{slot.type}⟩ "]
        last = slot.end
    return normalise_spelling("".join([*out, text[last:]]).strip())


@cache
def _faq_topics() -> dict[str, tuple[str, ...]]:
    path = resources.files("parceldesk.conversation").joinpath("data/faq_topics.yaml")
    data = yaml.safe_load(path.read_text("utf-8"))
    return {topic: tuple(str(k).lower() for k in keys) for topic, keys in data.items()}


def find_faq_topic(text: str) -> str | None:
    lowered = text.lower()
    return next((t for t, keys in _faq_topics().items() if any(k in lowered for k in keys)), None)


def asks_about_the_assistant(text: str) -> bool:
    """ "Am I talking to a bot?", "你是真人吗": answered by the dialogue whatever the intent (the
    training data, CLINC150's included, calls it out of scope), unless a person is asked for."""
    return find_faq_topic(text) == ASSISTANT_TOPIC and not ASKS_FOR_A_PERSON.search(text)


def find_address_slot(text: str) -> Slot | None:
    """An ``address`` slot: normalised when it can be parsed, else the words as written."""
    if not looks_like_address(text):
        return None
    body = strip_lead_in(text)
    start = text.find(body) if body else -1
    if start < 0:
        return None
    parsed = parse_address(body, None) if re.search(r"[\u4e00-\u9fff]", body) else None
    value = parsed.one_line() if parsed and parsed.city else body
    return Slot("address", value, start, start + len(body))


def training_fingerprint() -> str:
    """Changes whenever the training data or the library that trains on it changes."""
    embedder = EMBEDDER_NAME if find_embedder() is not None else "no embedder"
    digest = hashlib.sha256(f"{sklearn.__version__}/{MODEL_FORMAT}/{embedder}".encode())
    data = resources.files("parceldesk.conversation").joinpath("data")
    files = sorted(
        f"nlu/{entry.name}" for entry in data.joinpath("nlu").iterdir() if entry.is_file()
    )
    names = ["nlu_augment.yaml", "nlu_spelling.yaml", *files]
    for name in names:
        digest.update(data.joinpath(name).read_bytes())
    return digest.hexdigest()[:16]


class Understander:
    """The embedded NLU. ``ports.Understander`` is the seam for another (e.g. LLM-backed) one."""

    def __init__(self, classifier: IntentClassifier, formats: tuple[WaybillFormat, ...]) -> None:
        self._classifier = classifier
        self._formats = formats

    @classmethod
    def train(
        cls, formats: tuple[WaybillFormat, ...], *, held_out_fold: int | None = None
    ) -> Understander:
        """Train on every written example, or on all but the fold ``held_out_fold``."""
        bases = load_bases()
        if held_out_fold is not None:
            bases, _ = split_bases(bases, TRAINING_SEED, held_out_fold)
        examples = expand(bases + load_composed(TRAINING_SEED), TRAINING_SEED, formats)

        def masked(texts: list[Example]) -> list[str]:
            return [mask(e.text, extract_slots(e.text, formats, date(2026, 1, 1))) for e in texts]

        classifier = IntentClassifier.train(
            masked(examples),
            [e.intent for e in examples],
            meanings=(masked(bases), [b.intent for b in bases]),
        )
        return cls(classifier, formats)

    @classmethod
    def load_or_train(
        cls, formats: tuple[WaybillFormat, ...], cache_dir: Path | None
    ) -> Understander:
        """A model trained once and kept in ``cache_dir`` (it is the project's own, made here)."""
        if cache_dir is None:
            return cls.train(formats)
        path = cache_dir / f"nlu-{training_fingerprint()}.pickle"
        if path.exists():
            classifier = pickle.loads(path.read_bytes())
            return cls(classifier, formats)
        understander = cls.train(formats)
        cache_dir.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(pickle.dumps(understander._classifier))
        temporary.replace(path)
        return understander

    def understand_many(
        self, texts: Sequence[str], today: date, hints: Sequence[str | None] | None = None
    ) -> list[Understanding]:
        slot_lists = [extract_slots(t, self._formats, today) for t in texts]
        hints = hints or [None] * len(texts)
        languages = [detect_language(t, h).language for t, h in zip(texts, hints, strict=True)]
        scores = self._classifier.predict(
            [mask(t, s) for t, s in zip(texts, slot_lists, strict=True)],
            languages,
            [any(slot.type == "waybill" for slot in slots) for slots in slot_lists],
        )
        results = []
        for text, slots, score, language in zip(texts, slot_lists, scores, languages, strict=True):
            found = list(slots)
            if (address := find_address_slot(text)) is not None:
                found.append(address)
            if score.intent == "faq" and (topic := find_faq_topic(text)):
                found.append(Slot("faq_topic", topic, 0, len(text)))
            results.append(
                Understanding(text, language, score.intent, score.confidence, tuple(found))
            )
        return results

    def warm_up(self, today: date) -> None:
        """Load what the first messages would otherwise wait for: jionlp's gazetteer for the
        first Chinese address (~0.6 s) and its list of districts for the first misspelt one
        (~0.5 s), the sentence embedder for the first unsure message (~1 s) and the language
        detector's letters model for the first Latin one (~1 s)."""
        warm_up_language_detection()
        self.understand("改到北京市海淀区中关村大街27号", today)
        parse_address("改到北京市海定区中关村大街27号", None)  # 海定: loads the districts
        if (embedder := find_embedder()) is not None:
            embedder.embed(["hello"])

    def understand(self, text: str, today: date, hint: str | None = None) -> Understanding:
        return self.understand_many([text], today, [hint])[0]
