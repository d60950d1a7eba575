"""Logs are JSON-ready records with personal data and link tokens masked; metrics count turns."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from parceldesk.domain.shipments import PartyRole
from parceldesk.services.context import Context
from parceldesk.services.links import IssueSelfServiceLink, issue_link
from parceldesk.web.observability import loggable_path, mask_personal_data
from tests.factories import given_shipment


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("call +8613812345678 now", "call ************78 now"),
        ("号码 13812345678", "号码 *********78"),
        ("hp +62 812-3456-7890", "hp ***************90"),
        ("parcel PD0000000000059 is fine", "parcel PD0000000000059 is fine"),
    ],
)
def test_phone_numbers_are_masked_in_log_text(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


def test_request_logs_hide_link_tokens_and_metrics_count_turns(
    client: TestClient, ctx: Context, caplog: pytest.LogCaptureFixture
) -> None:
    shipment = given_shipment(ctx)
    token = issue_link(
        ctx, IssueSelfServiceLink(shipment.waybill, PartyRole.RECIPIENT, "t"), "http://x"
    ).token
    with caplog.at_level(logging.INFO, logger="parceldesk.web"):
        assert client.get(f"/m/{token}").status_code == 200
        started = client.post("/api/v1/conversations", json={"language": "en"}).json()
        client.post(
            f"/api/v1/conversations/{started['id']}/messages",
            json={
                "text": "my number is +8613812345678, talk to a person",
                "client_message_id": "1",
            },
            headers={"Authorization": f"Bearer {started['token']}"},
        )
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "/m/<link>" in logged
    assert token not in logged
    assert started["token"] not in logged
    assert "13812345678" not in logged
    metrics = client.get("/metrics").text
    assert 'parceldesk_turns_total{intent="human_agent"} 1.0' in metrics
    assert "parceldesk_handoffs_total 1.0" in metrics
    assert 'route="/m/{token}"' in metrics


def test_loggable_path_cuts_out_only_the_link() -> None:
    assert loggable_path("/m/abc.def/change_address") == "/m/<link>/change_address"
    assert loggable_path("/api/v1/conversations/x") == "/api/v1/conversations/x"
