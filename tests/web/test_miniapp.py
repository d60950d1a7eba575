"""The self-service mini app over HTTP (ASGI): links, CSRF, read-back, one change per link."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from parceldesk.domain.shipments import PartyRole, Status
from parceldesk.services.context import Context, FixedClock
from parceldesk.services.links import IssueSelfServiceLink, issue_link
from tests.factories import given_shipment


def link_for(ctx: Context, waybill: str, role: PartyRole = PartyRole.RECIPIENT) -> str:
    return issue_link(ctx, IssueSelfServiceLink(waybill, role, "test"), "http://testserver").token


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, html
    return found.group(1)


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))


def test_the_overview_shows_status_timeline_and_only_the_allowed_actions(
    client: TestClient, ctx: Context
) -> None:
    shipment = given_shipment(ctx)
    page = client.get(f"/m/{link_for(ctx, shipment.waybill)}")
    assert page.status_code == 200
    assert shipment.waybill in page.text
    assert "运输中" in page.text  # a Chinese parcel speaks Chinese unless asked otherwise
    assert "建国路88号" in page.text  # the verified party sees the full address
    assert "/change_address" in page.text
    assert "/intercept_return" not in page.text  # the recipient cannot send it back
    assert page.headers["cache-control"] == "no-store"
    assert "samesite=strict" in page.headers["set-cookie"].lower()


def test_an_address_change_previewed_read_back_confirmed_once(
    client: TestClient, ctx: Context
) -> None:
    shipment = given_shipment(ctx)
    token = link_for(ctx, shipment.waybill)
    form = client.get(f"/m/{token}/change_address")
    csrf = csrf_of(form.text)
    preview = client.post(
        f"/m/{token}/change_address/preview",
        json={"address": "海淀区中关村大街27号"},
        headers={"X-CSRF-Token": csrf},
    )
    assert preview.status_code == 200, preview.text
    assert ["街道门牌", "中关村大街27号"] in preview.json()["fields"]
    confirm = client.post(
        f"/m/{token}/change_address", data={"csrf": csrf, "address": "海淀区中关村大街27号"}
    )
    assert confirm.status_code == 200, confirm.text
    assert "中关村大街27号" in confirm.text
    assert "海淀区" in confirm.text
    fields = hidden_fields(confirm.text)
    assert fields["fee"]  # another district costs a fee, shown before confirming
    done = client.post(f"/m/{token}/change_address/confirm", data=fields)
    assert done.status_code == 200, done.text
    with ctx.uow() as uow:
        changed = uow.shipments.get(shipment.waybill)
        audit = uow.audit.list_for_waybill(shipment.waybill)
    assert changed.destination.street == "中关村大街27号"
    assert [a.channel for a in audit if a.action == "change_address"] == ["miniapp"]
    again = client.post(f"/m/{token}/change_address/confirm", data=fields)
    assert again.status_code == 410
    assert "已使用" in again.text or "already been used" in again.text
    assert client.get(f"/m/{token}").status_code == 410


def test_a_reschedule_offers_the_stations_windows(client: TestClient, ctx: Context) -> None:
    shipment = given_shipment(ctx, status=Status.AT_STATION)
    token = link_for(ctx, shipment.waybill)
    form = client.get(f"/m/{token}/reschedule_delivery?lang=en")
    slots = re.findall(r'name="slot" value="([^"]+)"', form.text)
    assert slots
    slot = slots[-1]
    confirm = client.post(
        f"/m/{token}/reschedule_delivery?lang=en", data={"csrf": csrf_of(form.text), "slot": slot}
    )
    assert confirm.status_code == 200, confirm.text
    done = client.post(
        f"/m/{token}/reschedule_delivery/confirm?lang=en", data=hidden_fields(confirm.text)
    )
    assert done.status_code == 200, done.text
    with ctx.uow() as uow:
        appointment = uow.shipments.get(shipment.waybill).appointment
    assert appointment is not None
    assert f"{appointment.day.isoformat()}/{appointment.window}" == slot


def test_tampered_expired_and_forged_links_change_nothing(
    client: TestClient, ctx: Context, clock: FixedClock
) -> None:
    shipment = given_shipment(ctx)
    token = link_for(ctx, shipment.waybill)
    body, signature = token.split(".")
    tampered = f"{body[:-1]}{'A' if body[-1] != 'A' else 'B'}.{signature}"
    page = client.get(f"/m/{tampered}")
    assert page.status_code == 404
    assert "链接无效" in page.text or "not valid" in page.text
    post = client.post(f"/m/{tampered}/change_address/confirm", data={"address": "x"})
    assert post.status_code in (404, 422)
    clock.advance(minutes=ctx.policy.verification.link_ttl_hours * 60 + 1)
    assert client.get(f"/m/{token}").status_code == 410
    with ctx.uow() as uow:
        assert uow.shipments.get(shipment.waybill).version == shipment.version


def test_a_form_without_its_csrf_token_is_refused(client: TestClient, ctx: Context) -> None:
    shipment = given_shipment(ctx)
    token = link_for(ctx, shipment.waybill)
    client.get(f"/m/{token}/change_address")
    refused = client.post(
        f"/m/{token}/change_address", data={"csrf": "0" * 64, "address": "海淀区中关村大街27号"}
    )
    assert refused.status_code == 422
    preview = client.post(f"/m/{token}/change_address/preview", json={"address": "x"})
    assert preview.status_code == 422
    assert preview.json()["error"]["code"] == "csrf_failed"


def test_markup_in_an_address_is_shown_as_text(client: TestClient, ctx: Context) -> None:
    shipment = given_shipment(ctx)
    token = link_for(ctx, shipment.waybill)
    csrf = csrf_of(client.get(f"/m/{token}/change_address").text)
    attack = "海淀区中关村大街27号<script>alert(1)</script>"
    page = client.post(f"/m/{token}/change_address", data={"csrf": csrf, "address": attack})
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text


def test_the_sender_may_send_it_back_the_recipient_may_not(
    client: TestClient, ctx: Context
) -> None:
    shipment = given_shipment(ctx)
    recipient = client.get(f"/m/{link_for(ctx, shipment.waybill)}/intercept_return")
    assert recipient.status_code == 409
    sender_token = link_for(ctx, shipment.waybill, PartyRole.SENDER)
    confirm = client.get(f"/m/{sender_token}/intercept_return?lang=en")
    assert confirm.status_code == 200, confirm.text
    done = client.post(
        f"/m/{sender_token}/intercept_return/confirm?lang=en", data=hidden_fields(confirm.text)
    )
    assert done.status_code == 200, done.text
    with ctx.uow() as uow:
        assert uow.shipments.get(shipment.waybill).status is Status.RETURNING
