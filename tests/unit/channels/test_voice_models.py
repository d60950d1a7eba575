"""Models put back together from their PyPI parts, and Kokoro's phonemes per language."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from parceldesk.channels.voice.parts import ModelPartsCorrupted, assembled
from parceldesk.channels.voice.whisper import shortened_window


def _parts(folder: Path) -> list[Path]:
    parts = []
    for number, content in enumerate((b"first half ", b"second half")):
        part = folder / f"model.bin.part{number + 1}"
        part.write_bytes(content)
        parts.append(part)
    return parts


def test_parts_are_joined_in_order_once(tmp_path: Path) -> None:
    parts = _parts(tmp_path)
    digest = hashlib.sha256(b"first half second half").hexdigest()
    target = assembled(parts, tmp_path / "models" / "model.bin", digest)
    assert target.read_bytes() == b"first half second half"
    written = target.stat().st_mtime_ns
    assert assembled(parts, target, digest).stat().st_mtime_ns == written


def test_parts_that_do_not_match_their_checksum_leave_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "models" / "model.bin"
    with pytest.raises(ModelPartsCorrupted):
        assembled(_parts(tmp_path), target, hashlib.sha256(b"other").hexdigest())
    assert list(target.parent.iterdir()) == []


def test_a_half_written_model_is_written_again(tmp_path: Path) -> None:
    target = tmp_path / "model.bin"
    target.write_bytes(b"first")  # a copy cut short
    assert assembled(_parts(tmp_path), target).read_bytes() == b"first half second half"


needs_kokoro = pytest.mark.skipif(
    importlib.util.find_spec("misaki") is None or importlib.util.find_spec("piper") is None,
    reason="the voice extra is not installed",
)


@needs_kokoro
def test_mandarin_is_read_in_tones_and_latin_letters_in_english() -> None:
    from parceldesk.channels.voice.kokoro import phonemes

    said = phonemes("运单号 P D 5 8", "zh")
    assert said.startswith("y↘nta→n xau↘")
    assert "pˈiː dˈiː" in said  # the carrier code's letters, read as English letters
    assert "u↓ pa→" in said  # 五 八


@needs_kokoro
def test_indonesian_is_read_by_espeak_in_kokoro_symbols() -> None:
    from parceldesk.channels.voice.kokoro import phonemes

    said = phonemes("Jalan Sudirman", "id")
    assert said.startswith("ʤˈalan")  # d͡ʒ is one symbol in Kokoro's alphabet
    assert "sudˈirman" in said


@needs_kokoro
def test_long_text_is_cut_at_clause_ends_into_pieces_the_model_takes() -> None:
    from parceldesk.channels.voice.kokoro import MAX_TOKENS, _pieces

    clause = "a" * 300 + ","
    pieces = _pieces(" ".join([clause] * 3))
    assert [len(p) for p in pieces] == [301, 301, 301]
    assert all(len(p) <= MAX_TOKENS for p in _pieces("b" * 1200))


def test_whisper_can_read_the_speech_and_a_tail_after_it_instead_of_thirty_seconds() -> None:
    window = np.zeros((1, 80, 3000), dtype=np.float32)
    window[0, :, :251] = -0.5  # 2.51 s of speech, then faster-whisper's zero padding
    window[0, 3, 120] = 0.0  # a zero inside the speech is not its end
    short = shortened_window(window, 1500)
    assert short.shape == (1, 80, 251 + 1500 + 1)  # even for the encoder's stride of 2
    assert np.array_equal(short, window[..., : short.shape[-1]])
    window[0, :, :2900] = 0.25
    assert shortened_window(window, 1500).shape[-1] == 3000  # never longer than the window
    assert shortened_window(np.zeros((80, 3000)), 1000).shape == (80, 1000)  # nothing said
