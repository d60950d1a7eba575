"""One error shape for the whole API: ``{"error": {"code", "message"}}`` with a fitting status."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from parceldesk.domain.errors import (
    ConcurrentModification,
    IdempotencyKeyReused,
    InvalidInput,
    NotFound,
    ParceldeskError,
)

STATUS_BY_ERROR: tuple[tuple[type[ParceldeskError], int], ...] = (
    (InvalidInput, 422),
    (NotFound, 404),
    (ConcurrentModification, 409),
    (IdempotencyKeyReused, 409),
)


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def status_for(error: ParceldeskError) -> int:
    if error.code == "not_authenticated":
        return 401
    if error.code == "rate_limited":
        return 429
    return next((status for kind, status in STATUS_BY_ERROR if isinstance(error, kind)), 400)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ParceldeskError)
    async def domain_error(request: Request, error: ParceldeskError) -> JSONResponse:
        status = status_for(error)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if status == 429:
            headers = {"Retry-After": str(getattr(error, "retry_after", 60))}
        return JSONResponse(error_body(error.code, error.message), status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}"
            for e in error.errors()
        )
        return JSONResponse(error_body("invalid_request", problems[:500]), 422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        code = {
            400: "invalid_request",
            404: "not_found",
            405: "method_not_allowed",
            413: "too_large",
        }.get(error.status_code, "http_error")
        return JSONResponse(error_body(code, str(error.detail)), error.status_code)
