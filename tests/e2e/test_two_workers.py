"""Two server processes on one PostgreSQL and one Redis: the customer's chat is open on one,
the agent works on the other, and the agent's message reaches the customer's socket."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import Engine
from websockets.sync.client import connect
from websockets.typing import Origin

from parceldesk.conversation.nlu.understand import Understander
from parceldesk.domain.agents import AgentRole
from parceldesk.domain.policy import Policy
from parceldesk.services.agents import AddAgent, add_agent
from parceldesk.services.context import FixedClock
from tests.conftest import REQUIRE_POSTGRES, make_context, truncate_all
from tests.servers import running_server, share_model

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.mark.postgres
def test_a_customer_on_one_worker_hears_an_agent_on_another(
    tmp_path: Path, postgres_engine: Engine, understander: Understander, policy: Policy,
    clock: FixedClock,
) -> None:  # fmt: skip
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError as error:
        if REQUIRE_POSTGRES:
            pytest.fail(f"Redis is required here: {error}")
        pytest.skip(f"Redis unavailable: {error}")
    truncate_all(postgres_engine)
    ctx = make_context(postgres_engine, policy, clock)
    add_agent(ctx, AddAgent("ayu", "Ayu", AgentRole.AGENT, frozenset({"en"}),
                            frozenset({"general"}), 3, "correct horse 42"))  # fmt: skip
    database = postgres_engine.url.render_as_string(hide_password=False)
    env = {"PARCELDESK_DATABASE_URL": database, "PARCELDESK_REDIS_URL": REDIS_URL,
           "PARCELDESK_SECRET_KEY": "test-secret-key"}  # fmt: skip
    for name in ("a", "b"):
        share_model(tmp_path / name, understander)
    with running_server(tmp_path / "a", env=env) as a, running_server(tmp_path / "b", env=env) as b:
        started = httpx.post(f"{a}/api/v1/conversations", json={"language": "en"}).json()
        auth = {"Authorization": f"Bearer {started['token']}"}
        turn = httpx.post(f"{a}/api/v1/conversations/{started['id']}/messages",
                          json={"text": "I want a person", "client_message_id": "1"},
                          headers=auth, timeout=10).json()  # fmt: skip
        assert turn["handed_off"]
        ws_url = a.replace("http://", "ws://") + f"/api/v1/conversations/{started['id']}/ws"
        with connect(ws_url) as socket, httpx.Client(base_url=b, timeout=10) as agent:
            socket.send(json.dumps({"type": "auth", "token": started["token"]}))
            assert json.loads(socket.recv(timeout=10))["type"] == "ready"
            page = agent.get("/agent/login").text
            agent.post("/agent/login", data={"csrf": _csrf(page), "username": "ayu",
                                             "password": "correct horse 42"})  # fmt: skip
            where = f"/agent/conversations/{started['id']}"
            agent.post(f"{where}/take", data={"csrf": _csrf(agent.get(where).text)})
            joined = json.loads(socket.recv(timeout=10))
            agent.post(f"{where}/say", data={"csrf": _csrf(agent.get(where).text),
                                             "text": "Hi, Ayu here."})  # fmt: skip
            frame = json.loads(socket.recv(timeout=10))
            agent_ws = b.replace("http://", "ws://") + where + "/ws"
            cookie = f"pd_agent={agent.cookies.get('pd_agent')}"
            with connect(agent_ws, origin=Origin(b), additional_headers={"Cookie": cookie}) as desk:
                httpx.post(f"{a}/api/v1/conversations/{started['id']}/messages",
                           json={"text": "Thanks, Ayu!", "client_message_id": "2"},
                           headers=auth, timeout=10)  # fmt: skip
                heard = [json.loads(desk.recv(timeout=10)) for _ in range(1)]
    assert (joined["type"], joined["name"]) == ("joined", "Ayu")  # across the two processes
    assert frame["type"] == "agent"
    assert frame["text"] == "Hi, Ayu here."
    assert heard[0]["type"] == "lines"  # and the customer's message from worker a reached b
    assert heard[0]["lines"][0]["text"] == "Thanks, Ayu!"


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found, page
    return found.group(1)
