"""One customer turn as both the REST API and the WebSocket take it: limits, the turn, metrics."""

from __future__ import annotations

from fastapi.concurrency import run_in_threadpool

from parceldesk.conversation.chat import ChatService, TurnResult
from parceldesk.web.limits import RateLimiter
from parceldesk.web.observability import Metrics, record_turn


class TurnGate:
    def __init__(
        self,
        chat: ChatService,
        messages: RateLimiter,
        verify_failures: RateLimiter,
        metrics: Metrics,
    ) -> None:
        self.chat, self.messages, self.verify_failures = chat, messages, verify_failures
        self.metrics = metrics

    async def take_turn(
        self, address: str, conversation_id: str, token: str | None, text: str, message_id: str
    ) -> TurnResult:
        """Refuse an address that failed verification too often or a conversation that writes
        too fast (``RateLimited``); else answer the message and count what happened."""
        what = "failed verification attempts from your network"
        self.verify_failures.check_open(address, what)
        self.messages.check(conversation_id, "messages in this conversation")
        turn = await run_in_threadpool(self.chat.post, conversation_id, token, text, message_id)
        if turn.verification_failed:
            self.verify_failures.record(address)
        record_turn(self.metrics, turn)
        return turn
