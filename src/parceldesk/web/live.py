"""The chat over a WebSocket: the same conversation, turns and rules as the REST API.

Protocol (JSON text frames): the client's first frame is ``{"type": "auth", "token": ...}`` (a
browser cannot set an Authorization header on a WebSocket); the server answers ``ready``. Then
``{"type": "message", "text", "client_message_id"}`` frames are answered with ``turn`` frames
(the REST answer's fields) or ``error`` frames; a resend is answered from the store, once.
While a person has the conversation, their messages arrive as ``{"type": "agent", "seq", "name",
"text"}`` frames, through the live feed (Redis across server processes, else in-process).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool

from parceldesk.conversation.chat import ChatService
from parceldesk.domain.errors import ParceldeskError
from parceldesk.web.turns import TurnGate

MAX_FRAME_CHARS = 8192
AUTH_TIMEOUT_SECONDS = 10.0


def build_live(chat: ChatService, gate: TurnGate) -> APIRouter:
    router = APIRouter(prefix="/api/v1")

    @router.websocket("/conversations/{conversation_id}/ws")
    async def conversation_socket(socket: WebSocket, conversation_id: str) -> None:
        await socket.accept()
        try:
            first = await asyncio.wait_for(socket.receive_text(), AUTH_TIMEOUT_SECONDS)
            token = str(_frame(first).get("token", ""))
            record = await run_in_threadpool(chat.check_access, conversation_id, token)
        except (TimeoutError, ValueError, ParceldeskError):
            await socket.send_json(_error("not_authenticated", "send a valid auth frame first"))
            await socket.close(code=4401)
            return
        except WebSocketDisconnect:
            return
        await socket.send_json({"type": "ready", "handed_off": record.handed_off})
        forwarding = asyncio.create_task(_forward(chat, conversation_id, socket))
        try:
            while True:
                raw = await socket.receive_text()
                address = socket.client.host if socket.client else "?"
                await socket.send_json(await _answer(gate, address, conversation_id, token, raw))
        except WebSocketDisconnect:
            return
        finally:
            forwarding.cancel()

    return router


async def _forward(chat: ChatService, conversation_id: str, socket: WebSocket) -> None:
    """Frames published for the conversation (an agent's messages) go to this socket."""
    async for frame in chat.subscribe(conversation_id):
        await socket.send_json(frame)


async def _answer(
    gate: TurnGate, address: str, conversation_id: str, token: str, raw: str
) -> dict[str, Any]:
    """The frame to send back: the turn, or why there is none."""
    try:
        frame = _frame(raw)
        if frame.get("type") != "message":
            return _error("invalid_request", "expected a frame of type 'message'")
        turn = await gate.take_turn(
            address, conversation_id, token, str(frame.get("text", "")),
            str(frame.get("client_message_id", "")),
        )  # fmt: skip
    except ValueError as error:
        return _error("invalid_request", str(error))
    except ParceldeskError as error:
        return _error(error.code, error.message)
    return {"type": "turn", **turn.to_json(), "replayed": turn.replayed}


def _frame(raw: str) -> dict[str, Any]:
    if len(raw) > MAX_FRAME_CHARS:
        raise ValueError(f"a frame may hold at most {MAX_FRAME_CHARS} characters")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        raise ValueError("frames must be JSON objects") from None
    if not isinstance(data, dict):
        raise ValueError("frames must be JSON objects")
    return data


def _error(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}
