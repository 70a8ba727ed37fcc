"""The card processor adapter interface.

A real processor (and Hawker's in-repo simulator, `payments.simulator.TestCardProvider`)
implements `PaymentProvider`. A decline is an answer (`ChargeResult.succeeded` false, with a
failure code); a provider that cannot be reached raises `ProviderUnavailable`, which is
retryable: nothing was charged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from hawker.errors import HawkerError
from hawker.kit.money import Money
from hawker.payments.cards import CardDetails


@dataclass(frozen=True)
class ChargeResult:
    succeeded: bool
    provider_ref: str | None
    failure_code: str | None = None
    failure_message: str | None = None


@dataclass(frozen=True)
class RefundResult:
    provider_ref: str


class ProviderUnavailable(HawkerError):
    """The payment provider could not be reached; nothing was charged. Try again."""

    status_code = 503
    code = "payment_provider_unavailable"


class ProviderRejected(HawkerError):
    """The payment provider refused the request."""

    status_code = 502
    code = "payment_provider_error"


class PaymentProvider(Protocol):
    """What Hawker needs from a card processor."""

    @property
    def name(self) -> str:
        """Short stable name stored on payments and used in ledger account codes."""
        ...

    async def charge(self, card: CardDetails, amount: Money, *, reference: str) -> ChargeResult:
        """Charge the card; `reference` identifies the payment (the processor's idempotency
        key)."""
        ...

    async def refund(self, provider_ref: str, amount: Money) -> RefundResult:
        """Refund `amount` of the charge `provider_ref`."""
        ...
