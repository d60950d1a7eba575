"""Fast bulk loading of shipments (the demo world), in large transactions."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select

from parceldesk.domain.shipments import Shipment
from parceldesk.storage import tables as t
from parceldesk.storage.mapping import shipment_to_row


def count_shipments(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(t.shipments)).scalar_one())


def delete_all_data(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(t.metadata.sorted_tables):
            connection.execute(delete(table))


Row = dict[str, Any]


def load_rows(
    engine: Engine, batches: Iterable[list[Row]], progress: Callable[[int], None] | None = None
) -> int:
    """Insert batches of shipment rows, one transaction each; return how many rows."""
    total = 0
    for batch in batches:
        with engine.begin() as connection:
            connection.execute(insert(t.shipments), batch)
        total += len(batch)
        if progress:
            progress(len(batch))
    return total


def load_shipments(engine: Engine, shipments: Iterable[Shipment], batch_size: int = 5000) -> int:
    iterator = iter(shipments)
    batches = iter(lambda: [shipment_to_row(s) for s in islice(iterator, batch_size)], [])
    return load_rows(engine, batches)


def audit_load(engine: Engine, total: int, at: datetime, note: str) -> None:
    """One audit record for a bulk load: who loaded how many shipments, when."""
    with engine.begin() as connection:
        connection.execute(
            insert(t.audit_records),
            [{"id": uuid.uuid4().hex, "at": at, "action": "load_shipments", "outcome": "done",
              "actor": "system:seed", "role": None, "channel": "cli", "waybill": None,
              "details": {"shipments": total, "note": note}}],
        )  # fmt: skip
