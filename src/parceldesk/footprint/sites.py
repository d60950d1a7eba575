"""Sites and customers' cities as data files a user adds.

A site is a YAML file: ``name``, ``latitude``, ``longitude``, ``altitude_m``, either ``normals``
(a CSV of monthly normals, see ``climate.read_normals_csv``) or ``epw`` (an hourly EnergyPlus
weather file), relative to the site file, ``grid_kg_co2_per_kwh``, optionally
``renewable_share`` (0-1), ``electricity_price`` and ``currency``. The project ships one real
site, ``lingqiu``; ``--site NAME`` finds a packaged site, anything else is read as a path.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from parceldesk.domain.errors import InvalidInput, NotFound
from parceldesk.footprint.climate import (
    HourlyWeather,
    hourly_from_normals,
    read_epw,
    read_normals_csv,
)

SITE_KEYS = {"name", "latitude", "longitude", "altitude_m", "normals", "epw",
             "grid_kg_co2_per_kwh", "renewable_share", "electricity_price", "currency"}  # fmt: skip


class UnknownSite(NotFound):
    code = "unknown_site"


@dataclass(frozen=True)
class Site:
    name: str
    latitude: float
    longitude: float
    altitude_m: float
    weather: HourlyWeather
    grid_kg_co2_per_kwh: float
    renewable_share: float = 0.0
    electricity_price: float = 0.0
    currency: str = ""


@dataclass(frozen=True)
class City:
    name: str
    latitude: float
    longitude: float
    share: float


def _packaged() -> Path:
    return Path(str(resources.files("parceldesk.footprint").joinpath("data")))


def find_sites(folder: Path | None) -> dict[str, str]:
    """The packaged sites by name, and the site files in ``folder`` (by file name, as paths)."""
    sites = {p.stem: p.stem for p in sorted((_packaged() / "sites").glob("*.yaml"))}
    if folder is not None and folder.is_dir():
        sites |= {p.stem: str(p) for p in sorted(folder.glob("*.yaml"))}
    return sites


def load_site(name_or_path: str) -> Site:
    packaged = _packaged() / "sites" / f"{name_or_path}.yaml"
    path = packaged if packaged.is_file() else Path(name_or_path)
    if not path.is_file():
        known = sorted(p.stem for p in (_packaged() / "sites").glob("*.yaml"))
        raise UnknownSite(
            f"no site {name_or_path!r}: name a packaged site ({', '.join(known)}) or a site file"
        )
    data = _read_yaml(path)
    unknown = set(data) - SITE_KEYS
    if unknown:
        raise InvalidInput(f"{path}: unknown key(s) {', '.join(sorted(unknown))}")
    try:
        return _site(path, data)
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidInput(f"{path}: {error} (see docs/footprint.md for a site's keys)") from None


def _site(path: Path, data: dict[str, Any]) -> Site:
    latitude, longitude = float(data["latitude"]), float(data["longitude"])
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError("latitude or longitude out of range")
    altitude = float(data.get("altitude_m", 0))
    if ("normals" in data) == ("epw" in data):
        raise ValueError("give either 'normals' or 'epw'")
    if "epw" in data:
        weather = read_epw(path.parent / str(data["epw"]))
    else:
        weather = hourly_from_normals(
            read_normals_csv(path.parent / str(data["normals"])), altitude
        )
    share = float(data.get("renewable_share", 0))
    factor = float(data["grid_kg_co2_per_kwh"])
    if not 0 <= share <= 1 or factor < 0:
        raise ValueError("renewable_share must be 0-1 and the grid factor not negative")
    return Site(str(data["name"]), latitude, longitude, altitude, weather, factor, share,
                float(data.get("electricity_price", 0)), str(data.get("currency", "")))  # fmt: skip


def load_cities(path: str | None = None) -> list[City]:
    source = Path(path) if path else _packaged() / "cities-cn.yaml"
    data = _read_yaml(source)
    try:
        cities = [City(str(c["name"]), float(c["latitude"]), float(c["longitude"]),
                       float(c.get("share", 1))) for c in data["cities"]]  # fmt: skip
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidInput(f"{source}: a city needs name, latitude, longitude ({error})") from None
    if not cities or any(c.share < 0 for c in cities) or sum(c.share for c in cities) <= 0:
        raise InvalidInput(f"{source}: list at least one city with a positive share")
    return cities


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidInput(f"cannot read {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise InvalidInput(f"{path} is not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"{path} must hold a mapping")
    return data
