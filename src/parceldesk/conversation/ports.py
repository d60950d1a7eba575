"""Ports of the conversation engine: the seam where another understander can be plugged in.

The embedded ``nlu.understand.Understander`` implements ``MessageUnderstander``. An optional
LLM-backed understander (run on the carrier's own compute) would implement the same Protocol and
return the same ``Understanding``; the dialogue, the policies and every write stay deterministic.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from parceldesk.conversation.nlu.understand import Understanding


class MessageUnderstander(Protocol):
    def understand(self, text: str, today: date, hint: str | None = None) -> Understanding: ...
