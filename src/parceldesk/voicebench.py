"""`parceldesk bench voice`: phone calls placed against a real server, and the recogniser's error.

Calls go over a real WebSocket to ``parceldesk serve`` in another process. The caller's speech is
synthesised by the project (never recorded people), sent in real time as 20 ms μ-law frames and
followed by silence; the latency is from the caller's last frame of speech to the bot's first
audio frame, so it includes the end-of-turn wait. ASR error is measured in-process on the same
synthesised sentences, once clean (16 kHz) and once through 8 kHz μ-law like a phone line.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import statistics
import time
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import websockets

from parceldesk.channels.voice.audio import (
    TELEPHONE_RATE,
    Samples,
    decode_ulaw,
    encode_ulaw,
    frames_of,
    resample,
)
from parceldesk.channels.voice.engines import VoiceEngines
from parceldesk.channels.voice.speech_text import heard_text
from parceldesk.channels.voice.turns import END_SILENCE_MS, PAUSE_MS
from parceldesk.channels.voice.whisper import WHISPER_RATE
from parceldesk.conversation.events import CallEvent
from parceldesk.conversation.ports import ConversationStore

CHARACTER_LANGUAGES = ("zh",)
LONG_NUMBER_DIGITS = 5
SENTENCES = {
    "en": [
        "Where is my parcel? The waybill number is {waybill}.",
        "I want to change the delivery address.",
        "Can you deliver it tomorrow afternoon instead?",
        "Please send it back to the sender.",
        "The box arrived broken and I want to make a claim.",
        "Hold it at the station, I will pick it up myself.",
        "Yes, please go ahead.",
        "No, that is not right.",
        "Deliver it to 25 Scotts Road, Singapore 2 2 8 2 2 0.",
        "My phone number is 1 3 8 1 2 3 4 5 6 7 8.",
    ],
    "zh": [
        "我的快递到哪里了？运单号是 {waybill}。",
        "我要修改收货地址。",
        "改到北京市海淀区中关村大街27号。",
        "能不能明天下午送？",
        "帮我退回给寄件人。",
        "箱子摔坏了，我要索赔。",
        "好的，确认。",
        "不对，是5号楼。",
        "改到北京市朝阳区建国路88号，邮编 1 0 0 0 2 2。",
        "我的手机号是 1 3 8 1 2 3 4 5 6 7 8。",
    ],
    "id": [
        "Paket saya di mana? Nomor resinya {waybill}.",
        "Saya mau ganti alamat pengiriman.",
        "Alamat baru saya Jalan Kemang Raya nomor 8.",
        "Bisa dikirim besok sore?",
        "Tolong kembalikan ke pengirim.",
        "Kotaknya rusak, saya mau klaim.",
        "Ya, benar.",
        "Bukan, gedung nomor 5.",
        "Kirim ke Jalan Sudirman nomor 5, kode pos 1 0 2 2 0.",
        "Nomor HP saya 0 8 1 2 3 4 5 6 7 8 9.",
    ],
}


@dataclass(frozen=True)
class VoiceLatency:
    language: str
    concurrent_calls: int
    turns: int
    p50_ms: float
    p95_ms: float
    gap_p95_ms: float = 0.0  # silence inside an answer while its next piece was being made


@dataclass(frozen=True)
class AsrError:
    language: str
    sentences: int
    clean: float  # word (Mandarin: character) error rate
    phone_line: float
    numbers: int = 0  # sentences holding a long number (waybill, postal code, phone number)
    numbers_heard: int = 0  # of them, through the phone line, with every digit right and in order

    @property
    def unit(self) -> str:
        return "character" if self.language in CHARACTER_LANGUAGES else "word"


@dataclass(frozen=True)
class TimeSpent:
    """Medians (ms) of what the server kept on each call: recognition, the part of it still
    running when the turn ended, the turn (end of turn to the engine's answer) and the first
    audio sent (end of turn to it). Before all this comes the end-of-turn wait."""

    language: str
    turns: int
    asr_ms: float
    asr_wait_ms: float
    turn_ms: float
    first_audio_ms: float
    end_silence_ms: int = END_SILENCE_MS  # the turn detector's settings the times were kept with
    pause_ms: int = PAUSE_MS


def find_time_spent(
    store: ConversationStore, language: str, since: datetime, until: datetime
) -> TimeSpent | None:
    """What the calls in ``language`` started in [since, until) kept, or None without calls."""
    kept: dict[str, list[float]] = {}
    for record, events in store.list_logs(since, until):
        if record.channel != "voice" or record.language != language:
            continue
        for stored in events:
            if isinstance(stored.event, CallEvent):
                for name, value in stored.event.detail.items():
                    if name.endswith("_ms"):
                        kept.setdefault(name, []).append(float(value))
    names = ("asr_ms", "asr_wait_ms", "turn_ms", "first_audio_ms")
    if not all(kept.get(name) for name in names):
        return None
    asr, wait, turn, first = (statistics.median(kept[name]) for name in names)
    return TimeSpent(language, len(kept["first_audio_ms"]), asr, wait, turn, first)


def spelled(waybill: str) -> str:
    return " ".join(waybill)


def word_error_rate(pairs: list[tuple[str, str]], language: str = "en") -> float:
    """Word edits over reference words (letters and digits run together count as one word);
    in Chinese, which has no spaces, each character is a word (character error rate)."""
    edits = words = 0
    for reference, heard in pairs:
        ref, hyp = _words(reference, language), _words(heard, language)
        edits, words = edits + _edit_distance(ref, hyp), words + len(ref)
    return edits / words if words else 0.0


def count_numbers_heard(pairs: list[tuple[str, str]], language: str = "en") -> tuple[int, int]:
    """How many of the sentences that hold a long number (``LONG_NUMBER_DIGITS`` digits or
    more) there were, and in how many every digit was heard, in order, with nothing added
    (digits the recogniser wrote in words count as digits)."""
    numbers = heard = 0
    for reference, said in pairs:
        expected = _digits_in(heard_text(reference, language))
        if len(expected) >= LONG_NUMBER_DIGITS:
            said_digits = _digits_in(heard_text(said, language))
            numbers, heard = numbers + 1, heard + (said_digits == expected)
    return numbers, heard


def _digits_in(text: str) -> str:
    return re.sub(r"\D", "", text)


def _words(text: str, language: str = "en") -> list[str]:
    text = re.sub(r"(?<=\b[A-Za-z0-9]) (?=[A-Za-z0-9]\b)", "", text)  # "P D 5 8" -> "PD58"
    text = re.sub(r"[^\w\s]", " ", text.lower().replace("-", ""))
    if language in CHARACTER_LANGUAGES:
        return re.findall(r"[\u4e00-\u9fff]|[a-z0-9]+", text)
    return text.split()


def _edit_distance(a: list[str], b: list[str]) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def caller_speech(engines: VoiceEngines, text: str, language: str) -> Samples:
    """The sentence as 8 kHz float samples, as the caller's phone would send it."""
    synthesizer = engines.synthesizer
    speech = np.concatenate(list(synthesizer.synthesize(text, language)))
    return resample(speech, synthesizer.rate(language), TELEPHONE_RATE) * np.float32(0.7)


def measure_asr(engines: VoiceEngines, language: str, waybill: str) -> AsrError:
    clean, phone = [], []
    synthesizer = engines.synthesizer
    for sentence in SENTENCES[language]:
        text = sentence.format(waybill=spelled(waybill))
        speech = np.concatenate(list(synthesizer.synthesize(text, language)))
        direct = resample(speech, synthesizer.rate(language), WHISPER_RATE)
        heard = engines.recognizer.transcribe(direct, WHISPER_RATE, language)
        clean.append((text, heard_text(heard, language)))
        line = decode_ulaw(encode_ulaw(caller_speech(engines, text, language)))
        heard = engines.recognizer.transcribe(line, TELEPHONE_RATE, language)
        phone.append((text, heard_text(heard, language)))
    numbers, numbers_heard = count_numbers_heard(phone, language)
    return AsrError(
        language, len(clean), word_error_rate(clean, language), word_error_rate(phone, language),
        numbers, numbers_heard,
    )  # fmt: skip


def measure_calls(
    url: str, utterances: list[bytes], language: str, concurrent_calls: int, rounds: int = 1
) -> VoiceLatency:
    """``concurrent_calls`` calls at once, ``rounds`` times one after another (more turns make a
    p95 worth reading: one call of four turns has no 95th percentile to speak of)."""

    async def everyone() -> list[list[Answered]]:
        calls = [_call(url, utterances, language) for _ in range(concurrent_calls)]
        return list(await asyncio.gather(*calls))

    answers = [a for _ in range(rounds) for call in asyncio.run(everyone()) for a in call]
    timings = sorted(a.first_audio for a in answers)
    gaps = sorted(a.gaps for a in answers)
    return VoiceLatency(
        language, concurrent_calls, len(timings), statistics.median(timings) * 1000,
        _p95(timings) * 1000, _p95(gaps) * 1000,
    )  # fmt: skip


REAL_TIME_GAP_MS = 200.0
"""Silence inside an answer (p95) a caller does not notice as a stutter: no longer than the
pause at a comma. Above it the machine no longer makes speech as fast as it is played."""

TARGET_P95_MS = 800.0
"""The issue's target for end of caller speech to first bot audio (English)."""


def find_sustained_calls(runs: list[VoiceLatency], within_ms: float | None = None) -> int:
    """The most simultaneous calls this machine kept in real time: every level up to it made
    speech as fast as it played (silence inside answers p95 ≤ ``REAL_TIME_GAP_MS``) and, when
    ``within_ms`` is given, answered within it (p95). 0 when even one call did not."""
    sustained = 0
    for run in sorted(runs, key=lambda r: r.concurrent_calls):
        late = within_ms is not None and run.p95_ms > within_ms
        if run.gap_p95_ms > REAL_TIME_GAP_MS or late:
            break
        sustained = run.concurrent_calls
    return sustained


def _p95(values: list[float]) -> float:
    return values[min(len(values) - 1, int(0.95 * len(values)))]


@dataclass(frozen=True)
class Answered:
    first_audio: float  # seconds from the end of the caller's speech to the first bot audio
    gaps: float  # seconds of silence inside the answer, played as it arrived


@dataclass
class Playback:
    """A phone playing the bot's audio as it arrives: when it would have had nothing to play."""

    first: float | None = None
    playhead: float = 0.0
    gaps: float = 0.0

    def received(self, ulaw_bytes: int, now: float) -> None:
        if self.first is None:
            self.first, self.playhead = now, now
        elif now > self.playhead:
            self.gaps += now - self.playhead
            self.playhead = now
        self.playhead += ulaw_bytes / TELEPHONE_RATE


async def _call(url: str, utterances: list[bytes], language: str) -> list[Answered]:
    async with websockets.connect(url, max_size=2**22) as socket:
        start = {"streamSid": "bench", "customParameters": {"language": language}}
        await socket.send(json.dumps({"event": "start", "start": start}))
        await _until_answered(socket, Playback())
        answers = []
        for ulaw in utterances:
            answers.append(await _turn(socket, ulaw))
        await socket.send(json.dumps({"event": "stop", "stop": {}}))
        return answers


async def _turn(socket: websockets.ClientConnection, ulaw: bytes) -> Answered:
    """Send speech in real time, then silence until the bot answers: seconds to first audio."""
    playback = Playback()
    listening = asyncio.create_task(_until_answered(socket, playback))
    begin, silence = time.perf_counter(), encode_ulaw(np.zeros(160, dtype=np.float32))
    frames = frames_of(ulaw)
    for number, frame in enumerate(frames):
        await _paced(socket, frame, begin + number * 0.02)
    spoke_until, number = time.perf_counter(), len(frames)
    while not listening.done():  # a phone line streams until the answer is over, like a gateway
        await _paced(socket, silence, begin + number * 0.02)
        number += 1
    await listening
    if playback.first is None:
        raise RuntimeError("the bot answered with no audio")
    return Answered(playback.first - spoke_until, playback.gaps)


async def _paced(socket: websockets.ClientConnection, frame: bytes, at: float) -> None:
    await asyncio.sleep(max(0.0, at - time.perf_counter()))
    payload = base64.b64encode(frame).decode()
    await socket.send(json.dumps({"event": "media", "media": {"payload": payload}}))


async def _until_answered(socket: websockets.ClientConnection, playback: Playback) -> None:
    """Play the bot's answer as it arrives, echo its marks, stop at its last one."""
    while True:
        frame = json.loads(await socket.recv())
        if frame["event"] == "media":
            audio = base64.b64decode(frame["media"]["payload"])
            playback.received(len(audio), time.perf_counter())
        elif frame["event"] == "mark":
            await socket.send(json.dumps({"event": "mark", "mark": frame["mark"]}))
            if frame["mark"]["name"].endswith("-end"):
                return
        elif frame["event"] == "error":
            raise RuntimeError(frame["message"])
