"""Play simulated customers against the real engine, check each one's goal in the database, and
hold the analytics' verdicts against the truth."""

from __future__ import annotations

import heapq
import multiprocessing
import os
import random
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from parceldesk.analytics.metrics import SATISFIED, resolved_by_ai
from parceldesk.analytics.report import Report, make_report
from parceldesk.bootstrap import Application, bootstrap
from parceldesk.config import Settings
from parceldesk.conversation import events as e
from parceldesk.conversation.chat import ChatService
from parceldesk.conversation.state import ConversationState, fold
from parceldesk.domain.errors import InvalidInput
from parceldesk.domain.phones import last_digits
from parceldesk.domain.policy.decisions import local_today
from parceldesk.domain.shipments import Shipment
from parceldesk.services.context import FixedClock
from parceldesk.services.tracking import tracking_view
from parceldesk.simulation.customers import Persona, arrival_times, phrases
from parceldesk.storage import tables as t

# (as written, what must be in the stored address afterwards)
STREETS = {
    "CN": (("建国路88号", ("建国路88号",)), ("人民路12号", ("人民路12号",)),
           ("解放大道7号", ("解放大道7号",))),
    "other": (("Jl. Merdeka No. 12", ("Merdeka", "12")), ("Jl. Sudirman No. 5", ("Sudirman", "5")),
              ("Jl. Gatot Subroto No. 21", ("Gatot Subroto", "21"))),
}  # fmt: skip


WRITES = {"change_address": "change_address", "reschedule_delivery": "reschedule_delivery",
          "intercept_return": "intercept_return", "complaint": "file_complaint"}  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    persona: Persona
    conversation_id: str
    waybill: str
    achieved: bool  # the customer got what they came for
    handed_off: bool
    turns: int
    rated: int | None = None  # the rating they gave the survey, if they answered it

    @property
    def truly_resolved_by_ai(self) -> bool:
        return self.achieved and not self.handed_off and self.persona.goal != "human_agent"


@dataclass
class Simulation:
    outcomes: list[Outcome] = field(default_factory=list)
    report: Report | None = None

    @property
    def true_rate(self) -> float:
        return sum(o.truly_resolved_by_ai for o in self.outcomes) / len(self.outcomes)

    @property
    def measured_rate(self) -> float:
        assert self.report is not None
        return self.report.summary.ai_resolution_rate

    @property
    def true_csat(self) -> float | None:
        """The share of 4-5 among the ratings the customers really gave."""
        given = [o.rated for o in self.outcomes if o.rated is not None]
        return sum(r >= SATISFIED for r in given) / len(given) if given else None

    def disagreements(self) -> dict[str, list[str]]:
        """Where the analytics' verdict and the truth differ, and why (as far as one can tell)."""
        assert self.report is not None
        facts = {f.id: f for f in self.report.facts}
        found: dict[str, list[str]] = {}
        for o in self.outcomes:
            f = facts[o.conversation_id]
            if f.csat != o.rated:
                why = f"the customer rated {o.rated}, analytics recorded {f.csat}"
                found.setdefault(why, []).append(o.conversation_id)
            measured = resolved_by_ai(f, self.report.recontacted)
            if measured == o.truly_resolved_by_ai:
                continue
            if o.truly_resolved_by_ai and f.id in self.report.recontacted:
                why = "achieved, but the same parcel and intent came back within 7 days"
            elif o.truly_resolved_by_ai and not f.bot_wrote:
                why = "answered, but the customer confirmed nothing (no thanks, no yes)"
            elif o.truly_resolved_by_ai:
                why = "achieved, not counted (other)"
            elif o.persona.polite and f.confirmed_answered:
                why = "a polite customer said the answer helped, but the goal was not met"
            else:
                why = f"counted as resolved, but the goal ({o.persona.goal}) was not met"
            found.setdefault(why, []).append(o.conversation_id)
        return found


Arrival = tuple[Persona, str, datetime]  # who, about which parcel, when they start
CHUNK = 500  # customers a worker plays at a time (each chunk spread over the whole day)


def simulate(
    app: Application, personas: list[Persona], seed: int,
    progress: Callable[[int], None] | None = None, workers: int = 1, chunk: int = CHUNK,
) -> Simulation:  # fmt: skip
    """Play a day: each customer arrives at their time (``arrival_times``) and thinks between
    messages; conversations overlap in simulated time as they would, the application's clock (a
    ``FixedClock``) following it. With ``workers`` > 1, chunks of customers (each spread over the
    day) are played by that many processes on the same database; the outcome is the same."""
    clock = app.context.clock
    if not isinstance(clock, FixedClock):
        raise InvalidInput("a simulation runs on a FixedClock")
    parcels = _parcels(app, len(personas), random.Random(seed))
    day = _next_local_midnight(app, clock.now())
    customers = list(zip(personas, parcels, arrival_times(len(personas), day, seed), strict=True))
    count = max(1, len(customers) // chunk)
    chunks = [customers[i::count] for i in range(count)]
    result = Simulation()
    for outcomes in _play_all(app, chunks, seed, workers):
        result.outcomes += outcomes
        if progress:
            progress(len(outcomes))
    result.outcomes.sort(key=lambda o: o.persona.number)
    until = max(clock.now(), day + timedelta(days=2))  # the day's last conversations end late
    result.report = make_report(app.conversation_store(), day, until)
    return result


def _play_all(
    app: Application, chunks: list[list[Arrival]], seed: int, workers: int
) -> Iterator[list[Outcome]]:
    if workers <= 1:
        for number, chunk in enumerate(chunks):
            yield play(app, chunk, seed + number)
        return
    start = (app.settings, app.models_dir, app.context.clock.now())
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: no inherited connections
    with ProcessPoolExecutor(workers, spawn, initializer=_start_worker, initargs=start) as pool:
        futures = [pool.submit(_play_chunk, chunk, seed + n) for n, chunk in enumerate(chunks)]
        for future in as_completed(futures):
            yield future.result()


_worker: Application | None = None  # the application of a worker process


def _start_worker(settings: Settings, models_dir: Path | None, now: datetime) -> None:
    global _worker
    # one core a worker: the sentence embedder's OpenMP threads would otherwise spin on the
    # cores the other workers need (read when the embedder loads, later in this process)
    os.environ.update(OMP_NUM_THREADS="1", OMP_WAIT_POLICY="PASSIVE")
    _worker = bootstrap(settings, clock=FixedClock(now))
    _worker.models_dir = models_dir


def _play_chunk(chunk: list[Arrival], seed: int) -> list[Outcome]:
    assert _worker is not None, "the worker was not started"
    return play(_worker, chunk, seed)


def play(app: Application, customers: list[Arrival], seed: int) -> list[Outcome]:
    """Play these customers through their conversations in simulated time, in one process."""
    clock = app.context.clock
    assert isinstance(clock, FixedClock)
    chat, rng = app.chat(), random.Random(seed)
    waiting = []
    for number, (persona, waybill, at) in enumerate(customers):
        customer = Customer(app, chat, persona, waybill, rng)
        waiting.append((at, number, customer, customer.talk()))
    heapq.heapify(waiting)
    outcomes = []
    while waiting:
        at, number, customer, talking = heapq.heappop(waiting)
        clock.current = at
        pause = next(talking, None)
        if pause is None:
            outcomes.append(customer.outcome())
        else:
            heapq.heappush(waiting, (at + timedelta(seconds=pause), number, customer, talking))
    return outcomes


def _next_local_midnight(app: Application, now: datetime) -> datetime:
    country = app.context.policy.country(app.context.policy.default_country)
    tomorrow = local_today(country, now) + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), ZoneInfo(country.timezone)).astimezone(UTC)


def _parcels(app: Application, count: int, rng: random.Random) -> list[str]:
    """A different parcel for every customer while the world has enough (two customers about
    one parcel would look like a re-contact), drawn again only beyond that."""
    with app.engine.connect() as db:
        top = db.execute(select(func.max(t.shipments.c.id))).scalar_one() or 0
        if not top:
            raise InvalidInput("there are no shipments; the simulation needs a world")
        ids = (rng.sample(range(1, top + 1), count) if count <= top
               else [rng.randint(1, top) for _ in range(count)])  # fmt: skip
        query = select(t.shipments.c.id, t.shipments.c.waybill)
        rows = {row.id: row.waybill for row in db.execute(query)}
    return [rows[i] for i in ids]


class Customer:
    """One simulated customer talking to the assistant until done, stuck or out of patience."""

    def __init__(self, app: Application, chat: ChatService, persona: Persona, waybill: str,
                 rng: random.Random) -> None:  # fmt: skip
        self.app, self.chat, self.p, self.rng = app, chat, persona, rng
        self.words = phrases()[persona.language]
        self.waybill = waybill
        self.sent = 0
        self.gave_wrong_digits = self.thanked = False
        self.rated: int | None = None
        self._events: list[e.Event] | None = None  # read once per turn

    def talk(self) -> Iterator[float]:
        """The conversation, message by message: yields the seconds until the next one."""
        with self.app.context.uow() as uow:
            self.before = uow.shipments.get(self.waybill)
        party = self.before.sender if self.p.goal == "intercept_return" else self.before.recipient
        self.digits = last_digits(party.phone)
        self.target, self.expected = _new_address(self.before, self.rng)
        started = self.chat.start("web", self.p.language)
        self.cid, self.token = started.id, started.token
        yield self.think()
        self.say(self.p.opening.format(w=self.before.waybill))
        rephrased = False
        while self.sent < self.p.patience:
            yield self.think()
            state = self.state()
            if state.handed_off:
                break
            reply = self.answer(state)
            if reply is None:
                stuck = self.misunderstood()
                if not stuck:
                    if not self.p.thanks or self.thanked or not self.achieved():
                        break
                    reply, self.thanked = self.rng.choice(self.words["thanks"]), True
                elif self.p.asks_for_person_when_stuck:
                    reply = self.words["human"]
                elif not rephrased:
                    reply, rephrased = self.rng.choice(self.words[self.p.goal]), True
                    reply = reply.format(w=self.before.waybill)
                else:
                    break  # gives up
            self.say(reply)

    def outcome(self) -> Outcome:
        return Outcome(self.p, self.cid, self.before.waybill, self.achieved(),
                       self.state().handed_off, self.sent, self.rated)  # fmt: skip

    def think(self) -> float:
        """Seconds to read the answer and type the next message."""
        return self.rng.uniform(8, 40)

    def answer(self, state: ConversationState) -> str | None:
        """What the customer says to the question the assistant asked (None: it asked none)."""
        if state.pending is not None:  # yes to what they came for, no to anything else
            wanted = WRITES.get(self.p.goal) == state.pending.action
            return str(self.rng.choice(self.words["agree" if wanted else "decline"]))
        if state.closing_question_asked is not None:
            return self.closing_answer(state.closing_question_asked)
        if state.task is None:
            return None
        match state.asked:
            case "digits":
                wrong = self.p.wrong_digits_first and not self.gave_wrong_digits
                self.gave_wrong_digits = True
                return "0000" if wrong and self.digits != "0000" else self.digits
            case "waybill":
                return self.before.waybill
            case "new_address":
                return self.target
            case "time":
                return str(self.words["when"])
            case "description":
                return str(self.words["complaint_text"])
        return None

    def closing_answer(self, question: str) -> str | None:
        """ "Did that answer your question?" by the truth as they see it; the survey if they
        are someone who answers surveys."""
        if question == "survey":
            self.rated = self.rating() if self.p.rates else None
            return None if self.rated is None else str(self.rated)
        helped = self.achieved() or self.p.polite  # a polite customer says yes regardless
        self.thanked = self.thanked or (helped and self.p.thanks)
        words = "thanks" if helped and self.p.thanks else "agree" if helped else "decline"
        return str(self.rng.choice(self.words[words]))

    def rating(self) -> int:
        """1-5: mostly 4-5 when they got what they came for, mostly 1-2 when they did not."""
        scale = (5, 5, 5, 4, 4, 3) if self.achieved() else (1, 1, 2, 2, 3, 4)
        return self.rng.choice(scale)

    def say(self, text: str) -> None:
        self.chat.post(self.cid, self.token, text, f"sim-{self.sent}")
        self.sent += 1
        self._events = None

    def events(self) -> list[e.Event]:
        """The conversation so far, read from the store once after each message."""
        if self._events is None:
            self._events = [x.event for x in self.app.conversation_store().list_events(self.cid)]
        return self._events

    def state(self) -> ConversationState:
        return fold(self.events())

    def misunderstood(self) -> bool:
        """Whether the assistant's last answer was "I did not understand"."""
        events = self.events()
        last_turn = max(i for i, x in enumerate(events) if isinstance(x, e.UserSaid))
        return any(isinstance(x, e.Misunderstood) for x in events[last_turn:])

    def achieved(self) -> bool:
        """The truth, from the database (and, for answers, from what the customer was told)."""
        goal, events = self.p.goal, self.events()
        if goal == "human_agent":
            return any(isinstance(x, e.HandoffRequested) for x in events)
        if goal == "faq":
            return any(isinstance(x, e.BotSaid) and x.key.startswith("faq_")
                       and x.key != "faq_general" for x in events)  # fmt: skip
        if goal == "track_parcel":
            city = tracking_view(self.before, None).current_city
            return any(isinstance(x, e.BotSaid) and city in x.text for x in events)
        told = [x.reference for x in events if isinstance(x, e.ActionExecuted) and x.reference]
        with self.app.context.uow() as uow:
            after = uow.shipments.get(self.before.waybill)
            complaints = [uow.records.find_complaint(ref) for ref in told]
        match goal:
            case "change_address":
                line = after.destination.one_line()
                return all(part in line for part in self.expected)
            case "reschedule_delivery":
                return (
                    after.appointment is not None and after.appointment != self.before.appointment
                )
            case "intercept_return":
                return after.returning_to_sender and not self.before.returning_to_sender
        return any(c is not None for c in complaints)  # the reference they were told is real


def _new_address(shipment: Shipment, rng: random.Random) -> tuple[str, tuple[str, ...]]:
    """An address in the parcel's own city (a recipient may move a parcel within it), and the
    parts the stored address must show once changed (never the street it has now)."""
    d = shipment.destination
    now = d.one_line()
    streets = STREETS["CN" if d.country == "CN" else "other"]
    street, expected = rng.choice([s for s in streets if not all(p in now for p in s[1])])
    if d.country == "CN":
        return f"{d.province}{d.city}{d.district}{street}", expected
    return f"{street}, {d.district}, {d.city}", expected
