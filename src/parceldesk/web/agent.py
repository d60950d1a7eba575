"""The agent workspace: sign-in and out, availability, the queue (the conversations routed to
this agent and those waiting in their queues), one conversation, and the supervisor's view."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from parceldesk.conversation.chat import ChatService
from parceldesk.conversation.ports import Handoff
from parceldesk.domain.agents import LANGUAGES, Agent
from parceldesk.domain.errors import ParceldeskError
from parceldesk.services.agents import (
    SESSION_HOURS,
    NotSignedIn,
    get_signed_in_agent,
    list_agents,
    set_agent_status,
    sign_in,
    sign_out,
)
from parceldesk.services.context import Context
from parceldesk.web.agent_conversation import ConversationDesk
from parceldesk.web.forms import check_csrf, read_form, render_page
from parceldesk.web.limits import RateLimiter

SESSION_COOKIE = "pd_agent"
CSRF_SCOPE = "agent-workspace"


def build_agent_workspace(ctx: Context, chat: ChatService, sign_ins: RateLimiter) -> APIRouter:
    desk = AgentDesk(ctx, chat, sign_ins)
    router = APIRouter(prefix="/agent", include_in_schema=False)
    router.add_api_route("/login", desk.login_page, methods=["GET"])
    router.add_api_route("/login", desk.login, methods=["POST"])
    router.add_api_route("/logout", desk.logout, methods=["POST"])
    router.add_api_route("/status", desk.status, methods=["POST"])
    router.add_api_route("", desk.queue, methods=["GET"])
    router.add_api_route("/supervisor", desk.supervisor, methods=["GET"])
    router.add_api_route("/conversations/{conversation_id}", desk.conversation, methods=["GET"])
    router.add_api_route("/conversations/{conversation_id}/{step}", desk.act, methods=["POST"])
    return router


class AgentDesk:
    def __init__(self, ctx: Context, chat: ChatService, sign_ins: RateLimiter) -> None:
        self.ctx, self.chat, self.sign_ins = ctx, chat, sign_ins
        self.conversations = ConversationDesk(ctx, chat)

    async def login_page(self, request: Request) -> Response:
        return self._render(request, "agent_login.html", title="Sign in")

    async def login(self, request: Request) -> Response:
        address = request.client.host if request.client else "?"
        form: dict[str, str] = {}
        try:
            form = await read_form(request)
            check_csrf(self.ctx, request, CSRF_SCOPE, form.get("csrf", ""))
            self.sign_ins.check(address, "sign-in attempts from your address")
            signed = await run_in_threadpool(
                sign_in, self.ctx, form.get("username", ""), form.get("password", "")
            )
        except ParceldeskError as error:
            return self._render(request, "agent_login.html", 401, title="Sign in",
                                error=error.message, username=form.get("username", ""))  # fmt: skip
        response = RedirectResponse("/agent", status_code=303)
        response.set_cookie(
            SESSION_COOKIE, signed.token, max_age=SESSION_HOURS * 3600, httponly=True,
            samesite="lax", secure=request.url.scheme == "https", path="/",
        )  # fmt: skip
        return response

    async def logout(self, request: Request) -> Response:
        token = request.cookies.get(SESSION_COOKIE)
        try:
            form = await read_form(request)
            check_csrf(self.ctx, request, CSRF_SCOPE, form.get("csrf", ""))
        except ParceldeskError:
            return RedirectResponse("/agent", status_code=303)
        if token:
            await run_in_threadpool(sign_out, self.ctx, token)
        response = RedirectResponse("/agent/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    async def status(self, request: Request) -> Response:
        """Available for new chats, or away; becoming available may bring a chat at once."""
        try:
            agent = await self._agent(request)
            form = await read_form(request)
            check_csrf(self.ctx, request, CSRF_SCOPE, form.get("csrf", ""))
            await run_in_threadpool(set_agent_status, self.ctx, agent, form.get("status", ""))
            await run_in_threadpool(self.chat.route)
        except NotSignedIn:
            return RedirectResponse("/agent/login", status_code=303)
        except ParceldeskError as error:
            return self._render(request, "agent_base.html", 409, title=error.message)
        return RedirectResponse("/agent", status_code=303)

    async def queue(self, request: Request) -> Response:
        try:
            agent = await self._agent(request)
        except ParceldeskError:
            return RedirectResponse("/agent/login", status_code=303)
        handoffs = await run_in_threadpool(self.chat.list_handoffs, agent)
        mine = [h for h in handoffs if h.owner == agent.id]
        waiting = [h for h in handoffs if not h.taken]
        queues = "all" if agent.sees_every_queue else ", ".join(sorted(agent.languages))
        return self._render(request, "agent_queue.html", title="Queue", agent=agent,
                            mine=mine, handoffs=waiting, queues=queues,
                            priority=self.chat.priority_of, refresh=True)  # fmt: skip

    async def supervisor(self, request: Request) -> Response:
        """Queues, agents' states and every conversation with a person (supervisors only)."""
        try:
            agent = await self._agent(request)
        except ParceldeskError:
            return RedirectResponse("/agent/login", status_code=303)
        if not agent.sees_every_queue:
            return RedirectResponse("/agent", status_code=303)
        handoffs = await run_in_threadpool(self.chat.list_handoffs, agent)
        agents = await run_in_threadpool(list_agents, self.ctx)
        now = self.ctx.clock.now()
        return self._render(request, "agent_supervisor.html", title="Supervisor", agent=agent,
                            queues=queue_overview(handoffs, now), handoffs=handoffs,
                            agents=agent_overview(agents, handoffs),
                            names={a.id: a.display_name for a in agents},
                            refresh=True)  # fmt: skip

    async def conversation(self, request: Request, conversation_id: str) -> Response:
        """Transcript, handoff summary and parcel: only for a conversation in the agent's queues."""
        try:
            agent = await self._agent(request)
        except ParceldeskError:
            return RedirectResponse("/agent/login", status_code=303)
        try:
            values = await run_in_threadpool(self.conversations.page_values, agent, conversation_id)
        except ParceldeskError as error:
            return self._render(request, "message.html", 404, title="Not found", agent=agent,
                                t={"back": "Queue"}, kind="invalid", heading="Not found",
                                text=error.message, back="/agent")  # fmt: skip
        if agent.sees_every_queue:
            values["agents"] = await run_in_threadpool(list_agents, self.ctx)
        return self._render(request, "agent_conversation.html", title="Conversation",
                            agent=agent, **values)  # fmt: skip

    async def act(self, request: Request, conversation_id: str, step: str) -> Response:
        """take | say | action | action-confirm | reassign | hand-back, from the page's forms."""
        back: Response = RedirectResponse(
            f"/agent/conversations/{conversation_id}", status_code=303
        )
        try:
            agent = await self._agent(request)
            form = await read_form(request)
            check_csrf(self.ctx, request, CSRF_SCOPE, form.get("csrf", ""))
            shown = await run_in_threadpool(self._step, agent, conversation_id, step, form)
        except NotSignedIn:
            return RedirectResponse("/agent/login", status_code=303)
        except ParceldeskError as error:
            return self._render(request, "agent_base.html", 409, title=error.message)
        if shown is not None:
            return self._render(request, "agent_confirm.html", title="Confirm", agent=agent,
                                **shown)  # fmt: skip
        if step == "hand-back":
            back = RedirectResponse("/agent", status_code=303)
        return back

    def _step(
        self, agent: Agent, conversation_id: str, step: str, form: dict[str, str]
    ) -> dict[str, Any] | None:
        """Do one step; returns what the confirmation page shows for an ``action``."""
        chat = self.chat
        match step:
            case "take":
                chat.take(agent, conversation_id)
            case "say":
                chat.say_as_agent(agent, conversation_id, form.get("text", ""))
            case "action":
                return self.conversations.propose(agent, conversation_id, form)
            case "action-confirm":
                self.conversations.confirm(agent, conversation_id, form)
            case "reassign":
                chat.reassign(agent, conversation_id, form.get("agent", ""))
            case "hand-back":
                chat.hand_back(agent, conversation_id, form.get("wrap_up", ""))
            case _:
                raise NotSignedIn("unknown step")
        return None

    async def _agent(self, request: Request) -> Agent:
        """The signed-in agent, or ``NotSignedIn``."""
        token = request.cookies.get(SESSION_COOKIE)
        return await run_in_threadpool(get_signed_in_agent, self.ctx, token)

    def _render(self, request: Request, name: str, status: int = 200, **values: Any) -> Response:
        return render_page(self.ctx, request, name, CSRF_SCOPE, status, **values)


def queue_overview(handoffs: list[Handoff], now: datetime) -> list[dict[str, object]]:
    """Per language: how many wait, the longest wait, and how many are with an agent."""
    rows: list[dict[str, object]] = []
    for language in sorted(LANGUAGES):
        mine = [h for h in handoffs if h.queue_language == language]
        waiting = [h for h in mine if not h.taken]
        longest = max((now - h.since for h in waiting), default=None)
        minutes = f"{int(longest.total_seconds() // 60)} min" if longest is not None else "—"
        rows.append({"language": language, "waiting": len(waiting), "longest": minutes,
                     "taken": len(mine) - len(waiting)})  # fmt: skip
    return rows


def agent_overview(agents: list[Agent], handoffs: list[Handoff]) -> list[dict[str, object]]:
    """Each agent's state and how many chats they have of their capacity."""
    return [
        {"name": a.display_name, "username": a.username, "role": a.role.value,
         "status": a.status.value, "since": a.status_since,
         "load": sum(1 for h in handoffs if h.owner == a.id), "capacity": a.capacity,
         "languages": ", ".join(sorted(a.languages))}
        for a in agents
    ]  # fmt: skip
