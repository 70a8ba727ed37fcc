"""Duties and import taxes of a cross-border consignment, as pure functions.

- Each line's customs value is its declared value per unit × quantity, converted into the
  destination market's currency with the duty table's exchange rate (one unit of the
  foreign currency in the market's currency), rounded half-up to a minor unit.
- The consignment's customs value is the sum of its lines. At or below the destination's
  de-minimis value no duty is due at all.
- Above it, each line pays the rate of its HS chapter (the first two digits of its HS code;
  the table's default rate for chapters it does not list) on its customs value, rounded
  half-up per line.
- Import VAT: in markets whose prices include VAT/GST, the goods' VAT is already in the
  price the buyer pays (Hawker collects it at the sale), so what customs adds is the VAT on
  the duty: market tax rate × duty, rounded half-up. Markets with sales tax added at
  checkout (the US) charge no import VAT.
- DDP: duty and import VAT are added to the order's total (the buyer pays the landed cost
  at checkout). DDU: they are shown as payable to the carrier on delivery and not charged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from hawker.kit.money import apply_rate, exponent
from hawker.models import DutyMode, TaxMode

HS_CODE = re.compile(r"[0-9]{6,10}")
HS_SEPARATORS = re.compile(r"[\s.\-]")


class InvalidHsCode(ValueError):
    pass


class NoExchangeRate(ValueError):
    def __init__(self, currency: str, market_currency: str) -> None:
        super().__init__(f"no exchange rate from {currency} to {market_currency}")
        self.currency = currency
        self.market_currency = market_currency


def normalise_hs_code(raw: str) -> str:
    """6 to 10 digits; dots, spaces and dashes are dropped ("6109.10.00" -> "61091000").
    The chapter must exist in the Harmonized System (01-97, not 77)."""
    code = HS_SEPARATORS.sub("", raw)
    if not HS_CODE.fullmatch(code):
        raise InvalidHsCode("An HS code has 6 to 10 digits.")
    chapter = int(code[:2])
    if not 1 <= chapter <= 97 or chapter == 77:
        raise InvalidHsCode(f"There is no HS chapter {code[:2]}.")
    return code


def hs_chapter(hs_code: str) -> str:
    return hs_code[:2]


@dataclass(frozen=True, slots=True)
class DutyTerms:
    """One destination market's duty table."""

    market_code: str
    currency: str
    de_minimis_minor: int
    default_rate: Decimal
    chapter_rates: Mapping[str, Decimal] = field(default_factory=dict)
    exchange_rates: Mapping[str, Decimal] = field(default_factory=dict)

    def rate_for(self, hs_code: str) -> Decimal:
        return self.chapter_rates.get(hs_chapter(hs_code), self.default_rate)

    def converts(self, currency: str) -> bool:
        return currency == self.currency or currency in self.exchange_rates


def convert(amount_minor: int, currency: str, *, to: str, rates: Mapping[str, Decimal]) -> int:
    """`amount_minor` of `currency` in minor units of `to` (rates: one unit of a foreign
    currency in `to`), rounded half-up."""
    if currency == to:
        return amount_minor
    rate = rates.get(currency)
    if rate is None:
        raise NoExchangeRate(currency, to)
    major = Decimal(amount_minor).scaleb(-exponent(currency)) * rate
    return int(major.scaleb(exponent(to)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class DeclaredLine:
    """One line of a consignment as declared: units of a product with its customs profile."""

    ref: int  # the SKU (in a quote) or the order line (on an order)
    product_id: int
    hs_code: str
    quantity: int
    unit_value_minor: int
    value_currency: str


@dataclass(frozen=True, slots=True)
class LineDuty:
    line: DeclaredLine
    customs_value_minor: int  # in the market's currency
    rate: Decimal
    duty_minor: int


@dataclass(frozen=True, slots=True)
class Duties:
    mode: DutyMode
    currency: str
    customs_value_minor: int
    de_minimis_minor: int
    duty_minor: int
    import_tax_minor: int
    lines: tuple[LineDuty, ...]

    @property
    def below_de_minimis(self) -> bool:
        return self.customs_value_minor <= self.de_minimis_minor

    @property
    def total_minor(self) -> int:
        """Duty and import VAT together."""
        return self.duty_minor + self.import_tax_minor

    @property
    def charged_minor(self) -> int:
        """What the buyer pays at checkout on top of the goods (DDP)."""
        return self.total_minor if self.mode == DutyMode.DDP else 0

    @property
    def on_delivery_minor(self) -> int:
        """What the buyer pays the carrier on delivery (DDU)."""
        return self.total_minor if self.mode == DutyMode.DDU else 0


def import_tax(duty_minor: int, *, tax_mode: TaxMode, tax_rate: Decimal) -> int:
    """Import VAT on the duty where prices include VAT; none where sales tax is added."""
    if tax_mode != TaxMode.INCLUSIVE:
        return 0
    return apply_rate(duty_minor, tax_rate)


def assess(
    lines: Sequence[DeclaredLine],
    terms: DutyTerms,
    *,
    mode: DutyMode,
    tax_mode: TaxMode,
    tax_rate: Decimal,
) -> Duties:
    """Duties and import VAT of one consignment into `terms.market_code`."""
    values = [
        convert(
            line.unit_value_minor * line.quantity,
            line.value_currency,
            to=terms.currency,
            rates=terms.exchange_rates,
        )
        for line in lines
    ]
    customs_value = sum(values)
    exempt = customs_value <= terms.de_minimis_minor
    assessed = tuple(
        LineDuty(
            line=line,
            customs_value_minor=value,
            rate=terms.rate_for(line.hs_code),
            duty_minor=0 if exempt else apply_rate(value, terms.rate_for(line.hs_code)),
        )
        for line, value in zip(lines, values, strict=True)
    )
    duty = sum(d.duty_minor for d in assessed)
    return Duties(
        mode=mode,
        currency=terms.currency,
        customs_value_minor=customs_value,
        de_minimis_minor=terms.de_minimis_minor,
        duty_minor=duty,
        import_tax_minor=import_tax(duty, tax_mode=tax_mode, tax_rate=tax_rate),
        lines=assessed,
    )
