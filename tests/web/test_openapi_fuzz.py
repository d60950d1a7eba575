"""Schemathesis generates requests from the OpenAPI document: none may end in a server error.

(Driven through its Python API: its pytest plugin does not work with this pytest release.)
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance
from sqlalchemy import Engine

from parceldesk.conversation.chat import ChatService
from parceldesk.conversation.nlu.understand import Understander
from parceldesk.services.context import Context
from parceldesk.storage.conversations import SqlConversationStore
from parceldesk.web.app import create_app


def test_no_generated_request_causes_a_server_error(
    ctx: Context, engine: Engine, understander: Understander
) -> None:
    chat = ChatService(ctx, SqlConversationStore(engine), lambda: understander)
    real = chat.start("api", "en")
    app = create_app(ctx, chat, lambda: True, conversations_per_minute=10_000,
                     messages_per_minute=10_000)  # fmt: skip
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 3
    for operation in operations:

        @given(case=operation.as_strategy(), use_real=st.booleans())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case, use_real: bool) -> None:  # type: ignore[type-arg]
            # half the requests name a real conversation with its token, so the engine runs too
            if use_real and "conversation_id" in (case.path_parameters or {}):
                case.path_parameters["conversation_id"] = real.id
                case.headers["Authorization"] = f"Bearer {real.token}"
            response = case.call()
            case.validate_response(response, checks=[not_a_server_error, status_code_conformance])

        check()
