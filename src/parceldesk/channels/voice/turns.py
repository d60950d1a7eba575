"""Where a caller's turn begins and ends, frame by frame, from a voice-activity detector.

Speech starts after ``START_FRAMES`` voiced frames in a row (so a click is not a turn); the turn
ends after ``END_SILENCE_MS`` without speech. While the bot is talking, a caller who starts
speaking barges in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from parceldesk.channels.voice.audio import FRAME_MS, Samples, decode_ulaw, to_pcm16
from parceldesk.channels.voice.ports import VoiceActivityDetector

START_FRAMES = 3
END_SILENCE_MS = 400
MAX_TURN_MS = 15000
PRE_ROLL_FRAMES = 10  # audio kept from just before speech was detected


@dataclass
class TurnDetector:
    vad: VoiceActivityDetector
    end_silence_ms: int = END_SILENCE_MS
    speaking: bool = False
    _voiced_run: int = 0
    _silent_run: int = 0
    _frames: list[Samples] = field(default_factory=list)

    def feed(self, ulaw: bytes) -> tuple[bool, Samples | None]:
        """(speech just started, the whole utterance if this frame ended a turn)."""
        samples = decode_ulaw(ulaw)
        voiced = self.vad.is_speech(to_pcm16(samples))
        self._frames.append(samples)
        if not self.speaking:
            self._voiced_run = self._voiced_run + 1 if voiced else 0
            del self._frames[: -PRE_ROLL_FRAMES - 1]
            if self._voiced_run >= START_FRAMES:
                self.speaking, self._silent_run = True, 0
                return True, None
            return False, None
        self._silent_run = 0 if voiced else self._silent_run + 1
        too_long = len(self._frames) * FRAME_MS >= MAX_TURN_MS
        if self._silent_run * FRAME_MS >= self.end_silence_ms or too_long:
            return False, self._finish()
        return False, None

    def _finish(self) -> Samples:
        utterance = np.concatenate(self._frames).astype(np.float32)
        self._frames, self.speaking, self._voiced_run = [], False, 0
        return utterance
