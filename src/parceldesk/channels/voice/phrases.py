"""Speech already made for short pieces, kept to be played again at once.

A call centre's answers open with the same few pieces over and over ("好的，已修改。", "包裹 P D，",
"Mohon sebutkan 4 digit"), and a slow voice (Kokoro: ~0.4 s for even the shortest piece) makes
the caller wait for each. ``RememberedPhrases`` wraps a synthesiser and keeps the speech of
pieces of at most ``MAX_CHARS`` characters with no digits in them (digits mark what changes from
call to call: waybill groups, house numbers, fees), least recently used first out, within a
budget of bytes. It lives in the process, never on disk.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator

import numpy as np

from parceldesk.channels.voice.audio import Samples
from parceldesk.channels.voice.ports import SpeechSynthesizer

MAX_CHARS = 32
MAX_BYTES = 32 * 2**20  # int16 at 24 kHz: about 11 minutes of speech


def is_remembered(text: str) -> bool:
    """Whether the speech of ``text`` is worth keeping: short, and the same from call to call."""
    return len(text) <= MAX_CHARS and not any(ch.isdigit() for ch in text)


class RememberedPhrases:
    """A ``SpeechSynthesizer`` that remembers what it said (see the module's text)."""

    def __init__(self, voice: SpeechSynthesizer, max_bytes: int = MAX_BYTES) -> None:
        self._voice, self._max_bytes = voice, max_bytes
        self.name = voice.name
        self._kept: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def rate(self, language: str) -> int:
        return self._voice.rate(language)

    def synthesize(self, text: str, language: str) -> Iterator[Samples]:
        key = (language, text.strip())
        if not is_remembered(key[1]):
            yield from self._voice.synthesize(text, language)
            return
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
        if kept is not None:
            yield kept.astype(np.float32) * np.float32(1 / 32767)
            return
        made = []
        for piece in self._voice.synthesize(text, language):
            made.append(piece)
            yield piece
        if made:
            self._keep(key, np.concatenate(made))

    def _keep(self, key: tuple[str, str], speech: Samples) -> None:
        pcm = (np.clip(speech, -1, 1) * 32767).astype(np.int16)
        with self._lock:
            if key in self._kept:
                return
            self._kept[key] = pcm
            self._bytes += pcm.nbytes
            while self._bytes > self._max_bytes and self._kept:
                _, dropped = self._kept.popitem(last=False)
                self._bytes -= dropped.nbytes

    @property
    def kept(self) -> int:
        """How many pieces are kept now."""
        return len(self._kept)
