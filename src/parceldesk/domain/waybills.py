"""Waybill numbers: a carrier-configurable format with an optional check digit.

A format is a fixed letter prefix, a number of serial digits, an optional check digit computed by a
named algorithm, and an optional fixed suffix (e.g. the country code of a UPU S10 item number).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, NewType

from parceldesk.domain.errors import InvalidPolicy, InvalidWaybill

Waybill = NewType("Waybill", str)
CheckDigitName = Literal["none", "luhn", "mod7", "s10"]

_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def luhn_digit(serial: str) -> int:
    total = 0
    for position, char in enumerate(reversed(serial)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def mod7_digit(serial: str) -> int:
    return int(serial) % 7


def s10_digit(serial: str) -> int:
    """UPU S10 check digit over eight serial digits."""
    if len(serial) != 8:
        raise ValueError("the S10 check digit needs exactly eight serial digits")
    remainder = 11 - sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(remainder, remainder)


CHECK_DIGITS: dict[str, Callable[[str], int]] = {
    "luhn": luhn_digit,
    "mod7": mod7_digit,
    "s10": s10_digit,
}


@dataclass(frozen=True)
class WaybillFormat:
    carrier: str
    name: str
    prefix: str
    serial_digits: int
    check_digit: CheckDigitName = "none"
    suffix: str = ""

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z]{1,4}", self.prefix):
            raise InvalidPolicy(f"carrier {self.carrier}: prefix must be 1-4 capital letters")
        if self.suffix and not re.fullmatch(r"[A-Z]{1,3}", self.suffix):
            raise InvalidPolicy(f"carrier {self.carrier}: suffix must be 1-3 capital letters")
        if self.check_digit == "s10" and self.serial_digits != 8:
            raise InvalidPolicy(f"carrier {self.carrier}: S10 check digits need 8 serial digits")
        if not 10 <= self.length <= 15:
            raise InvalidPolicy(
                f"carrier {self.carrier}: waybills must be 10-15 characters, this format "
                f"makes {self.length}"
            )

    @property
    def length(self) -> int:
        check = 0 if self.check_digit == "none" else 1
        return len(self.prefix) + self.serial_digits + check + len(self.suffix)

    @property
    def example(self) -> str:
        return self.make(1234567)

    def make(self, serial: int) -> Waybill:
        digits = f"{serial:0{self.serial_digits}d}"
        if len(digits) > self.serial_digits:
            raise ValueError(f"serial {serial} does not fit {self.serial_digits} digits")
        check = "" if self.check_digit == "none" else str(CHECK_DIGITS[self.check_digit](digits))
        return Waybill(f"{self.prefix}{digits}{check}{self.suffix}")

    def matches(self, candidate: str) -> bool:
        if len(candidate) != self.length or not candidate.startswith(self.prefix):
            return False
        if self.suffix and not candidate.endswith(self.suffix):
            return False
        body = candidate[len(self.prefix) : len(candidate) - len(self.suffix)]
        if not body.isascii() or not body.isdigit():
            return False
        if self.check_digit == "none":
            return True
        serial, check = body[:-1], int(body[-1])
        return CHECK_DIGITS[self.check_digit](serial) == check


def normalise_waybill_text(text: str) -> str:
    return re.sub(r"[\s\-]", "", text).upper()


def check_waybill(text: str, formats: Iterable[WaybillFormat]) -> Waybill:
    """Return the normalised waybill, or raise ``InvalidWaybill`` saying what is wrong."""
    candidate = normalise_waybill_text(text)
    known = list(formats)
    for waybill_format in known:
        if waybill_format.matches(candidate):
            return Waybill(candidate)
    for waybill_format in known:
        if candidate.startswith(waybill_format.prefix) and len(candidate) == waybill_format.length:
            raise InvalidWaybill(
                f"{candidate!r} looks like a {waybill_format.name} waybill but its check digit "
                "is wrong; please check the number"
            )
    examples = ", ".join(f.example for f in known)
    raise InvalidWaybill(f"{text!r} is not a waybill number we know (for example {examples})")


def find_waybill_format(waybill: str, formats: Iterable[WaybillFormat]) -> WaybillFormat | None:
    return next((f for f in formats if f.matches(waybill)), None)
