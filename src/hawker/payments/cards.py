"""Card details and the checks made before any charge: Luhn, expiry, CVC. Pure functions.

Hawker never stores a card number: a payment keeps the brand and the last four digits.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from hawker.errors import BadRequest

MAX_YEARS_AHEAD = 20


@dataclass(frozen=True)
class CardDetails:
    number: str
    exp_month: int
    exp_year: int
    cvc: str
    holder_name: str

    def __repr__(self) -> str:  # never print the number or the CVC in logs
        return f"CardDetails(brand={card_brand(self.number)!r}, last4={last4(self.number)!r})"


class InvalidCard(BadRequest):
    """The card details are not valid."""

    code = "invalid_card"


def digits_of(number: str) -> str:
    """The number without the spaces and dashes people type."""
    return number.replace(" ", "").replace("-", "")


def luhn_valid(number: str) -> bool:
    digits = digits_of(number)
    if not digits.isascii() or not digits.isdigit() or not 12 <= len(digits) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_brand(number: str) -> str:
    digits = digits_of(number)
    if not digits.isdigit():
        return "unknown"
    two, four = int(digits[:2] or 0), int(digits[:4] or 0)
    if digits.startswith("4"):
        return "visa"
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return "mastercard"
    if two in (34, 37):
        return "amex"
    if digits.startswith(("6011", "65")) or 644 <= int(digits[:3] or 0) <= 649:
        return "discover"
    return "unknown"


def last4(number: str) -> str:
    return digits_of(number)[-4:]


def card_fingerprint(card: CardDetails, *, secret: str) -> str:
    """A keyed fingerprint (HMAC-SHA256) of the card's number and expiry, never its CVC.

    The same card gives the same fingerprint however its number is typed; without the
    secret the fingerprint reveals nothing about the card.
    """
    message = f"card:{digits_of(card.number)}:{card.exp_month}:{full_year(card.exp_year)}"
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def full_year(exp_year: int) -> int:
    """Two-digit years as printed on cards ("27") mean 2027."""
    return 2000 + exp_year if 0 <= exp_year < 100 else exp_year


def validate_card(card: CardDetails, *, now: datetime) -> None:
    """Raise InvalidCard (400, details.field names the field) unless the card can be charged."""
    if not luhn_valid(card.number):
        raise InvalidCard("The card number is not valid.", {"field": "number"})
    if not 1 <= card.exp_month <= 12:
        raise InvalidCard("The expiry month is not valid.", {"field": "exp_month"})
    year = full_year(card.exp_year)
    if (year, card.exp_month) < (now.year, now.month):
        raise InvalidCard("The card has expired.", {"field": "exp_year"})
    if year > now.year + MAX_YEARS_AHEAD:
        raise InvalidCard("The expiry year is not valid.", {"field": "exp_year"})
    cvc_length = 4 if card_brand(card.number) == "amex" else 3
    if not (card.cvc.isascii() and card.cvc.isdigit() and len(card.cvc) == cvc_length):
        raise InvalidCard(f"The security code must be {cvc_length} digits.", {"field": "cvc"})
    if not card.holder_name.strip() or len(card.holder_name) > 100:
        raise InvalidCard("Give the name on the card.", {"field": "holder_name"})
