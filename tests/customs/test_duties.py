"""Duties, import VAT, de minimis, currency conversion and HS codes as plain functions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hawker.checkout import pricing
from hawker.customs import duties as rules
from hawker.customs.duties import DeclaredLine, DutyTerms
from hawker.customs.service import reference_terms
from hawker.models import DutyMode, TaxMode

GB = DutyTerms(
    market_code="GB",
    currency="GBP",
    de_minimis_minor=13500,
    default_rate=Decimal("0.04"),
    chapter_rates={"61": Decimal("0.12"), "64": Decimal("0.08"), "85": Decimal("0.02")},
    exchange_rates={"USD": Decimal("0.79"), "JPY": Decimal("0.0053")},
)


def line(ref: int, hs: str, qty: int, value: int, currency: str = "GBP") -> DeclaredLine:
    return DeclaredLine(
        ref=ref,
        product_id=100 + ref,
        hs_code=hs,
        quantity=qty,
        unit_value_minor=value,
        value_currency=currency,
    )


def gb(lines: list[DeclaredLine], mode: DutyMode = DutyMode.DDP) -> rules.Duties:
    return rules.assess(lines, GB, mode=mode, tax_mode=TaxMode.INCLUSIVE, tax_rate=Decimal("0.20"))


def test_duty_per_chapter_and_import_vat_on_the_duty() -> None:
    # 3 T-shirts declared at USD 20.00: 60.00 USD × 0.79 = 47.40 GBP; sneakers GBP 100.00
    d = gb([line(1, "610910", 3, 2000, "USD"), line(2, "640411", 1, 10000)])
    assert [ld.customs_value_minor for ld in d.lines] == [4740, 10000]
    assert d.customs_value_minor == 14740
    assert not d.below_de_minimis
    assert [ld.rate for ld in d.lines] == [Decimal("0.12"), Decimal("0.08")]
    assert [ld.duty_minor for ld in d.lines] == [569, 800]  # 568.8 rounds half-up to 569
    assert d.duty_minor == 1369
    assert d.import_tax_minor == 274  # 20 % of 1369 = 273.8
    assert d.total_minor == 1643
    assert d.charged_minor == 1643 and d.on_delivery_minor == 0


def test_ddu_shows_the_same_figures_as_payable_on_delivery() -> None:
    d = gb([line(1, "610910", 3, 2000, "USD"), line(2, "640411", 1, 10000)], DutyMode.DDU)
    assert d.total_minor == 1643
    assert d.charged_minor == 0
    assert d.on_delivery_minor == 1643


@pytest.mark.parametrize(
    ("value", "duty", "vat"),
    [
        (13499, 0, 0),
        (13500, 0, 0),  # at the de-minimis value: no duty
        (13501, 540, 108),  # one penny above: the whole consignment pays (4 % of 135.01)
    ],
)
def test_de_minimis_is_inclusive(value: int, duty: int, vat: int) -> None:
    d = gb([line(1, "950300", 1, value)])  # chapter 95 is not listed: default 4 %
    assert d.below_de_minimis is (value <= 13500)
    assert (d.duty_minor, d.import_tax_minor) == (duty, vat)


def test_rounding_is_half_up_per_line_and_per_conversion() -> None:
    assert rules.convert(50, "USD", to="GBP", rates=GB.exchange_rates) == 40  # 39.5 p
    assert rules.convert(1, "USD", to="GBP", rates=GB.exchange_rates) == 1  # 0.79 p
    assert rules.convert(1000, "JPY", to="GBP", rates=GB.exchange_rates) == 530  # ¥ has no minor
    assert rules.convert(777, "GBP", to="GBP", rates={}) == 777
    # two lines of 125 p at 2 %: 2.5 p each rounds to 3 p each (per line, not 5 p together)
    big = [line(i, "851712", 1, 125) for i in range(1, 3)] + [line(3, "610910", 1, 14000)]
    d = gb(big)
    assert [ld.duty_minor for ld in d.lines] == [3, 3, 1680]
    assert d.duty_minor == 1686
    assert d.import_tax_minor == 337  # 337.2


def test_markets_with_sales_tax_charge_no_import_vat() -> None:
    us = reference_terms("US", "USD")
    assert us.de_minimis_minor == 0
    d = rules.assess(
        [line(1, "610910", 1, 1000, "USD")],
        us,
        mode=DutyMode.DDP,
        tax_mode=TaxMode.EXCLUSIVE,
        tax_rate=Decimal("0.0725"),
    )
    assert (d.customs_value_minor, d.duty_minor, d.import_tax_minor) == (1000, 160, 0)


def test_markets_without_a_table_charge_nothing() -> None:
    sg = reference_terms("SG", "SGD")
    d = rules.assess(
        [line(1, "610910", 2, 5000, "SGD")],
        sg,
        mode=DutyMode.DDP,
        tax_mode=TaxMode.INCLUSIVE,
        tax_rate=Decimal("0.09"),
    )
    assert (d.customs_value_minor, d.duty_minor, d.import_tax_minor) == (10000, 0, 0)
    assert not sg.converts("USD") and sg.converts("SGD")


def test_a_currency_without_an_exchange_rate_is_refused() -> None:
    with pytest.raises(rules.NoExchangeRate) as err:
        gb([line(1, "610910", 1, 1000, "CAD")])
    assert (err.value.currency, err.value.market_currency) == ("CAD", "GBP")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("610910", "610910"),
        ("6109.10.00", "61091000"),
        (" 6109 10 00 10 ", "6109100010"),
        ("0101-21", "010121"),
    ],
)
def test_hs_codes_are_normalised(raw: str, code: str) -> None:
    assert rules.normalise_hs_code(raw) == code
    assert rules.hs_chapter(code) == code[:2]


@pytest.mark.parametrize("raw", ["61091", "61091000001", "6109x0", "000000", "990000", "770000"])
def test_impossible_hs_codes_are_refused(raw: str) -> None:
    with pytest.raises(rules.InvalidHsCode):
        rules.normalise_hs_code(raw)


def test_ddp_duties_are_part_of_the_landed_total_and_ddu_ones_are_not() -> None:
    terms = pricing.MarketTerms(
        code="GB",
        currency="GBP",
        locale="en_GB",
        tax_mode=TaxMode.INCLUSIVE,
        tax_rate=Decimal("0.20"),
        shipping_fee_minor=399,
        free_shipping_threshold_minor=2500,
    )
    lines = [pricing.PriceLine(shop_id=1, sku_id=9, unit_price_minor=1999, quantity=12)]
    ddp = gb([line(9, "610910", 12, 1500, "USD")])
    assert (ddp.customs_value_minor, ddp.duty_minor, ddp.import_tax_minor) == (14220, 1706, 341)
    landed = pricing.quote_shop(1, lines, terms, ddp)
    assert landed.subtotal_minor == 23988 and landed.shipping_fee_minor == 0
    assert landed.tax_minor == 3998  # the VAT inside the price
    assert landed.total_minor == 23988 + 2047
    assert landed.duties_charged_minor == 2047
    ddu = pricing.quote_shop(
        1, lines, terms, gb([line(9, "610910", 12, 1500, "USD")], DutyMode.DDU)
    )
    assert ddu.total_minor == 23988
    assert pricing.quote_shop(1, lines, terms).total_minor == 23988
    whole = pricing.quote(lines, market_of_shop={1: "GB"}, terms={"GB": terms}, duties={1: ddp})
    assert whole.total_minor == 26035
