"""A site's plan for a workload: fleet, energy, PUE, water, carbon, cost and latency."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from parceldesk.footprint.cooling import CoolingDesign, CoolingYear, cool_year
from parceldesk.footprint.latency import great_circle_km, round_trip_ms
from parceldesk.footprint.sites import City, Site
from parceldesk.footprint.workload import Fleet, Workload, size_fleet


@dataclass(frozen=True)
class Network:
    route_factor: float = 1.5
    equipment_ms: float = 0.5


@dataclass(frozen=True)
class Plan:
    site: Site
    fleet: Fleet
    cooling: CoolingYear
    latencies: dict[str, float]  # city -> round trip, ms
    mean_latency_ms: float  # weighted by the cities' shares

    @property
    def facility_mwh(self) -> float:
        return self.cooling.facility_kwh / 1000

    @property
    def tonnes_co2(self) -> float:
        grid = self.facility_mwh * (1 - self.site.renewable_share)
        return grid * self.site.grid_kg_co2_per_kwh  # MWh x kg/kWh = t

    @property
    def energy_cost(self) -> float:
        return self.cooling.facility_kwh * self.site.electricity_price

    def summary(self, workload: Workload) -> dict[str, Any]:
        cooling = self.cooling
        servers = self.fleet.servers
        amortised = servers * workload.server_price / workload.server_life_years
        return {
            "site": self.site.name,
            "servers": servers,
            "peak_cores": round(self.fleet.peak_cores, 1),
            "it_mwh": round(cooling.it_kwh / 1000, 1),
            "facility_mwh": round(self.facility_mwh, 1),
            "pue": round(cooling.pue, 3),
            "pue_by_month": [round(p, 3) for p in cooling.monthly_pue],
            "dry_months": cooling.dry_months,
            "free_cooling_months": cooling.free_cooling_months,
            "free_cooling_hours": cooling.free_cooling_hours,
            "mode_hours_by_month": [dict(m) for m in cooling.mode_hours_by_month],
            "water_m3": round(cooling.water_m3, 1),
            "wue_l_per_kwh": round(cooling.wue_l_per_kwh, 3),
            "tonnes_co2": round(self.tonnes_co2, 1),
            "energy_cost": round(self.energy_cost),
            "server_cost_per_year": round(amortised),
            "currency": self.site.currency,
            "latency_ms": {city: round(ms, 2) for city, ms in self.latencies.items()},
            "mean_latency_ms": round(self.mean_latency_ms, 2),
        }


def make_plan(
    site: Site, workload: Workload, design: CoolingDesign, cities: list[City],
    network: Network | None = None,
) -> Plan:  # fmt: skip
    network = network or Network()
    fleet = size_fleet(workload)
    cooling = cool_year(design, site.weather, list(fleet.hourly_it_kw), fleet.rated_kw)
    latencies = {
        c.name: round_trip_ms(
            great_circle_km(site.latitude, site.longitude, c.latitude, c.longitude),
            network.route_factor, network.equipment_ms,
        )
        for c in cities
    }  # fmt: skip
    total = sum(c.share for c in cities)
    mean = sum(latencies[c.name] * c.share for c in cities) / total
    return Plan(site, fleet, cooling, latencies, mean)


def inputs(workload: Workload, design: CoolingDesign, network: Network) -> dict[str, Any]:
    """The parameters a plan was made with, for ``--json``."""
    return {"workload": asdict(workload), "cooling": asdict(design), "network": asdict(network)}
