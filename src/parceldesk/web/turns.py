"""One customer turn as both the REST API and the WebSocket take it: limits, the turn, metrics.

Turns run in worker threads, at most ``turn_threads`` of them at once per server process; the
others wait in order. A turn is mostly Python (the GIL) and its write goes through SQLite's one
writer lock: forty threads at once (the default pool) do not answer sooner, they take turns at
the GIL while one of them holds the writer lock, and the slowest turns wait longest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

from parceldesk.conversation.chat import ChatService, TurnResult
from parceldesk.web.limits import RateLimiter
from parceldesk.web.observability import Metrics, record_turn

T = TypeVar("T")
TURN_THREADS = 4  # measured best of 1, 2, 4, 8 on 2 cores (docs/web.md)


class TurnGate:
    def __init__(
        self,
        chat: ChatService,
        messages: RateLimiter,
        verify_failures: RateLimiter,
        metrics: Metrics,
        turn_threads: int = TURN_THREADS,
    ) -> None:
        self.chat, self.messages, self.verify_failures = chat, messages, verify_failures
        self.metrics = metrics
        self._threads = anyio.CapacityLimiter(turn_threads)

    async def run(self, work: Callable[..., T], *args: object) -> T:
        """Run conversation work (a turn, a start) in one of the turn threads."""
        return await anyio.to_thread.run_sync(work, *args, limiter=self._threads)

    async def take_turn(
        self, address: str, conversation_id: str, token: str | None, text: str, message_id: str
    ) -> TurnResult:
        """Refuse an address that failed verification too often or a conversation that writes
        too fast (``RateLimited``); else answer the message and count what happened."""
        what = "failed verification attempts from your network"
        self.verify_failures.check_open(address, what)
        self.messages.check(conversation_id, "messages in this conversation")
        turn = await self.run(self.chat.post, conversation_id, token, text, message_id)
        if turn.verification_failed:
            self.verify_failures.record(address)
        record_turn(self.metrics, turn)
        return turn
