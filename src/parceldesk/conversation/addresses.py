"""Reading a new delivery address out of what a customer wrote.

Chinese addresses are parsed with jionlp (province, city, county, detail; it also completes a
province from a city). What the customer leaves out is completed from the parcel's current
destination: "改到海淀区中关村大街27号" for a Beijing parcel means Beijing. Indonesian and English
addresses are read with simple rules: a street (Jl./Jalan, or a number and a road), a city the
customer names, or the current destination's city.
"""

from __future__ import annotations

import contextlib
import io
import re
from functools import cache, lru_cache
from importlib import resources
from types import ModuleType

import yaml

from parceldesk.domain.addresses import Address

_LEAD_IN = re.compile(
    r"^(?:.*?(?:改到|改成|改为|送到|寄到|转寄到|改派到|地址是|新地址|"
    r"deliver(?:ed)? (?:it )?to|send (?:it )?to|redirect (?:it )?to|ship (?:it )?to|"
    r"(?:deliver|send|redirect|ship|forward)\s+(?:[\w#-]+\s+){1,3}?to(?=\s+\d)|"
    r"(?:change|move|switch) (?:it |the (?:delivery )?address )?to|address is|"
    r"kirim(?:kan)? ke|antar(?:kan)? ke|ke(?=\s+(?:jl\b|jalan\b))|"
    r"ganti(?: alamat)? ke|alamat(?: baru)?(?: saya)?(?: di| adalah)?)(?![a-z])\s*[:：]?\s*)",
    re.IGNORECASE,
)
_TRAILING = re.compile(
    r"[，,。.!！?？\s]*(?:吧|吗|谢谢|(?<![^\W\d_])(?:please|pls|ya|dong|kak|thanks))?[，,。.!！?？\s]*$",
    re.IGNORECASE,
)
_CN_STREET = re.compile(
    r"[\u4e00-\u9fff\w]+(?:路|街|大街|大道|巷|胡同|道)\d+号|\d+号楼|\d+栋|小区|大厦|广场|中心|室"
)
_LATIN_STREET = re.compile(
    r"\b(?:jl\.?|jalan)\s+\S+|\b\d+[a-z]?\s+(?:[\w'’]+\s+){1,3}(?:road|rd|street|st|avenue|ave|drive|dr|lane|ln|boulevard|way|crescent|place|square|"
    r"terrace|quay|highway)\b|\bblk\s+\d+",
    re.IGNORECASE,
)
# "228220", and "228 220" / "228-220" as people and recognisers group it; not a unit "#12-345"
_SG_POSTAL = re.compile(r"(?<![#\-\d])\b(?:singapore\s*)?(\d{3})[\s\-]?(\d{3})\b", re.IGNORECASE)
_ID_POSTAL = re.compile(r"\b(\d{5})\b")


@cache
def _jionlp() -> ModuleType:
    """jionlp prints a banner when imported; keep it off our output."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        import jionlp  # type: ignore[import-untyped]

    module: ModuleType = jionlp
    return module


# "…27号 and deliver it tomorrow afternoon": another request after the address is not part of it
_NEXT_REQUEST = re.compile(
    r"\s*[,，;；]?\s*(?:\b(?:and|then|also|lalu|terus|dan|sama)\b|然后|并且|另外|顺便|再)\s*\S",
    re.IGNORECASE,
)


def strip_lead_in(text: str) -> str:
    body = _LEAD_IN.sub("", text.strip())
    for found in _NEXT_REQUEST.finditer(body):
        head = body[: found.start()]
        if looks_like_address(head) and re.search(r"\d", head):
            body = body[: found.start()]
            break
    return _TRAILING.sub("", body).strip()


def looks_like_address(text: str) -> bool:
    return bool(_CN_STREET.search(text) or _LATIN_STREET.search(text))


def parse_chinese_address(text: str, current: Address | None) -> Address | None:
    body = strip_lead_in(text)
    if not _CN_STREET.search(body):
        return None
    province, city, county, detail = _locate(body)
    if current is not None and current.country == "CN":
        if not city and (not county or county == current.district or not province):
            province, city = current.province, current.city
        province = province or current.province
    if not city or not detail:
        return None
    if not county:
        county, detail = _district_typo(province, city, detail)
    street, _, rest = _split_street(detail)
    return Address("CN", province or "", city, county or "", street, rest, "", body)


_DISTRICT_WORD = re.compile(r"^[\u4e00-\u9fff]{1,4}(?:区|县)")


def _district_typo(province: str | None, city: str, detail: str) -> tuple[str | None, str]:
    """ "海定区" for 海淀区: a district of the city one character away (jionlp misses these)."""
    written = _DISTRICT_WORD.match(detail)
    if not written:
        return None, detail
    districts = _districts(province or city, city)
    close = [
        d
        for d in districts
        if len(d) == len(written.group())
        and sum(a != b for a, b in zip(d, written.group(), strict=True)) == 1
    ]
    if len(close) != 1:
        return None, detail
    return close[0], detail[written.end() :]


@cache
def _districts(province: str, city: str) -> tuple[str, ...]:
    with contextlib.redirect_stdout(io.StringIO()):
        places = _jionlp().china_location_loader()
    counties = places.get(province, {}).get(city, {})
    return tuple(name for name in counties if not name.startswith("_"))


@lru_cache(maxsize=4096)
def _locate(body: str) -> tuple[str | None, str | None, str | None, str]:
    """jionlp's (province, city, county, detail); ~7 ms a call, and a turn may ask twice."""
    parsed = _jionlp().parse_location(body, change2new=True, town_village=False)
    detail = (parsed.get("detail") or "").strip()
    return parsed.get("province"), parsed.get("city"), parsed.get("county"), detail


# A road's name with the place it lies in ("张江高科技园区博云路2号"), but not the chatty words
# before it ("我家在", "公司在同一个区的"): those hold characters no place name is made of.
_ROAD = re.compile(
    r"(?:(?![的在到是我你他她们住家吧呢啊了呀哦嗯就要想请把给这那])[\u4e00-\u9fff]){1,12}"
    r"(?:路|街|大街|大道|巷|胡同)\d+号"
)


# A clause after the road that is still the address: "，2号楼1501室", "，B座"
_BUILDING_CLAUSE = re.compile(r"\d+\s*(?:号楼|栋|幢|单元|室|层|楼|座|号)|[A-Za-z]座|门")


def _building_after(rest: str) -> str:
    """The building and room after the road, without a next clause ("，明天下午送")."""
    kept = []
    for number, clause in enumerate(re.split(r"[，,。;；!！?？]", rest)):
        if number and not _BUILDING_CLAUSE.search(clause):
            break
        kept.append(clause.strip())
    return "，".join(part for part in kept if part)


def _split_street(detail: str) -> tuple[str, str, str]:
    """(road and number, "", building/room after it); chatty words before the road are dropped."""
    matches = list(_ROAD.finditer(detail))
    if matches:
        road = matches[-1]
        return road.group(), "", _building_after(detail[road.end() :].strip())
    return detail, "", ""


@cache
def _latin_places() -> dict[str, tuple[str, ...]]:
    path = resources.files("parceldesk.conversation").joinpath("data/places.yaml")
    data = yaml.safe_load(path.read_text("utf-8"))
    return {country: tuple(cities) for country, cities in data.items()}


def _named_place(body: str) -> tuple[str, str] | None:
    """(country, city) of a city named in ``body``, longest name first."""
    lowered = body.lower()
    named = [
        (c, city)
        for c, cities in _latin_places().items()
        for city in cities
        if city.lower() in lowered
    ]
    return max(named, key=lambda pair: len(pair[1])) if named else None


def parse_latin_address(text: str, current: Address | None) -> Address | None:
    """An Indonesian or English address: street, building before it, district after it.

    The old district and postal code are kept only when the customer names no other district
    (the read-back shows them, so a wrong guess is corrected before anything changes). In
    Singapore a postal code names one building, so it is never carried over to a new street.
    """
    body = strip_lead_in(text)
    if not _LATIN_STREET.search(body):
        return None
    named = _named_place(body)
    if named is None and re.search(r"\b(?:jl\.?|jalan)\s", body, re.IGNORECASE):
        named = ("ID", current.city if current and current.country == "ID" else "")
    if named is None and current is None:
        return None
    country, city = named or (current.country, current.city)  # type: ignore[union-attr]
    same_city = current is not None and current.country == country and current.city == city
    pattern = {"SG": _SG_POSTAL, "ID": _ID_POSTAL}.get(country)
    found = pattern.search(body) if pattern else None
    street, detail, district = _latin_parts(pattern.sub("", body) if pattern else body, city)
    keeps_area = (
        same_city
        and current is not None
        and country != "SG"
        and (district or current.district) == current.district
    )
    postal = (
        "".join(found.groups())
        if found
        else (current.postal_code if keeps_area and current else "")
    )
    province = current.province if same_city and current else ""
    if not district and keeps_area and current is not None:
        district = current.district
    return Address(country, province, city, district, street, detail, postal, body)


_PLACE_WORDS = re.compile(r"^(?:indonesia|singapore|dki jakarta|jawa \w+|bali)$", re.IGNORECASE)
_ID_STREET_WORD = re.compile(r"\b(?:jl\.?|jalan)\s", re.IGNORECASE)
# Words without a digit ending in "to" / "is" / "at" before the house number: "… to 25 Scotts Road"
_SAID_BEFORE_NUMBER = re.compile(r"^\D*?\b(?:to|is|at|ke|di|adalah)\s+(?=\d)", re.IGNORECASE)
_NUMBER_PART = re.compile(r"^(?:no\.?|nomor|number|#)\s*\S+$", re.IGNORECASE)
# Before the street, "Menara BCA" is a building; "kantor gue aja ya" is what was said about it
_SAID_NOT_WRITTEN = re.compile(
    r"\b(?:aja|saja|ya|dong|deh|sih|kak|min|gue|gw|saya|aku|my|our|please|pls|just)\b",
    re.IGNORECASE,
)


def _latin_parts(body: str, city: str) -> tuple[str, str, str]:
    """(street, detail, district) of a comma-separated address; the city's own words dropped."""
    parts = [p.strip(" .") for p in body.split(",")]
    if city:
        parts = [re.sub(re.escape(city), "", p, flags=re.IGNORECASE).strip(" .") for p in parts]
    parts = [p for p in parts if p and not _PLACE_WORDS.match(p)]
    at = next((i for i, p in enumerate(parts) if _LATIN_STREET.search(p)), 0)
    street = parts[at] if parts else body
    if named_street := _ID_STREET_WORD.search(street):
        street = street[named_street.start() :]  # "saya Jalan Kemang" (said, not written)
    elif said := _SAID_BEFORE_NUMBER.match(street):
        street = street[said.end() :]  # "the lever to 25 Scotts Road" (a misheard lead-in)
    after = parts[at + 1 :]
    if after and _NUMBER_PART.match(after[0]) and not after[0].startswith("#"):
        street = f"{street} {after.pop(0)}"
    units = [p for p in after if p.startswith("#") or re.match(r"(?i)(?:rt|rw|lt|blok)\b", p)]
    areas = [p for p in after if p not in units]
    before = [p for p in parts[:at] if not _SAID_NOT_WRITTEN.search(p)]
    detail = ", ".join([*before, *units])
    return street, detail, ", ".join(areas)


def parse_address(text: str, current: Address | None) -> Address | None:
    """The address in ``text``, completed from ``current``; None if there is none."""
    if re.search(r"[\u4e00-\u9fff]", text):
        return parse_chinese_address(text, current)
    return parse_latin_address(text, current)
