"""One phone call: media-stream frames in, the conversation engine, synthesised speech out.

The caller's audio goes through the turn detector; a finished turn is transcribed, normalised
(``heard_text``) and posted to the conversation like a chat message; the replies are normalised
(``spoken_text``), synthesised sentence by sentence and streamed back as 8 kHz μ-law, a mark after
each reply. Keypad digits collect until ``#`` or a pause and are posted as text; a lone ``0`` asks
for a person. Speech while the bot is still playing barges in: a ``clear`` frame, and the rest of
the reply is dropped. An answer slower than ``FILLER_AFTER_SECONDS`` gets a filler first. What
happened (start, keys, barge-ins, fillers, timings) is kept with the conversation.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from parceldesk.channels.voice.audio import (
    TELEPHONE_RATE,
    Samples,
    encode_ulaw,
    frames_of,
    resample,
)
from parceldesk.channels.voice.engines import VoiceEngines
from parceldesk.channels.voice.media import (
    AudioReceived,
    CallStarted,
    CallStopped,
    KeyPressed,
    MarkPlayed,
    clear_frame,
    mark_frame,
    media_frame,
    read_media_event,
    transcript_frame,
)
from parceldesk.channels.voice.ports import LanguageNotSpoken, SpeechSynthesizer
from parceldesk.channels.voice.speech_text import (
    heard_text,
    spoken_pieces,
    spoken_text,
    voice_words,
)
from parceldesk.channels.voice.turns import TurnDetector
from parceldesk.conversation.chat import ChatService
from parceldesk.domain.errors import InvalidInput

FILLER_AFTER_SECONDS = 0.8
KEYS_PAUSE_SECONDS = 2.5
NOT_HEARD_SECONDS = 0.8  # speech this long that comes out as no words gets "say it again"
CHUNK_BYTES = 800  # 100 ms of μ-law a media frame


Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Turn:
    text: str
    ended_at: float  # perf_counter() when the caller's turn was over


def ms_since(began: float) -> int:
    return round((time.perf_counter() - began) * 1000)


class CallSession:
    def __init__(
        self, chat: ChatService, engines: VoiceEngines, send: Send, trusted_caller_id: bool,
        default_language: str = "en",
    ) -> None:  # fmt: skip
        self.chat, self.engines, self._send = chat, engines, send
        self._trusted, self._default_language = trusted_caller_id, default_language
        self.conversation_id, self._token, self.language, self._sid = "", "", "en", ""
        self._detector = TurnDetector(engines.vad)
        self._marks: set[str] = set()
        self._speaking: asyncio.Task[None] | None = None
        self._turns: asyncio.Queue[Turn | None] = asyncio.Queue()
        self._guess: asyncio.Task[tuple[str, int]] | None = None
        self._keys, self._keys_at = "", 0.0
        self._transcript = False  # whether the client asked for the words as well as the audio

    async def run(self, frames: AsyncIterator[str]) -> None:
        """Take frames until the call stops or the stream ends."""
        worker = asyncio.create_task(self._answer_turns())
        try:
            async for raw in frames:
                if not await self._on_frame(raw):
                    break
                await self._check_keys()
        finally:
            await self._turns.put(None)
            await worker
            if self._speaking is not None:
                self._speaking.cancel()
            if self.conversation_id:
                await self._record("call_stopped", {})

    async def _on_frame(self, raw: str) -> bool:
        event = read_media_event(raw)
        if isinstance(event, CallStarted):
            await self._start(event)
        elif not self.conversation_id:
            if isinstance(event, AudioReceived | KeyPressed):
                raise InvalidInput("a call's first frame must be 'start'")
        elif isinstance(event, AudioReceived) and event.payload:
            for frame in frames_of(event.payload):
                await self._hear(frame)
        elif isinstance(event, KeyPressed):
            await self._key(event.digit)
        elif isinstance(event, MarkPlayed):
            self._marks.discard(event.name)
        elif isinstance(event, CallStopped):
            return False
        return True

    async def _start(self, event: CallStarted) -> None:
        language = event.language or self._default_language
        if language not in self.engines.languages:
            raise LanguageNotSpoken(f"this line speaks {', '.join(self.engines.languages)}")
        caller = event.caller if self._trusted else None
        started = await asyncio.to_thread(self.chat.start, "voice", language, caller)
        await asyncio.to_thread(self.engines.recognizer.prepare, language)  # loaded once
        self.conversation_id, self._token, self.language = started.id, started.token, language
        self._sid = event.stream_sid or uuid.uuid4().hex
        self._transcript = event.wants_transcript
        await self._record("call_started", {"stream": self._sid, "call": event.call_sid})
        greeting = [*started.replies, voice_words()[language]["dtmf_hint"]]
        self._speak(greeting)

    async def _hear(self, frame: bytes) -> None:
        heard = self._detector.feed(frame)
        if heard.started and self.playing:
            await self._barge_in()
        if heard.pausing is not None:  # recognise now, on the guess that the caller is done
            self._guess = asyncio.create_task(self._recognised(heard.pausing))
        if heard.utterance is None:
            return
        ended_at = time.perf_counter()
        guess, self._guess = self._guess, None
        if guess is None or not heard.after_pause:
            guess = asyncio.create_task(self._recognised(heard.utterance))
        text, asr_ms = await guess
        seconds = round(len(heard.utterance) / TELEPHONE_RATE, 2)
        await self._record("heard", {"text": text, "seconds": seconds, "asr_ms": asr_ms,
                                     "asr_wait_ms": ms_since(ended_at)})  # fmt: skip
        if text:
            heard_words = heard_text(text, self.language)
            await self._show("caller", heard_words)
            await self._turns.put(Turn(heard_words, ended_at))
        elif seconds >= NOT_HEARD_SECONDS:  # a caller met with silence would wait for ever
            self._speak([str(voice_words()[self.language]["not_heard"])])

    async def _recognised(self, utterance: Samples) -> tuple[str, int]:
        began = time.perf_counter()
        text = await asyncio.to_thread(
            self.engines.recognizer.transcribe, utterance, TELEPHONE_RATE, self.language
        )
        return text, ms_since(began)

    @property
    def playing(self) -> bool:
        speaking = self._speaking is not None and not self._speaking.done()
        return speaking or bool(self._marks)

    async def _barge_in(self) -> None:
        if self._speaking is not None:
            self._speaking.cancel()
        self._marks.clear()
        await self._record("barge_in", {})  # stored before the gateway can see it acted on
        await self._send(clear_frame(self._sid))

    async def _key(self, digit: str) -> None:
        if digit == "0" and not self._keys:
            await self._record("dtmf", {"digits": "0"})
            await self._turns.put(
                Turn(str(voice_words()[self.language]["human"]), time.perf_counter())
            )
            return
        if digit == "#":
            await self._submit_keys()
            return
        self._keys, self._keys_at = self._keys + digit, time.monotonic()

    async def _check_keys(self) -> None:
        if self._keys and time.monotonic() - self._keys_at >= KEYS_PAUSE_SECONDS:
            await self._submit_keys()

    async def _submit_keys(self) -> None:
        keys, self._keys = self._keys.replace("*", ""), ""
        if keys:
            await self._record("dtmf", {"digits": keys})
            await self._show("caller", keys)
            await self._turns.put(Turn(keys, time.perf_counter()))

    async def _answer_turns(self) -> None:
        while (turn := await self._turns.get()) is not None:
            posting = asyncio.create_task(
                asyncio.to_thread(
                    self.chat.post, self.conversation_id, self._token, turn.text, uuid.uuid4().hex
                )
            )
            done, _ = await asyncio.wait({posting}, timeout=FILLER_AFTER_SECONDS)
            if not done:
                await self._record("filler", {})
                self._speak([str(voice_words()[self.language]["filler"])], final=False)
            answer = await posting
            turn_ms = ms_since(turn.ended_at)
            if self._speaking is not None and not done:
                # let the filler finish; a barge-in may have cancelled it (wait, not await: a
                # cancelled filler must not end this loop and leave the call unanswered)
                await asyncio.wait({self._speaking})
            self._speak(list(answer.replies), answering=(turn.ended_at, turn_ms))

    def _speak(
        self, replies: list[str], final: bool = True, answering: tuple[float, int] | None = None
    ) -> None:
        """Play ``replies``; the mark after the last one of a final answer ends in ``-end``.
        ``answering``: when the turn answered ended, and how long the engine took, to be kept
        with how soon the first audio went out."""
        if self._speaking is not None and not self._speaking.done():
            self._speaking.cancel()
        self._speaking = asyncio.create_task(self._play(replies, final, answering))

    async def _play(
        self, replies: list[str], final: bool, answering: tuple[float, int] | None
    ) -> None:
        synthesizer, language = self.engines.synthesizer, self.language
        rate = await asyncio.to_thread(synthesizer.rate, language)
        for number, reply in enumerate(replies):
            await self._show("bot", reply)
            for piece_text in spoken_pieces(spoken_text(reply, language), language):
                piece = await asyncio.to_thread(_synthesized, synthesizer, piece_text, language)
                ulaw = encode_ulaw(resample(np.asarray(piece), rate, TELEPHONE_RATE))
                for start in range(0, len(ulaw), CHUNK_BYTES):
                    await self._send(media_frame(self._sid, ulaw[start : start + CHUNK_BYTES]))
                if answering is not None:  # the first piece is out: keep where the time went
                    ended_at, turn_ms = answering
                    timing = {"turn_ms": turn_ms, "first_audio_ms": ms_since(ended_at)}
                    await self._record("answered", timing)
                    answering = None
            last = "-end" if final and number == len(replies) - 1 else ""
            name = f"reply-{uuid.uuid4().hex[:8]}-{number}{last}"
            self._marks.add(name)
            await self._send(mark_frame(self._sid, name))

    async def _show(self, speaker: str, text: str) -> None:
        if self._transcript:
            await self._send(transcript_frame(self._sid, speaker, text))

    async def _record(self, kind: str, detail: dict[str, Any]) -> None:
        await asyncio.to_thread(
            self.chat.record_call_event, self.conversation_id, self._token, kind, detail
        )


def _synthesized(synthesizer: SpeechSynthesizer, text: str, language: str) -> Samples:
    pieces = list(synthesizer.synthesize(text, language))
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
