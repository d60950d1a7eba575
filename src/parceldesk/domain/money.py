"""Money as integer minor units with an ISO 4217 currency."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from parceldesk.domain.errors import InvalidInput

# Minor-unit exponents of the currencies parceldesk prices in. IDR is quoted without cents.
CURRENCY_EXPONENTS: dict[str, int] = {"CNY": 2, "IDR": 0, "SGD": 2, "USD": 2}
CURRENCY_SYMBOLS: dict[str, str] = {"CNY": "¥", "IDR": "Rp", "SGD": "S$", "USD": "$"}


@dataclass(frozen=True, order=True)
class Money:
    minor: int
    currency: str

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, amount: str | int | float, currency: str) -> Money:
        """Read a decimal amount such as ``"12.50"`` in major units."""
        if currency not in CURRENCY_EXPONENTS:
            raise InvalidInput(f"unknown currency {currency!r}")
        try:
            value = Decimal(str(amount))
        except InvalidOperation:
            raise InvalidInput(f"not an amount of money: {amount!r}") from None
        if not value.is_finite() or value < 0:
            raise InvalidInput(f"an amount of money must be zero or positive, not {amount!r}")
        scaled = value.scaleb(CURRENCY_EXPONENTS[currency])
        if scaled != scaled.to_integral_value():
            raise InvalidInput(f"{amount!r} has more decimals than {currency} allows")
        return cls(int(scaled), currency)

    def __add__(self, other: Money) -> Money:
        self._check_same_currency(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check_same_currency(other)
        return Money(self.minor - other.minor, self.currency)

    def times(self, factor: int) -> Money:
        return Money(self.minor * factor, self.currency)

    def at_least_zero(self) -> Money:
        return self if self.minor >= 0 else Money.zero(self.currency)

    @property
    def is_zero(self) -> bool:
        return self.minor == 0

    @property
    def amount(self) -> Decimal:
        return Decimal(self.minor).scaleb(-CURRENCY_EXPONENTS[self.currency])

    def __str__(self) -> str:
        exponent = CURRENCY_EXPONENTS[self.currency]
        number = f"{self.amount:,.{exponent}f}"
        if self.currency == "IDR":
            number = number.replace(",", ".")
        return f"{CURRENCY_SYMBOLS.get(self.currency, self.currency + ' ')}{number}"

    def _check_same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")
