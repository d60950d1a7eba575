"""Server-rendered pages: escaped templates, small urlencoded forms, CSRF tokens.

A CSRF token is an HMAC of a random ``SameSite=Strict`` cookie and the page's scope (a
self-service link, or the agent workspace), so a form posted from another site never matches.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from parceldesk.domain.errors import InvalidInput, ParceldeskError
from parceldesk.services.context import Context

CSRF_COOKIE = "pd_csrf"
MAX_FORM_BYTES = 4096


class CsrfFailed(ParceldeskError):
    code = "csrf_failed"


@cache
def templates() -> Environment:
    return Environment(
        loader=PackageLoader("parceldesk.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )


def csrf_token(ctx: Context, cookie: str, scope: str) -> str:
    message = f"csrf:{cookie}:{scope}".encode()
    return hmac.new(ctx.secret_key, message, hashlib.sha256).hexdigest()


def check_csrf(ctx: Context, request: Request, scope: str, sent: str) -> None:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    expected = csrf_token(ctx, cookie, scope)
    if not cookie or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfFailed("this form has expired or did not come from this page; please reload it")


async def read_form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise InvalidInput("the form is too large")
    try:
        pairs = parse_qsl(body.decode("utf-8"), max_num_fields=20, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput("the form could not be read") from None
    return dict(pairs)


def render_page(
    ctx: Context, request: Request, name: str, scope: str, status: int = 200, **values: Any
) -> HTMLResponse:
    """The template with a CSRF token for ``scope``; sets the CSRF cookie; never cached."""
    cookie = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    html = templates().get_template(name).render(csrf=csrf_token(ctx, cookie, scope), **values)
    response = HTMLResponse(html, status)
    secure = request.url.scheme == "https"
    response.set_cookie(CSRF_COOKIE, cookie, httponly=True, samesite="strict", secure=secure)
    response.headers["Cache-Control"] = "no-store"
    return response
