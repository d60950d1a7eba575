"""Conversation events. A conversation's state is the fold of its events (see ``state``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ConversationStarted:
    channel: str
    language: str


@dataclass(frozen=True)
class UserSaid:
    text: str


@dataclass(frozen=True)
class IntentDetected:
    intent: str
    confidence: float
    language: str


@dataclass(frozen=True)
class TaskStarted:
    task: str
    resumes: bool = False


@dataclass(frozen=True)
class TaskFinished:
    task: str
    outcome: str  # resolved | refused | cancelled | failed


@dataclass(frozen=True)
class SlotFilled:
    name: str
    value: str


@dataclass(frozen=True)
class Asked:
    slot: str


@dataclass(frozen=True)
class PartyVerified:
    waybill: str
    role: str
    token: str


@dataclass(frozen=True)
class VerificationFailed:
    waybill: str
    attempts_left: int


@dataclass(frozen=True)
class ActionProposed:
    action: str
    waybill: str | None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ActionConfirmed:
    action: str


@dataclass(frozen=True)
class ActionCancelled:
    action: str


@dataclass(frozen=True)
class ActionExecuted:
    action: str
    waybill: str | None
    reference: str | None
    fee: dict[str, Any] | None = None  # {"minor", "currency"} charged, if any


@dataclass(frozen=True)
class ActionRefused:
    action: str
    reason_code: str
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Misunderstood:
    text: str


@dataclass(frozen=True)
class HandoffRequested:
    reason: str
    summary: dict[str, Any]


@dataclass(frozen=True)
class AgentJoined:
    agent_id: str
    name: str
    assigned_by: str = ""  # "" when the agent took it, "router", or the supervisor's id


@dataclass(frozen=True)
class AgentSaid:
    agent_id: str
    name: str
    text: str


@dataclass(frozen=True)
class AgentLeft:
    agent_id: str
    wrap_up: str  # why the agent handed the conversation back to the bot


@dataclass(frozen=True)
class BotSaid:
    key: str
    text: str


@dataclass(frozen=True)
class AnswerFeedback:
    """The customer's answer to "did that answer your question?" after the bot answered."""

    answered: bool


@dataclass(frozen=True)
class SurveyAnswered:
    """The one-question satisfaction survey at the end of a conversation: 1 (poor) to 5."""

    score: int


@dataclass(frozen=True)
class CallEvent:
    """Something that happened on a phone call besides words: the call starting or ending, a
    key pressed, the caller barging in, a filler played, what the recogniser heard and how long
    each step took (``detail``: plain values only)."""

    kind: str
    detail: dict[str, Any] = field(default_factory=dict)


Event = (
    ConversationStarted | UserSaid | IntentDetected | TaskStarted | TaskFinished | SlotFilled
    | Asked | PartyVerified | VerificationFailed | ActionProposed | ActionConfirmed
    | ActionCancelled | ActionExecuted | ActionRefused | Misunderstood | HandoffRequested
    | BotSaid | AgentJoined | AgentSaid | AgentLeft | AnswerFeedback | SurveyAnswered | CallEvent
)  # fmt: skip
