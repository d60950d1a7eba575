"""Conversation events to and from plain JSON, so a conversation can be stored and replayed."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from parceldesk.conversation import events as e
from parceldesk.domain.errors import ParceldeskError

EVENT_TYPES: dict[str, type[Any]] = {cls.__name__: cls for cls in typing.get_args(e.Event)}


class UnknownEventType(ParceldeskError):
    code = "unknown_event_type"


def encode_event(event: e.Event) -> dict[str, Any]:
    data = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}
    for name, value in data.items():
        if isinstance(value, e.ActionProposed):
            data[name] = encode_event(value)
        elif isinstance(value, tuple):
            data[name] = list(value)
    return {"type": type(event).__name__, **data}


def decode_event(data: dict[str, Any]) -> e.Event:
    fields = dict(data)
    kind = fields.pop("type", None)
    cls = EVENT_TYPES.get(str(kind))
    if cls is None:
        raise UnknownEventType(f"unknown conversation event type {kind!r}")
    for field in dataclasses.fields(cls):
        value = fields.get(field.name)
        if isinstance(value, list):
            fields[field.name] = tuple(value)
    event: e.Event = cls(**fields)
    return event
