from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hawker.kit.money import Money, apply_rate, exponent, included_tax


def test_exponents_follow_iso_4217() -> None:
    assert exponent("USD") == 2
    assert exponent("JPY") == 0
    assert exponent("VND") == 0
    assert exponent("GBP") == 2


def test_from_decimal_and_back() -> None:
    assert Money.from_decimal("29.99", "USD") == Money(2999, "USD")
    assert Money.from_decimal("1500", "JPY") == Money(1500, "JPY")
    assert Money(2999, "USD").decimal_string() == "29.99"
    assert Money(5, "USD").decimal_string() == "0.05"
    assert Money(1500, "JPY").decimal_string() == "1500"
    with pytest.raises(ValueError):
        Money.from_decimal("1.999", "USD")
    with pytest.raises(ValueError):
        Money.from_decimal("10.5", "JPY")


def test_arithmetic_refuses_mixed_currencies() -> None:
    assert Money(100, "USD") + Money(250, "USD") == Money(350, "USD")
    assert Money(100, "USD").times(3) == Money(300, "USD")
    with pytest.raises(ValueError):
        _ = Money(100, "USD") + Money(100, "EUR")


def test_no_floats_and_valid_codes() -> None:
    with pytest.raises(TypeError):
        Money(1.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Money(1, "usd")


def test_locale_formatting() -> None:
    assert Money(2999, "USD").format("en_US") == "$29.99"
    assert Money(2999, "EUR").format("de_DE") == "29,99\xa0€"
    assert Money(1500, "JPY").format("ja_JP") == "￥1,500"


def test_rounding_is_half_up_and_explicit() -> None:
    assert apply_rate(1000, Decimal("0.0725")) == 73  # 72.5 -> 73
    assert apply_rate(999, Decimal("0.0725")) == 72  # 72.4275 -> 72
    assert included_tax(1200, Decimal("0.20")) == 200  # 1200 gross at 20% VAT holds 200
    assert included_tax(1999, Decimal("0.19")) == 319  # 319.17 -> 319
    assert included_tax(1000, Decimal("0")) == 0


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["0.07", "0.2", "0.23"]))
def test_included_tax_never_exceeds_gross(gross: int, rate: str) -> None:
    tax = included_tax(gross, Decimal(rate))
    assert 0 <= tax <= gross
    net = gross - tax
    # the net amount grossed up again is within one minor unit of the original
    assert abs(apply_rate(net, Decimal(1) + Decimal(rate)) - gross) <= 1
