"""Replies suggested to a human agent, in the customer's language, from where the conversation
stands (``data/agent_replies.yaml``). The agent edits and sends them; nothing is sent by itself."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

from parceldesk.conversation.desk import AgentView

MAX_SUGGESTIONS = 3


@cache
def _replies() -> dict[str, dict[str, str]]:
    path = resources.files("parceldesk.conversation").joinpath("data/agent_replies.yaml")
    data: dict[str, dict[str, str]] = yaml.safe_load(path.read_text("utf-8"))
    return data


def suggest_replies(view: AgentView, agent_name: str) -> list[str]:
    """Up to three replies worth sending now, the closing line last."""
    replies = _replies()[view.handoff.queue_language]
    summary = view.handoff.summary
    keys: list[str] = []
    if not any(m.sender == "agent" for m in view.transcript):
        keys.append("greet")
    if view.done_since_handoff:
        keys.append("done")
    if view.waybill and not summary.get("verified"):
        keys.append("verify")
    if not view.done_since_handoff and str(summary.get("intent")) in replies:
        keys.append(str(summary.get("intent")))
    chosen = [*list(dict.fromkeys(keys))[: MAX_SUGGESTIONS - 1], "close"]
    values = {"agent": agent_name, "waybill": view.waybill or ""}
    return [replies[key].format(**values) for key in chosen]
