"""The footprint planner against published figures, synthetic climates and physics."""

from __future__ import annotations

import math
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parceldesk.domain.errors import InvalidInput, NotFound
from parceldesk.footprint.climate import (
    HourlyWeather,
    MonthlyNormal,
    hourly_from_normals,
    read_epw,
)
from parceldesk.footprint.cooling import CoolingDesign, cool_hour, cool_year, design_from
from parceldesk.footprint.latency import great_circle_km, round_trip_ms
from parceldesk.footprint.plan import make_plan
from parceldesk.footprint.sites import load_cities, load_site
from parceldesk.footprint.workload import HOURLY_PROFILE, Workload, size_fleet


def flat_climate(tmax: float, tmean: float, tmin: float, rh: float) -> HourlyWeather:
    return hourly_from_normals([MonthlyNormal(m, tmax, tmean, tmin, rh) for m in range(1, 13)], 0)


HOT_HUMID = flat_climate(33, 30, 27, 80)
FLAT_LOAD = [1000.0] * 8760


def test_lingqiu_gets_six_to_seven_dry_months_and_a_pue_near_the_operators() -> None:
    year = cool_year(CoolingDesign(), load_site("lingqiu").weather, FLAT_LOAD)
    assert 6 <= year.dry_months <= 7
    assert 1.12 <= year.pue <= 1.22  # a Datong operator reports 1.185
    assert max(year.monthly_pue) == year.monthly_pue[6]  # July is the hardest month
    assert year.water_m3 > 0  # summer afternoons need the evaporative mode


def test_a_hot_humid_site_has_a_clearly_higher_pue_and_no_dry_month() -> None:
    lingqiu = cool_year(CoolingDesign(), load_site("lingqiu").weather, FLAT_LOAD)
    hot = cool_year(CoolingDesign(), HOT_HUMID, FLAT_LOAD)
    assert hot.dry_months == 0
    assert hot.free_cooling_hours == 0
    assert hot.pue > lingqiu.pue + 0.05
    assert "mechanical" in hot.modes or "wet+trim" in hot.modes


def test_fibre_round_trips_follow_distance_route_factor_and_light_speed() -> None:
    assert round_trip_ms(200, route_factor=1.0, equipment_ms=0) == pytest.approx(1.96)
    assert round_trip_ms(200, route_factor=1.5, equipment_ms=0) == pytest.approx(2.94)
    beijing_shanghai = great_circle_km(39.904, 116.407, 31.230, 121.474)
    assert 1050 < beijing_shanghai < 1090  # ~1,068 km


def test_annual_pue_is_energy_weighted_not_a_mean_of_hours() -> None:
    weather = load_site("lingqiu").weather
    summer_heavy = [3000.0 if 4000 <= h < 6000 else 100.0 for h in range(8760)]
    year = cool_year(CoolingDesign(), weather, summer_heavy)
    hours = [cool_hour(CoolingDesign(), load, dry, wet, max(summer_heavy))
             for load, dry, wet in zip(summer_heavy, weather.dry_bulb_c, weather.wet_bulb_c,
                                       strict=True)]  # fmt: skip
    weighted = sum(h.facility_kw for h in hours) / sum(summer_heavy)
    mean_of_hours = sum(h.facility_kw / load for h, load in zip(hours, summer_heavy, strict=True))
    assert year.pue == pytest.approx(weighted)
    assert abs(year.pue - mean_of_hours / 8760) > 0.01  # the two differ here


@settings(max_examples=25, deadline=None)
@given(supply=st.floats(18, 26), step=st.floats(0.5, 3))
def test_a_warmer_supply_set_point_never_costs_more_energy(supply: float, step: float) -> None:
    weather = load_site("lingqiu").weather
    cool = cool_year(CoolingDesign(supply_c=supply), weather, FLAT_LOAD)
    warm = cool_year(CoolingDesign(supply_c=supply + step), weather, FLAT_LOAD)
    assert warm.pue <= cool.pue + 1e-9
    assert warm.free_cooling_hours >= cool.free_cooling_hours


def test_the_fleet_is_sized_for_the_peak_and_draws_idle_power_all_year() -> None:
    quiet = size_fleet(Workload(contacts_per_year=1_000_000))
    busy = size_fleet(Workload(contacts_per_year=20_000_000))
    peakier = size_fleet(Workload(contacts_per_year=20_000_000, peak_factor=6))
    assert quiet.servers < busy.servers < peakier.servers
    floor_kw = busy.servers * Workload().server_idle_w / 1000
    assert min(busy.hourly_it_kw) >= floor_kw  # the provisioned fleet idles, it does not vanish
    assert max(busy.hourly_it_kw) > min(busy.hourly_it_kw)  # and follows the day's traffic
    llm = size_fleet(Workload(llm_tokens_per_contact=1000))
    assert llm.llm_kwh == pytest.approx(20_000_000 * 1000 * 3.0 / 3.6e6, rel=1e-6)


def test_a_plan_adds_carbon_cost_and_latency_to_the_energy() -> None:
    site = load_site("lingqiu")
    plan = make_plan(site, Workload(), CoolingDesign(), load_cities())
    summary = plan.summary(Workload())
    assert plan.tonnes_co2 == pytest.approx(plan.facility_mwh * 0.6361)
    assert 2 < summary["latency_ms"]["Beijing"] < 4  # "~3 ms to Beijing"
    assert summary["latency_ms"]["Guangzhou"] > summary["latency_ms"]["Beijing"]


def test_bad_inputs_are_clear_errors() -> None:
    with pytest.raises(NotFound, match="no site 'atlantis'"):
        load_site("atlantis")
    with pytest.raises(InvalidInput, match="contacts_per_year"):
        Workload(contacts_per_year=-5)
    with pytest.raises(InvalidInput, match="supply"):
        CoolingDesign(supply_c=40)
    with pytest.raises(InvalidInput, match="unknown cooling parameter"):
        design_from("hyperscale", {"supply": 20})
    with pytest.raises(InvalidInput, match="each month"):
        hourly_from_normals([MonthlyNormal(1, 5, 0, -5, 50)], 0)


def write_epw(path: Path, skip_hour: int | None = None) -> Path:
    lines = ["LOCATION,Synthetic,-,-,TEST,000000,30.0,120.0,8.0,10.0"] + ["HEADER"] * 7
    day = 0
    for month, days in enumerate((31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31), start=1):
        for dom in range(1, days + 1):
            for hour in range(1, 25):
                index = day * 24 + hour - 1
                if index == skip_hour:
                    continue
                temp = 20 + 5 * math.sin(2 * math.pi * (hour - 9) / 24)
                lines.append(f"2025,{month},{dom},{hour},60,?,{temp:.1f},12.0,60,101325")
            day += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_epw_file_is_read_and_one_with_a_missing_hour_is_refused(tmp_path: Path) -> None:
    weather = read_epw(write_epw(tmp_path / "ok.epw"))
    assert len(weather.dry_bulb_c) == 8760
    assert max(weather.dry_bulb_c) == pytest.approx(25.0, abs=0.1)
    assert all(w <= d for w, d in zip(weather.wet_bulb_c, weather.dry_bulb_c, strict=True))
    with pytest.raises(InvalidInput, match="missing"):
        read_epw(write_epw(tmp_path / "gap.epw", skip_hour=5000))


def test_a_user_site_file_with_an_epw_is_planned(tmp_path: Path) -> None:
    write_epw(tmp_path / "weather.epw")
    site_file = tmp_path / "coast.yaml"
    text = "name: Coast\nlatitude: 30\nlongitude: 120\naltitude_m: 10\nepw: weather.epw\n"
    site_file.write_text(text + "grid_kg_co2_per_kwh: 0.5306\n", encoding="utf-8")
    site = load_site(str(site_file))
    year = cool_year(CoolingDesign(), site.weather, FLAT_LOAD)
    assert 1.1 < year.pue < 1.3
    site_file.write_text(site_file.read_text() + "colour: blue\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="unknown key"):
        load_site(str(site_file))


def test_the_day_profile_shares_a_whole_day() -> None:
    assert sum(HOURLY_PROFILE) == pytest.approx(1.0)
    assert len(HOURLY_PROFILE) == 24


def test_every_parameter_is_documented_with_its_default() -> None:
    docs = (Path(__file__).parents[3] / "docs" / "footprint.md").read_text("utf-8")
    names = [f.name for f in fields(CoolingDesign)] + [f.name for f in fields(Workload)]
    assert [name for name in names if f"`{name}" not in docs] == []
