"""The phone-call media endpoint: a telephony media stream over a WebSocket.

A SIP gateway or contact-centre platform that sends ``Authorization: Bearer <voice gateway key>``
is trusted for caller ID (``start.customParameters.from``); any other caller is treated as
unknown and verifies like a chat customer. Without the voice extra the endpoint answers with an
``error`` frame ``voice_not_installed`` and closes.
"""

from __future__ import annotations

import contextlib
import hmac
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from parceldesk.channels.voice.engines import VoiceEngines, missing_voice_modules
from parceldesk.channels.voice.session import CallSession
from parceldesk.conversation.chat import ChatService
from parceldesk.domain.errors import ParceldeskError


def build_voice(
    chat: ChatService, engines: Callable[[], VoiceEngines | None], gateway_key: str = ""
) -> APIRouter:
    router = APIRouter(prefix="/api/v1")

    @router.websocket("/voice/media")
    async def media_stream(socket: WebSocket) -> None:
        await socket.accept()
        found = engines()
        if found is None:
            missing = ", ".join(missing_voice_modules()) or "engines"
            message = f"voice is not installed (pip install 'parceldesk[voice]'; missing {missing})"
            await _refuse(socket, "voice_not_installed", message)
            return
        sent = socket.headers.get("authorization", "").removeprefix("Bearer ").strip()
        trusted = bool(gateway_key) and hmac.compare_digest(sent, gateway_key)
        session = CallSession(chat, found, socket.send_json, trusted)
        try:
            await session.run(_frames(socket))
        except ParceldeskError as error:
            await _refuse(socket, error.code, error.message)
            return
        except WebSocketDisconnect:
            return
        with contextlib.suppress(WebSocketDisconnect):  # the gateway may hang up first after stop
            await socket.close()

    return router


async def _frames(socket: WebSocket) -> AsyncIterator[str]:
    while True:
        yield await socket.receive_text()


async def _refuse(socket: WebSocket, code: str, message: str) -> None:
    frame: dict[str, Any] = {"event": "error", "code": code, "message": message}
    await socket.send_json(frame)
    await socket.close(code=4400)
