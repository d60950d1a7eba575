"""Metrics from real conversations stored on both databases."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from parceldesk.analytics.report import make_report
from parceldesk.services.context import Context, FixedClock
from parceldesk.storage.conversations import SqlConversationStore
from tests.factories import given_shipment
from tests.web.test_agent_routing import add, start
from tests.web.test_agent_workspace import csrf_on, sign_in


def test_a_report_counts_what_really_happened(
    client: TestClient, ctx: Context, engine: Engine, clock: FixedClock
) -> None:
    add(ctx, "mei", {"zh"})
    shipment = given_shipment(ctx)
    start(client, "zh", f"{shipment.waybill} 到哪了", "谢谢")  # answered and thanked
    clock.advance(minutes=30)
    start(client, "zh", f"{shipment.waybill} 到哪了")  # answered, no word back
    clock.advance(minutes=30)
    changed, _, _ = start(client, "zh", f"我想改一下 {shipment.waybill} 的收货地址", "尾号5678",
                          "改到北京市海淀区中关村大街27号", "对")  # fmt: skip
    person, _, _ = start(client, "zh", "转人工")
    sign_in(client, "mei")
    where = f"/agent/conversations/{person}"
    client.post(f"{where}/take", data={"csrf": csrf_on(client.get(where).text)})
    clock.advance(minutes=4)
    client.post(f"{where}/hand-back", data={"csrf": csrf_on(client.get(where).text),
                                            "wrap_up": "resolved"})  # fmt: skip
    store = SqlConversationStore(engine)
    report = make_report(store, clock.now() - timedelta(days=1), clock.now() + timedelta(days=1))
    assert len(report.recontacted) == 1  # the thanked answer: the customer came back about it
    s = report.summary
    assert s.conversations == 4
    assert s.contained == 3
    assert s.handed_off == 1
    assert s.handoff_reasons == {"customer_request": 1}
    assert s.actions == {"change_address": 1}
    # the thanked answer and the change; not the silent answer; not the person's
    # (the first two are about the same parcel but different intents from the change; the
    # silent one re-contacts the thanked one about the same parcel and intent, undoing it)
    assert s.ai_resolved == 1
    assert changed not in report.recontacted
    assert s.handle_p50_s == 240
    by_intent = report.by("intent")
    assert by_intent["change_address"].ai_resolved == 1


def test_the_survey_after_a_person_helped_and_after_the_bot_answered_gives_csat(
    client: TestClient, ctx: Context, engine: Engine, clock: FixedClock
) -> None:
    add(ctx, "mei", {"zh"})
    shipment = given_shipment(ctx)
    bot, auth, _ = start(client, "zh")
    replies = [
        client.post(f"/api/v1/conversations/{bot}/messages", headers=auth,
                    json={"text": text, "client_message_id": f"m{n}"}).json()["replies"]
        for n, text in enumerate((f"{shipment.waybill} 到哪了", "是的，谢谢", "5"))
    ]  # fmt: skip
    assert "这个回答解决您的问题了吗？" in replies[0][-1]
    assert "打分" in replies[1][-1]
    assert "感谢您的评价" in replies[2][0]
    person, auth, _ = start(client, "zh", "转人工")
    sign_in(client, "mei")
    where = f"/agent/conversations/{person}"
    client.post(f"{where}/take", data={"csrf": csrf_on(client.get(where).text)})
    client.post(f"{where}/hand-back", data={"csrf": csrf_on(client.get(where).text),
                                            "wrap_up": "resolved"})  # fmt: skip
    told = client.get(f"/api/v1/conversations/{person}", headers=auth).json()["messages"][-1]
    assert told["sender"] == "bot"
    assert "人工客服已结束本次服务" in told["text"]
    path = f"/api/v1/conversations/{person}/messages"
    rating = client.post(path, json={"text": "2", "client_message_id": "r"}, headers=auth).json()
    assert rating["replies"] == ["感谢您的评价，再见！"]
    again = client.post(path, json={"text": "3", "client_message_id": "s"}, headers=auth).json()
    assert "感谢您的评价" not in " ".join(again["replies"])  # asked once, answered once
    report = make_report(SqlConversationStore(engine), clock.now() - timedelta(days=1),
                         clock.now() + timedelta(days=1))  # fmt: skip
    facts = {f.id: f for f in report.facts}
    assert (facts[bot].csat, facts[person].csat) == (5, 2)
    assert facts[bot].confirmed_answered
    assert (report.summary.csat_responses, report.summary.csat_satisfied) == (2, 1)
    assert report.by("queue")["zh/general"].csat_mean == 2
