"""Routing handed-off conversations: priority, queues, capacity and the least busy agent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from parceldesk.domain.errors import InvalidInput
from parceldesk.domain.routing import (
    AgentStatus,
    Seat,
    WaitingConversation,
    check_agent_status,
    check_priority,
    plan_assignments,
    queue_position,
    queue_skill,
)

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def waiting(cid: str, minutes_ago: int, priority: int = 0, language: str = "zh",
            skill: str = "general") -> WaitingConversation:  # fmt: skip
    return WaitingConversation(cid, language, skill, priority, T0 - timedelta(minutes=minutes_ago))


def seat(agent_id: str, capacity: int = 2, load: int = 0, languages: str = "zh",
         skills: str = "general") -> Seat:  # fmt: skip
    return Seat(agent_id, frozenset(languages.split(",")), frozenset(skills.split(",")),
                capacity, load)  # fmt: skip


def test_a_severe_complaint_outranks_a_plain_request_and_waiting_raises_priority() -> None:
    plain = check_priority("customer_request", False, timedelta(minutes=1))
    severe = check_priority("severe_complaint", False, timedelta(minutes=1))
    repeat = check_priority("customer_request", True, timedelta(minutes=1))
    aged = check_priority("customer_request", False, timedelta(minutes=25))
    capped = check_priority("customer_request", False, timedelta(hours=5))
    failed = check_priority("action_failed:concurrent_modification", False, timedelta(0))
    assert (plain, repeat, aged, capped, failed) == (0, 1, 2, 2, 1)
    assert severe > max(repeat, aged)


def test_the_highest_priority_goes_first_then_the_longest_waiting() -> None:
    queue = [waiting("new", 1), waiting("old", 9), waiting("urgent", 0, priority=3)]
    plan = plan_assignments(queue, [seat("a", capacity=2)])
    assert plan == [("urgent", "a"), ("old", "a")]  # "new" waits: the seat is full
    assert [queue_position(queue, c) for c in ("urgent", "old", "new")] == [1, 2, 3]


def test_only_agents_of_the_language_and_skill_with_a_free_seat_are_given_a_chat() -> None:
    queue = [waiting("zh1", 5), waiting("id1", 4, language="id"),
             waiting("claim", 3, skill="claims"), waiting("zh2", 2)]  # fmt: skip
    seats = [seat("full", capacity=1, load=1), seat("indo", languages="id"),
             seat("zh", capacity=1)]  # fmt: skip
    assert plan_assignments(queue, seats) == [("zh1", "zh"), ("id1", "indo")]


def test_chats_spread_to_the_least_busy_agent() -> None:
    queue = [waiting(f"c{n}", 10 - n) for n in range(4)]
    seats = [seat("busy", capacity=4, load=2), seat("idle", capacity=4)]
    assert plan_assignments(queue, seats) == [
        ("c0", "idle"), ("c1", "idle"), ("c2", "busy"), ("c3", "idle"),
    ]  # fmt: skip


def test_queue_position_counts_only_the_same_queue() -> None:
    queue = [waiting("en1", 9, language="en"), waiting("zh1", 8), waiting("zh2", 1)]
    assert queue_position(queue, "zh2") == 2
    assert queue_position(queue, "en1") == 1


def test_skills_follow_the_intent_and_statuses_are_checked() -> None:
    assert queue_skill("complaint") == "complaints"
    assert queue_skill("report_damage_loss") == "claims"
    assert queue_skill("track_parcel") == queue_skill(None) == "general"
    assert check_agent_status("available") is AgentStatus.AVAILABLE
    with pytest.raises(InvalidInput):
        check_agent_status("asleep")
