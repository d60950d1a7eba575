"""The dialogue: one customer turn in, the bot's replies out, every step an event.

Deterministic flows over the understood message: ask only for what is missing, verify before
disclosing or writing, read back and wait for an explicit yes before any write, accept corrections
and digressions, hand off to a human on request, after repeated misunderstanding, on a locked
parcel or a severe complaint — and stay silent once a human has taken over.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from parceldesk.conversation import events as e
from parceldesk.conversation.actions import (
    Outcome,
    check_claim,
    check_pickup_items,
    classify_complaint,
    done_message,
    execute,
    propose_address_change,
    propose_claim,
    propose_hold,
    propose_intercept,
    propose_pickup,
    propose_reschedule,
    refusal_text,
)
from parceldesk.conversation.addresses import looks_like_address
from parceldesk.conversation.closing import Closing
from parceldesk.conversation.filling import SlotFilling
from parceldesk.conversation.nlu.understand import Understanding, asks_about_the_assistant
from parceldesk.conversation.ports import MessageUnderstander
from parceldesk.conversation.responses import say, word
from parceldesk.conversation.state import ConversationState, apply, fold
from parceldesk.conversation.utterances import (
    HOLD_REQUEST,
    HOLD_WORDS,
    HUMAN_WORDS,
    LOSS_WORDS,
    PERSON_REQUESTED,
    changes_proposal,
    confirmation,
    decode_address,
    is_frustrated,
    is_tentative,
    only_slots,
)
from parceldesk.domain.errors import (
    InvalidWaybill,
    ParceldeskError,
    PolicyRefusal,
    ShipmentNotFound,
)
from parceldesk.domain.shipments import PartyRole, Shipment, Status, TimeWindow
from parceldesk.services.context import Context
from parceldesk.services.snapshots import money_dict
from parceldesk.services.tracking import get_shipment, tracking_view

TASKS = {"track_parcel", "change_address", "reschedule_delivery", "hold_at_station",
         "intercept_return", "report_damage_loss", "complaint", "request_pickup"}  # fmt: skip
PAID_CHANGES = {"change_address", "reschedule_delivery", "hold_at_station", "intercept_return"}
MAX_MISUNDERSTANDINGS = 2
MAX_REFUSALS = 2


class Conversation(SlotFilling, Closing):
    def __init__(
        self,
        ctx: Context,
        understander: MessageUnderstander,
        conversation_id: str,
        channel: str = "chat",
        history: list[e.Event] | None = None,
        survey: bool = True,
    ) -> None:
        self.ctx, self.understander, self.survey = ctx, understander, survey
        self.id, self.channel = conversation_id, channel
        self.events: list[e.Event] = list(history or [])
        self.state: ConversationState = fold(self.events)
        self._replies: list[str] = []
        self.last: Understanding | None = None

    # --- the turn ----------------------------------------------------------------------------

    def open(self, language: str) -> list[str]:
        """Start the conversation in the customer's language with the bot's greeting."""
        self._replies = []
        self._emit(e.ConversationStarted(self.channel, language))
        self._say("greet")
        return self._replies

    def handle(self, text: str) -> list[str]:
        """The bot's replies to one customer message (none once a human has taken over)."""
        self._replies = []
        self._emit(e.UserSaid(text))
        if self.state.handed_off:
            return []
        understood = self.understander.understand(text, self._today(), self.state.language)
        self.last = understood
        language = understood.language
        if self.state.turns > 1 and (looks_like_address(text) or only_slots(understood)):
            language = self.state.language  # an address or a number does not change the language
        self._emit(e.IntentDetected(understood.intent, understood.confidence, language))
        asks_human = PERSON_REQUESTED.search(text) or (
            HUMAN_WORDS.search(text) and len(text) <= 20 and understood.intent not in TASKS
        )
        if asks_about_the_assistant(text):  # "你是真人吗" asks, it does not request a person
            self._say("faq_assistant")
            self._repeat_open_question()
        elif understood.intent == "human_agent" or asks_human:
            self._handoff("customer_request")
        elif is_frustrated(text):
            self._handoff("customer_frustrated")
        elif self._closing_answer(understood):
            pass
        elif self.state.pending is not None:
            self._confirming(understood)
        else:
            self._route(understood)
        return self._replies

    def _route(self, u: Understanding) -> None:
        intent = _task_intent(u)
        answering = only_slots(u) or (self.state.asked is not None and intent != self.state.task)
        if self._asks_about_another_parcel(u):  # "where's PD2?" while asked for a time
            self._digress(u)
        elif self.state.task and answering and self._absorb(u):
            self._advance()
        elif intent in TASKS:
            self._start(intent, u)
        elif self.state.task and self._absorb(u):
            self._advance()
        elif u.intent == "faq" and u.slot("waybill") and not u.slot("faq_topic"):
            self._start("track_parcel", u)  # "where are PD1 and PD2?" asks about those parcels
        elif self._small_talk(u):
            return
        elif u.slot("waybill"):
            self._start("track_parcel", u)
        elif self.state.task and intent == "deny":
            self._finish("cancelled")
            self._say("cancelled")
        else:
            self._misunderstood(u.text)

    def _small_talk(self, u: Understanding) -> bool:
        """Greetings, thanks, goodbyes and FAQ answers; True if the message was one."""
        if u.intent == "goodbye":
            self._finish("abandoned")
            self._invite_survey("goodbye")
        elif u.intent == "thanks" and self.state.task is None:
            self._invite_survey("thanks")
        elif u.intent in {"greet", "thanks"}:  # in a task: "hello?" asks if the bot is there
            self._say(f"{u.intent}_in_task" if self.state.task else u.intent)
            if self.state.task:
                self._advance()
        elif u.intent == "faq":
            self._answer_faq(u.slot("faq_topic"))
        else:
            return False
        return True

    def _answer_faq(self, topic: str | None) -> None:
        """The answer; in the middle of a task, the task's own question again after it."""
        task = self.state.task
        if task and topic == "prices" and task in PAID_CHANGES:
            if self.state.pending is None:  # the read-back repeated below shows the fee itself
                self._say("fee_before_change")
        else:
            self._say(f"faq_{topic or 'general'}")
        if task:
            self._repeat_open_question()
        elif topic:
            self._check_answered()

    def _start(self, task: str, u: Understanding) -> None:
        current = self.state.task
        if current and task == "track_parcel" and current != "track_parcel":
            self._digress(u)
            return
        if current != task:
            if current:
                self._emit(e.TaskFinished(current, "abandoned"))
            self._emit(e.TaskStarted(task))
            if self.state.last_waybill and not u.slot("waybill") and task != "request_pickup":
                # "deliver it to my office" right after tracking means the parcel just discussed
                self._emit(e.SlotFilled("waybill", self.state.last_waybill))
        self._absorb(u)
        self._advance()

    def _asks_about_another_parcel(self, u: Understanding) -> bool:
        """Where another parcel is, in the middle of a task about one: a digression, not that
        parcel taken for the task (which would ask to verify for it)."""
        current, named = self.state.slots.get("waybill"), u.slot("waybill")
        return (
            u.intent == "track_parcel"
            and self.state.task not in {None, "track_parcel"}
            and self.state.asked != "waybill"
            and current is not None
            and named not in {None, current}
        )

    def _digress(self, u: Understanding) -> None:
        """Answer "where is it?" in the middle of another task, then pick the task up again."""
        waybill = u.slot("waybill") or self.state.slots.get("waybill")
        self._emit(e.TaskStarted("track_parcel"))
        if waybill:
            self._emit(e.SlotFilled("waybill", waybill))
        self._advance()
        if self.state.task is None and self.state.suspended:
            self._emit(e.TaskStarted(self.state.suspended[-1][0], resumes=True))
            self._say("resume")
            self._advance()

    # --- confirmation, corrections, cancelling -------------------------------------------------

    def _confirming(self, u: Understanding) -> None:
        pending = self.state.pending
        assert pending is not None
        answer = confirmation(u.text)
        agrees = answer == "yes" or (
            answer is None
            and u.intent == "affirm"
            and (len(u.text) <= 12 or (len(u.text.split()) <= 4 and u.confidence >= 0.8))
            and not is_tentative(u.text)
        )  # "that works for me", "please proceed"
        if agrees and not changes_proposal(u, pending.waybill):  # "ok, tomorrow evening" changes it
            self._emit(e.ActionConfirmed(pending.action))
            self._execute(pending)
            return
        if pending.action == "hold_at_station" and (u.slot("date") or u.slot("window")):
            self._emit(e.ActionCancelled(pending.action))  # offered a hold, chose another time
            self._start("reschedule_delivery", u)
            return
        corrected = self._absorb(u)
        if corrected:
            self._emit(e.ActionCancelled(pending.action))
            self._advance()
        elif answer == "no" or u.intent == "deny":
            self._emit(e.ActionCancelled(pending.action))
            self._finish("cancelled")
            self._say("cancelled")
        elif u.intent in TASKS and u.intent != pending.action:
            self._emit(e.ActionCancelled(pending.action))
            self._route(u)
        elif u.intent == "faq" and u.slot("faq_topic"):  # "how much is it?" at the read-back
            self._answer_faq(u.slot("faq_topic"))
        elif u.intent in {"greet", "thanks"}:  # "hello?" / "thanks": the read-back again
            self._say(f"{u.intent}_in_task")
            self._repeat_open_question()
        else:
            self._misunderstood(u.text, prompt="yes_no")

    def _execute(self, pending: e.ActionProposed) -> None:
        grant = self.state.grant_for(pending.waybill)
        key = f"{self.id}:{self.state.turns}:{pending.action}"
        try:
            result = execute(self.ctx, pending, grant[1] if grant else None, key, self.channel)
        except PolicyRefusal as refused:
            self._emit(e.ActionRefused(pending.action, refused.reason_code, refused.alternatives))
            text = refusal_text(
                self.state.language, refused.reason_code, refused.message, refused.values
            )
            self._emit(e.BotSaid("refusal", text))
            self._replies.append(text)
            self._finish("refused")
            return
        except ParceldeskError as error:
            self._emit(e.ActionRefused(pending.action, error.code))
            self._handoff(f"action_failed:{error.code}")
            return
        self._emit(
            e.ActionExecuted(
                pending.action, result.waybill, result.reference, money_dict(result.fee)
            )
        )
        self._announce(pending, result.reference, result.details)

    def _announce(
        self, pending: e.ActionProposed, reference: str | None, details: dict[str, object]
    ) -> None:
        if pending.action == "file_complaint" and details.get("escalate"):
            self._say("complaint_escalated", reference=reference)
            self._finish("resolved")
            self._handoff("severe_complaint")
            return
        key, values = done_message(pending, reference, details)
        self._say(key, **values)
        self._finish("resolved")

    # --- moving the task on -------------------------------------------------------------------

    def _advance(self) -> None:  # noqa: C901
        task, slots = self.state.task, self.state.slots
        if task is None or self.state.handed_off or self.state.pending:
            return
        if task == "complaint":
            self._advance_complaint()
            return
        if task == "request_pickup":
            self._advance_pickup()
            return
        shipment = self._shipment()
        if shipment is None:
            return
        if task == "track_parcel":
            self._track(shipment)
            return
        grant = self.state.grant_for(shipment.waybill)
        if grant is None:
            self._ask("digits", "ask_verification")
            return
        role, now, lang = PartyRole(grant[0]), self.ctx.clock.now(), self.state.language
        outcome: Outcome | None = None
        if task == "change_address":
            new = self._proposed_address()
            if new is None:
                self._ask("new_address", "ask_new_address")
                return
            outcome = propose_address_change(self.ctx, lang, shipment, role, new)
        elif task == "reschedule_delivery":
            if "date" not in slots or "window" not in slots:
                windows = ", ".join(str(w) for w in self.ctx.policy.reschedule.windows)
                self._ask("time", "ask_time", windows=windows)
                return
            day, window = date.fromisoformat(slots["date"]), TimeWindow.parse(slots["window"])
            outcome = propose_reschedule(self.ctx, lang, shipment, role, day, window, now)
        elif task == "hold_at_station":
            outcome = propose_hold(self.ctx, lang, shipment, role, now)
        elif task == "intercept_return":
            outcome = propose_intercept(
                self.ctx, lang, shipment, role, self.last.text if self.last else "customer request"
            )
        elif task == "report_damage_loss":
            lost = shipment.status is Status.LOST
            if "description" not in slots:
                refused = check_claim(self.ctx, lang, shipment, role, now) if lost else None
                if refused is None:  # a lost parcel the caller may not claim: say so first
                    self._ask("description", "ask_damage_description")
                    return
                outcome = refused
            else:
                kind = "loss" if lost or LOSS_WORDS.search(slots["description"]) else "damage"
                description = slots["description"]
                outcome = propose_claim(self.ctx, lang, shipment, role, kind, description, now)
        if outcome is not None:
            self._apply_outcome(outcome, shipment, role)

    def _emit_outcome(self, outcome: Outcome) -> e.ActionRefused | None:
        """Record a proposal or a refusal and say it; a refusal ends the task and is returned."""
        for event in outcome.events:
            self._emit(event)
        refused = next((ev for ev in outcome.events if isinstance(ev, e.ActionRefused)), None)
        self._emit(e.BotSaid("refusal" if refused else "read_back", outcome.text))
        self._replies.append(outcome.text)
        if refused is not None:
            self._finish("refused")
        return refused

    def _apply_outcome(self, outcome: Outcome, shipment: Shipment, role: PartyRole) -> None:
        refused = self._emit_outcome(outcome)
        if refused is None:
            return
        if len(self.state.refused) >= MAX_REFUSALS:
            self._handoff("policy_exception")  # the customer needs what the policy does not allow
            return
        if "hold_at_station" in refused.alternatives:
            offer = propose_hold(
                self.ctx, self.state.language, shipment, role, self.ctx.clock.now()
            )
            if any(isinstance(ev, e.ActionProposed) for ev in offer.events):
                self._emit(e.TaskStarted("hold_at_station"))
                self._emit(e.SlotFilled("waybill", shipment.waybill))
                for event in offer.events:
                    self._emit(event)
                self._say("offer_hold")

    def _advance_complaint(self) -> None:
        slots = self.state.slots
        if "description" not in slots:
            self._ask("description", "ask_complaint")
            return
        description = self.state.slots["description"]
        category, severity = classify_complaint(description)
        params = {"category": category, "severity": severity, "description": description}
        pending = e.ActionProposed("file_complaint", slots.get("waybill"), params)
        self._emit(e.ActionConfirmed("file_complaint"))
        self._execute(pending)

    def _advance_pickup(self) -> None:
        slots, lang = self.state.slots, self.state.language
        named = slots.get("items") or (self.last.text if self.last else "")
        if refused := check_pickup_items(self.ctx, lang, named):
            self._emit_outcome(refused)
        elif "pickup_address" not in slots:
            self._ask("pickup_address", "ask_pickup_address")
        elif "date" not in slots or "window" not in slots:
            windows = ", ".join(str(w) for w in self.ctx.policy.pickup.windows)
            self._ask("time", "ask_pickup_time", windows=windows)
        elif "items" not in slots or "weight_grams" not in slots:
            self._ask("items", "ask_pickup_items")
        elif "phone" not in slots:
            self._ask("phone", "ask_pickup_phone")
        else:
            address = decode_address(slots["pickup_address"])
            outcome = propose_pickup(
                self.ctx, lang, address, date.fromisoformat(slots["date"]),
                TimeWindow.parse(slots["window"]), int(slots["weight_grams"]), slots["items"],
                slots["phone"], self.ctx.clock.now(),
            )  # fmt: skip
            self._emit_outcome(outcome)

    def _shipment(self) -> Shipment | None:
        waybill = self.state.slots.get("waybill")
        if not waybill:
            example = self.ctx.policy.carriers[0].example
            self._ask("waybill", "ask_waybill", example=example)
            return None
        try:
            return get_shipment(self.ctx, waybill)
        except (ShipmentNotFound, InvalidWaybill):
            self._say("shipment_not_found", waybill=waybill)
            self._emit(e.SlotFilled("waybill", ""))
            return None

    def _track(self, shipment: Shipment) -> None:
        """The status of the parcel, and of any other parcel the same message names."""
        named = [s.value for s in self.last.slots if s.type == "waybill"] if self.last else []
        in_order = list(dict.fromkeys(named))
        if shipment.waybill not in in_order:
            in_order.insert(0, shipment.waybill)
        for waybill in in_order:
            if waybill == shipment.waybill:
                self._say_status(shipment)
                continue
            try:
                self._say_status(get_shipment(self.ctx, waybill))
            except (ShipmentNotFound, InvalidWaybill):
                self._say("shipment_not_found", waybill=waybill)
        self._finish("resolved")
        self._check_answered()

    def _say_status(self, shipment: Shipment) -> None:
        grant = self.state.grant_for(shipment.waybill)
        view = tracking_view(shipment, grant[0] if grant else None)
        lang = self.state.language
        step = word(lang, "next_steps", view.next_step)
        next_text = step.format(expected=view.expected_delivery.isoformat())
        text = say(
            lang,
            "status",
            waybill=view.waybill,
            status_text=word(lang, "statuses", view.status),
            city=view.current_city,
            next_text=next_text,
        )
        if grant:
            text += " " + say(lang, "status_verified_extra", destination=view.destination)
        self._emit(e.BotSaid("status", text.strip()))  # stored: the transcript shows the answer
        self._replies.append(text.strip())

    # --- handoff, misunderstanding, plumbing --------------------------------------------------

    def _handoff(self, reason: str) -> None:
        state = self.state
        summary = {
            "intent": state.task or state.last_intent,
            "slots": {k: v for k, v in state.slots.items() if k != "new_address"}
            | (
                {"new_address": decode_address(state.slots["new_address"]).one_line()}
                if state.slots.get("new_address")
                else {}
            ),
            "verified": sorted(state.grants),
            "executed": list(state.executed),
            "refused": list(state.refused),
            "reason": reason,
            "language": state.language,
        }
        self._say("handoff")
        self._emit(e.HandoffRequested(reason, summary))

    def _misunderstood(self, text: str, prompt: str = "not_understood") -> None:
        self._emit(e.Misunderstood(text))
        if self.state.misunderstood_in_a_row > MAX_MISUNDERSTANDINGS:
            self._handoff("repeated_misunderstanding")
            return
        if prompt == "not_understood" and self.state.task and self.state.asked:
            self._say("not_understood_in_task")  # then the open question again, not the menu
            self._advance()
            return
        self._say(prompt)

    def _repeat_open_question(self) -> None:
        """After an aside, the question the customer has not answered yet, again."""
        if self.state.pending is None:
            if self.state.task and self.state.asked:
                self._advance()
            return
        this_turn = max(i for i, x in enumerate(self.events) if isinstance(x, e.UserSaid))
        asked = [x for x in self.events[:this_turn] if isinstance(x, e.BotSaid)]
        if asked:  # the read-back with its fee, word for word
            self._emit(e.BotSaid(asked[-1].key, asked[-1].text))
            self._replies.append(asked[-1].text)

    def _finish(self, outcome: str) -> None:
        if self.state.task:
            self._emit(e.TaskFinished(self.state.task, outcome))

    def _ask(self, slot: str, key: str, **values: object) -> None:
        self._emit(e.Asked(slot))
        self._say(key, **values)

    def _say(self, key: str, **values: object) -> None:
        text = say(self.state.language, key, **values)
        self._emit(e.BotSaid(key, text))
        self._replies.append(text)

    def _emit(self, event: e.Event) -> None:
        self.events.append(event)
        apply(self.state, event)

    def _today(self) -> date:
        zone = ZoneInfo(self.ctx.policy.country(self.ctx.policy.default_country).timezone)
        return datetime.astimezone(self.ctx.clock.now(), zone).date()


def _task_intent(u: Understanding) -> str:
    """The intent, with "keep it at the station" read as a hold rather than a reschedule."""
    if HOLD_REQUEST.search(u.text) or (
        u.intent == "reschedule_delivery" and HOLD_WORDS.search(u.text)
    ):
        return "hold_at_station"
    return u.intent
