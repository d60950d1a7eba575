"""From contact volume to servers and their hourly IT power.

The fleet is sized for the busiest hour (the average hour times ``peak_factor``): dialogue turns
cost ``cpu_ms_per_turn`` of CPU (measured by ``parceldesk bench conversation``), a phone call
holds ``asr_cores_per_stream`` + ``tts_cores_per_stream`` cores while the AI is on the line, and
by Little's law the calls in progress at once are the call rate times the call's length. The
cores are provisioned at ``target_utilisation`` with ``headroom`` on top, on whole servers, plus
``redundant_servers``. Every hour of the year the *provisioned* fleet draws its idle power plus
the utilisation-proportional part for that hour's traffic (``HOURLY_PROFILE``); LLM tokens, when
used, add ``llm_joules_per_token`` per token on top.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from parceldesk.domain.errors import InvalidInput

# A service centre's typical day (local time), quiet at night, busiest late morning and
# mid-afternoon: relative weights, normalised below to the share of a day's contacts per hour.
_DAY_SHAPE = (
    0.008, 0.005, 0.004, 0.003, 0.004, 0.008, 0.018, 0.035, 0.055, 0.068, 0.072, 0.068,
    0.058, 0.060, 0.066, 0.068, 0.064, 0.058, 0.052, 0.050, 0.047, 0.040, 0.028, 0.016,
)  # fmt: skip
HOURLY_PROFILE = tuple(weight / sum(_DAY_SHAPE) for weight in _DAY_SHAPE)


@dataclass(frozen=True)
class Workload:
    contacts_per_year: float = 20_000_000
    voice_share: float = 0.7
    turns_per_contact: float = 8.0
    voice_minutes_per_call: float = 3.0
    peak_factor: float = 3.0
    cpu_ms_per_turn: float = 3.3
    asr_cores_per_stream: float = 0.3
    tts_cores_per_stream: float = 0.35
    llm_tokens_per_contact: float = 0.0
    llm_joules_per_token: float = 3.0
    target_utilisation: float = 0.6
    headroom: float = 0.3
    redundant_servers: int = 1
    server_cores: int = 64
    server_idle_w: float = 120.0
    server_max_w: float = 420.0
    server_price: float = 60_000.0
    server_life_years: float = 5.0

    def __post_init__(self) -> None:
        for f in fields(self):
            if getattr(self, f.name) < 0:
                raise InvalidInput(f"{f.name} must not be negative")
        if self.contacts_per_year <= 0:
            raise InvalidInput("contacts_per_year must be positive")
        if not 0 <= self.voice_share <= 1:
            raise InvalidInput("voice_share must be between 0 and 1")
        if not 0 < self.target_utilisation <= 1:
            raise InvalidInput("target_utilisation must be in (0, 1]")
        if self.peak_factor < 1:
            raise InvalidInput("peak_factor must be at least 1 (the busiest hour is not quieter)")
        if self.server_cores < 1 or self.server_max_w < self.server_idle_w:
            raise InvalidInput("a server needs cores and a maximum power above its idle power")


@dataclass(frozen=True)
class Fleet:
    servers: int
    peak_cores: float  # cores busy in the busiest hour
    hourly_it_kw: tuple[float, ...]
    llm_kwh: float

    @property
    def it_kwh(self) -> float:
        return sum(self.hourly_it_kw)

    @property
    def rated_kw(self) -> float:
        return max(self.hourly_it_kw)


def cores_busy(w: Workload, contacts_per_hour: float) -> float:
    """Cores the AI keeps busy during an hour with this many contacts."""
    turns_per_s = contacts_per_hour * w.turns_per_contact / 3600
    calls_at_once = contacts_per_hour * w.voice_share / 3600 * w.voice_minutes_per_call * 60
    return (turns_per_s * w.cpu_ms_per_turn / 1000
            + calls_at_once * (w.asr_cores_per_stream + w.tts_cores_per_stream))  # fmt: skip


def size_fleet(w: Workload) -> Fleet:
    average_hour = w.contacts_per_year / 8760
    peak = cores_busy(w, average_hour * w.peak_factor)
    provisioned = peak / w.target_utilisation * (1 + w.headroom)
    servers = max(1, math.ceil(provisioned / w.server_cores)) + w.redundant_servers
    capacity = servers * w.server_cores
    per_day = w.contacts_per_year / 365
    hourly: list[float] = []
    llm_kwh = 0.0
    for _day in range(365):
        for share in HOURLY_PROFILE:
            contacts = per_day * share
            utilisation = min(1.0, cores_busy(w, contacts) / capacity)
            llm_kw = contacts * w.llm_tokens_per_contact * w.llm_joules_per_token / 3.6e6
            llm_kwh += llm_kw
            watts = servers * (w.server_idle_w + (w.server_max_w - w.server_idle_w) * utilisation)
            hourly.append(watts / 1000 + llm_kw)
    return Fleet(servers, peak, tuple(hourly), llm_kwh)
