"""Agents needed for a service level, by Erlang C, and the seats the AI's resolution saves.

Erlang C: with traffic A = arrival rate × handle time (Erlangs) and N agents (N > A), the chance
a contact waits is P_w = (A^N/N! · N/(N−A)) / (Σ_{k<N} A^k/k! + A^N/N! · N/(N−A)); the share
answered within t is 1 − P_w · e^(−(N−A)·t/AHT). The smallest N meeting the target (default 80 %
in 20 s) whose occupancy A/N stays under the cap is taken, then divided by (1 − shrinkage) for
breaks, training and absence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from parceldesk.domain.errors import InvalidInput


@dataclass(frozen=True)
class ServiceLevel:
    answered_share: float = 0.80
    within_seconds: float = 20.0
    max_occupancy: float = 0.85
    shrinkage: float = 0.30

    def __post_init__(self) -> None:
        if not (0 < self.answered_share < 1 and self.within_seconds >= 0
                and 0 < self.max_occupancy <= 1 and 0 <= self.shrinkage < 1):  # fmt: skip
            raise InvalidInput("service level: share in (0,1), seconds >= 0, occupancy in (0,1], "
                               "shrinkage in [0,1)")  # fmt: skip


def erlang_c(traffic: float, agents: int) -> float:
    """The probability that a contact has to wait (stable only for agents > traffic)."""
    if agents <= traffic:
        return 1.0
    term, total = 1.0, 1.0  # A^k/k! built up iteratively (no overflow for large N)
    for k in range(1, agents):
        term *= traffic / k
        total += term
    last = term * traffic / agents * agents / (agents - traffic)
    return last / (total + last)


def service_level(traffic: float, agents: int, handle_s: float, within_s: float) -> float:
    if agents <= traffic:
        return 0.0
    return 1 - erlang_c(traffic, agents) * math.exp(-(agents - traffic) * within_s / handle_s)


def agents_needed(calls_per_hour: float, handle_s: float, level: ServiceLevel) -> int:
    """Agents on the phones in that hour (before shrinkage)."""
    if calls_per_hour < 0 or handle_s <= 0:
        raise InvalidInput("calls per hour must not be negative and handle time must be positive")
    traffic = calls_per_hour * handle_s / 3600
    if traffic == 0:
        return 0
    agents = max(1, math.ceil(traffic / level.max_occupancy))
    while service_level(traffic, agents, handle_s, level.within_seconds) < level.answered_share:
        agents += 1
    return agents


@dataclass(frozen=True)
class Staffing:
    peak_calls_per_hour: float
    agents_without_ai: int  # scheduled (with shrinkage) for the busiest hour
    agents_with_ai: int
    saved: int


def staffing_saving(
    contacts_per_year: float, peak_factor: float, handle_s: float, ai_resolution_rate: float,
    level: ServiceLevel | None = None,
) -> Staffing:  # fmt: skip
    """Seats for the busiest hour with every contact going to people, and with the AI resolving
    ``ai_resolution_rate`` of them."""
    level = level or ServiceLevel()
    if not 0 <= ai_resolution_rate <= 1:
        raise InvalidInput("the resolution rate is a share between 0 and 1")
    peak = contacts_per_year / 8760 * peak_factor

    def scheduled(calls: float) -> int:
        return math.ceil(agents_needed(calls, handle_s, level) / (1 - level.shrinkage))

    without, with_ai = scheduled(peak), scheduled(peak * (1 - ai_resolution_rate))
    return Staffing(peak, without, with_ai, without - with_ai)
