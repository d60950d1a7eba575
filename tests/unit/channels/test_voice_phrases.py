"""Short pieces of speech are made once and played again from memory."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from parceldesk.channels.voice.audio import Samples
from parceldesk.channels.voice.phrases import RememberedPhrases


class CountingVoice:
    """A voice whose speech of a text is a tone as long as the text; it counts what it made."""

    name = "counting"

    def __init__(self) -> None:
        self.made: list[str] = []

    def rate(self, language: str) -> int:
        return 1000

    def synthesize(self, text: str, language: str) -> Iterator[Samples]:
        self.made.append(text)
        tone = (0.5 * np.sin(np.arange(100 * len(text)))).astype(np.float32)
        yield tone[: len(tone) // 2]
        yield tone[len(tone) // 2 :]


def spoken(voice: RememberedPhrases, text: str, language: str = "zh") -> Samples:
    return np.concatenate(list(voice.synthesize(text, language)))


def test_a_short_piece_is_made_once_and_then_played_from_memory() -> None:
    counting = CountingVoice()
    voice = RememberedPhrases(counting)
    first = spoken(voice, "好的，已修改。")
    again = spoken(voice, "好的，已修改。")
    assert counting.made == ["好的，已修改。"]
    assert np.max(np.abs(first - again)) < 1e-4  # kept as 16-bit PCM
    assert spoken(voice, "好的，已修改。", "id").size == first.size
    assert counting.made == ["好的，已修改。", "好的，已修改。"]  # each language its own


def test_pieces_that_change_from_call_to_call_are_always_made_afresh() -> None:
    counting = CountingVoice()
    voice = RememberedPhrases(counting)
    for text in ("0 0 0 1，0 0 1 0，", "Please tell me the last four digits of the phone number."):
        spoken(voice, text, "en")
        spoken(voice, text, "en")
    assert len(counting.made) == 4
    assert voice.kept == 0


def test_the_least_recently_played_piece_goes_first_when_the_budget_is_spent() -> None:
    counting = CountingVoice()
    voice = RememberedPhrases(counting, max_bytes=2 * 100 * 4 * 2)  # two 4-character pieces
    for text in ("ABCD", "EFGH", "ABCD", "IJKL"):  # EFGH is the least recently played
        spoken(voice, text)
    assert voice.kept == 2
    spoken(voice, "ABCD")
    spoken(voice, "EFGH")
    assert counting.made == ["ABCD", "EFGH", "IJKL", "EFGH"]
