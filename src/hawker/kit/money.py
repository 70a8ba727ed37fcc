"""Money as integer minor units plus an ISO 4217 currency; never floats."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision


@lru_cache(maxsize=512)
def exponent(currency: str) -> int:
    """Number of decimal places of the currency's minor unit (USD 2, JPY 0)."""
    return int(get_currency_precision(currency))


@lru_cache(maxsize=65_536)
def _formatted(amount_minor: int, currency: str, locale: str) -> str:
    # Babel's formatting costs tens of microseconds and pages show the same prices again
    # and again: each (amount, currency, locale) is formatted once.
    value = Decimal(amount_minor).scaleb(-exponent(currency))
    return str(format_currency(value, currency, locale=locale))


@dataclass(frozen=True, slots=True)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount_minor, int) or isinstance(self.amount_minor, bool):
            raise TypeError("amount_minor must be an int")
        if len(self.currency) != 3 or not self.currency.isupper():
            raise ValueError(f"not an ISO 4217 currency code: {self.currency!r}")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def from_decimal(cls, value: Decimal | str, currency: str) -> Money:
        """Parse a major-unit decimal ("29.99"); excess precision for the currency is an error."""
        d = Decimal(value)
        scaled = d.scaleb(exponent(currency))
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more decimals than {currency} allows")
        return cls(int(scaled), currency)

    def to_decimal(self) -> Decimal:
        return Decimal(self.amount_minor).scaleb(-exponent(self.currency))

    def decimal_string(self) -> str:
        """ "29.99" for 2999 USD, "1500" for 1500 JPY: the Partner API's amount format."""
        return f"{self.to_decimal():.{exponent(self.currency)}f}"

    def _check(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"currency mismatch: {self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount_minor, self.currency)

    def times(self, quantity: int) -> Money:
        return Money(self.amount_minor * quantity, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount_minor < other.amount_minor

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.amount_minor <= other.amount_minor

    def format(self, locale: str = "en_US") -> str:
        return _formatted(self.amount_minor, self.currency, locale)


def apply_rate(amount_minor: int, rate: Decimal) -> int:
    """amount × rate, rounded half-up to a whole minor unit."""
    return int((Decimal(amount_minor) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def included_tax(gross_minor: int, rate: Decimal) -> int:
    """The tax contained in a tax-inclusive price: gross × rate / (1 + rate), half-up."""
    if rate == 0:
        return 0
    value = Decimal(gross_minor) * rate / (Decimal(1) + rate)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
