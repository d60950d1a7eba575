"""What happened in one conversation, read from its event log (nothing is guessed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from parceldesk.conversation import events as e
from parceldesk.conversation.ports import ConversationRecord, StoredEvent
from parceldesk.domain.routing import queue_skill

ANSWER_CONFIRMATIONS = frozenset({"thanks"})
SMALL_TALK = frozenset(
    {"greet", "thanks", "goodbye", "affirm", "deny", "out_of_scope"}
)  # strict: a thank-you, not a yes to a question


@dataclass(frozen=True)
class Action:
    name: str
    by_human: bool
    fee_minor: int
    currency: str


@dataclass(frozen=True)
class ConversationFacts:
    id: str
    channel: str
    language: str  # the language the customer spoke last
    started_at: datetime
    last_at: datetime
    caller_phone: str | None
    waybills: frozenset[str]
    intents: tuple[str, ...]  # the tasks the customer asked for, in order
    handoffs: tuple[str, ...]  # the reason of each handoff
    handed_off_at: datetime | None  # the first handoff
    agent_joined_at: datetime | None  # the first agent to join after it
    agent_done_at: datetime | None  # the last agent's hand-back (or last agent message)
    human_touched: bool
    actions: tuple[Action, ...]
    confirmed_answered: bool  # said yes to "did that answer your question?", or thanked the bot
    # after it resolved a task, no human yet
    verification_failures: int
    refusals: int
    out_of_scope: int
    turns: int
    wrap_up: str | None = None

    asked_for: str | None = None  # the first request understood, when no task was started
    queue: str | None = None  # the first handoff's queue, "language/skill"
    csat: int | None = None  # the survey's rating, 1 (poor) to 5 (excellent), if answered
    not_answered: bool = False  # said the bot's answer did not answer their question

    @property
    def main_intent(self) -> str:
        return self.intents[0] if self.intents else (self.asked_for or "none")

    @property
    def contained(self) -> bool:
        """No handoff at all (containment is not resolution)."""
        return not self.handoffs

    @property
    def abandoned(self) -> bool:
        """Handed to a person and gone before one joined."""
        return self.handed_off_at is not None and self.agent_joined_at is None

    @property
    def wait_seconds(self) -> float | None:
        if self.handed_off_at is None or self.agent_joined_at is None:
            return None
        return (self.agent_joined_at - self.handed_off_at).total_seconds()

    @property
    def handle_seconds(self) -> float | None:
        if self.agent_joined_at is None or self.agent_done_at is None:
            return None
        return (self.agent_done_at - self.agent_joined_at).total_seconds()

    @property
    def bot_wrote(self) -> bool:
        return any(not a.by_human for a in self.actions)


def read_facts(record: ConversationRecord, events: list[StoredEvent]) -> ConversationFacts:
    """Fold the log: every fact comes from a stored event."""
    f = _Folding(record)
    for stored in events:
        f.apply(stored)
    return f.facts(record, events)


class _Folding:
    def __init__(self, record: ConversationRecord) -> None:
        self.language = record.language
        self.waybills: set[str] = set()
        self.intents: list[str] = []
        self.handoffs: list[str] = []
        self.handed_off_at: datetime | None = None
        self.joined_at: datetime | None = None
        self.done_at: datetime | None = None
        self.human = False
        self.actions: list[Action] = []
        self.resolved_by_bot = False
        self.confirmed = False
        self.failures = self.refusals = self.out_of_scope = self.turns = 0
        self.wrap_up: str | None = None
        self.asked_for: str | None = None
        self.queue: str | None = None
        self.csat: int | None = None
        self.not_answered = False

    def apply(self, stored: StoredEvent) -> None:  # noqa: C901 - one case per event type
        event, at = stored.event, stored.at
        match event:
            case e.UserSaid():
                self.turns += 1
            case e.IntentDetected(intent=intent, language=language):
                self.language = language
                self.out_of_scope += intent == "out_of_scope"
                if intent not in SMALL_TALK and self.asked_for is None:
                    self.asked_for = intent
                if intent in ANSWER_CONFIRMATIONS and self.resolved_by_bot and not self.human:
                    self.confirmed = True
            case e.TaskStarted(task=task, resumes=False):
                self.intents.append(task)
            case e.TaskFinished(outcome="resolved") if not self.human:
                self.resolved_by_bot = True
            case e.SlotFilled(name="waybill", value=value) if value:
                self.waybills.add(value)
            case e.PartyVerified(waybill=waybill):
                self.waybills.add(waybill)
            case e.VerificationFailed():
                self.failures += 1
            case e.ActionRefused():
                self.refusals += 1
            case e.ActionExecuted(action=action, fee=fee):
                fee = fee or {}
                self.actions.append(Action(action, self.human, int(fee.get("minor", 0)),
                                           str(fee.get("currency", ""))))  # fmt: skip
            case e.HandoffRequested(reason=reason, summary=summary):
                self.handoffs.append(reason)
                self.handed_off_at = self.handed_off_at or at
                if self.queue is None:
                    language = summary.get("language") or self.language
                    self.queue = f"{language}/{queue_skill(summary.get('intent'))}"
            case e.AnswerFeedback(answered=answered):
                self.confirmed = self.confirmed or (answered and not self.human)
                self.not_answered = self.not_answered or not answered
            case e.SurveyAnswered(score=score):
                self.csat = score
            case e.AgentJoined():
                self.human = True
                if self.handed_off_at is not None and self.joined_at is None:
                    self.joined_at = at
            case e.AgentSaid():
                self.human, self.done_at = True, at
            case e.AgentLeft(wrap_up=wrap_up):
                self.done_at, self.wrap_up = at, wrap_up

    def facts(self, record: ConversationRecord, events: list[StoredEvent]) -> ConversationFacts:
        last = events[-1].at if events else record.created_at
        return ConversationFacts(
            record.id, record.channel, self.language, record.created_at, last,
            record.caller_phone, frozenset(self.waybills), tuple(self.intents),
            tuple(self.handoffs), self.handed_off_at, self.joined_at, self.done_at, self.human,
            tuple(self.actions), self.confirmed, self.failures, self.refusals,
            self.out_of_scope, self.turns, self.wrap_up, self.asked_for, self.queue, self.csat,
            self.not_answered,
        )  # fmt: skip
