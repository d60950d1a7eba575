"""The numbers a service centre is run on, with strict definitions (docs/analytics.md).

- **AI resolution**: the conversation was never handed to a person (a customer left waiting for
  one was not served by the AI, whatever the bot did first), and either a write the bot made
  succeeded or the customer thanked it after it resolved their question, and the same customer
  did not come back about the same parcel and intent within ``RECONTACT_DAYS``.
- **Containment**: no handoff at all. Never reported as resolution.
- **First-contact resolution**: resolved (by the AI, or by a person who made a change or wrapped
  up as resolved) with no re-contact within the window.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import pairwise

from parceldesk.analytics.facts import ConversationFacts

RECONTACT_DAYS = 7
HUMAN_RESOLVED = frozenset({"resolved", "changed_for_customer"})
DIMENSIONS: dict[str, Callable[[ConversationFacts], str]] = {
    "day": lambda f: f.started_at.date().isoformat(),
    "hour": lambda f: f"{f.started_at:%H}:00",
    "channel": lambda f: f.channel,
    "language": lambda f: f.language,
    "intent": lambda f: f.main_intent,
    "queue": lambda f: f.queue or "bot only",
}
SATISFIED = 4  # CSAT counts the ratings of 4 and 5 out of 5


def find_recontacts(facts: list[ConversationFacts]) -> set[str]:
    """Conversations followed, within the window, by another from the same customer about the
    same parcel and intent (the same caller phone stands in when neither names a parcel)."""
    window = timedelta(days=RECONTACT_DAYS)
    by_key: dict[tuple[str, str], list[ConversationFacts]] = defaultdict(list)
    for f in facts:
        for key in _contact_keys(f):
            by_key[key].append(f)
    followed: set[str] = set()
    for group in by_key.values():
        group.sort(key=lambda f: f.started_at)
        for earlier, later in pairwise(group):
            if later.started_at - earlier.started_at <= window:
                followed.add(earlier.id)
    return followed


def _contact_keys(f: ConversationFacts) -> list[tuple[str, str]]:
    intents = set(f.intents) or {"none"}
    if f.waybills:
        return [(f"w:{w}", i) for w in f.waybills for i in intents]
    return [(f"p:{f.caller_phone}", i) for i in intents] if f.caller_phone else []


def resolved_by_ai(f: ConversationFacts, recontacted: set[str]) -> bool:
    return (f.contained and not f.human_touched and (f.bot_wrote or f.confirmed_answered)
            and f.id not in recontacted)  # fmt: skip


def resolved_at_first_contact(f: ConversationFacts, recontacted: set[str]) -> bool:
    by_human = f.human_touched and (
        any(a.by_human for a in f.actions) or f.wrap_up in HUMAN_RESOLVED
    )
    return f.id not in recontacted and (resolved_by_ai(f, recontacted) or by_human)


@dataclass(frozen=True)
class Summary:
    conversations: int
    ai_resolved: int
    contained: int
    handed_off: int
    handoff_reasons: dict[str, int]
    first_contact_resolved: int
    abandoned: int
    verification_failures: int
    refusals: int
    out_of_scope_turns: int
    turns: int
    wait_p50_s: float | None
    wait_p90_s: float | None
    handle_p50_s: float | None
    actions: dict[str, int]
    fees: dict[str, int] = field(default_factory=dict)  # currency -> minor units charged
    csat_responses: int = 0  # conversations whose customer answered the survey
    csat_satisfied: int = 0  # of those, rated 4 or 5
    csat_mean: float | None = None
    not_answered: int = 0  # said the bot's answer did not answer their question

    @property
    def csat(self) -> float | None:
        """Satisfied ratings (4-5 of 5) among the survey's answers; None without answers."""
        return self.csat_satisfied / self.csat_responses if self.csat_responses else None

    def rate(self, count: int) -> float:
        return count / self.conversations if self.conversations else 0.0

    @property
    def ai_resolution_rate(self) -> float:
        return self.rate(self.ai_resolved)

    @property
    def containment_rate(self) -> float:
        return self.rate(self.contained)


def summarise(facts: Iterable[ConversationFacts], recontacted: set[str]) -> Summary:
    rows = list(facts)
    waits = [f.wait_seconds for f in rows if f.wait_seconds is not None]
    handles = [f.handle_seconds for f in rows if f.handle_seconds is not None]
    ratings = [f.csat for f in rows if f.csat is not None]
    actions: Counter[str] = Counter(a.name for f in rows for a in f.actions)
    fees: Counter[str] = Counter()
    for f in rows:
        for a in f.actions:
            if a.fee_minor:
                fees[a.currency] += a.fee_minor
    return Summary(
        len(rows), sum(resolved_by_ai(f, recontacted) for f in rows),
        sum(f.contained for f in rows), sum(not f.contained for f in rows),
        dict(Counter(reason.split(":")[0] for f in rows for reason in f.handoffs)),
        sum(resolved_at_first_contact(f, recontacted) for f in rows),
        sum(f.abandoned for f in rows), sum(f.verification_failures for f in rows),
        sum(f.refusals for f in rows), sum(f.out_of_scope for f in rows),
        sum(f.turns for f in rows), _quantile(waits, 50), _quantile(waits, 90),
        _quantile(handles, 50), dict(actions), dict(fees), len(ratings),
        sum(r >= SATISFIED for r in ratings), statistics.fmean(ratings) if ratings else None,
        sum(f.not_answered for f in rows),
    )  # fmt: skip


def breakdown(
    facts: list[ConversationFacts], recontacted: set[str], dimension: str
) -> dict[str, Summary]:
    """The summary per value of ``dimension`` (day, hour, channel, language, intent, queue)."""
    key = DIMENSIONS[dimension]
    groups: dict[str, list[ConversationFacts]] = defaultdict(list)
    for f in facts:
        groups[key(f)].append(f)
    return {value: summarise(rows, recontacted) for value, rows in sorted(groups.items())}


def _quantile(values: list[float], percent: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]
