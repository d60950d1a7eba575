"""A report for a period: the facts of its conversations, the summary and breakdowns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from parceldesk.analytics.facts import ConversationFacts, read_facts
from parceldesk.analytics.metrics import (
    RECONTACT_DAYS,
    Summary,
    breakdown,
    find_recontacts,
    summarise,
)
from parceldesk.conversation.ports import ConversationStore
from parceldesk.domain.errors import InvalidInput


@dataclass(frozen=True)
class Report:
    since: datetime
    until: datetime
    facts: list[ConversationFacts]  # the period's conversations
    recontacted: set[str]
    summary: Summary

    def by(self, dimension: str) -> dict[str, Summary]:
        return breakdown(self.facts, self.recontacted, dimension)


def make_report(store: ConversationStore, since: datetime, until: datetime) -> Report:
    """Conversations started in [since, until); re-contacts are looked for up to
    ``RECONTACT_DAYS`` after ``until`` as well, so the period's last days are judged fairly."""
    if until <= since:
        raise InvalidInput("the report's end must come after its start")
    if until - since > timedelta(days=366):
        raise InvalidInput("a report covers at most a year")
    later = until + timedelta(days=RECONTACT_DAYS)
    facts = [read_facts(record, events) for record, events in store.list_logs(since, later)]
    recontacted = find_recontacts(facts)
    period = [f for f in facts if f.started_at < until]
    return Report(since, until, period, recontacted, summarise(period, recontacted))
