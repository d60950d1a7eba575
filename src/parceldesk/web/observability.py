"""JSON request logs with personal data masked, and Prometheus metrics (one registry per app).

Paths are logged with secrets cut out (a self-service link's token), and every log message goes
through ``mask_personal_data``: phone numbers keep only their last two digits. Names and
addresses are never put into log records in the first place.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from prometheus_client import CollectorRegistry, Counter, Histogram
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parceldesk.conversation.chat import TurnResult

LOGGER = "parceldesk.web"
_PHONE = re.compile(r"(?<![\w/])\+?\d[\d \-]{6,}\d(?!\w)")
_SECRET_PATH = re.compile(r"^(/m/)[^/]+")


def mask_personal_data(text: str) -> str:
    return _PHONE.sub(lambda m: "*" * max(0, len(m.group()) - 2) + m.group()[-2:], text)


def loggable_path(path: str) -> str:
    return _SECRET_PATH.sub(r"\1<link>", path)


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_personal_data(str(record.msg))
        if record.args:
            record.args = tuple(
                mask_personal_data(a) if isinstance(a, str) else a for a in record.args
            )
        return True


def configure_logging(level: str) -> None:
    """JSON lines on stderr for the web service's own logger."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(MaskingFilter())
    logger = logging.getLogger("parceldesk")
    logger.handlers = [handler]
    logger.setLevel(level.upper())
    logger.propagate = False


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "parceldesk_http_requests", "HTTP requests", ["method", "route", "status"],
            registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "parceldesk_http_request_seconds", "HTTP request latency", ["route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )  # fmt: skip
        self.turns = Counter(
            "parceldesk_turns", "Customer messages answered", ["intent"], registry=self.registry
        )
        self.actions = Counter(
            "parceldesk_actions", "Writes executed from conversations", ["action"],
            registry=self.registry,
        )  # fmt: skip
        self.handoffs = Counter(
            "parceldesk_handoffs", "Conversations handed to a human", registry=self.registry
        )


def record_turn(metrics: Metrics, turn: TurnResult) -> None:
    if turn.replayed:
        return
    metrics.turns.labels(turn.intent or "none").inc()
    for action in turn.actions:
        metrics.actions.labels(action).inc()
    if turn.handoff:
        metrics.handoffs.inc()


class RequestLogMiddleware:
    """One JSON log line and one metrics sample per HTTP request."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics
        self.log = logging.getLogger(LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500
        request_id = uuid.uuid4().hex[:16]

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.labels(scope["method"], template, str(status)).inc()
            self.metrics.latency.labels(template).observe(elapsed)
            self.log.info(
                "request",
                extra={"request_id": request_id, "method": scope["method"],
                       "path": loggable_path(scope["path"]), "status": status,
                       "ms": round(elapsed * 1000, 1)},
            )  # fmt: skip
