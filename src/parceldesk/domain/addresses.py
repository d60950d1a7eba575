"""Structured postal addresses for China, Indonesia and English-speaking countries."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from parceldesk.domain.errors import InvalidAddress, PostalCodeMissing

POSTAL_CODE_PATTERNS: dict[str, str] = {
    "CN": r"\d{6}",
    "ID": r"\d{5}",
    "SG": r"\d{6}",
    "MY": r"\d{5}",
    "US": r"\d{5}(-\d{4})?",
    "GB": r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}",
}
_MAX_FIELD = 120
_MAX_RAW = 300


@dataclass(frozen=True)
class Address:
    country: str
    province: str
    city: str
    district: str
    street: str
    detail: str = ""
    postal_code: str = ""
    raw: str = ""

    def one_line(self) -> str:
        """The address as people of that country write it."""
        if self.country == "CN":
            parts = [self.province, self.city, self.district, self.street, self.detail]
            return "".join(_dedupe(parts))
        line = ", ".join(
            p for p in [self.street, self.detail, self.district, self.city, self.province] if p
        )
        return f"{line} {self.postal_code}".strip()

    def masked(self) -> str:
        """What an unverified caller may see: the area, never the street or the door."""
        if self.country == "CN":
            return "".join(_dedupe([self.province, self.city, self.district]))
        return ", ".join(p for p in [self.district, self.city, self.province] if p)

    def same_city(self, other: Address) -> bool:
        return (self.country, _key(self.province), _key(self.city)) == (
            other.country,
            _key(other.province),
            _key(other.city),
        )

    def same_district(self, other: Address) -> bool:
        return self.same_city(other) and _key(self.district) == _key(other.district)

    def same_province(self, other: Address) -> bool:
        return (self.country, _key(self.province)) == (other.country, _key(other.province))


def _dedupe(parts: list[str]) -> list[str]:
    """Drop a part equal to the one before it (北京市北京市 for municipalities)."""
    out: list[str] = []
    for part in parts:
        if part and (not out or out[-1] != part):
            out.append(part)
    return out


_SUFFIXES = ("特别行政区", "自治区", "自治州", "省", "市", "区", "县", "Kota ", "Kabupaten ")


def _key(name: str) -> str:
    """A comparison key that treats 北京 and 北京市, 'Kota Bandung' and 'Bandung' as one place."""
    key = name.strip()
    for suffix in _SUFFIXES:
        key = key.removeprefix(suffix) if suffix.endswith(" ") else key.removesuffix(suffix)
    return key.casefold()


def check_address(address: Address, served_countries: frozenset[str] | None = None) -> Address:
    """Validate and normalise an address; raise ``InvalidAddress`` saying what is missing."""
    cleaned = replace(
        address,
        **{name: _clean(getattr(address, name), name) for name in _TEXT_FIELDS},
    )
    if not re.fullmatch(r"[A-Z]{2}", cleaned.country):
        raise InvalidAddress(f"country must be a two-letter ISO code, not {address.country!r}")
    if served_countries is not None and cleaned.country not in served_countries:
        raise InvalidAddress(f"we do not deliver to {cleaned.country}")
    if not cleaned.city:
        raise InvalidAddress("the address needs a city")
    if not (cleaned.street or cleaned.detail):
        raise InvalidAddress("the address needs a street or a building")
    _check_postal_code(cleaned)
    if len(cleaned.raw) > _MAX_RAW:
        raise InvalidAddress(f"the address text is longer than {_MAX_RAW} characters")
    if not cleaned.raw:
        cleaned = replace(cleaned, raw=cleaned.one_line())
    return cleaned


_TEXT_FIELDS = ("country", "province", "city", "district", "street", "detail", "postal_code", "raw")


def _clean(value: str, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidAddress(f"address field {name} must be text")
    text = unicodedata.normalize("NFC", value).strip()
    if any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in text):
        raise InvalidAddress(f"address field {name} contains control characters")
    if name != "raw" and len(text) > _MAX_FIELD:
        raise InvalidAddress(f"address field {name} is longer than {_MAX_FIELD} characters")
    return text.upper() if name in {"country", "postal_code"} else re.sub(r"\s+", " ", text)


def _check_postal_code(address: Address) -> None:
    pattern = POSTAL_CODE_PATTERNS.get(address.country)
    if address.postal_code and pattern and not re.fullmatch(pattern, address.postal_code):
        raise InvalidAddress(f"{address.postal_code!r} is not a postal code of {address.country}")
    if not address.postal_code and address.country in {"SG", "US", "GB"}:
        raise PostalCodeMissing(f"addresses in {address.country} need a postal code")
