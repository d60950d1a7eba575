"""The FastAPI application factory. Built on request by bootstrap, never at import."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources

from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from parceldesk import __version__
from parceldesk.analytics.report import make_report
from parceldesk.channels.voice.engines import VoiceEngines
from parceldesk.conversation.chat import ChatService
from parceldesk.footprint.sites import find_sites
from parceldesk.services.context import Context
from parceldesk.web.agent import build_agent_workspace
from parceldesk.web.agent_live import build_agent_live
from parceldesk.web.api import build_api
from parceldesk.web.dashboard import build_dashboard
from parceldesk.web.errors import install_error_handlers
from parceldesk.web.insights import MakeReport
from parceldesk.web.limits import RateLimiter
from parceldesk.web.live import build_live
from parceldesk.web.miniapp import build_miniapp
from parceldesk.web.observability import Metrics, RequestLogMiddleware
from parceldesk.web.security import SecurityMiddleware
from parceldesk.web.turns import TURN_THREADS, TurnGate
from parceldesk.web.voice import build_voice

STATIC = resources.files("parceldesk.web").joinpath("static")


class HealthPublic(BaseModel):
    status: str
    database: str
    version: str


def create_app(
    context: Context,
    chat: ChatService,
    check_database: Callable[[], bool],
    *,
    conversations_per_minute: int = 30,
    messages_per_minute: int = 60,
    verification_failures_per_address: int = 20,
    embed_origins: str = "",
    list_sites: Callable[[], dict[str, str]] | None = None,
    report_for: MakeReport | None = None,
    voice_engines: Callable[[], VoiceEngines | None] = lambda: None,
    voice_gateway_key: str = "",
    turn_threads: int = TURN_THREADS,
) -> FastAPI:
    app = FastAPI(
        title="parceldesk",
        version=__version__,
        docs_url=None,  # Swagger UI loads from a CDN; the OpenAPI document is served instead
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.context = context
    install_error_handlers(app)
    metrics = Metrics()
    app.add_middleware(SecurityMiddleware, embed_origins=embed_origins)
    app.add_middleware(RequestLogMiddleware, metrics=metrics)
    starts = RateLimiter(conversations_per_minute, 60.0)
    messages = RateLimiter(messages_per_minute, 60.0)
    # failed verifications per client address in 15 minutes, across all parcels (each parcel
    # also locks itself after a few failures): guessing digits parcel by parcel stops here
    verify_failures = RateLimiter(verification_failures_per_address, 900.0)
    gate = TurnGate(chat, messages, verify_failures, metrics, turn_threads)
    app.include_router(build_api(chat, starts, gate))
    app.include_router(build_live(chat, gate))
    app.include_router(build_voice(chat, voice_engines, voice_gateway_key))
    app.include_router(build_miniapp(context))
    app.include_router(build_agent_workspace(context, chat, RateLimiter(30, 300.0)))
    app.include_router(build_agent_live(context, chat))
    app.include_router(
        build_dashboard(
            context, list_sites or (lambda: find_sites(None)),
            report_for or (lambda since, until: make_report(chat.store, since, until)),
        )
    )  # fmt: skip
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.get("/health", response_model=HealthPublic, tags=["operations"])
    def health() -> HealthPublic:
        """Liveness and database reachability, for load balancers and monitoring."""
        database_ok = check_database()
        return HealthPublic(
            status="ok" if database_ok else "degraded",
            database="ok" if database_ok else "unreachable",
            version=__version__,
        )

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], response_model=None)
    def readyz() -> JSONResponse:
        """Ready for traffic: the database answers."""
        ready = check_database()
        return JSONResponse({"status": "ready" if ready else "not_ready"}, 200 if ready else 503)

    @app.get("/metrics", tags=["operations"], response_class=Response)
    def prometheus_metrics() -> Response:
        """Prometheus metrics: requests, latency, turns, actions, handoffs."""
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/chat")

    @app.get("/chat", include_in_schema=False)
    def chat_page() -> FileResponse:
        return FileResponse(str(STATIC.joinpath("chat.html")), media_type="text/html")

    @app.get("/call", include_in_schema=False)
    def call_page() -> FileResponse:
        """A phone in the browser: the microphone over the phone-call media endpoint."""
        return FileResponse(str(STATIC.joinpath("call.html")), media_type="text/html")

    return app
