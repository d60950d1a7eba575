"""A conversation's state as a fold of its events: nothing is kept that cannot be replayed."""

from __future__ import annotations

from dataclasses import dataclass, field

from parceldesk.conversation import events as e

CLOSING_QUESTIONS = frozenset({"answered", "survey"})


@dataclass
class ConversationState:
    language: str = "en"
    task: str | None = None
    slots: dict[str, str] = field(default_factory=dict)
    suspended: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    asked: str | None = None
    grants: dict[str, tuple[str, str]] = field(default_factory=dict)  # waybill -> (role, token)
    pending: e.ActionProposed | None = None
    misunderstood_in_a_row: int = 0
    handed_off: bool = False
    agent: str | None = None  # the agent who owns the conversation now
    executed: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    resolved: int = 0
    last_intent: str | None = None
    last_waybill: str | None = None
    turns: int = 0
    closing: str | None = None  # "answered" or "survey": a question about the conversation
    closing_turn: int = -1  # the customer turn it was asked after
    surveyed: bool = False  # the satisfaction survey was asked (it is asked once)

    @property
    def open_closing_question(self) -> str | None:
        """The question about the conversation the customer's message now answers, if any:
        one asked right before this message (any other message moves on)."""
        return self.closing if self.closing_turn == self.turns - 1 else None

    @property
    def closing_question_asked(self) -> str | None:
        """The question about the conversation the bot asked in this turn, if any."""
        return self.closing if self.closing_turn == self.turns else None

    def grant_for(self, waybill: str | None) -> tuple[str, str] | None:
        return self.grants.get(waybill) if waybill else None


def apply(state: ConversationState, event: e.Event) -> ConversationState:  # noqa: C901
    """Fold one event into the state (in place) and return it."""
    match event:
        case e.ConversationStarted(language=language):
            state.language = language
        case e.UserSaid():
            state.turns += 1
        case e.IntentDetected(intent=intent, language=language):
            state.last_intent, state.language = intent, language
        case e.TaskStarted(task=task, resumes=resumes):
            if resumes and state.suspended:
                state.task, state.slots = state.suspended.pop()
            else:
                if state.task is not None:
                    state.suspended.append((state.task, state.slots))
                state.task, state.slots = task, {}
            state.asked = None
        case e.TaskFinished(outcome=outcome):
            state.resolved += outcome == "resolved"
            state.task, state.slots, state.asked, state.pending = None, {}, None, None
        case e.SlotFilled(name=name, value=value):
            state.slots[name] = value
            if name == "waybill":
                state.last_waybill = value or None
            state.misunderstood_in_a_row = 0
        case e.Asked(slot=slot) if slot in CLOSING_QUESTIONS:
            state.closing, state.closing_turn = slot, state.turns
            state.surveyed = state.surveyed or slot == "survey"
        case e.Asked(slot=slot):
            state.asked = slot
        case e.AnswerFeedback() | e.SurveyAnswered():
            state.closing = None
        case e.PartyVerified(waybill=waybill, role=role, token=token):
            state.grants[waybill] = (role, token)
        case e.ActionProposed():
            state.pending = event
        case e.ActionConfirmed() | e.ActionCancelled():
            state.pending = None
        case e.ActionExecuted(action=action):
            state.executed.append(action)
        case e.ActionRefused(action=action):
            state.refused.append(action)
        case e.Misunderstood():
            state.misunderstood_in_a_row += 1
        case e.HandoffRequested():
            state.handed_off = True
        case e.AgentJoined(agent_id=agent_id):
            state.agent = agent_id
        case e.AgentLeft():
            state.agent, state.handed_off = None, False
            state.task, state.slots, state.asked, state.pending = None, {}, None, None
            state.misunderstood_in_a_row = 0
    return state


def fold(history: list[e.Event]) -> ConversationState:
    state = ConversationState()
    for event in history:
        apply(state, event)
    return state
