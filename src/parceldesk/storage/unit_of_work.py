"""The SQL unit of work: one connection, one transaction, all repositories over it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from parceldesk.domain.errors import ConcurrentModification
from parceldesk.storage.agents import SqlAgentStore
from parceldesk.storage.engine import READ_ONLY
from parceldesk.storage.records import SqlRecordStore
from parceldesk.storage.repositories import (
    SqlAuditLog,
    SqlIdempotencyStore,
    SqlOutbox,
    SqlShipmentRepository,
    SqlVerificationStore,
)


class SqlUnitOfWork:
    """Everything done inside ``with uow:`` commits together on ``commit()`` or not at all."""

    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only
        self._connection: Connection | None = None

    def __enter__(self) -> Self:
        connection = self._engine.connect()
        if self._read_only:
            connection = connection.execution_options(**{READ_ONLY: True})
        self._connection = connection
        self._connection.begin()
        db = self._connection
        self.shipments = SqlShipmentRepository(db)
        self.audit = SqlAuditLog(db)
        self.idempotency = SqlIdempotencyStore(db)
        self.verification = SqlVerificationStore(db)
        self.records = SqlRecordStore(db)
        self.outbox = SqlOutbox(db)
        self.agents = SqlAgentStore(db)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._connection is not None
        try:
            self.rollback()
        finally:
            self._connection.close()
            self._connection = None
        if isinstance(exc, IntegrityError | OperationalError) and _is_conflict(exc):
            raise ConcurrentModification(
                "another request changed the same data at the same time; please try again"
            ) from exc

    def commit(self) -> None:
        assert self._connection is not None
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit: use ctx.uow() to write")
        try:
            self._connection.commit()
        except (IntegrityError, OperationalError) as error:
            if _is_conflict(error):
                raise ConcurrentModification("the change conflicted with another one") from error
            raise

    def rollback(self) -> None:
        if self._connection is not None and self._connection.in_transaction():
            self._connection.rollback()


def _is_conflict(error: Exception) -> bool:
    text = str(error).lower()
    return any(
        marker in text
        for marker in ("unique", "duplicate key", "database is locked", "could not serialize")
    )
