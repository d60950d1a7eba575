"""The live feed across server processes: Redis pub/sub, one channel per conversation."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import redis
import redis.asyncio

CHANNEL = "parceldesk:conversation:{}"


class RedisFeed:
    def __init__(self, url: str) -> None:
        self._url = url
        self._publisher = redis.Redis.from_url(url)

    def publish(self, conversation_id: str, frame: dict[str, Any]) -> None:
        self._publisher.publish(CHANNEL.format(conversation_id), json.dumps(frame))

    async def subscribe(self, conversation_id: str) -> AsyncIterator[dict[str, Any]]:
        client = redis.asyncio.Redis.from_url(self._url)
        pubsub = client.pubsub()
        await pubsub.subscribe(CHANNEL.format(conversation_id))
        try:
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    yield json.loads(message["data"])
        finally:
            await pubsub.unsubscribe()
            await pubsub.aclose()  # type: ignore[no-untyped-call]
            await client.aclose()

    def close(self) -> None:
        self._publisher.close()
