"""The agent's side of a conversation over a WebSocket, live both ways.

``WS /agent/conversations/{id}/ws``, signed in by the workspace's session cookie and opened only
from the workspace's own pages (the Origin must be this server). The agent receives ``lines``
frames (what the customer and the bot said), ``signal`` frames (the customer is typing, here, or
has left), and ``agent`` / ``joined`` / ``left`` frames; they send ``{"type": "message", "text"}``
(answered with ``{"type": "sent"}`` or an ``error``) and ``{"type": "typing"}``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket
from fastapi.concurrency import run_in_threadpool

from parceldesk.conversation.chat import ChatService
from parceldesk.domain.agents import Agent
from parceldesk.domain.errors import ParceldeskError
from parceldesk.services.agents import get_signed_in_agent
from parceldesk.services.context import Context
from parceldesk.web.agent import SESSION_COOKIE
from parceldesk.web.live import converse, error_frame, read_frame


def build_agent_live(ctx: Context, chat: ChatService) -> APIRouter:
    router = APIRouter(prefix="/agent")

    @router.websocket("/conversations/{conversation_id}/ws")
    async def agent_socket(socket: WebSocket, conversation_id: str) -> None:
        agent = await _admit(ctx, chat, socket, conversation_id)
        if agent is None:
            return
        await socket.accept()
        await converse(
            chat, socket, conversation_id, "agent",
            lambda: chat.signal(conversation_id, "agent", "typing", agent.display_name),
            lambda raw: _send(chat, agent, conversation_id, raw),
        )  # fmt: skip

    return router


async def _admit(
    ctx: Context, chat: ChatService, socket: WebSocket, conversation_id: str
) -> Agent | None:
    """The signed-in agent if they may see this conversation and the page is ours, else the
    socket is closed (4403) before it opens."""
    origin = urlsplit(socket.headers.get("origin", "")).netloc
    try:
        if origin != socket.headers.get("host", ""):
            raise PermissionError("a workspace socket opens only from the workspace")
        token = socket.cookies.get(SESSION_COOKIE)
        agent = await run_in_threadpool(get_signed_in_agent, ctx, token)
        await run_in_threadpool(chat.get_agent_view, agent, conversation_id)
    except (ParceldeskError, PermissionError):
        await socket.close(code=4403)
        return None
    return agent


async def _send(chat: ChatService, agent: Agent, conversation_id: str, raw: str) -> dict[str, Any]:
    try:
        frame = read_frame(raw)
        if frame.get("type") != "message":
            return error_frame("invalid_request", "expected a frame of type 'message' or 'typing'")
        text = str(frame.get("text", ""))
        await run_in_threadpool(chat.say_as_agent, agent, conversation_id, text)
    except ValueError as error:
        return error_frame("invalid_request", str(error))
    except ParceldeskError as error:
        return error_frame(error.code, error.message)
    return {"type": "sent"}
