"""Card checks made before any charge, as plain functions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hawker.payments.cards import card_brand, last4, luhn_valid
from hawker.payments.service import CardDetails, InvalidCard, validate_card
from hawker.payments.simulator import TEST_CARDS

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def card(**changes: object) -> CardDetails:
    base: dict[str, object] = {
        "number": "4242 4242 4242 4242",
        "exp_month": 12,
        "exp_year": 2030,
        "cvc": "123",
        "holder_name": "Ada Lovelace",
    }
    base.update(changes)
    return CardDetails(**base)  # type: ignore[arg-type]


def test_every_documented_test_card_passes_luhn() -> None:
    assert [c.number for c in TEST_CARDS] == [
        "4242424242424242",
        "4000000000000002",
        "4000000000009995",
        "4000000000000069",
        "4000000000000119",
    ]
    assert all(luhn_valid(c.number) for c in TEST_CARDS)


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("4242424242424242", True),
        ("4242-4242-4242-4242", True),
        ("4242424242424241", False),
        ("378282246310005", True),
        ("5555555555554444", True),
        ("424242424242424x", False),
        ("42", False),
        ("", False),
        ("٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢", False),  # non-ASCII digits
    ],
)
def test_luhn(number: str, valid: bool) -> None:
    assert luhn_valid(number) is valid


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4242424242424242", "visa"),
        ("5555555555554444", "mastercard"),
        ("2223003122003222", "mastercard"),
        ("378282246310005", "amex"),
        ("6011111111111117", "discover"),
        ("3056930009020004", "unknown"),
    ],
)
def test_brand(number: str, brand: str) -> None:
    assert card_brand(number) == brand


def test_a_good_card_passes_and_its_repr_hides_the_number() -> None:
    validate_card(card(), now=NOW)
    validate_card(card(exp_month=3, exp_year=2026), now=NOW)  # valid through the month
    validate_card(card(exp_year=30), now=NOW)  # two-digit year
    validate_card(card(number="378282246310005", cvc="1234"), now=NOW)
    assert repr(card()) == "CardDetails(brand='visa', last4='4242')"
    assert last4("4242 4242 4242 4242") == "4242"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"number": "4242424242424241"}, "number", "The card number is not valid."),
        ({"number": "1234"}, "number", "The card number is not valid."),
        ({"exp_month": 13}, "exp_month", "The expiry month is not valid."),
        ({"exp_month": 0}, "exp_month", "The expiry month is not valid."),
        ({"exp_month": 2, "exp_year": 2026}, "exp_year", "The card has expired."),
        ({"exp_year": 2025}, "exp_year", "The card has expired."),
        ({"exp_year": 2047}, "exp_year", "The expiry year is not valid."),
        ({"cvc": "12"}, "cvc", "The security code must be 3 digits."),
        ({"cvc": "1234"}, "cvc", "The security code must be 3 digits."),
        ({"cvc": "12a"}, "cvc", "The security code must be 3 digits."),
        ({"number": "378282246310005", "cvc": "123"}, "cvc", "The security code must be 4 digits."),
        ({"holder_name": "  "}, "holder_name", "Give the name on the card."),
    ],
)
def test_bad_cards(changes: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(InvalidCard) as caught:
        validate_card(card(**changes), now=NOW)
    assert caught.value.status_code == 400
    assert caught.value.code == "invalid_card"
    assert caught.value.details == {"field": field}
    assert caught.value.message == message
