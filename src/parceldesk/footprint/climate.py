"""A site's weather, hour by hour for one year: built from monthly climate normals with a
documented diurnal model, or read from the user's own hourly EPW file.

Diurnal model (``hourly_from_normals``):
- daily maximum, mean and minimum temperature and mean relative humidity are interpolated
  linearly between the months' normals, each placed on the middle day of its month (cyclic);
- within a day the temperature follows two half-cosines, from the minimum at 05:00 to the
  maximum at 15:00 and back over the next 14 hours; the curve is then shifted so the day's mean
  equals the interpolated daily mean (the day's range is kept, its extremes move with the shift);
- the air's moisture (humidity ratio) is that of the daily mean relative humidity at the daily
  mean temperature, constant through the day, and never above saturation at the hour's
  temperature, so relative humidity rises at night and falls in the afternoon as it does.
Wet-bulb temperatures come from ``psychrolib`` (ASHRAE Handbook formulas) at the site's
standard-atmosphere pressure for its altitude.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import psychrolib

from parceldesk.domain.errors import InvalidInput

HOURS = 8760
DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
MIN_HOUR, MAX_HOUR = 5, 15


@dataclass(frozen=True)
class MonthlyNormal:
    month: int
    tmax_c: float
    tmean_c: float
    tmin_c: float
    rh_pct: float


@dataclass(frozen=True)
class HourlyWeather:
    """One (non-leap) year, hour 0 = 1 January 00:00 local time."""

    dry_bulb_c: tuple[float, ...]
    wet_bulb_c: tuple[float, ...]
    rh_pct: tuple[float, ...]
    pressure_pa: float

    def month_of_hour(self, hour: int) -> int:
        return MONTH_OF_HOUR[hour]


def _month_of_hours() -> tuple[int, ...]:
    months: list[int] = []
    for month, days in enumerate(DAYS_IN_MONTH, start=1):
        months.extend([month] * days * 24)
    return tuple(months)


MONTH_OF_HOUR = _month_of_hours()


def check_normals(normals: list[MonthlyNormal]) -> list[MonthlyNormal]:
    if sorted(n.month for n in normals) != list(range(1, 13)):
        raise InvalidInput("climate normals need exactly one row for each month 1-12")
    for n in normals:
        if not n.tmin_c <= n.tmean_c <= n.tmax_c:
            raise InvalidInput(f"month {n.month}: need tmin <= tmean <= tmax")
        if not 0 < n.rh_pct <= 100:
            raise InvalidInput(f"month {n.month}: relative humidity must be in (0, 100]")
        if not (n.tmin_c >= -60 and n.tmax_c <= 60):
            raise InvalidInput(f"month {n.month}: temperatures out of range")
    return sorted(normals, key=lambda n: n.month)


def read_normals_csv(path: Path) -> list[MonthlyNormal]:
    """Rows with ``month, tmax_c, tmean_c, tmin_c, rh_pct`` (other columns are ignored)."""
    try:
        with path.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        normals = [
            MonthlyNormal(int(r["month"]), float(r["tmax_c"]), float(r["tmean_c"]),
                          float(r["tmin_c"]), float(r["rh_pct"]))
            for r in rows
        ]  # fmt: skip
    except OSError as error:
        raise InvalidInput(f"cannot read climate normals {path}: {error.strerror}") from None
    except (KeyError, ValueError, TypeError) as error:
        raise InvalidInput(f"{path}: not a climate-normals table ({error})") from None
    return check_normals(normals)


def pressure_at(altitude_m: float) -> float:
    psychrolib.SetUnitSystem(psychrolib.SI)
    return float(psychrolib.GetStandardAtmPressure(altitude_m))


def hourly_from_normals(normals: list[MonthlyNormal], altitude_m: float) -> HourlyWeather:
    normals = check_normals(normals)
    pressure = pressure_at(altitude_m)
    dry: list[float] = []
    wet: list[float] = []
    rh: list[float] = []
    for day in range(365):
        tmax, tmean, tmin, rh_mean = _daily(normals, day)
        temps = _diurnal(tmax, tmean, tmin)
        ratio = psychrolib.GetHumRatioFromRelHum(tmean, rh_mean / 100, pressure)
        for temp in temps:
            w = min(ratio, psychrolib.GetSatHumRatio(temp, pressure))
            dry.append(temp)
            wet.append(float(psychrolib.GetTWetBulbFromHumRatio(temp, w, pressure)))
            rh.append(100 * float(psychrolib.GetRelHumFromHumRatio(temp, w, pressure)))
    return HourlyWeather(tuple(dry), tuple(wet), tuple(rh), pressure)


def _daily(normals: list[MonthlyNormal], day: int) -> tuple[float, float, float, float]:
    """The normals interpolated to day ``day`` (0 = 1 January) between mid-month points."""
    mids = [sum(DAYS_IN_MONTH[:m]) + (DAYS_IN_MONTH[m] - 1) / 2 for m in range(12)]
    after = next((m for m in range(12) if mids[m] >= day), 12)
    a, b = normals[(after - 1) % 12], normals[after % 12]
    start = mids[after - 1] if after > 0 else mids[11] - 365
    end = mids[after] if after < 12 else mids[0] + 365
    share = (day - start) / (end - start)

    def mix(x: float, y: float) -> float:
        return x + (y - x) * share

    return (mix(a.tmax_c, b.tmax_c), mix(a.tmean_c, b.tmean_c), mix(a.tmin_c, b.tmin_c),
            mix(a.rh_pct, b.rh_pct))  # fmt: skip


def _diurnal(tmax: float, tmean: float, tmin: float) -> list[float]:
    shape = []
    for hour in range(24):
        if MIN_HOUR <= hour <= MAX_HOUR:
            shape.append((1 - math.cos(math.pi * (hour - MIN_HOUR) / (MAX_HOUR - MIN_HOUR))) / 2)
        else:
            since = (hour - MAX_HOUR) % 24
            shape.append((1 + math.cos(math.pi * since / (24 - MAX_HOUR + MIN_HOUR))) / 2)
    temps = [tmin + (tmax - tmin) * f for f in shape]
    shift = tmean - sum(temps) / 24
    return [t + shift for t in temps]


def read_epw(path: Path) -> HourlyWeather:
    """An EnergyPlus weather file: 8 header lines, then 8,760 hourly records (a leap day's 24
    extra hours are dropped). Dry bulb, dew point, relative humidity and pressure are read;
    the wet bulb is computed from them. Any missing or unreadable hour is an error."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as error:
        raise InvalidInput(f"cannot read weather file {path}: {error.strerror}") from None
    records = [line.split(",") for line in lines[8:] if line.strip()]
    by_hour: dict[tuple[int, int, int], list[str]] = {}
    for fields in records:
        try:
            month, day, hour = int(fields[1]), int(fields[2]), int(fields[3])
        except (IndexError, ValueError):
            raise InvalidInput(f"{path}: a record without month, day and hour") from None
        if (month, day) != (2, 29):
            by_hour[(month, day, hour)] = fields
    psychrolib.SetUnitSystem(psychrolib.SI)
    dry: list[float] = []
    wet: list[float] = []
    rh: list[float] = []
    pressures: list[float] = []
    start = date(2025, 1, 1)
    for index in range(HOURS):
        moment = start + timedelta(days=index // 24)
        key = (moment.month, moment.day, index % 24 + 1)
        record = by_hour.get(key)
        if record is None:
            raise InvalidInput(f"{path}: hour {key[2]} of {moment:%m-%d} is missing")
        temp, humidity, pressure = _epw_values(path, record, key)
        w = psychrolib.GetHumRatioFromRelHum(temp, humidity / 100, pressure)
        dry.append(temp)
        wet.append(float(psychrolib.GetTWetBulbFromHumRatio(temp, w, pressure)))
        rh.append(humidity)
        pressures.append(pressure)
    return HourlyWeather(tuple(dry), tuple(wet), tuple(rh), sum(pressures) / HOURS)


def _epw_values(path: Path, fields: list[str], key: tuple[int, int, int]) -> tuple[float, ...]:
    try:
        temp, humidity, pressure = float(fields[6]), float(fields[8]), float(fields[9])
    except (IndexError, ValueError):
        raise InvalidInput(f"{path}: unreadable record for {key}") from None
    if temp >= 99.9 or not 0 <= humidity <= 100 or not 30_000 <= pressure <= 120_000:
        raise InvalidInput(f"{path}: missing values (EPW's 99.9/999 codes) for {key}")
    return temp, max(humidity, 0.5), pressure
