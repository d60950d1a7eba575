"""The live feed inside one server process: frames go to this process's subscribers' queues."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any

MAX_QUEUED = 100


class InProcessFeed:
    """For one worker and no Redis. ``publish`` may be called from any thread."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Any]]]] = {}
        self._lock = threading.Lock()

    def publish(self, conversation_id: str, frame: dict[str, Any]) -> None:
        with self._lock:
            targets = list(self._subscribers.get(conversation_id, ()))
        for loop, queue in targets:
            loop.call_soon_threadsafe(_offer, queue, frame)

    async def subscribe(self, conversation_id: str) -> AsyncIterator[dict[str, Any]]:
        entry = (asyncio.get_running_loop(), asyncio.Queue[Any](MAX_QUEUED))
        with self._lock:
            self._subscribers.setdefault(conversation_id, set()).add(entry)
        try:
            while True:
                yield await entry[1].get()
        finally:
            with self._lock:
                subscribers = self._subscribers.get(conversation_id, set())
                subscribers.discard(entry)
                if not subscribers:
                    self._subscribers.pop(conversation_id, None)


def _offer(queue: asyncio.Queue[Any], frame: dict[str, Any]) -> None:
    if not queue.full():  # a subscriber that stopped reading misses frames, not memory
        queue.put_nowait(frame)
