"""The footprint dashboard: supervisors only, charts from the planner, bad input refused."""

from __future__ import annotations

from fastapi.testclient import TestClient

from parceldesk.domain.agents import AgentRole
from parceldesk.services.context import Context
from tests.web.test_agent_workspace import add, sign_in


def test_a_supervisor_sees_the_footprint_with_charts_and_an_agent_does_not(
    client: TestClient, ctx: Context
) -> None:
    add(ctx, "li.na", {"zh"})
    add(ctx, "chief", {"zh"}, AgentRole.SUPERVISOR)
    assert client.get("/dashboard/footprint", follow_redirects=False).status_code == 303
    sign_in(client, "li.na")
    refused = client.get("/dashboard/footprint", follow_redirects=False)
    assert refused.headers["location"] == "/agent"
    client.cookies.clear()
    sign_in(client, "chief")
    page = client.get("/dashboard/footprint?site=lingqiu&contacts=20000000")
    assert page.status_code == 200
    assert "Lingqiu (Datong, Shanxi)" in page.text
    assert page.text.count("<svg") == 2  # PUE by month, and the cooling modes of the site
    assert 'aria-label="PUE by month"' in page.text
    assert "<script" not in page.text.split("</head>")[1]  # the charts need no script


def test_the_footprint_dashboard_refuses_bad_input_with_a_clear_message(
    client: TestClient, ctx: Context
) -> None:
    add(ctx, "chief", {"zh"}, AgentRole.SUPERVISOR)
    sign_in(client, "chief")
    cases = (("site=../../etc/passwd", "choose 1-4 of the listed sites"),
             ("contacts=-3", "between 1 and"), ("contacts=lots", "a number"))  # fmt: skip
    for query, message in cases:
        page = client.get(f"/dashboard/footprint?{query}")
        assert page.status_code == 422
        assert message in page.text
        assert "<svg" not in page.text


def test_the_numbers_drill_down_to_their_conversations_and_export_one_row_each(
    client: TestClient, ctx: Context
) -> None:
    add(ctx, "chief", {"zh"}, AgentRole.SUPERVISOR)
    started = client.post("/api/v1/conversations", json={"language": "zh"}).json()
    client.post(f"/api/v1/conversations/{started['id']}/messages",
                json={"text": "转人工", "client_message_id": "1"},
                headers={"Authorization": f"Bearer {started['token']}"})  # fmt: skip
    client.post("/api/v1/conversations", json={"language": "en"})  # greeted, nothing more
    sign_in(client, "chief")
    page = client.get("/dashboard?from=2026-11-22&to=2026-11-28")
    assert page.status_code == 200
    assert "Handed to a person" in page.text
    assert "50.0%" in page.text  # one of the two was handed to a person
    assert page.text.count("<svg") == 2
    assert "CSAT (rated 4-5 of 5)" not in page.text  # no survey answers: no card, not 0 %
    assert "no survey answers yet" in page.text
    listed = client.get("/dashboard/conversations?metric=handed_off&from=2026-11-22&to=2026-11-28")
    assert f"/agent/conversations/{started['id']}" in listed.text
    assert "1 conversations" in listed.text
    exported = client.get("/dashboard/export.csv?from=2026-11-22&to=2026-11-28")
    assert exported.headers["content-type"].startswith("text/csv")
    assert len(exported.text.strip().splitlines()) == 3  # a header and one row each
    assert client.get("/dashboard?from=2026-11-28&to=2026-11-01").status_code == 422
    assert client.get("/dashboard/conversations?metric=vibes").status_code == 422
