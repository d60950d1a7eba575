"""The self-service mini app under ``/m/{token}``: server-rendered, escaped, CSRF-protected.

Every page opens the link again (expired, tampered and spent links get a clear page), every form
carries a CSRF token bound to a SameSite=Strict cookie and to the link, and every change goes
through ``conversation.self_service`` — the same proposals, use cases and audit as the chat.
"""

from __future__ import annotations

import uuid
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from parceldesk.conversation import self_service as desk_logic
from parceldesk.conversation.responses import word
from parceldesk.conversation.self_service import Desk, Proposal
from parceldesk.domain.errors import InvalidInput, ParceldeskError
from parceldesk.domain.languages import LANGUAGES
from parceldesk.services.context import Context
from parceldesk.services.links import LinkExpired, LinkInvalid, LinkUsed
from parceldesk.web.errors import error_body
from parceldesk.web.forms import CsrfFailed, check_csrf, read_form, render_page


@cache
def _texts() -> dict[str, dict[str, str]]:
    path = resources.files("parceldesk.web").joinpath("miniapp_text.yaml")
    data: dict[str, dict[str, str]] = yaml.safe_load(path.read_text("utf-8"))
    return data


def build_miniapp(ctx: Context) -> APIRouter:
    app = MiniApp(ctx)
    router = APIRouter(prefix="/m", include_in_schema=False)
    router.add_api_route("/{token}", app.overview, methods=["GET"])
    router.add_api_route("/{token}/{action}", app.action_form, methods=["GET"])
    router.add_api_route("/{token}/change_address/preview", app.address_preview, methods=["POST"])
    router.add_api_route("/{token}/{action}", app.action_submit, methods=["POST"])
    router.add_api_route("/{token}/{action}/confirm", app.action_confirm, methods=["POST"])
    return router


class MiniApp:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # --- pages ---------------------------------------------------------------------------------

    async def overview(self, request: Request, token: str, lang: str | None = None) -> Response:
        try:
            desk = await self._open(token, lang)
        except ParceldeskError as error:
            return self._refusal(request, error, _language(lang) or "en", token)
        return self._render(request, "desk.html", **_overview(self.ctx, desk))

    async def action_form(
        self, request: Request, token: str, action: str, lang: str | None = None
    ) -> Response:
        try:
            desk = await self._open(token, lang)
            _check_allowed(desk, action)
        except ParceldeskError as error:
            return self._refusal(request, error, _language(lang) or "en", token)
        if action in ("hold_at_station", "intercept_return"):
            return await self._confirm_page(request, desk, action, {})
        return self._render(request, "form.html", lang=desk.language, token=token, action=action,
                            form={}, choices=_choices(self.ctx, desk))  # fmt: skip

    async def address_preview(
        self, request: Request, token: str, lang: str | None = None
    ) -> Response:
        try:
            check_csrf(self.ctx, request, _scope(token), request.headers.get("x-csrf-token", ""))
            desk = await self._open(token, lang)
            body = await request.json()
            text = str(body.get("address", "")) if isinstance(body, dict) else ""
            proposal = await run_in_threadpool(
                desk_logic.propose, self.ctx, desk, "change_address", {"address": text}
            )
        except ValueError:
            return JSONResponse(error_body("invalid_request", "send JSON"), 422)
        except ParceldeskError as error:
            return JSONResponse(error_body(error.code, error.message), 422)
        t = _texts()[desk.language]
        fields = [[t[k], v] for k, v in proposal.fields.items() if k != "one_line" and v]
        fee = f"{t['fee']}: {proposal.fee or t['free']}" if proposal.pending else proposal.text
        return JSONResponse({"fields": fields, "text": fee, "allowed": bool(proposal.pending)})

    async def action_submit(
        self, request: Request, token: str, action: str, lang: str | None = None
    ) -> Response:
        try:
            form = await read_form(request)
            check_csrf(self.ctx, request, _scope(token), form.pop("csrf", ""))
            desk = await self._open(token, lang)
            _check_allowed(desk, action)
        except ParceldeskError as error:
            return self._refusal(request, error, _language(lang) or "en", token)
        return await self._confirm_page(request, desk, action, form)

    async def action_confirm(
        self, request: Request, token: str, action: str, lang: str | None = None
    ) -> Response:
        language = _language(lang) or "en"
        try:
            form = await read_form(request)
            check_csrf(self.ctx, request, _scope(token), form.pop("csrf", ""))
            key, fee = form.pop("key", ""), form.pop("fee", "")
            if not key or len(key) > 64:
                raise InvalidInput("the form is incomplete; please start again")
            desk = await self._open(token, lang)
            _check_allowed(desk, action)
            language = desk.language
            reference = await run_in_threadpool(
                desk_logic.confirm, self.ctx, desk, action, form, fee, f"miniapp:{key}"
            )
        except ParceldeskError as error:
            return self._refusal(request, error, language, token)
        t = _texts()[language]
        return self._render(request, "message.html", lang=language, kind="done",
                            heading=t["done_title"], text=t[action],
                            reference=reference)  # fmt: skip

    # --- helpers -------------------------------------------------------------------------------

    async def _open(self, token: str, lang: str | None) -> Desk:
        return await run_in_threadpool(desk_logic.open_desk, self.ctx, token, _language(lang))

    async def _confirm_page(
        self, request: Request, desk: Desk, action: str, form: dict[str, str]
    ) -> Response:
        token, language = desk.link.token, desk.language
        try:
            proposal = await run_in_threadpool(desk_logic.propose, self.ctx, desk, action, form)
        except InvalidInput as error:
            return self._render(request, "form.html", 422, lang=language, token=token,
                                action=action, form=form, error=error.message,
                                choices=_choices(self.ctx, desk))  # fmt: skip
        if proposal.pending is None:
            t = _texts()[language]
            return self._render(request, "message.html", 409, lang=language, kind="refused",
                                heading=t["refused_title"], text=proposal.text,
                                back=f"/m/{token}?lang={language}")  # fmt: skip
        return self._render(request, "confirm.html", lang=language, token=token, action=action,
                            form=form, summary=_summary(desk, action, proposal),
                            fee=str(proposal.fee) if proposal.fee_code else "",
                            fee_code=proposal.fee_code, key=uuid.uuid4().hex)  # fmt: skip

    def _render(self, request: Request, name: str, status: int = 200, **values: Any) -> Response:
        language = values.get("lang") or "en"
        scope = _scope(values.get("token", ""))
        return render_page(self.ctx, request, name, scope, status, t=_texts()[language], **values)

    def _refusal(self, request: Request, error: ParceldeskError, lang: str, token: str) -> Response:
        t = _texts()[lang]
        link_problems = {LinkExpired: "link_expired", LinkUsed: "link_used",
                         LinkInvalid: "link_invalid"}  # fmt: skip
        problem = link_problems.get(type(error))
        if problem is not None:
            status = 404 if problem == "link_invalid" else 410
            return self._render(request, "message.html", status, lang=lang, kind="invalid",
                                heading=t[problem], text=error.message,
                                help=t["link_help"])  # fmt: skip
        status = 422 if isinstance(error, InvalidInput | CsrfFailed) else 409
        title = t["error_title"] if status == 422 else t["refused_title"]
        return self._render(request, "message.html", status, lang=lang, token=token,
                            kind="refused", heading=title, text=error.message,
                            back=f"/m/{token}?lang={lang}")  # fmt: skip


def _scope(token: str) -> str:
    """A link's forms are bound to the link (its signed part, not the signature)."""
    return "link:" + token.rsplit(".", 1)[0]


def _language(lang: str | None) -> str | None:
    return lang if lang in LANGUAGES else None


def _check_allowed(desk: Desk, action: str) -> None:
    decision = desk.allowed.get(action)
    if decision is None:
        raise InvalidInput(f"unknown action {action!r}")
    decision.enforce()


def _choices(ctx: Context, desk: Desk) -> list[tuple[str, str]]:
    return [
        (f"{day.isoformat()}/{window}", f"{day.isoformat()} {window}")
        for day, window in desk_logic.delivery_choices(ctx, desk)
    ]


def _summary(desk: Desk, action: str, proposal: Proposal) -> list[tuple[str, str]]:
    t, params = _texts()[desk.language], proposal.pending.params if proposal.pending else {}
    if action == "change_address":
        names = ("street", "detail", "district", "city", "postal_code")
        return [(t[n], proposal.fields[n]) for n in names if proposal.fields.get(n)]
    if action == "reschedule_delivery":
        return [(t["day"], params["date"]), (t["window"], params["window"])]
    if action == "hold_at_station":
        return [(t["hold_until"], params["until"])]
    return [(t["return_to"], f"{t['sender']} {desk.shipment.sender.name}")]


def _overview(ctx: Context, desk: Desk) -> dict[str, Any]:
    language, view = desk.language, desk.view
    zone = ZoneInfo(ctx.policy.country(desk.shipment.destination.country).timezone)
    scans = [
        {"at": s.at, "local": s.at.astimezone(zone).strftime("%m-%d %H:%M"), "city": s.city,
         "text": word(language, "statuses", s.status)}
        for s in reversed(view.scans)
    ]  # fmt: skip
    next_text = say_next(language, view.next_step, view.expected_delivery.isoformat())
    return {
        "lang": language, "token": desk.link.token, "view": view, "scans": scans,
        "status_text": word(language, "statuses", view.status), "next_text": next_text,
        "allowed": [a for a in desk_logic.ACTIONS if a in desk.allowed and desk.allowed[a].allowed],
    }  # fmt: skip


def say_next(language: str, step: str, expected: str) -> str:
    return word(language, "next_steps", step).format(expected=expected) if step else ""
