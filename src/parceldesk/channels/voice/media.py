"""The telephony media-stream convention that contact-centre platforms and SIP gateways speak.

Inbound JSON text frames: ``connected``; ``start`` (``start.streamSid``, ``start.callSid``,
``start.mediaFormat`` — only ``audio/x-mulaw`` at 8000 Hz mono is taken — and
``start.customParameters`` with ``from`` (caller ID), ``language`` and, from the browser call
page, ``ticket`` and ``transcript``); ``media`` (``media.payload``: base64 μ-law, 20 ms a
frame); ``dtmf`` (``dtmf.digit``); ``mark`` (``mark.name``: the gateway has played audio up to
that mark); ``stop``. Outbound: ``media``, ``mark`` and ``clear`` (drop any audio not yet
played), and, only to a client that asked with ``transcript: "on"``, ``transcript``
(``transcript.speaker``: ``caller`` or ``bot``; ``transcript.text``: what was heard, or what is
about to be spoken).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from parceldesk.domain.errors import InvalidInput

MAX_FRAME_CHARS = 65536
DTMF_DIGITS = frozenset("0123456789*#")


@dataclass(frozen=True)
class CallStarted:
    stream_sid: str
    call_sid: str
    caller: str | None
    language: str | None
    ticket: str | None
    parameters: dict[str, str] = field(default_factory=dict)

    @property
    def wants_transcript(self) -> bool:
        return self.parameters.get("transcript", "").lower() in ("on", "1", "true")


@dataclass(frozen=True)
class AudioReceived:
    payload: bytes  # μ-law, 8 kHz


@dataclass(frozen=True)
class KeyPressed:
    digit: str


@dataclass(frozen=True)
class MarkPlayed:
    name: str


@dataclass(frozen=True)
class CallStopped:
    pass


@dataclass(frozen=True)
class Ignored:
    event: str


MediaEvent = CallStarted | AudioReceived | KeyPressed | MarkPlayed | CallStopped | Ignored


def read_media_event(raw: str) -> MediaEvent:  # noqa: C901
    """One inbound frame, or ``InvalidInput`` saying what is wrong with it."""
    if len(raw) > MAX_FRAME_CHARS:
        raise InvalidInput(f"a media frame may hold at most {MAX_FRAME_CHARS} characters")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        raise InvalidInput("media frames must be JSON objects") from None
    if not isinstance(data, dict):
        raise InvalidInput("media frames must be JSON objects")
    kind = data.get("event")
    body = data.get(str(kind), {}) if isinstance(kind, str) else {}
    if not isinstance(body, dict):
        raise InvalidInput(f"the {kind!r} frame's body must be an object")
    if kind == "start":
        return _started(body)
    if kind == "media":
        return AudioReceived(_payload(body))
    if kind == "dtmf":
        digit = str(body.get("digit", ""))
        if digit not in DTMF_DIGITS or len(digit) != 1:
            raise InvalidInput("a dtmf frame carries one digit of 0-9, * or #")
        return KeyPressed(digit)
    if kind == "mark":
        return MarkPlayed(str(body.get("name", "")))
    if kind == "stop":
        return CallStopped()
    if kind == "connected":
        return Ignored("connected")
    raise InvalidInput("event must be one of connected, start, media, dtmf, mark, stop")


def _started(body: dict[str, Any]) -> CallStarted:
    media_format = body.get("mediaFormat") or {}
    encoding = str(media_format.get("encoding", "audio/x-mulaw"))
    rate = int(media_format.get("sampleRate", 8000))
    if encoding != "audio/x-mulaw" or rate != 8000 or int(media_format.get("channels", 1)) != 1:
        raise InvalidInput("only audio/x-mulaw at 8000 Hz, one channel, is taken")
    raw_parameters = body.get("customParameters") or {}
    if not isinstance(raw_parameters, dict):
        raise InvalidInput("customParameters must be an object")
    parameters = {str(k): str(v) for k, v in raw_parameters.items()}
    return CallStarted(
        str(body.get("streamSid", "")), str(body.get("callSid", "")),
        parameters.get("from") or None, parameters.get("language") or None,
        parameters.get("ticket") or None, parameters,
    )  # fmt: skip


def _payload(body: dict[str, Any]) -> bytes:
    if body.get("track", "inbound") not in ("inbound", "inbound_track"):
        return b""
    try:
        return base64.b64decode(str(body.get("payload", "")), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("media.payload must be base64") from None


def media_frame(stream_sid: str, ulaw: bytes) -> dict[str, Any]:
    payload = base64.b64encode(ulaw).decode("ascii")
    return {"event": "media", "streamSid": stream_sid, "media": {"payload": payload}}


def mark_frame(stream_sid: str, name: str) -> dict[str, Any]:
    return {"event": "mark", "streamSid": stream_sid, "mark": {"name": name}}


def clear_frame(stream_sid: str) -> dict[str, Any]:
    return {"event": "clear", "streamSid": stream_sid}


def transcript_frame(stream_sid: str, speaker: str, text: str) -> dict[str, Any]:
    body = {"speaker": speaker, "text": text}
    return {"event": "transcript", "streamSid": stream_sid, "transcript": body}
