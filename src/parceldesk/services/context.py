"""What every use case needs: a unit of work factory, the policy, a clock and a secret."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from parceldesk.domain.policy import Policy
from parceldesk.services.ports import Clock, UnitOfWork, UnitOfWorkFactory


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that stands still until moved; for tests, scenarios and simulations."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.current += timedelta(**delta)


@dataclass(frozen=True)
class Context:
    uow: UnitOfWorkFactory
    policy: Policy
    clock: Clock
    secret_key: bytes
    read: UnitOfWorkFactory | None = None
    """Units of work that only read (on SQLite they do not queue behind writers); else ``uow``."""

    def reader(self) -> UnitOfWork:
        return (self.read or self.uow)()
