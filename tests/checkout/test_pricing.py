"""Pricing as plain functions, with exact figures for both tax modes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hawker.checkout import pricing
from hawker.checkout.pricing import MarketTerms, PriceLine
from hawker.models import TaxMode

US = MarketTerms(
    code="US",
    currency="USD",
    locale="en_US",
    tax_mode=TaxMode.EXCLUSIVE,
    tax_rate=Decimal("0.0725"),
    shipping_fee_minor=599,
    free_shipping_threshold_minor=3500,
)
GB = MarketTerms(
    code="GB",
    currency="GBP",
    locale="en_GB",
    tax_mode=TaxMode.INCLUSIVE,
    tax_rate=Decimal("0.20"),
    shipping_fee_minor=399,
    free_shipping_threshold_minor=2500,
)
JP = MarketTerms(
    code="JP",
    currency="JPY",
    locale="ja_JP",
    tax_mode=TaxMode.INCLUSIVE,
    tax_rate=Decimal("0.10"),
    shipping_fee_minor=500,
    free_shipping_threshold_minor=None,
)


def line(shop_id: int, sku_id: int, price: int, qty: int) -> PriceLine:
    return PriceLine(shop_id=shop_id, sku_id=sku_id, unit_price_minor=price, quantity=qty)


def test_line_total_and_subtotal() -> None:
    assert pricing.line_total(1999, 3) == 5997
    assert pricing.subtotal([line(1, 1, 1999, 3), line(1, 2, 250, 2)]) == 6497
    with pytest.raises(ValueError):
        pricing.line_total(1999, 0)


def test_shipping_is_free_from_the_threshold() -> None:
    assert pricing.shipping_fee(3499, US) == 599
    assert pricing.shipping_fee(3500, US) == 0
    assert pricing.shipping_fee(10_000, US) == 0
    assert pricing.shipping_fee(2499, GB) == 399
    assert pricing.shipping_fee(2500, GB) == 0
    # a market without a threshold always charges its flat fee
    assert pricing.shipping_fee(10**9, JP) == 500


def test_us_sales_tax_is_added_on_the_subtotal_rounded_half_up() -> None:
    # 1999 × 7.25 % = 144.9275 -> 145; shipping is not taxed
    q = pricing.quote_shop(7, [line(7, 1, 1999, 1)], US)
    assert (q.subtotal_minor, q.shipping_fee_minor, q.tax_minor, q.total_minor) == (
        1999,
        599,
        145,
        2743,
    )
    assert q.tax_included is False
    assert q.currency == "USD" and q.market_code == "US"
    # exactly half a cent rounds up: 200 × 7.25 % = 14.5 -> 15
    assert pricing.tax(200, 599, US) == 15
    # 3 × 1999 = 5997 reaches free shipping; 5997 × 7.25 % = 434.7825 -> 435
    q = pricing.quote_shop(7, [line(7, 1, 1999, 3)], US)
    assert (q.subtotal_minor, q.shipping_fee_minor, q.tax_minor, q.total_minor) == (
        5997,
        0,
        435,
        6432,
    )


def test_gb_vat_is_the_share_contained_in_subtotal_plus_shipping() -> None:
    # gross 1999 + 399 = 2398; VAT inside = 2398 × 0.2 / 1.2 = 399.67 -> 400
    q = pricing.quote_shop(9, [line(9, 1, 1999, 1)], GB)
    assert (q.subtotal_minor, q.shipping_fee_minor, q.tax_minor, q.total_minor) == (
        1999,
        399,
        400,
        2398,
    )
    assert q.tax_included is True
    # 2 × 1250 = 2500 ships free; VAT inside 2500 = 416.67 -> 417
    q = pricing.quote_shop(9, [line(9, 1, 1250, 2)], GB)
    assert (q.subtotal_minor, q.shipping_fee_minor, q.tax_minor, q.total_minor) == (
        2500,
        0,
        417,
        2500,
    )


def test_zero_decimal_currency() -> None:
    q = pricing.quote_shop(3, [line(3, 1, 1500, 2)], JP)
    # gross 3000 + 500 = 3500; tax inside = 3500 × 0.1 / 1.1 = 318.18 -> 318
    assert (q.subtotal_minor, q.shipping_fee_minor, q.tax_minor, q.total_minor) == (
        3000,
        500,
        318,
        3500,
    )


def test_quote_groups_by_shop_and_sums_the_grand_total() -> None:
    lines = [line(1, 10, 1999, 1), line(2, 20, 500, 2), line(1, 11, 1000, 2)]
    q = pricing.quote(lines, market_of_shop={1: "US", 2: "US"}, terms={"US": US})
    assert q.currency == "USD"
    assert [s.shop_id for s in q.shops] == [1, 2]
    shop1, shop2 = q.shops
    # shop 1: 1999 + 2000 = 3999 (free shipping), tax 3999 × 7.25 % = 289.9275 -> 290
    assert [pl.sku_id for pl in shop1.lines] == [10, 11]
    assert (shop1.subtotal_minor, shop1.shipping_fee_minor, shop1.tax_minor) == (3999, 0, 290)
    assert shop1.total_minor == 4289
    # shop 2: 1000 + 599 shipping, tax 72.5 -> 73
    assert (shop2.subtotal_minor, shop2.shipping_fee_minor, shop2.tax_minor) == (1000, 599, 73)
    assert shop2.total_minor == 1672
    assert q.total_minor == 4289 + 1672


def test_empty_quote_and_bad_input() -> None:
    q = pricing.quote([], market_of_shop={}, terms={})
    assert (q.currency, q.shops, q.total_minor) == (None, (), 0)
    with pytest.raises(ValueError):
        pricing.quote_shop(1, [], US)
    with pytest.raises(ValueError):
        pricing.quote_shop(1, [line(2, 1, 100, 1)], US)
    with pytest.raises(ValueError):
        pricing.quote(
            [line(1, 1, 100, 1), line(2, 2, 100, 1)],
            market_of_shop={1: "US", 2: "GB"},
            terms={"US": US, "GB": GB},
        )
