"""The FastAPI application factory. Built on request by bootstrap, never at import."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from pydantic import BaseModel

from parceldesk import __version__
from parceldesk.services.context import Context


class HealthPublic(BaseModel):
    status: str
    database: str
    version: str


def create_app(context: Context, check_database: Callable[[], bool]) -> FastAPI:
    app = FastAPI(title="parceldesk", version=__version__, docs_url="/api/docs")
    app.state.context = context

    @app.get("/health", response_model=HealthPublic, tags=["operations"])
    def health() -> HealthPublic:
        """Liveness and database reachability, for load balancers and monitoring."""
        database_ok = check_database()
        return HealthPublic(
            status="ok" if database_ok else "degraded",
            database="ok" if database_ok else "unreachable",
            version=__version__,
        )

    return app
