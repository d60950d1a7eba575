"""The analytics dashboard: headline numbers with their trend against the period before,
charts, the conversations behind each number, and a CSV export (supervisors and admins)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fastapi.responses import Response

from parceldesk.analytics.export import write_csv
from parceldesk.analytics.facts import ConversationFacts
from parceldesk.analytics.metrics import resolved_by_ai
from parceldesk.analytics.report import Report
from parceldesk.analytics.staffing import staffing_saving
from parceldesk.domain.errors import InvalidInput
from parceldesk.web.charts import lines, stacked_bars

MakeReport = Callable[[datetime, datetime], Report]
MAX_LISTED = 500
# metric -> (label, which conversations it counts)
METRICS: dict[str, tuple[str, Callable[[ConversationFacts, set[str]], bool]]] = {
    "ai_resolved": ("AI resolution (strict)", resolved_by_ai),
    "contained": ("Containment (no handoff)", lambda f, _: f.contained),
    "handed_off": ("Handed to a person", lambda f, _: not f.contained),
    "abandoned": ("Never reached a person", lambda f, _: f.abandoned),
    "recontacted": ("Came back within 7 days", lambda f, r: f.id in r),
    "rated": ("CSAT (rated 4-5 of 5)", lambda f, _: f.csat is not None),
    "not_answered": ("Said the answer did not help", lambda f, _: f.not_answered),
}


def check_period(query: dict[str, str], today: date) -> tuple[datetime, datetime]:
    """``from`` and ``to`` (days, inclusive) or the last 7 days."""
    try:
        last = date.fromisoformat(query["to"]) if query.get("to") else today
        first = date.fromisoformat(query["from"]) if query.get("from") else last - timedelta(6)
    except ValueError:
        raise InvalidInput("dates look like 2026-11-30") from None
    if first > last or (last - first).days > 366:
        raise InvalidInput("choose a period of one day to a year, the first day first")
    return (datetime.combine(first, time(0), UTC),
            datetime.combine(last + timedelta(days=1), time(0), UTC))  # fmt: skip


def overview(report_for: MakeReport, since: datetime, until: datetime) -> dict[str, Any]:
    now = report_for(since, until)
    before = report_for(since - (until - since), since)
    s, p = now.summary, before.summary
    cards = [
        _card("ai_resolved", s.ai_resolution_rate, p.ai_resolution_rate, s.ai_resolved),
        _card("contained", s.containment_rate, p.containment_rate, s.contained),
        _card("handed_off", s.rate(s.handed_off), p.rate(p.handed_off), s.handed_off),
        _card("abandoned", s.rate(s.abandoned), p.rate(p.abandoned), s.abandoned),
    ]
    if s.csat is not None:  # no survey answers: no card rather than a made-up 0 %
        card = _card("rated", s.csat, p.csat if p.csat is not None else s.csat, s.csat_responses)
        cards.append(card | {"of": "survey answers" if p.csat is not None else "no answers before"})
    days = now.by("day")
    labels = [d[5:] for d in days]
    daily = lines("AI resolution and containment by day", labels or ["—"], {
        "AI resolution": [round(100 * v.ai_resolution_rate, 1) for v in days.values()] or [0],
        "containment": [round(100 * v.containment_rate, 1) for v in days.values()] or [0],
    }, "%", scale=(0, 100))  # fmt: skip
    reasons = sorted(s.handoff_reasons.items(), key=lambda kv: -kv[1])
    counts: dict[str, list[float]] = {"handoffs": [float(n) for _, n in reasons] or [0.0]}
    handoffs = stacked_bars("Handoffs by reason", [r for r, _ in reasons] or ["none"], counts,
                            "conversations")  # fmt: skip
    seats = staffing_saving(20_000_000, 2.0, 300, s.ai_resolution_rate)
    return {"summary": s, "cards": cards, "daily_chart": daily, "handoff_chart": handoffs,
            "by_intent": now.by("intent"), "by_language": now.by("language"),
            "by_queue": now.by("queue"), "seats": seats,
            "since": since.date(), "until": (until - timedelta(days=1)).date()}  # fmt: skip


def _card(metric: str, rate: float, before: float, count: int) -> dict[str, Any]:
    delta = 100 * (rate - before)
    return {"metric": metric, "label": METRICS[metric][0], "rate": f"{rate:.1%}", "count": count,
            "trend": f"{delta:+.1f} pts vs the period before"}  # fmt: skip


def behind(report_for: MakeReport, since: datetime, until: datetime, metric: str) -> dict[str, Any]:
    """The conversations a number counts."""
    if metric not in METRICS:
        raise InvalidInput(f"metric is one of {', '.join(METRICS)}")
    report = report_for(since, until)
    label, counts = METRICS[metric]
    rows = [f for f in report.facts if counts(f, report.recontacted)]
    return {"label": label, "rows": rows[:MAX_LISTED], "total": len(rows), "metric": metric,
            "recontacted": report.recontacted, "resolved": resolved_by_ai,
            "since": since.date(), "until": (until - timedelta(days=1)).date()}  # fmt: skip


def export_csv(report_for: MakeReport, since: datetime, until: datetime) -> str:
    out = io.StringIO()
    write_csv(report_for(since, until), out)
    return out.getvalue()


def csv_response(text: str, since: datetime) -> Response:
    name = f"parceldesk-conversations-{since:%Y%m%d}.csv"
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip
