"""Routing handed-off conversations to human agents: queues, priority, capacity.

A conversation waiting for a person sits in the queue of its language and skill. Its priority
comes from why it was handed off (a severe complaint first), whether the customer contacted us
about the same parcel or from the same phone in the last days (a repeat contact), and how long it
has waited (waiting raises it step by step, so nobody starves behind newer urgent ones). Within a
priority the longest waiting goes first. Each is offered to an *available* agent of that
language and skill with a free seat (concurrent chats below capacity), the least busy first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from parceldesk.domain.errors import InvalidInput


class AgentStatus(StrEnum):
    AVAILABLE = "available"
    AWAY = "away"


def check_agent_status(value: str) -> AgentStatus:
    try:
        return AgentStatus(value)
    except ValueError:
        raise InvalidInput("status must be 'available' or 'away'") from None


@dataclass(frozen=True)
class RoutingRules:
    reason_priority: tuple[tuple[str, int], ...] = (
        ("severe_complaint", 3),
        ("verification_locked", 1),
        ("policy_exception", 1),
        ("action_failed", 1),
    )
    repeat_contact_priority: int = 1
    repeat_contact_days: int = 7
    aging_minutes: int = 10  # each full period waited adds one, up to ``max_aging``
    max_aging: int = 2
    intent_skills: tuple[tuple[str, str], ...] = (
        ("complaint", "complaints"),
        ("report_damage_loss", "claims"),
    )


DEFAULT_RULES = RoutingRules()


def queue_skill(intent: str | None, rules: RoutingRules = DEFAULT_RULES) -> str:
    """The skill an agent needs for a conversation about ``intent``."""
    return dict(rules.intent_skills).get(intent or "", "general")


def check_priority(
    reason: str, repeat_contact: bool, waited: timedelta, rules: RoutingRules = DEFAULT_RULES
) -> int:
    """Higher is served first."""
    base = dict(rules.reason_priority).get(reason.split(":", 1)[0], 0)
    repeat = rules.repeat_contact_priority if repeat_contact else 0
    periods = int(max(waited, timedelta(0)) / timedelta(minutes=rules.aging_minutes))
    return base + repeat + min(periods, rules.max_aging)


@dataclass(frozen=True)
class WaitingConversation:
    conversation_id: str
    language: str
    skill: str
    priority: int
    since: datetime


@dataclass(frozen=True)
class Seat:
    """An available agent, what they may handle and how many chats they have now."""

    agent_id: str
    languages: frozenset[str]  # every language for a supervisor
    skills: frozenset[str]
    capacity: int
    load: int


def queue_order(waiting: list[WaitingConversation]) -> list[WaitingConversation]:
    """Highest priority first, then the longest waiting; those that arrived at the same moment
    keep the order they are given in (the order of arrival)."""
    return sorted(waiting, key=lambda w: (-w.priority, w.since))


def plan_assignments(
    waiting: list[WaitingConversation], seats: list[Seat]
) -> list[tuple[str, str]]:
    """``(conversation_id, agent_id)`` pairs: each conversation, in queue order, to the least busy
    available agent who may handle it and has a free seat; the rest keep waiting."""
    loads = {seat.agent_id: seat.load for seat in seats}
    plan: list[tuple[str, str]] = []
    for conversation in queue_order(waiting):
        fits = [
            seat for seat in seats
            if conversation.language in seat.languages and conversation.skill in seat.skills
            and loads[seat.agent_id] < seat.capacity
        ]  # fmt: skip
        if not fits:
            continue
        chosen = min(fits, key=lambda s: (loads[s.agent_id] / s.capacity, s.agent_id))
        loads[chosen.agent_id] += 1
        plan.append((conversation.conversation_id, chosen.agent_id))
    return plan


def queue_position(waiting: list[WaitingConversation], conversation_id: str) -> int:
    """1 for the next to be served in the conversation's own queue (language and skill)."""
    mine = next(w for w in waiting if w.conversation_id == conversation_id)
    same = [w for w in waiting if (w.language, w.skill) == (mine.language, mine.skill)]
    return [w.conversation_id for w in queue_order(same)].index(conversation_id) + 1
