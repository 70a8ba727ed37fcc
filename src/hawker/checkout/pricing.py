"""Prices, shipping and tax as pure functions of the lines and the market's terms.

One quote per shop (each shop ships its own parcel and becomes its own order):

- subtotal = Σ unit price × quantity;
- shipping = the market's flat fee, free once the shop subtotal reaches the market's
  free-shipping threshold;
- tax, INCLUSIVE markets (VAT/GST in the price): the tax contained in subtotal + shipping,
  total = subtotal + shipping;
- tax, EXCLUSIVE markets (US sales tax): rate × subtotal rounded half-up,
  total = subtotal + shipping + tax;
- a cross-border shop's duties and import taxes (`hawker.customs.duties`) are added to the
  total when it ships DDP (the buyer pays the landed cost), and only shown when DDU.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from hawker.customs.duties import Duties
from hawker.kit.money import apply_rate, included_tax
from hawker.models import Market, TaxMode


@dataclass(frozen=True, slots=True)
class MarketTerms:
    code: str
    currency: str
    locale: str
    tax_mode: TaxMode
    tax_rate: Decimal
    shipping_fee_minor: int
    free_shipping_threshold_minor: int | None


@dataclass(frozen=True, slots=True)
class PriceLine:
    shop_id: int
    sku_id: int
    unit_price_minor: int
    quantity: int

    @property
    def total_minor(self) -> int:
        return line_total(self.unit_price_minor, self.quantity)


@dataclass(frozen=True, slots=True)
class ShopQuote:
    shop_id: int
    market_code: str
    currency: str
    lines: tuple[PriceLine, ...]
    subtotal_minor: int
    shipping_fee_minor: int
    tax_minor: int
    tax_included: bool
    total_minor: int
    duties: Duties | None = None  # cross-border shops: duties and import taxes

    @property
    def duties_charged_minor(self) -> int:
        return self.duties.charged_minor if self.duties is not None else 0


@dataclass(frozen=True, slots=True)
class Quote:
    currency: str | None
    shops: tuple[ShopQuote, ...]
    total_minor: int


def terms_of(market: Market) -> MarketTerms:
    return MarketTerms(
        code=market.code,
        currency=market.currency,
        locale=market.locale,
        tax_mode=TaxMode(market.tax_mode),
        tax_rate=Decimal(market.tax_rate),
        shipping_fee_minor=market.shipping_fee_minor,
        free_shipping_threshold_minor=market.free_shipping_threshold_minor,
    )


def line_total(unit_price_minor: int, quantity: int) -> int:
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    return unit_price_minor * quantity


def subtotal(lines: Iterable[PriceLine]) -> int:
    return sum(line.total_minor for line in lines)


def shipping_fee(subtotal_minor: int, terms: MarketTerms) -> int:
    threshold = terms.free_shipping_threshold_minor
    if threshold is not None and subtotal_minor >= threshold:
        return 0
    return terms.shipping_fee_minor


def tax(subtotal_minor: int, shipping_minor: int, terms: MarketTerms) -> int:
    if terms.tax_mode == TaxMode.INCLUSIVE:
        return included_tax(subtotal_minor + shipping_minor, terms.tax_rate)
    return apply_rate(subtotal_minor, terms.tax_rate)


def quote_shop(
    shop_id: int, lines: Sequence[PriceLine], terms: MarketTerms, duties: Duties | None = None
) -> ShopQuote:
    if not lines:
        raise ValueError("a shop quote needs at least one line")
    if any(line.shop_id != shop_id for line in lines):
        raise ValueError("every line of a shop quote must belong to that shop")
    sub = subtotal(lines)
    ship = shipping_fee(sub, terms)
    tax_minor = tax(sub, ship, terms)
    inclusive = terms.tax_mode == TaxMode.INCLUSIVE
    total = sub + ship if inclusive else sub + ship + tax_minor
    if duties is not None:
        if duties.currency != terms.currency:
            raise ValueError("duties must be in the market's currency")
        total += duties.charged_minor
    return ShopQuote(
        shop_id=shop_id,
        market_code=terms.code,
        currency=terms.currency,
        lines=tuple(lines),
        subtotal_minor=sub,
        shipping_fee_minor=ship,
        tax_minor=tax_minor,
        tax_included=inclusive,
        total_minor=total,
        duties=duties,
    )


def quote(
    lines: Sequence[PriceLine],
    *,
    market_of_shop: Mapping[int, str],
    terms: Mapping[str, MarketTerms],
    duties: Mapping[int, Duties] | None = None,
) -> Quote:
    """Group the lines by shop (in order of first appearance) and quote each shop
    (`duties`: per cross-border shop)."""
    by_shop: dict[int, list[PriceLine]] = {}
    for line in lines:
        by_shop.setdefault(line.shop_id, []).append(line)
    shops = tuple(
        quote_shop(
            shop_id,
            shop_lines,
            terms[market_of_shop[shop_id]],
            (duties or {}).get(shop_id),
        )
        for shop_id, shop_lines in by_shop.items()
    )
    currencies = {s.currency for s in shops}
    if len(currencies) > 1:
        raise ValueError(f"one quote cannot mix currencies: {sorted(currencies)}")
    return Quote(
        currency=shops[0].currency if shops else None,
        shops=shops,
        total_minor=sum(s.total_minor for s in shops),
    )
