"""What the voice channel needs from speech engines; a carrier may plug in its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from parceldesk.channels.voice.audio import Samples
from parceldesk.domain.errors import ParceldeskError


class LanguageNotSpoken(ParceldeskError):
    """The engines have no model for the language asked for."""

    code = "language_not_spoken"


class SpeechRecognizer(Protocol):
    """Speech to text in a given language."""

    name: str

    def prepare(self, language: str) -> None:
        """Load what ``language`` needs now, not in the caller's first turn."""

    def transcribe(self, samples: Samples, rate: int, language: str) -> str: ...


class SpeechSynthesizer(Protocol):
    """Text to speech, in pieces as they are produced (float samples at ``rate``)."""

    name: str

    def rate(self, language: str) -> int: ...

    def synthesize(self, text: str, language: str) -> Iterator[Samples]: ...


class VoiceActivityDetector(Protocol):
    """Whether a 20 ms frame of 8 kHz 16-bit PCM holds speech."""

    name: str

    def is_speech(self, pcm16: bytes) -> bool: ...
