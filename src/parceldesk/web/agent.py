"""The agent workspace's door and queue: sign-in, sign-out, and the conversations waiting for a
person in the queues this agent may see (a supervisor sees all)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from parceldesk.conversation.agent_actions import (
    confirm_agent_address_change,
    prefill_address,
    propose_agent_address_change,
)
from parceldesk.conversation.chat import WRAP_UPS, ChatService, ConversationTaken
from parceldesk.conversation.ports import Handoff
from parceldesk.domain.agents import LANGUAGES, Agent
from parceldesk.domain.errors import ParceldeskError
from parceldesk.domain.shipments import PartyRole
from parceldesk.services.agents import (
    SESSION_HOURS,
    NotSignedIn,
    get_signed_in_agent,
    sign_in,
    sign_out,
)
from parceldesk.services.context import Context
from parceldesk.services.tracking import get_shipment, tracking_view
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
    router.add_api_route("", desk.queue, methods=["GET"])
    router.add_api_route("/supervisor", desk.supervisor, methods=["GET"])
    router.add_api_route("/conversations/{conversation_id}", desk.conversation, methods=["GET"])
    router.add_api_route("/conversations/{conversation_id}/{step}", desk.act, methods=["POST"])
    return router


class AgentDesk:
    def __init__(self, ctx: Context, chat: ChatService, sign_ins: RateLimiter) -> None:
        self.ctx, self.chat, self.sign_ins = ctx, chat, sign_ins

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
            samesite="lax", secure=request.url.scheme == "https", path="/agent",
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
        response.delete_cookie(SESSION_COOKIE, path="/agent")
        return response

    async def queue(self, request: Request) -> Response:
        try:
            agent = await self._agent(request)
        except ParceldeskError:
            return RedirectResponse("/agent/login", status_code=303)
        handoffs = await run_in_threadpool(self.chat.list_handoffs, agent)
        queues = "all" if agent.sees_every_queue else ", ".join(sorted(agent.languages))
        return self._render(request, "agent_queue.html", title="Queue", agent=agent,
                            handoffs=handoffs, queues=queues)  # fmt: skip

    async def supervisor(self, request: Request) -> Response:
        """Queue lengths and the longest wait per language (supervisors and admins only)."""
        try:
            agent = await self._agent(request)
        except ParceldeskError:
            return RedirectResponse("/agent/login", status_code=303)
        if not agent.sees_every_queue:
            return RedirectResponse("/agent", status_code=303)
        handoffs = await run_in_threadpool(self.chat.list_handoffs, agent)
        queues = queue_overview(handoffs, self.ctx.clock.now())
        return self._render(request, "agent_supervisor.html", title="Supervisor", agent=agent,
                            queues=queues)  # fmt: skip

    async def conversation(self, request: Request, conversation_id: str) -> Response:
        """Transcript, handoff summary and parcel: only for a conversation in the agent's queues."""
        try:
            agent = await self._agent(request)
        except ParceldeskError:
            return RedirectResponse("/agent/login", status_code=303)
        try:
            view = await run_in_threadpool(self.chat.get_agent_view, agent, conversation_id)
        except ParceldeskError as error:
            return self._render(request, "message.html", 404, title="Not found", agent=agent,
                                t={"back": "Queue"}, kind="invalid", heading="Not found",
                                text=error.message, back="/agent")  # fmt: skip
        shipment = None
        if view.waybill:
            found = await run_in_threadpool(get_shipment, self.ctx, view.waybill)
            shipment = tracking_view(found, "agent")  # the agent is authorised to see it all
        return self._render(request, "agent_conversation.html", title="Conversation",
                            agent=agent, view=view, shipment=shipment,
                            wrap_ups=WRAP_UPS, prefill=prefill_address(view))  # fmt: skip

    async def act(self, request: Request, conversation_id: str, step: str) -> Response:
        """take | say | hand-back, from the conversation page's forms."""
        back = RedirectResponse(f"/agent/conversations/{conversation_id}", status_code=303)
        try:
            agent = await self._agent(request)
            form = await read_form(request)
            check_csrf(self.ctx, request, CSRF_SCOPE, form.get("csrf", ""))
            if step == "take":
                await run_in_threadpool(self.chat.take, agent, conversation_id)
            elif step == "say":
                text = form.get("text", "")
                await run_in_threadpool(self.chat.say_as_agent, agent, conversation_id, text)
            elif step in ("address", "address-confirm"):
                return await self._address(request, agent, conversation_id, step, form)
            elif step == "hand-back":
                wrap_up = form.get("wrap_up", "")
                await run_in_threadpool(self.chat.hand_back, agent, conversation_id, wrap_up)
                back = RedirectResponse("/agent", status_code=303)
            else:
                return RedirectResponse("/agent", status_code=303)
        except NotSignedIn:
            return RedirectResponse("/agent/login", status_code=303)
        except ParceldeskError as error:
            return self._render(request, "agent_base.html", 409, title=error.message)
        return back

    async def _address(
        self, request: Request, agent: Agent, conversation_id: str, step: str,
        form: dict[str, str],
    ) -> Response:  # fmt: skip
        """``address``: the read-back and fee to confirm; ``address-confirm``: make the change."""
        view = await run_in_threadpool(self.chat.get_agent_view, agent, conversation_id)
        if view.owner != agent.id:
            raise ConversationTaken("take the conversation before acting for the customer")
        role = PartyRole.SENDER if form.get("role") == "sender" else PartyRole.RECIPIENT
        text = form.get("address", "")
        if step == "address":
            proposal = await run_in_threadpool(
                propose_agent_address_change, self.ctx, view, role, text
            )
            return self._render(request, "agent_confirm.html", title="Confirm", agent=agent,
                                view=view, proposal=proposal, address=text, role=role.value,
                                key=uuid.uuid4().hex)  # fmt: skip
        await run_in_threadpool(
            confirm_agent_address_change, self.ctx, self.chat, agent, view, role, text,
            form.get("fee", ""), f"agent:{form.get('key', '')[:64]}",
        )  # fmt: skip
        return RedirectResponse(f"/agent/conversations/{conversation_id}", status_code=303)

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
        mine = [h for h in handoffs if h.summary.get("language", h.language) == language]
        waiting = [h for h in mine if not h.taken]
        longest = max((now - h.since for h in waiting), default=None)
        minutes = f"{int(longest.total_seconds() // 60)} min" if longest is not None else "—"
        rows.append({"language": language, "waiting": len(waiting), "longest": minutes,
                     "taken": len(mine) - len(waiting)})  # fmt: skip
    return rows
