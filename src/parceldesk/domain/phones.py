"""Phone numbers, parsed and validated with Google's libphonenumber (``phonenumbers``)."""

from __future__ import annotations

from typing import NewType

import phonenumbers

from parceldesk.domain.errors import InvalidPhone

PhoneNumber = NewType("PhoneNumber", str)
"""A valid phone number in E.164 form, e.g. ``+8613812345678``."""


def parse_phone(text: str, default_region: str = "CN") -> PhoneNumber:
    """Return the E.164 form of ``text``, read as a number of ``default_region`` if it has no +."""
    cleaned = text.strip()
    if not cleaned or len(cleaned) > 32:
        raise InvalidPhone(f"not a phone number: {text!r}")
    try:
        number = phonenumbers.parse(cleaned, default_region)
    except phonenumbers.NumberParseException:
        raise InvalidPhone(f"not a phone number: {text!r}") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(f"not a valid phone number: {text!r}")
    return PhoneNumber(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def last_digits(phone: PhoneNumber, count: int = 4) -> str:
    return phone[-count:]


def mask_phone(phone: PhoneNumber) -> str:
    """Show only the country code and the last four digits: ``+86*******5678``."""
    number = phonenumbers.parse(phone)
    prefix = f"+{number.country_code}"
    hidden = len(phone) - len(prefix) - 4
    return f"{prefix}{'*' * hidden}{phone[-4:]}"
