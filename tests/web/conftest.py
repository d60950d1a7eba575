"""The web app over a real database (SQLite and PostgreSQL), driven in-process over ASGI."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from parceldesk.conversation.chat import ChatService
from parceldesk.conversation.nlu.understand import Understander
from parceldesk.services.context import Context
from parceldesk.storage.conversations import SqlConversationStore
from parceldesk.web.app import create_app
from parceldesk.web.feeds import InProcessFeed


@pytest.fixture
def client(ctx: Context, engine: Engine, understander: Understander) -> Iterator[TestClient]:
    chat = ChatService(ctx, SqlConversationStore(engine), lambda: understander, InProcessFeed())
    with TestClient(create_app(ctx, chat, lambda: True)) as test_client:
        yield test_client
