"""Turns run in a capped pool of threads per server process: the rest wait their turn."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import anyio
import anyio.from_thread
import pytest
from sqlalchemy import Engine

from parceldesk.conversation.chat import ChatService
from parceldesk.conversation.nlu.understand import Understander
from parceldesk.services.context import Context
from parceldesk.storage.conversations import SqlConversationStore
from parceldesk.web.limits import RateLimiter
from parceldesk.web.observability import Metrics
from parceldesk.web.turns import TurnGate


@pytest.mark.parametrize("turn_threads", [1, 2, 6])
def test_no_more_turns_run_at_once_than_the_turn_threads(
    ctx: Context, engine: Engine, understander: Understander, turn_threads: int
) -> None:
    chat = ChatService(ctx, SqlConversationStore(engine), lambda: understander)
    gate = TurnGate(chat, RateLimiter(60, 60.0), RateLimiter(20, 900.0), Metrics(), turn_threads)
    lock = threading.Lock()
    running, most = 0, 0
    done: list[int] = []

    def work(number: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.2)
        with lock:
            running -= 1
        return number

    async def many() -> None:
        async with anyio.create_task_group() as group:
            for number in range(6):
                group.start_soon(_keep, gate, work, number, done)

    # the loop gets a thread of its own: browser tests leave one running in the main thread
    with anyio.from_thread.start_blocking_portal() as portal:
        portal.call(many)
    assert sorted(done) == list(range(6))
    assert most == turn_threads


async def _keep(gate: TurnGate, work: Callable[[int], int], number: int, done: list[int]) -> None:
    done.append(await gate.run(work, number))
