"""The chat over a WebSocket: the same conversation, turns and rules as the REST API.

Protocol (JSON text frames): the client's first frame is ``{"type": "auth", "token": ...}`` (a
browser cannot set an Authorization header on a WebSocket); the server answers ``ready``. Then
``{"type": "message", "text", "client_message_id"}`` frames are answered with ``turn`` frames
(the REST answer's fields) or ``error`` frames; a resend is answered from the store, once.
While a person has the conversation, their messages arrive as ``{"type": "agent", "seq", "name",
"text"}`` frames, through the live feed (Redis across server processes, else in-process), with
``joined`` / ``left`` frames when they join or hand back, and ``{"type": "signal", "sender":
"agent", "state": "typing"}`` while they type. The client may send ``{"type": "typing"}``
frames (not answered); the agent sees them, and sees the customer come and leave.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool

from parceldesk.conversation.chat import ChatService
from parceldesk.domain.errors import ParceldeskError
from parceldesk.web.turns import TurnGate

MAX_FRAME_CHARS = 8192
AUTH_TIMEOUT_SECONDS = 10.0
TYPING_EVERY_SECONDS = 2.0


def build_live(chat: ChatService, gate: TurnGate) -> APIRouter:
    router = APIRouter(prefix="/api/v1")

    @router.websocket("/conversations/{conversation_id}/ws")
    async def conversation_socket(socket: WebSocket, conversation_id: str) -> None:
        await socket.accept()
        try:
            first = await asyncio.wait_for(socket.receive_text(), AUTH_TIMEOUT_SECONDS)
            token = str(read_frame(first).get("token", ""))
            record = await run_in_threadpool(chat.check_access, conversation_id, token)
        except (TimeoutError, ValueError, ParceldeskError):
            await socket.send_json(
                error_frame("not_authenticated", "send a valid auth frame first")
            )
            await socket.close(code=4401)
            return
        except WebSocketDisconnect:
            return
        await socket.send_json({"type": "ready", "handed_off": record.handed_off})
        address = socket.client.host if socket.client else "?"
        chat.signal(conversation_id, "customer", "here")
        try:
            await converse(
                chat, socket, conversation_id, "customer",
                lambda: chat.signal(conversation_id, "customer", "typing"),
                lambda raw: _answer(gate, address, conversation_id, token, raw),
            )  # fmt: skip
        finally:
            chat.signal(conversation_id, "customer", "left")

    return router


async def converse(
    chat: ChatService, socket: WebSocket, conversation_id: str, audience: str,
    typing: Callable[[], None], answer: Callable[[str], Awaitable[dict[str, Any]]],
) -> None:  # fmt: skip
    """Until the socket closes: frames for ``audience`` go out as they are published, typing
    frames become (throttled) signals, and every other frame is answered."""
    forwarding = asyncio.create_task(forward(chat, conversation_id, socket, audience))
    throttle = TypingThrottle()
    try:
        while True:
            raw = await socket.receive_text()
            if is_typing(raw):
                if throttle.due():
                    typing()
                continue
            await socket.send_json(await answer(raw))
    except WebSocketDisconnect:
        return
    finally:
        forwarding.cancel()


async def forward(
    chat: ChatService, conversation_id: str, socket: WebSocket, audience: str
) -> None:
    """Frames published for the conversation and meant for ``audience`` go to this socket."""
    async for frame in chat.subscribe(conversation_id, audience):
        await socket.send_json(frame)


def is_typing(raw: str) -> bool:
    try:
        return read_frame(raw).get("type") == "typing"
    except ValueError:
        return False


class TypingThrottle:
    """At most one typing signal every few seconds from one socket."""

    def __init__(self) -> None:
        self._last = -TYPING_EVERY_SECONDS

    def due(self) -> bool:
        now = time.monotonic()
        if now - self._last < TYPING_EVERY_SECONDS:
            return False
        self._last = now
        return True


async def _answer(
    gate: TurnGate, address: str, conversation_id: str, token: str, raw: str
) -> dict[str, Any]:
    """The frame to send back: the turn, or why there is none."""
    try:
        frame = read_frame(raw)
        if frame.get("type") != "message":
            return error_frame("invalid_request", "expected a frame of type 'message'")
        turn = await gate.take_turn(
            address, conversation_id, token, str(frame.get("text", "")),
            str(frame.get("client_message_id", "")),
        )  # fmt: skip
    except ValueError as error:
        return error_frame("invalid_request", str(error))
    except ParceldeskError as error:
        return error_frame(error.code, error.message)
    return {"type": "turn", **turn.to_json(), "replayed": turn.replayed}


def read_frame(raw: str) -> dict[str, Any]:
    if len(raw) > MAX_FRAME_CHARS:
        raise ValueError(f"a frame may hold at most {MAX_FRAME_CHARS} characters")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        raise ValueError("frames must be JSON objects") from None
    if not isinstance(data, dict):
        raise ValueError("frames must be JSON objects")
    return data


def error_frame(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}
