"""The chat API over HTTP (ASGI): resume tokens, idempotent resends, isolation, bad input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, Table, func, select
from starlette.websockets import WebSocketDisconnect

from parceldesk.conversation.chat import ChatService
from parceldesk.conversation.nlu.understand import Understander
from parceldesk.services.context import Context
from parceldesk.storage import tables as t
from parceldesk.storage.conversations import SqlConversationStore
from parceldesk.web.app import create_app
from tests.factories import given_shipment


def start(client: TestClient, language: str = "zh") -> tuple[str, dict[str, str]]:
    response = client.post("/api/v1/conversations", json={"channel": "web", "language": language})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["replies"]
    assert body["quick_replies"]
    return body["id"], {"Authorization": f"Bearer {body['token']}"}


def say(client: TestClient, cid: str, auth: dict[str, str], text: str, mid: str) -> dict:  # type: ignore[type-arg]
    response = client.post(
        f"/api/v1/conversations/{cid}/messages",
        json={"text": text, "client_message_id": mid},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    body: dict = response.json()  # type: ignore[type-arg]
    return body


def count(engine: Engine, table: Table) -> int:
    with engine.connect() as db:
        return int(db.execute(select(func.count()).select_from(table)).scalar_one())


def test_address_change_through_the_api_and_the_transcript(
    client: TestClient, ctx: Context, engine: Engine
) -> None:
    shipment = given_shipment(ctx)
    cid, auth = start(client)
    first = say(client, cid, auth, f"你好，我想改一下 {shipment.waybill} 的收货地址", "m1")
    assert first["intent"] == "change_address"
    assert not first["handed_off"]
    say(client, cid, auth, "尾号5678", "m2")
    proposal = say(client, cid, auth, "改到北京市海淀区中关村大街27号", "m3")
    assert any("中关村大街27号" in r for r in proposal["replies"])
    assert proposal["quick_replies"] == ["是的，确认", "不用了"]
    done = say(client, cid, auth, proposal["quick_replies"][0], "m4")
    assert any("中关村大街27号" in r for r in done["replies"])
    with ctx.uow() as uow:
        assert uow.shipments.get(shipment.waybill).destination.street == "中关村大街27号"
    transcript = client.get(f"/api/v1/conversations/{cid}", headers=auth).json()
    senders = [m["sender"] for m in transcript["messages"]]
    assert senders[:2] == ["bot", "customer"]
    assert senders.count("customer") == 4
    assert transcript["messages"][1]["text"].endswith("的收货地址")


def test_a_resent_message_is_answered_once_and_never_acts_twice(
    client: TestClient, ctx: Context, engine: Engine
) -> None:
    shipment = given_shipment(ctx)
    cid, auth = start(client, "en")
    say(client, cid, auth, f"please change the delivery address of {shipment.waybill}", "a")
    say(client, cid, auth, "5678", "b")
    say(client, cid, auth, "北京市海淀区中关村大街27号", "c")
    done = say(client, cid, auth, "yes", "d")
    audits = count(engine, t.audit_records)
    events = count(engine, t.conversation_events)
    again = say(client, cid, auth, "yes", "d")
    assert again["replayed"]
    assert again["message_id"] == done["message_id"]
    assert again["replies"] == done["replies"]
    assert count(engine, t.audit_records) == audits
    assert count(engine, t.conversation_events) == events


def test_a_token_opens_only_its_own_conversation(client: TestClient) -> None:
    mine, my_auth = start(client)
    theirs, their_auth = start(client)
    say(client, theirs, their_auth, "PD0000000000059 到哪了", "x")
    for method, path, body in [
        ("GET", f"/api/v1/conversations/{theirs}", None),
        ("POST", f"/api/v1/conversations/{theirs}/messages",
         {"text": "hi", "client_message_id": "y"}),
    ]:  # fmt: skip
        response = client.request(method, path, json=body, headers=my_auth)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "conversation_not_found"
        anonymous = client.request(method, path, json=body)
        assert anonymous.status_code == 401
        assert anonymous.headers["WWW-Authenticate"] == "Bearer"
    transcript = client.get(f"/api/v1/conversations/{theirs}", headers=their_auth).json()
    assert [m["text"] for m in transcript["messages"] if m["sender"] == "customer"] == [
        "PD0000000000059 到哪了"
    ]
    assert client.get(f"/api/v1/conversations/{mine}", headers=my_auth).status_code == 200


@pytest.mark.parametrize(
    ("content", "headers", "status", "code"),
    [
        (b'{"text": "hi", "client_message_id": ', {}, 422, "invalid_request"),
        (b'{"text": "\xff\xfe", "client_message_id": "a"}', {}, 400, "invalid_request"),
        (b'{"text": "", "client_message_id": "a"}', {}, 422, "invalid_request"),
        (b'{"text": "hi", "client_message_id": "no spaces allowed"}', {}, 422, "invalid_input"),
        (b'{"text": "' + b"x" * 2001 + b'", "client_message_id": "a"}', {}, 422, "invalid_request"),
        (b'{"text": "' + b"x" * 70_000 + b'", "client_message_id": "a"}', {}, 413, "too_large"),
        (b'{"text": "hi\\u0000", "client_message_id": "a"}', {}, 422, "invalid_input"),
    ],
)
def test_bad_input_gets_a_clear_error_and_changes_nothing(
    client: TestClient,
    engine: Engine,
    content: bytes,
    headers: dict[str, str],
    status: int,
    code: str,
) -> None:
    cid, auth = start(client)
    before = count(engine, t.conversation_events)
    response = client.post(
        f"/api/v1/conversations/{cid}/messages",
        content=content,
        headers={**auth, "Content-Type": "application/json", **headers},
    )
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert count(engine, t.conversation_events) == before
    assert count(engine, t.conversation_turns) == 0


def test_unknown_conversation_and_bad_start_requests(client: TestClient) -> None:
    auth = {"Authorization": "Bearer nothing"}
    assert client.get("/api/v1/conversations/" + "0" * 32, headers=auth).status_code == 404
    assert client.get("/api/v1/conversations/" + "0" * 500, headers=auth).status_code == 404
    bad = client.post("/api/v1/conversations", json={"channel": "pigeon"})
    assert bad.status_code == 422
    assert "channel" in bad.json()["error"]["message"]
    phone = client.post("/api/v1/conversations", json={"caller_phone": "12"})
    assert phone.status_code == 422
    assert phone.json()["error"]["code"] == "invalid_phone"


def test_pages_carry_security_headers_and_the_openapi_document_matches(
    client: TestClient,
) -> None:
    page = client.get("/chat")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths) >= {
        "/api/v1/conversations",
        "/api/v1/conversations/{conversation_id}/messages",
        "/api/v1/conversations/{conversation_id}",
    }
    assert client.get("/readyz").json() == {"status": "ready"}


def test_only_the_configured_sites_may_frame_the_chat(ctx: Context, engine: Engine) -> None:
    chat = ChatService(ctx, SqlConversationStore(engine), lambda: None)  # type: ignore[arg-type,return-value]
    app = create_app(ctx, chat, lambda: True, embed_origins="https://www.carrier.com")
    with TestClient(app) as client:
        chat_page = client.get("/chat").headers
        api = client.get("/healthz").headers
    assert "frame-ancestors 'self' https://www.carrier.com" in chat_page["content-security-policy"]
    assert "x-frame-options" not in chat_page
    assert "frame-ancestors 'none'" in api["content-security-policy"]
    assert api["x-frame-options"] == "DENY"


def test_the_websocket_speaks_the_same_conversation_after_auth(client: TestClient) -> None:
    cid, auth = start(client, "en")
    token = auth["Authorization"].removeprefix("Bearer ")
    with client.websocket_connect(f"/api/v1/conversations/{cid}/ws") as socket:
        socket.send_json({"type": "auth", "token": token})
        assert socket.receive_json() == {"type": "ready", "handed_off": False}
        socket.send_json(
            {"type": "message", "text": "when are you open", "client_message_id": "w1"}
        )
        turn = socket.receive_json()
        assert turn["type"] == "turn"
        assert turn["intent"] == "faq"
        socket.send_json(
            {"type": "message", "text": "when are you open", "client_message_id": "w1"}
        )
        again = socket.receive_json()
        assert again["replayed"]
        assert again["message_id"] == turn["message_id"]
        socket.send_text("not json")
        assert socket.receive_json()["code"] == "invalid_request"
        socket.send_json({"type": "message", "text": "", "client_message_id": "w2"})
        assert socket.receive_json()["code"] == "invalid_input"
    transcript = client.get(f"/api/v1/conversations/{cid}", headers=auth).json()
    assert [m["text"] for m in transcript["messages"] if m["sender"] == "customer"] == [
        "when are you open"
    ]


def test_a_websocket_without_the_right_token_is_closed(client: TestClient) -> None:
    cid, _ = start(client)
    with client.websocket_connect(f"/api/v1/conversations/{cid}/ws") as socket:
        socket.send_json({"type": "auth", "token": "wrong"})
        assert socket.receive_json()["code"] == "not_authenticated"
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
        assert closed.value.code == 4401


def test_one_address_guessing_digits_across_parcels_is_stopped(
    ctx: Context, engine: Engine, understander: Understander
) -> None:
    chat = ChatService(ctx, SqlConversationStore(engine), lambda: understander)
    app = create_app(ctx, chat, lambda: True, verification_failures_per_address=2)
    with TestClient(app) as client:
        for serial in (11, 12):
            shipment = given_shipment(ctx, serial=serial)
            cid, auth = start(client, "en")
            say(client, cid, auth, f"please change the address of {shipment.waybill}", "1")
            failed = say(client, cid, auth, "0000", "2")
            assert not failed["handed_off"]
        cid, auth = start(client, "en")
        blocked = client.post(
            f"/api/v1/conversations/{cid}/messages",
            json={"text": "where is my parcel", "client_message_id": "1"},
            headers=auth,
        )
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "rate_limited"
    assert int(blocked.headers["Retry-After"]) > 0


def test_the_transcript_keeps_the_bots_status_answers_and_read_backs(
    client: TestClient, ctx: Context
) -> None:
    shipment = given_shipment(ctx)
    started = client.post("/api/v1/conversations", json={"language": "en"}).json()
    auth = {"Authorization": f"Bearer {started['token']}"}
    said = []
    for number, text in enumerate([f"where is {shipment.waybill}",
                                   f"change the delivery address of {shipment.waybill}", "5678",
                                   "北京市海淀区中关村大街27号"]):  # fmt: skip
        turn = client.post(f"/api/v1/conversations/{started['id']}/messages",
                           json={"text": text, "client_message_id": str(number)},
                           headers=auth).json()  # fmt: skip
        said += turn["replies"]
    kept = [m["text"] for m in client.get(f"/api/v1/conversations/{started['id']}",
                                          headers=auth).json()["messages"]
            if m["sender"] == "bot"]  # fmt: skip
    assert [text for text in said if text not in kept] == []  # every reply is in the record
    assert any("中关村大街27号" in text and "(yes/no)" in text for text in kept)
