"""Metrics from event logs with known answers, edge cases included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from parceldesk.analytics.facts import ConversationFacts, read_facts
from parceldesk.analytics.metrics import breakdown, find_recontacts, resolved_by_ai, summarise
from parceldesk.analytics.staffing import (
    ServiceLevel,
    agents_needed,
    erlang_c,
    service_level,
    staffing_saving,
)
from parceldesk.conversation import events as e
from parceldesk.conversation.ports import ConversationRecord, StoredEvent

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
FEE = {"minor": 600, "currency": "CNY"}


def log(cid: str, start: datetime, *events: e.Event, phone: str | None = None,
        step: timedelta = timedelta(seconds=30)) -> ConversationFacts:  # fmt: skip
    record = ConversationRecord(cid, "h", "web", "zh", phone, start)
    stored = [StoredEvent(n, start + step * n, x) for n, x in enumerate(events)]
    return read_facts(record, stored)


def tracked(waybill: str, thanked: bool) -> list[e.Event]:
    events: list[e.Event] = [
        e.UserSaid(f"{waybill} 到哪了"), e.IntentDetected("track_parcel", 0.9, "zh"),
        e.TaskStarted("track_parcel"), e.SlotFilled("waybill", waybill),
        e.BotSaid("status", "..."), e.TaskFinished("track_parcel", "resolved"),
    ]  # fmt: skip
    if thanked:
        events += [e.UserSaid("谢谢"), e.IntentDetected("thanks", 0.9, "zh")]
    return events


def changed(waybill: str) -> list[e.Event]:
    return [
        e.UserSaid("改地址"), e.IntentDetected("change_address", 0.9, "zh"),
        e.TaskStarted("change_address"), e.SlotFilled("waybill", waybill),
        e.PartyVerified(waybill, "recipient", "t"),
        e.ActionProposed("change_address", waybill, {"fee": FEE}),
        e.ActionConfirmed("change_address"), e.ActionExecuted("change_address", waybill, None, FEE),
        e.TaskFinished("change_address", "resolved"),
    ]  # fmt: skip


def handed(reason: str = "customer_request") -> list[e.Event]:
    return [e.UserSaid("转人工"), e.IntentDetected("human_agent", 0.9, "zh"),
            e.HandoffRequested(reason, {})]  # fmt: skip


def test_a_write_or_a_thanked_answer_resolves_but_an_unthanked_answer_only_contains() -> None:
    facts = [
        log("write", T0, *changed("PD1")),
        log("thanked", T0, *tracked("PD2", thanked=True)),
        log("silent", T0, *tracked("PD3", thanked=False)),
    ]
    summary = summarise(facts, find_recontacts(facts))
    assert (summary.ai_resolved, summary.contained) == (2, 3)
    assert summary.actions == {"change_address": 1}
    assert summary.fees == {"CNY": 600}


def test_coming_back_about_the_same_parcel_and_intent_within_7_days_undoes_the_resolution() -> None:
    first = log("first", T0, *tracked("PD1", thanked=True))
    again = log("again", T0 + timedelta(days=3), *tracked("PD1", thanked=True))
    other_intent = log("other", T0 + timedelta(days=1), *changed("PD1"))
    late = log("late", T0 + timedelta(days=12), *tracked("PD9", thanked=True))
    late_again = log("late2", T0 + timedelta(days=20), *tracked("PD9", thanked=True))
    facts = [first, again, other_intent, late, late_again]
    recontacted = find_recontacts(facts)
    assert recontacted == {"first"}  # PD9 came back after 8 days: a new matter
    assert not resolved_by_ai(first, recontacted)
    assert resolved_by_ai(other_intent, recontacted)  # same parcel, another intent


def test_a_human_touching_after_the_bots_write_means_the_ai_did_not_resolve_it() -> None:
    facts = [log("c", T0, *changed("PD1"), *handed(), e.AgentJoined("a1", "Mei"),
                 e.AgentSaid("a1", "Mei", "您好"), e.AgentLeft("a1", "resolved"))]  # fmt: skip
    summary = summarise(facts, set())
    assert summary.ai_resolved == 0
    assert summary.contained == 0
    assert summary.first_contact_resolved == 1  # a person finished it
    assert summary.handoff_reasons == {"customer_request": 1}


def test_waiting_handle_time_and_abandonment_before_an_agent_joined() -> None:
    step = timedelta(seconds=60)
    agent = (e.AgentJoined("a1", "Mei"), e.AgentSaid("a1", "Mei", "hi"), e.AgentLeft("a1", "ok"))
    served = log("served", T0, *handed(), *agent, step=step)
    gone = log("gone", T0, *handed("verification_locked"), step=step)
    bailed = log("bailed", T0, e.UserSaid("喂"), e.IntentDetected("out_of_scope", 0.2, "zh"))
    summary = summarise([served, gone, bailed], set())
    assert served.wait_seconds == 60  # handoff at +2 min, joined at +3 min
    assert served.handle_seconds == 120
    assert summary.wait_p50_s == 60
    assert summary.abandoned == 1  # left waiting for a person
    assert summary.contained == 1  # the customer who gave up on the bot is contained...
    assert summary.ai_resolved == 0  # ...but not resolved: containment is not resolution
    assert summary.out_of_scope_turns == 1
    assert summary.handoff_reasons == {"customer_request": 1, "verification_locked": 1}


def test_verification_failures_and_refusals_are_counted() -> None:
    facts = [log("c", T0, e.VerificationFailed("PD1", 2), e.VerificationFailed("PD1", 1),
                 e.ActionRefused("change_address", "cut_off"))]  # fmt: skip
    summary = summarise(facts, set())
    assert (summary.verification_failures, summary.refusals) == (2, 1)


def test_erlang_c_matches_the_textbook_and_the_ai_saves_seats() -> None:
    assert erlang_c(10, 12) == pytest.approx(0.4494, abs=1e-4)
    assert erlang_c(10, 10) == 1.0  # unstable: everyone waits
    assert service_level(10, 12, 180, 20) == pytest.approx(0.640, abs=1e-3)
    needed = agents_needed(200, 180, ServiceLevel())  # 10 Erlangs
    assert service_level(10, needed, 180, 20) >= 0.8 > service_level(10, needed - 1, 180, 20)
    saving = staffing_saving(20_000_000, 2.0, 300, 0.45)
    assert saving.agents_with_ai < saving.agents_without_ai
    assert saving.saved == saving.agents_without_ai - saving.agents_with_ai
    assert staffing_saving(20_000_000, 2.0, 300, 0.0).saved == 0


def test_a_conversation_handed_to_a_person_after_the_bots_write_is_not_resolved_by_the_ai() -> None:
    complaint: list[e.Event] = [e.UserSaid("投诉"), e.IntentDetected("complaint", 0.9, "zh"),
                 e.TaskStarted("complaint"), e.ActionExecuted("file_complaint", "PD1", "CP1"),
                 e.HandoffRequested("severe_complaint", {})]  # fmt: skip
    facts = log("c", T0, *complaint)
    assert facts.bot_wrote
    assert not resolved_by_ai(facts, set())  # nobody came, but the customer was waiting for them


def answered(yes: bool, *, human_first: bool = False) -> list[e.Event]:
    """A status answer, "did that answer your question?", and the customer's yes or no."""
    joined: list[e.Event] = (
        [e.AgentJoined("a1", "Ana"), e.AgentSaid("a1", "Ana", "hi")] if human_first else []
    )
    return [
        *tracked("PD7", thanked=False), *joined, e.Asked("answered"),
        e.BotSaid("ask_answered", "?"), e.UserSaid("是" if yes else "不是"),
        e.IntentDetected("affirm" if yes else "deny", 0.9, "zh"), e.AnswerFeedback(yes),
    ]  # fmt: skip


def test_a_yes_to_did_that_answer_your_question_confirms_and_a_no_does_not() -> None:
    yes, no = log("yes", T0, *answered(True)), log("no", T0, *answered(False))
    assert yes.confirmed_answered
    assert not yes.not_answered
    assert not no.confirmed_answered
    assert no.not_answered
    summary = summarise([yes, no], set())
    assert (summary.ai_resolved, summary.contained, summary.not_answered) == (1, 2, 1)
    with_a_person = log("human", T0, *answered(True, human_first=True))
    assert not with_a_person.confirmed_answered  # a person had helped by then


def rated(score: int) -> list[e.Event]:
    return [e.Asked("survey"), e.BotSaid("survey", "1-5?"), e.UserSaid(str(score)),
            e.IntentDetected("out_of_scope", 0.3, "zh"), e.SurveyAnswered(score)]  # fmt: skip


def test_csat_is_the_share_of_four_and_five_among_the_survey_answers() -> None:
    facts = [
        log("a", T0, *tracked("PD1", thanked=True), *rated(5)),
        log("b", T0, *changed("PD2"), *rated(4)),
        log("c", T0, *handed(), *rated(2)),
        log("d", T0, *tracked("PD3", thanked=True)),  # did not answer the survey
    ]
    summary = summarise(facts, set())
    assert (summary.csat_responses, summary.csat_satisfied) == (3, 2)
    assert summary.csat == pytest.approx(2 / 3)
    assert summary.csat_mean == pytest.approx(11 / 3)
    assert summarise(facts[3:], set()).csat is None  # no answers: no number, not 0 %


def test_the_queue_is_the_first_handoffs_language_and_skill() -> None:
    complaint: list[e.Event] = [
        e.UserSaid("投诉"),
        e.IntentDetected("complaint", 0.9, "zh"),
        e.HandoffRequested("severe_complaint", {"intent": "complaint", "language": "id"}),
    ]
    facts = [log("c", T0, *complaint), log("h", T0, *handed()), log("t", T0, *changed("PD1"))]
    by_queue = breakdown(facts, set(), "queue")
    assert set(by_queue) == {"id/complaints", "zh/general", "bot only"}
    assert by_queue["id/complaints"].handed_off == 1
