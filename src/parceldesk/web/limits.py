"""Sliding-window rate limits kept in this process (one per worker; see the README)."""

from __future__ import annotations

import threading
import time
from collections import deque

from parceldesk.domain.errors import ParceldeskError


class RateLimited(ParceldeskError):
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimiter:
    """At most ``limit`` events per ``window`` seconds per key; old keys are forgotten."""

    def __init__(self, limit: int, window: float, max_keys: int = 100_000) -> None:
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str, what: str) -> None:
        """Count one more event for ``key``, or raise ``RateLimited`` if the limit is reached."""
        self._count(key, what, record=True)

    def check_open(self, key: str, what: str) -> None:
        """Raise ``RateLimited`` if ``key`` is at its limit; count nothing."""
        self._count(key, what, record=False)

    def record(self, key: str) -> None:
        """Count one event for ``key`` whatever the limit (e.g. a failure that already happened)."""
        with self._lock:
            self._hits.setdefault(key, deque()).append(time.monotonic())

    def _count(self, key: str, what: str, *, record: bool) -> None:
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                retry = int(hits[0] + self.window - now) + 1
                raise RateLimited(f"too many {what}; try again in {retry} s", retry)
            if record:
                hits.append(now)
            if len(self._hits) > self.max_keys:
                self._forget(now)

    def _forget(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
            del self._hits[key]
