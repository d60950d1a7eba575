"""Routing and live work in the agent workspace, over the real app and database: availability,
capacity, priority, the agent's own socket, suggested replies, other changes, reassignment."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from parceldesk.domain.agents import AgentRole
from parceldesk.domain.shipments import Status
from parceldesk.services.agents import AddAgent, add_agent, set_agent_status
from parceldesk.services.context import Context, FixedClock
from tests.factories import given_shipment
from tests.web.test_agent_workspace import PASSWORD, csrf_on, sign_in

ORIGIN = {"origin": "http://testserver"}


def add(ctx: Context, username: str, languages: set[str], capacity: int = 3,
        role: AgentRole = AgentRole.AGENT, available: bool = False) -> None:  # fmt: skip
    agent = add_agent(ctx, AddAgent(username, username.title(), role, frozenset(languages),
                                    frozenset({"general", "complaints", "claims"}), capacity,
                                    PASSWORD))  # fmt: skip
    if available:
        set_agent_status(ctx, agent, "available")


def start(client: TestClient, language: str, *texts: str) -> tuple[str, dict[str, str], dict]:  # type: ignore[type-arg]
    started = client.post("/api/v1/conversations", json={"language": language}).json()
    auth = {"Authorization": f"Bearer {started['token']}"}
    turn: dict = {}  # type: ignore[type-arg]
    for number, text in enumerate(texts):
        turn = client.post(f"/api/v1/conversations/{started['id']}/messages",
                           json={"text": text, "client_message_id": str(number)},
                           headers=auth).json()  # fmt: skip
    return str(started["id"]), auth, turn


def queue_page(client: TestClient) -> str:
    return client.get("/agent").text


def test_a_handoff_goes_to_an_available_agent_with_a_free_seat_and_the_customer_is_told(
    client: TestClient, ctx: Context
) -> None:
    add(ctx, "away.one", {"zh"})
    add(ctx, "mei", {"zh"}, capacity=1, available=True)
    first, _, turn = start(client, "zh", "转人工")
    assert "Mei" in turn["replies"][-1]  # "客服Mei马上为您服务"
    second, _, turn = start(client, "zh", "我要人工客服")
    assert "第 1 位" in turn["replies"][-1]  # Mei's one seat is taken; nobody else is available
    sign_in(client, "mei")
    page = queue_page(client)
    assert "Your conversations (1)" in page
    assert f"/agent/conversations/{first}" in page
    assert "Waiting for a person (1)" in page
    where = f"/agent/conversations/{first}"
    client.post(f"{where}/hand-back", data={"csrf": csrf_on(client.get(where).text),
                                            "wrap_up": "resolved"})  # fmt: skip
    assert f"/agent/conversations/{second}" in queue_page(client)  # her free seat took it
    assert "Waiting for a person (0)" in queue_page(client)


def test_becoming_available_brings_the_longest_waiting_and_going_away_brings_none(
    client: TestClient, ctx: Context, clock: FixedClock
) -> None:
    add(ctx, "budi", {"id"}, capacity=1)
    start(client, "id", "saya mau bicara dengan CS manusia")
    clock.advance(minutes=-3)  # the next one started earlier
    older, _, _ = start(client, "id", "mau bicara dengan agen")
    clock.advance(minutes=3)
    sign_in(client, "budi")
    assert "Your conversations (0)" in queue_page(client)
    csrf = csrf_on(queue_page(client))
    client.post("/agent/status", data={"csrf": csrf, "status": "available"})
    page = queue_page(client)
    assert "You are available" in page
    assert f"/agent/conversations/{older}" in page.split("Waiting for a person")[0]
    bad = client.post("/agent/status", data={"csrf": csrf_on(page), "status": "asleep"})
    assert bad.status_code == 409
    assert "You are available" in queue_page(client)  # nothing changed


def test_a_repeat_contact_about_the_same_parcel_is_marked_and_served_first(
    client: TestClient, ctx: Context, clock: FixedClock
) -> None:
    add(ctx, "li.na", {"zh"})
    shipment = given_shipment(ctx)
    start(client, "zh", f"{shipment.waybill} 到哪了")
    clock.advance(hours=1)
    plain, _, _ = start(client, "zh", "转人工")
    clock.advance(minutes=1)
    again, _, _ = start(client, "zh", f"我的快递 {shipment.waybill} 还没到", "转人工")
    sign_in(client, "li.na")
    page = queue_page(client)
    rows = re.findall(r"/agent/conversations/([0-9a-f]+)", page)
    assert rows.index(again) < rows.index(plain)  # newer, but a repeat contact
    assert "repeat" in page


def test_the_agent_socket_carries_the_customer_lines_and_signals_both_ways(
    client: TestClient, ctx: Context
) -> None:
    add(ctx, "ayu", {"en"}, available=True)
    cid, auth, _ = start(client, "en", "can I talk to a person")
    sign_in(client, "ayu")
    with client.websocket_connect(f"/agent/conversations/{cid}/ws", headers=ORIGIN) as agent, \
         client.websocket_connect(f"/api/v1/conversations/{cid}/ws") as customer:  # fmt: skip
        customer.send_json({"type": "auth", "token": auth["Authorization"][7:]})
        assert customer.receive_json()["type"] == "ready"
        assert agent.receive_json() == {"type": "signal", "sender": "customer",
                                        "state": "here", "name": ""}  # fmt: skip
        customer.send_json({"type": "typing"})
        assert agent.receive_json()["state"] == "typing"
        customer.send_json({"type": "message", "text": "<i>hello?</i>", "client_message_id": "9"})
        lines = agent.receive_json()
        assert customer.receive_json()["type"] == "turn"
        assert lines["type"] == "lines"
        assert [(x["sender"], x["text"]) for x in lines["lines"]] == [("customer", "<i>hello?</i>")]
        agent.send_json({"type": "typing"})
        assert customer.receive_json() == {"type": "signal", "sender": "agent",
                                           "state": "typing", "name": "Ayu"}  # fmt: skip
        agent.send_json({"type": "message", "text": "Hi, Ayu here"})
        said = customer.receive_json()
        assert (said["type"], said["text"]) == ("agent", "Hi, Ayu here")
        echo = [agent.receive_json(), agent.receive_json()]
        assert {"type": "sent"} in echo
    transcript = client.get(f"/api/v1/conversations/{cid}", headers=auth).json()["messages"]
    assert transcript[-1]["text"] == "Hi, Ayu here"


def test_the_agent_socket_opens_only_for_a_signed_in_agent_of_the_queue_from_the_workspace(
    client: TestClient, ctx: Context
) -> None:
    add(ctx, "ayu", {"en"})
    add(ctx, "mei", {"zh"})
    cid, _, _ = start(client, "en", "can I talk to a person")
    for headers, who in (({}, "ayu"), (ORIGIN, None), (ORIGIN, "mei"),
                         ({"origin": "https://evil.example"}, "ayu")):  # fmt: skip
        client.cookies.clear()
        if who:
            sign_in(client, who)
        try:
            with client.websocket_connect(f"/agent/conversations/{cid}/ws", headers=headers) as ws:
                ws.receive_json()
        except Exception as error:
            assert "4403" in repr(error) or "WebSocketDisconnect" in repr(error)
        else:
            raise AssertionError(f"socket opened for {who} with {headers}")


def test_suggested_replies_are_in_the_customers_language(client: TestClient, ctx: Context) -> None:
    add(ctx, "budi", {"id"}, available=True)
    shipment = given_shipment(ctx)
    cid, _, _ = start(client, "id", f"paket {shipment.waybill} di mana", "mau bicara dengan agen")
    sign_in(client, "budi")
    page = client.get(f"/agent/conversations/{cid}").text
    chips = re.findall(r'data-reply="([^"]+)"', page)
    assert chips[0] == "Halo, saya Budi. Saya yang akan membantu Anda sekarang."
    assert any("4 digit terakhir" in chip for chip in chips)  # not verified yet
    assert chips[-1].startswith("Terima kasih")


def test_an_agent_reschedules_and_files_a_claim_for_the_customer(
    client: TestClient, ctx: Context
) -> None:
    add(ctx, "li.na", {"zh"}, available=True)
    shipment = given_shipment(ctx, status=Status.IN_TRANSIT)
    cid, auth, _ = start(
        client, "zh", f"{shipment.waybill} 能改到明天下午送吗", "尾号5678", "转人工"
    )
    sign_in(client, "li.na")
    where = f"/agent/conversations/{cid}"
    page = client.get(where).text
    slot = re.search(r'<option value="([0-9-]+/14:00-18:00)"', page)
    assert slot, "the station's windows are offered"
    confirm = client.post(f"{where}/action", data={"csrf": csrf_on(page), "role": "recipient",
                                                   "action": "reschedule_delivery",
                                                   "slot": slot.group(1)})  # fmt: skip
    assert "14:00-18:00" in confirm.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', confirm.text))
    assert client.post(f"{where}/action-confirm", data=fields).status_code == 200
    with ctx.uow() as uow:
        appointment = uow.shipments.get(shipment.waybill).appointment
    assert appointment is not None
    assert str(appointment.window) == "14:00-18:00"
    told = client.get(f"/api/v1/conversations/{cid}", headers=auth).json()["messages"][-1]
    assert told["sender"] == "agent"
    assert "14:00-18:00" in told["text"]
    refused = client.post(f"{where}/action", data={"csrf": csrf_on(client.get(where).text),
                                                   "action": "file_claim", "kind": "damage",
                                                   "description": "盒子压坏了"})  # fmt: skip
    assert "Confirm the change" not in refused.text  # not delivered: no damage claim yet


def test_a_supervisor_reassigns_a_conversation_to_another_agent(
    client: TestClient, ctx: Context
) -> None:
    add(ctx, "mei", {"zh"}, available=True)
    add(ctx, "li.na", {"zh"})
    add(ctx, "chief", {"zh"}, role=AgentRole.SUPERVISOR)
    cid, _, _ = start(client, "zh", "转人工")
    sign_in(client, "chief")
    overview = client.get("/agent/supervisor").text
    assert "Mei" in overview
    assert "1 / 3" in overview
    assert "available" in overview
    page = client.get(f"/agent/conversations/{cid}").text
    li_na = re.search(r'<option value="([0-9a-f]+)">Li.Na', page)
    assert li_na
    client.post(f"/agent/conversations/{cid}/reassign",
                data={"csrf": csrf_on(page), "agent": li_na.group(1)})  # fmt: skip
    client.cookies.clear()
    sign_in(client, "li.na")
    assert f"/agent/conversations/{cid}" in queue_page(client).split("Waiting for a person")[0]
    client.cookies.clear()
    sign_in(client, "mei")
    said = client.post(f"/agent/conversations/{cid}/say",
                       data={"csrf": csrf_on(client.get(f"/agent/conversations/{cid}").text),
                             "text": "还在吗"})  # fmt: skip
    assert said.status_code == 409  # it is Li Na's now
