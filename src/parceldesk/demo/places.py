"""Places, people and phone numbers of the demo world, read from ``data/world.yaml``."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import yaml

from parceldesk.domain.addresses import Address
from parceldesk.domain.phones import PhoneNumber
from parceldesk.domain.shipments import Party

T = TypeVar("T")


@dataclass(frozen=True)
class Place:
    country: str
    province: str
    city: str
    district: str
    postal_prefix: str


@dataclass(frozen=True)
class World:
    places: dict[str, tuple[Place, ...]]
    raw: dict[str, Any]


@cache
def load_world() -> World:
    text = resources.files("parceldesk.demo").joinpath("data/world.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    china = [
        Place("CN", p["province"], c["city"], d, c["postal"])
        for p in raw["china"]["provinces"]
        for c in p["cities"]
        for d in c["districts"]
    ]
    indonesia = [
        Place("ID", c["province"], c["city"], d, c["postal"])
        for c in raw["indonesia"]["cities"]
        for d in c["districts"]
    ]
    singapore = [Place("SG", "", "Singapore", d, "") for d in raw["singapore"]["districts"]]
    return World({"CN": tuple(china), "ID": tuple(indonesia), "SG": tuple(singapore)}, raw)


def pick(rng: random.Random, items: Sequence[T]) -> T:
    """``rng.choice`` without its overhead: the demo world makes millions of picks."""
    return items[int(rng.random() * len(items))]


def number(rng: random.Random, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high`` inclusive, faster than ``rng.randint``."""
    return low + int(rng.random() * (high - low + 1))


def make_address(rng: random.Random, place: Place) -> Address:
    world = load_world().raw
    door = number(rng, 1, 399)
    if place.country == "CN":
        data = world["china"]
        street = f"{pick(rng, data['streets'])}{door}号"
        building, unit = number(rng, 1, 30), number(rng, 1, 4)
        room = number(rng, 1, 32) * 100 + number(rng, 1, 4)
        detail = f"{pick(rng, data['compounds'])}{building}号楼{unit}单元{room}室"
        free = 6 - len(place.postal_prefix)
        postal = f"{place.postal_prefix}{number(rng, 0, 10**free - 1):0{free}d}"
    elif place.country == "ID":
        street = f"{pick(rng, world['indonesia']['streets'])} No. {door}"
        detail = f"RT {number(rng, 1, 15):02d}/RW {number(rng, 1, 12):02d}"
        postal = f"{place.postal_prefix}{number(rng, 100, 999)}"
    else:
        street = f"Blk {door} {pick(rng, world['singapore']['streets'])}"
        detail = f"#{number(rng, 1, 25):02d}-{number(rng, 1, 300):02d}"
        postal = f"{number(rng, 10, 82):02d}{number(rng, 0, 9999):04d}"
    address = Address(
        place.country, place.province, place.city, place.district, street, detail, postal
    )
    return Address(**{**address.__dict__, "raw": address.one_line()})


def make_person(rng: random.Random, country: str) -> Party:
    world = load_world().raw
    if country == "CN":
        data = world["china"]
        name = pick(rng, data["surnames"]) + pick(rng, data["given"])
        phone = f"+86{pick(rng, data['mobile_prefixes'])}{number(rng, 0, 99_999_999):08d}"
    elif country == "ID":
        data = world["indonesia"]
        name = f"{pick(rng, data['first_names'])} {pick(rng, data['last_names'])}"
        phone = f"+62{pick(rng, data['mobile_prefixes'])}{number(rng, 0, 99_999_999):08d}"
    else:
        data = world["singapore"]
        name = f"{pick(rng, data['first_names'])} {pick(rng, data['last_names'])}"
        phone = f"+65{pick(rng, data['mobile_prefixes'])}{number(rng, 0, 999_999):06d}"
    return Party(name, PhoneNumber(phone))
