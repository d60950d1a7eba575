"""The JSON-lines interface of ``parceldesk nlu predict``: one output line per input line."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from parceldesk.conversation.nlu.understand import Understander, Understanding


def _result(understanding: Understanding) -> dict[str, Any]:
    return {
        "text": understanding.text,
        "language": understanding.language,
        "intent": understanding.intent,
        "confidence": understanding.confidence,
        "slots": [
            {"type": s.type, "value": s.value, "start": s.start, "end": s.end}
            for s in understanding.slots
        ],
    }


def _read(line: str) -> tuple[str, str | None] | str:
    """(text, language hint) or an error message."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        return f"not JSON: {error.msg}"
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return 'each line must be a JSON object with a "text" string'
    hint = data.get("lang")
    return data["text"], hint if isinstance(hint, str) else None


def predict_lines(understander: Understander, lines: list[str], today: date) -> list[str]:
    parsed = [_read(line) for line in lines]
    good = [(i, p) for i, p in enumerate(parsed) if isinstance(p, tuple)]
    results = understander.understand_many([p[0] for _, p in good], today, [p[1] for _, p in good])
    out: list[str] = [json.dumps({"error": p}) if isinstance(p, str) else "" for p in parsed]
    for (index, _), understanding in zip(good, results, strict=True):
        out[index] = json.dumps(_result(understanding), ensure_ascii=False)
    return out
