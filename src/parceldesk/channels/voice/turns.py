"""Where a caller's turn begins and ends, frame by frame, from a voice-activity detector.

Speech starts after ``START_FRAMES`` voiced frames in a row (so a click is not a turn); the turn
ends after ``END_SILENCE_MS`` without speech. After a shorter ``PAUSE_MS`` the utterance so far
is handed out as a guess, so recognition can start while the end of the turn is still awaited:
if the caller goes on speaking the guess is dropped, if not it is the whole utterance but for
silence. While the bot is talking, a caller who starts speaking barges in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from parceldesk.channels.voice.audio import FRAME_MS, Samples, decode_ulaw, to_pcm16
from parceldesk.channels.voice.ports import VoiceActivityDetector

START_FRAMES = 3
END_SILENCE_MS = 400
PAUSE_MS = 120
MAX_TURN_MS = 15000
PRE_ROLL_FRAMES = 10  # audio kept from just before speech was detected


@dataclass(frozen=True)
class Heard:
    """What one frame told: speech started; the caller paused (the utterance so far, worth
    recognising on the guess that the turn is over); or the turn is over (``after_pause``: it
    ended in silence, so it is the last pause's utterance and nothing more was said)."""

    started: bool = False
    pausing: Samples | None = None
    utterance: Samples | None = None
    after_pause: bool = False


@dataclass
class TurnDetector:
    vad: VoiceActivityDetector
    end_silence_ms: int = END_SILENCE_MS
    pause_ms: int = PAUSE_MS
    speaking: bool = False
    _voiced_run: int = 0
    _silent_run: int = 0
    _frames: list[Samples] = field(default_factory=list)

    def feed(self, ulaw: bytes) -> Heard:
        samples = decode_ulaw(ulaw)
        voiced = self.vad.is_speech(to_pcm16(samples))
        self._frames.append(samples)
        if not self.speaking:
            self._voiced_run = self._voiced_run + 1 if voiced else 0
            del self._frames[: -PRE_ROLL_FRAMES - 1]
            if self._voiced_run >= START_FRAMES:
                self.speaking, self._silent_run = True, 0
                return Heard(started=True)
            return Heard()
        self._silent_run = 0 if voiced else self._silent_run + 1
        silent_ms = self._silent_run * FRAME_MS
        if silent_ms >= self.end_silence_ms:
            return Heard(utterance=self._finish(), after_pause=self.pause_ms < silent_ms)
        if len(self._frames) * FRAME_MS >= MAX_TURN_MS:
            return Heard(utterance=self._finish())
        if silent_ms == self.pause_ms:
            return Heard(pausing=self._joined())
        return Heard()

    def _joined(self) -> Samples:
        return np.concatenate(self._frames).astype(np.float32)

    def _finish(self) -> Samples:
        utterance = self._joined()
        self._frames, self.speaking, self._voiced_run = [], False, 0
        return utterance
