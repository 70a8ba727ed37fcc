"""TestCardProvider: the in-repo card processor simulator behind the PaymentProvider adapter.

It answers like a real processor for a documented set of test card numbers, so checkout,
declines and network failures can be exercised end to end without a processor account.
Any other Luhn-valid number succeeds.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from hawker.kit.money import Money
from hawker.payments.cards import CardDetails, digits_of
from hawker.payments.provider import (
    ChargeResult,
    ProviderRejected,
    ProviderUnavailable,
    RefundResult,
)


@dataclass(frozen=True)
class TestCard:
    __test__ = False  # not a pytest test class

    number: str
    brand: str
    outcome: str  # succeeded | declined | network_error
    failure_code: str | None
    description: str


TEST_CARDS: tuple[TestCard, ...] = (
    TestCard("4242424242424242", "visa", "succeeded", None, "Succeeds."),
    TestCard(
        "4000000000000002", "visa", "declined", "card_declined", "Declined by the card issuer."
    ),
    TestCard(
        "4000000000009995",
        "visa",
        "declined",
        "insufficient_funds",
        "Declined: insufficient funds.",
    ),
    TestCard("4000000000000069", "visa", "declined", "expired_card", "Declined: expired card."),
    TestCard(
        "4000000000000119",
        "visa",
        "network_error",
        None,
        "The provider cannot be reached (network error); nothing is charged; retryable.",
    ),
)

DECLINE_MESSAGES = {
    "card_declined": "The card was declined.",
    "insufficient_funds": "The card has insufficient funds.",
    "expired_card": "The card has expired.",
}

_BY_NUMBER = {card.number: card for card in TEST_CARDS}


class TestCardProvider:
    """Simulated processor: outcomes by card number, as documented in TEST_CARDS."""

    __test__ = False  # not a pytest test class

    @property
    def name(self) -> str:
        return "test"

    async def charge(self, card: CardDetails, amount: Money, *, reference: str) -> ChargeResult:
        test_card = _BY_NUMBER.get(digits_of(card.number))
        if test_card is not None and test_card.outcome == "network_error":
            raise ProviderUnavailable("The payment provider did not answer; try again.")
        if test_card is not None and test_card.failure_code is not None:
            code = test_card.failure_code
            return ChargeResult(
                succeeded=False,
                provider_ref=f"ch_test_{secrets.token_hex(12)}",
                failure_code=code,
                failure_message=DECLINE_MESSAGES[code],
            )
        return ChargeResult(succeeded=True, provider_ref=f"ch_test_{secrets.token_hex(12)}")

    async def refund(self, provider_ref: str, amount: Money) -> RefundResult:
        if not provider_ref.startswith("ch_test_") or amount.amount_minor <= 0:
            raise ProviderRejected(f"The test provider has no charge {provider_ref}.")
        return RefundResult(provider_ref=f"re_test_{secrets.token_hex(12)}")
