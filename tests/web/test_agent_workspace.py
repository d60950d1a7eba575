"""The agent workspace's door: sign-in with CSRF, lockout, sign-out, and queues by language."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from parceldesk.domain.agents import AgentRole
from parceldesk.services.agents import MAX_FAILED_LOGINS, AddAgent, add_agent
from parceldesk.services.context import Context
from tests.factories import given_shipment

PASSWORD = "correct horse 42"


def add(
    ctx: Context, username: str, languages: set[str], role: AgentRole = AgentRole.AGENT
) -> None:
    add_agent(ctx, AddAgent(username, username.title(), role, frozenset(languages),
                            frozenset({"general"}), 3, PASSWORD))  # fmt: skip


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> int:
    page = client.get("/agent/login")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert csrf, page.text
    response = client.post(
        "/agent/login",
        data={"csrf": csrf.group(1), "username": username, "password": password},
        follow_redirects=False,
    )
    return response.status_code


def hand_off(client: TestClient, language: str, text: str) -> str:
    started = client.post("/api/v1/conversations", json={"language": language}).json()
    turn = client.post(
        f"/api/v1/conversations/{started['id']}/messages",
        json={"text": text, "client_message_id": "1"},
        headers={"Authorization": f"Bearer {started['token']}"},
    ).json()
    assert turn["handed_off"]
    return str(started["id"])


def test_agents_see_only_their_queues_and_supervisors_all(client: TestClient, ctx: Context) -> None:
    add(ctx, "li.na", {"zh"})
    add(ctx, "budi", {"id"})
    add(ctx, "chief", {"en"}, AgentRole.SUPERVISOR)
    hand_off(client, "zh", "转人工")
    hand_off(client, "id", "mau bicara dengan agen")
    assert client.get("/agent", follow_redirects=False).status_code == 303  # not signed in
    assert sign_in(client, "li.na") == 303
    queue = client.get("/agent").text
    assert "Waiting for a person (1)" in queue
    assert "customer_request" in queue
    client.cookies.clear()
    assert sign_in(client, "chief") == 303
    assert "Waiting for a person (2)" in client.get("/agent").text


def test_wrong_passwords_lock_the_account_and_a_foreign_form_is_refused(
    client: TestClient, ctx: Context
) -> None:
    add(ctx, "li.na", {"zh"})
    for _ in range(MAX_FAILED_LOGINS):
        assert sign_in(client, "li.na", "wrong password 1") == 401
    assert sign_in(client, "li.na") == 401  # locked, even with the right password
    forged = client.post(
        "/agent/login", data={"csrf": "0" * 64, "username": "li.na", "password": PASSWORD}
    )
    assert forged.status_code == 401
    assert "did not come from this page" in forged.text


def test_signing_out_ends_the_session(client: TestClient, ctx: Context) -> None:
    add(ctx, "li.na", {"zh"})
    assert sign_in(client, "li.na") == 303
    cookie = client.cookies.get("pd_agent")
    assert cookie
    page = client.get("/agent").text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert csrf
    client.post("/agent/logout", data={"csrf": csrf.group(1)}, follow_redirects=False)
    client.cookies.set("pd_agent", cookie, path="/agent")
    assert client.get("/agent", follow_redirects=False).status_code == 303


def test_an_agent_opens_only_conversations_of_their_queues_and_markup_stays_text(
    client: TestClient, ctx: Context
) -> None:
    add(ctx, "li.na", {"en"})
    add(ctx, "budi", {"id"})
    shipment = given_shipment(ctx)
    started = client.post("/api/v1/conversations", json={"language": "en"}).json()
    auth = {"Authorization": f"Bearer {started['token']}"}
    path = f"/api/v1/conversations/{started['id']}/messages"
    attack = "<img src=x onerror=alert(1)> where is " + shipment.waybill
    client.post(path, json={"text": attack, "client_message_id": "1"}, headers=auth)
    client.post(path, json={"text": "I want a person", "client_message_id": "2"}, headers=auth)
    sign_in(client, "li.na")
    page = client.get(f"/agent/conversations/{started['id']}")
    assert page.status_code == 200
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert "<img src=x" not in page.text
    assert shipment.waybill in page.text
    assert "建国路88号" in page.text  # the full address: the agent is authorised
    client.cookies.clear()
    sign_in(client, "budi")
    assert client.get(f"/agent/conversations/{started['id']}").status_code == 404


def csrf_on(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found, page
    return found.group(1)


def test_an_agent_takes_over_writes_to_the_customer_and_hands_back(
    client: TestClient, ctx: Context
) -> None:
    add(ctx, "li.na", {"zh"})
    add(ctx, "wang", {"zh"})
    started = client.post("/api/v1/conversations", json={"language": "zh"}).json()
    auth = {"Authorization": f"Bearer {started['token']}"}
    path = f"/api/v1/conversations/{started['id']}/messages"
    client.post(path, json={"text": "转人工", "client_message_id": "1"}, headers=auth)
    sign_in(client, "li.na")
    page = client.get(f"/agent/conversations/{started['id']}").text
    client.post(f"/agent/conversations/{started['id']}/take", data={"csrf": csrf_on(page)})
    page = client.get(f"/agent/conversations/{started['id']}").text
    assert "Message to the customer" in page
    greeting = "您好，我是李娜，请问有什么可以帮您？"
    client.post(f"/agent/conversations/{started['id']}/say",
                data={"csrf": csrf_on(page), "text": greeting})  # fmt: skip
    silent = client.post(path, json={"text": "我的快递到哪了", "client_message_id": "2"},
                         headers=auth).json()  # fmt: skip
    assert silent["replies"] == []  # the bot stays silent while a person has the conversation
    transcript = client.get(f"/api/v1/conversations/{started['id']}", headers=auth).json()
    assert transcript["messages"][-2]["sender"] == "agent"
    assert transcript["messages"][-2]["text"].startswith("您好，我是李娜")
    client.cookies.clear()
    sign_in(client, "wang")
    other = client.get(f"/agent/conversations/{started['id']}").text
    assert "A colleague has taken this conversation" in other
    refused = client.post(f"/agent/conversations/{started['id']}/say",
                          data={"csrf": csrf_on(other), "text": "hi"})  # fmt: skip
    assert refused.status_code == 409
    client.cookies.clear()
    sign_in(client, "li.na")
    page = client.get(f"/agent/conversations/{started['id']}").text
    client.post(f"/agent/conversations/{started['id']}/hand-back",
                data={"csrf": csrf_on(page), "wrap_up": "resolved"})  # fmt: skip
    back = client.post(path, json={"text": "谢谢", "client_message_id": "3"}, headers=auth).json()
    assert back["replies"]  # the bot answers again
    assert not back["handed_off"]


def test_an_agent_changes_the_address_for_the_customer_at_the_fee_shown(
    client: TestClient, ctx: Context
) -> None:
    add(ctx, "li.na", {"zh"})
    shipment = given_shipment(ctx)
    started = client.post("/api/v1/conversations", json={"language": "zh"}).json()
    auth = {"Authorization": f"Bearer {started['token']}"}
    path = f"/api/v1/conversations/{started['id']}/messages"
    for number, text in enumerate([f"我想改一下 {shipment.waybill} 的收货地址", "尾号5678",
                                   "改到北京市海淀区中关村大街27号", "转人工"]):  # fmt: skip
        client.post(path, json={"text": text, "client_message_id": str(number)}, headers=auth)
    sign_in(client, "li.na")
    where = f"/agent/conversations/{started['id']}"
    client.post(f"{where}/take", data={"csrf": csrf_on(client.get(where).text)})
    page = client.get(where).text
    assert "中关村大街27号</textarea>" in page  # pre-filled from what the customer wrote
    confirm = client.post(
        f"{where}/action",
        data={"csrf": csrf_on(page), "action": "change_address",
              "address": "北京市海淀区中关村大街27号", "role": "recipient"},
    )  # fmt: skip
    assert "Fee for the customer: ¥" in confirm.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', confirm.text))
    stale = client.post(f"{where}/action-confirm", data=fields | {"fee": ""})
    assert stale.status_code == 409  # not at a fee the agent did not see
    done = client.post(f"{where}/action-confirm", data=fields, follow_redirects=False)
    assert done.status_code == 303
    with ctx.uow() as uow:
        assert uow.shipments.get(shipment.waybill).destination.street == "中关村大街27号"
        audit = [a for a in uow.audit.list_for_waybill(shipment.waybill)
                 if a.action == "change_address"]  # fmt: skip
    assert [a.actor.split(":")[0] for a in audit] == ["agent"]
    transcript = client.get(f"/api/v1/conversations/{started['id']}", headers=auth).json()
    assert transcript["messages"][-1]["sender"] == "agent"
    assert "中关村大街27号" in transcript["messages"][-1]["text"]


def test_the_agents_message_reaches_the_customers_open_socket(
    client: TestClient, ctx: Context
) -> None:
    add(ctx, "li.na", {"en"})
    started = client.post("/api/v1/conversations", json={"language": "en"}).json()
    auth = {"Authorization": f"Bearer {started['token']}"}
    path = f"/api/v1/conversations/{started['id']}/messages"
    client.post(path, json={"text": "a person please", "client_message_id": "1"}, headers=auth)
    with client.websocket_connect(f"/api/v1/conversations/{started['id']}/ws") as socket:
        socket.send_json({"type": "auth", "token": started["token"]})
        assert socket.receive_json()["handed_off"] is True
        sign_in(client, "li.na")
        where = f"/agent/conversations/{started['id']}"
        client.post(f"{where}/take", data={"csrf": csrf_on(client.get(where).text)})
        joined = socket.receive_json()
        client.post(f"{where}/say", data={"csrf": csrf_on(client.get(where).text),
                                          "text": "Hello, Li Na here <b>"})  # fmt: skip
        frame = socket.receive_json()
    assert joined == {"type": "joined", "seq": joined["seq"], "name": "Li.Na"}
    assert frame["type"] == "agent"
    assert frame["text"] == "Hello, Li Na here <b>"
    assert frame["name"] == "Li.Na"
    transcript = client.get(f"/api/v1/conversations/{started['id']}", headers=auth).json()
    assert transcript["messages"][-1]["seq"] == frame["seq"]


def test_customers_waiting_for_a_person_are_told_their_place(
    client: TestClient, ctx: Context
) -> None:
    add(ctx, "li.na", {"zh"})
    places = []
    ids = []
    for _ in range(2):
        started = client.post("/api/v1/conversations", json={"language": "zh"}).json()
        turn = client.post(
            f"/api/v1/conversations/{started['id']}/messages",
            json={"text": "转人工", "client_message_id": "1"},
            headers={"Authorization": f"Bearer {started['token']}"},
        ).json()
        places.append(turn["replies"][-1])
        ids.append(started["id"])
    assert "第 1 位" in places[0]
    assert "第 2 位" in places[1]
    sign_in(client, "li.na")
    where = f"/agent/conversations/{ids[0]}"
    client.post(f"{where}/take", data={"csrf": csrf_on(client.get(where).text)})
    third = client.post("/api/v1/conversations", json={"language": "zh"}).json()
    turn = client.post(
        f"/api/v1/conversations/{third['id']}/messages",
        json={"text": "转人工", "client_message_id": "1"},
        headers={"Authorization": f"Bearer {third['token']}"},
    ).json()
    assert "第 2 位" in turn["replies"][-1]  # the first is with an agent now


def test_a_supervisor_sees_queue_lengths_and_an_agent_does_not(
    client: TestClient, ctx: Context
) -> None:
    add(ctx, "li.na", {"zh"})
    add(ctx, "chief", {"en"}, AgentRole.SUPERVISOR)
    hand_off(client, "zh", "转人工")
    hand_off(client, "zh", "我要人工客服")
    hand_off(client, "id", "mau bicara dengan agen")
    sign_in(client, "li.na")
    assert client.get("/agent/supervisor", follow_redirects=False).status_code == 303
    client.cookies.clear()
    sign_in(client, "chief")
    page = client.get("/agent/supervisor").text
    rows = dict(re.findall(r"<tr><td>(\w+)</td><td>(\d+)</td>", page))
    assert rows == {"en": "0", "id": "1", "zh": "2"}
