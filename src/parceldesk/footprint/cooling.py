"""Cooling a data hall hour by hour: which mode, how much power, how much water.

Each hour the cascade picks the first mode that carries the whole heat load:
1. **dry** — indirect air-to-air heat exchange with outdoor air: the share of the load it can
   take is φ = ε_dry·(T_return − T_outdoor)/(T_return − T_supply);
2. **wet** — indirect evaporative: the same with the wet-bulb temperature and ε_wet;
3. otherwise the better of the two takes share φ and a compressor **trims** the rest
   (``dry+trim`` / ``wet+trim``), or, with φ = 0, **mechanical** cooling takes it all.
When a free mode has room to spare (φ > 1 unclipped), the outdoor-air fans slow to 1/φ of their
design flow and, by the fan affinity law, draw (1/φ)³ of their design power.
Compressor efficiency is a fraction of the Carnot COP between the evaporator (supply minus an
approach) and the condenser (outdoor dry bulb, or wet bulb when evaporative, plus an approach).
Fans inside the hall, spray pumps (wet modes), UPS, power distribution and lighting add their
shares of the IT power. Water: in wet modes the heat carried by evaporation (at most all of it)
divided by the latent heat, plus blow-down at the given cycles of concentration.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from parceldesk.domain.errors import InvalidInput
from parceldesk.footprint.climate import MONTH_OF_HOUR, HourlyWeather

LATENT_HEAT_KJ_PER_KG = 2450.0
KELVIN = 273.15
MODES = ("dry", "wet", "dry+trim", "wet+trim", "mechanical")


@dataclass(frozen=True)
class CoolingDesign:
    """A hall's cooling; every field is documented with its range in docs/footprint.md."""

    supply_c: float = 24.0
    return_c: float = 36.0
    dry_effectiveness: float = 0.70
    wet_effectiveness: float = 0.80
    process_fan_fraction: float = 0.05
    outdoor_fan_fraction: float = 0.03
    pump_fraction: float = 0.006
    carnot_fraction: float = 0.45
    evaporator_approach_k: float = 6.0
    condenser_approach_k: float = 12.0
    max_cop: float = 9.0
    ups_loss_fraction: float = 0.035  # of the IT power drawn
    ups_fixed_fraction: float = 0.015  # of the rated IT capacity, drawn whatever the load
    distribution_loss_fraction: float = 0.02
    lighting_fraction: float = 0.01  # of the rated IT capacity
    cycles_of_concentration: float = 4.0
    month_share: float = 0.9  # a "dry month" has at least this share of its hours in dry mode

    def __post_init__(self) -> None:
        if not self.supply_c < self.return_c:
            raise InvalidInput("the supply set-point must be below the return temperature")
        for name in ("dry_effectiveness", "wet_effectiveness", "carnot_fraction", "month_share"):
            if not 0 < getattr(self, name) <= 1:
                raise InvalidInput(f"{name} must be in (0, 1]")
        for f in fields(self):
            if getattr(self, f.name) < 0:
                raise InvalidInput(f"{f.name} must not be negative")
        if self.cycles_of_concentration <= 1:
            raise InvalidInput("cycles_of_concentration must be above 1")


PRESETS = {
    "hyperscale": CoolingDesign(),
    "colocation": CoolingDesign(
        supply_c=20.0, return_c=30.0, dry_effectiveness=0.60, wet_effectiveness=0.70,
        process_fan_fraction=0.07, outdoor_fan_fraction=0.04, ups_loss_fraction=0.06,
        ups_fixed_fraction=0.03, distribution_loss_fraction=0.03, lighting_fraction=0.02,
    ),
}  # fmt: skip


def design_from(preset: str, overrides: dict[str, Any] | None = None) -> CoolingDesign:
    if preset not in PRESETS:
        raise InvalidInput(f"cooling preset must be one of {', '.join(PRESETS)}")
    known = {f.name for f in fields(CoolingDesign)}
    unknown = set(overrides or {}) - known
    if unknown:
        raise InvalidInput(f"unknown cooling parameter(s): {', '.join(sorted(unknown))}")
    values = {f.name: getattr(PRESETS[preset], f.name) for f in fields(CoolingDesign)}
    return CoolingDesign(**(values | {k: float(v) for k, v in (overrides or {}).items()}))


@dataclass(frozen=True)
class Hour:
    mode: str
    facility_kw: float
    cooling_kw: float
    water_kg: float


def cool_hour(
    design: CoolingDesign, it_kw: float, dry_c: float, wet_c: float, rated_kw: float | None = None
) -> Hour:
    """One hour of a hall whose IT draws ``it_kw`` of its ``rated_kw`` capacity."""
    rated = it_kw if rated_kw is None else rated_kw
    span = design.return_c - design.supply_c
    dry_share = design.dry_effectiveness * (design.return_c - dry_c) / span
    wet_share = design.wet_effectiveness * (design.return_c - wet_c) / span
    heat = it_kw * (1 + design.process_fan_fraction)
    fans = it_kw * design.process_fan_fraction
    if dry_share >= 1:
        mode, free, flow = "dry", 1.0, 1 / dry_share
    elif wet_share >= 1:
        mode, free, flow = "wet", 1.0, 1 / wet_share
    elif max(dry_share, wet_share) > 0:
        wet = wet_share > dry_share
        mode, free, flow = ("wet+trim" if wet else "dry+trim"), max(dry_share, wet_share), 1.0
    else:
        mode, free, flow = "mechanical", 0.0, 0.0
    evaporative = mode.startswith("wet")
    outdoor_fans = it_kw * design.outdoor_fan_fraction * flow**3
    pumps = it_kw * design.pump_fraction if evaporative else 0.0
    sink = wet_c if evaporative else dry_c
    compressor = (1 - free) * heat / _cop(design, sink) if free < 1 else 0.0
    cooling = fans + outdoor_fans + pumps + compressor
    losses = it_kw * (design.ups_loss_fraction + design.distribution_loss_fraction) + rated * (
        design.ups_fixed_fraction + design.lighting_fraction
    )
    water = 0.0
    if evaporative:
        evaporated = free * heat * 3600 / LATENT_HEAT_KJ_PER_KG
        water = evaporated * design.cycles_of_concentration / (design.cycles_of_concentration - 1)
    return Hour(mode, it_kw + cooling + losses, cooling, water)


def _cop(design: CoolingDesign, sink_c: float) -> float:
    evaporator = design.supply_c - design.evaporator_approach_k + KELVIN
    condenser = sink_c + design.condenser_approach_k + KELVIN
    if condenser <= evaporator:
        return design.max_cop
    return min(design.max_cop, design.carnot_fraction * evaporator / (condenser - evaporator))


@dataclass(frozen=True)
class CoolingYear:
    modes: tuple[str, ...]
    it_kwh: float
    facility_kwh: float
    water_m3: float
    monthly_pue: tuple[float, ...]
    mode_hours_by_month: tuple[dict[str, int], ...]
    design: CoolingDesign

    @property
    def pue(self) -> float:
        """Energy-weighted: the year's facility energy over its IT energy (not a mean of hours)."""
        return self.facility_kwh / self.it_kwh

    @property
    def free_cooling_hours(self) -> int:
        return sum(1 for mode in self.modes if mode in ("dry", "wet"))

    @property
    def dry_months(self) -> int:
        return self._months(("dry",))

    @property
    def free_cooling_months(self) -> int:
        return self._months(("dry", "wet"))

    def _months(self, modes: tuple[str, ...]) -> int:
        share = self.design.month_share
        return sum(
            1 for counts in self.mode_hours_by_month
            if sum(counts[m] for m in modes) >= share * sum(counts.values())
        )  # fmt: skip

    @property
    def wue_l_per_kwh(self) -> float:
        return 1000 * self.water_m3 / self.it_kwh


def cool_year(
    design: CoolingDesign, weather: HourlyWeather, it_kw: list[float],
    rated_kw: float | None = None,
) -> CoolingYear:  # fmt: skip
    """The year of a hall with IT load ``it_kw`` per hour; rated at the peak unless given."""
    if len(it_kw) != len(weather.dry_bulb_c):
        raise InvalidInput("the IT load needs one value per hour of the weather year")
    if min(it_kw) < 0 or max(it_kw) <= 0:
        raise InvalidInput("the IT load must be positive")
    rated = max(it_kw) if rated_kw is None else rated_kw
    climate = zip(it_kw, weather.dry_bulb_c, weather.wet_bulb_c, strict=True)
    hours = [cool_hour(design, load, dry, wet, rated) for load, dry, wet in climate]
    it_month = [0.0] * 12
    fac_month = [0.0] * 12
    counts: list[dict[str, int]] = [dict.fromkeys(MODES, 0) for _ in range(12)]
    for index, (hour, load) in enumerate(zip(hours, it_kw, strict=True)):
        month = MONTH_OF_HOUR[index] - 1
        it_month[month] += load
        fac_month[month] += hour.facility_kw
        counts[month][hour.mode] += 1
    return CoolingYear(
        tuple(h.mode for h in hours), sum(it_kw), sum(h.facility_kw for h in hours),
        sum(h.water_kg for h in hours) / 1000,
        tuple(f / i if i else 0.0 for f, i in zip(fac_month, it_month, strict=True)),
        tuple(counts), design,
    )  # fmt: skip
