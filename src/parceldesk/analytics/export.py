"""One row per conversation, with the verdicts the report's numbers are made of."""

from __future__ import annotations

import csv
from typing import Any

from parceldesk.analytics.metrics import resolved_by_ai
from parceldesk.analytics.report import Report


def write_csv(report: Report, out: Any) -> None:
    """One row per conversation, with the verdicts the numbers are made of."""
    writer = csv.writer(out)
    writer.writerow(["id", "started_at", "channel", "language", "intent", "turns",
                     "ai_resolved", "contained", "handed_off", "handoff_reasons",
                     "human_touched", "abandoned", "recontacted", "actions", "wait_s",
                     "handle_s", "queue", "csat"])  # fmt: skip
    for f in report.facts:
        writer.writerow([
            f.id, f.started_at.isoformat(), f.channel, f.language, f.main_intent, f.turns,
            int(resolved_by_ai(f, report.recontacted)), int(f.contained), int(not f.contained),
            ";".join(f.handoffs), int(f.human_touched), int(f.abandoned),
            int(f.id in report.recontacted), ";".join(a.name for a in f.actions),
            _number(f.wait_seconds), _number(f.handle_seconds), f.queue or "",
            "" if f.csat is None else f.csat,
        ])  # fmt: skip


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"
