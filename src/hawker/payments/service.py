"""Charges and refunds through the payment provider, and the double-entry ledger.

Every money movement is one balanced journal entry (postings: debit positive, credit
negative, summing to zero); balances are derived from postings. A buyer's payment debits
the provider clearing account (an asset: the processor owes Hawker the money) and credits
each shop's escrow account (a liability: Hawker holds the money for the shop). Functions
flush; the caller commits.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.errors import BadRequest, HawkerError, id_after_cursor
from hawker.kit.ids import new_id
from hawker.kit.money import Money
from hawker.kit.pagination import encode_cursor
from hawker.models import (
    JournalEntry,
    LedgerAccount,
    Payment,
    PaymentOrder,
    PaymentStatus,
    Posting,
    Refund,
)
from hawker.payments import repository as repo
from hawker.payments.cards import CardDetails as CardDetails
from hawker.payments.cards import InvalidCard as InvalidCard
from hawker.payments.cards import card_brand, digits_of, last4
from hawker.payments.cards import card_fingerprint as card_fingerprint
from hawker.payments.cards import validate_card as validate_card
from hawker.payments.provider import PaymentProvider, ProviderUnavailable
from hawker.payments.simulator import TestCardProvider

ACCOUNT_KINDS = frozenset({"asset", "liability", "equity", "revenue", "expense"})


@dataclass(frozen=True)
class OrderShare:
    order_id: int
    shop_id: int
    amount_minor: int


class InvalidAmount(BadRequest):
    """The amount is not valid."""

    code = "invalid_amount"


class LedgerError(HawkerError):
    """A journal entry was refused; nothing was posted."""

    code = "ledger_error"


class UnbalancedEntry(LedgerError):
    """The postings of a journal entry must sum to zero."""

    code = "unbalanced_entry"


class CurrencyMismatch(LedgerError):
    """A journal entry moves money of one currency only."""

    code = "currency_mismatch"


def default_provider() -> PaymentProvider:
    return TestCardProvider()


def clearing_account(provider: str, currency: str) -> str:
    return f"clearing:{provider}:{currency}"


def escrow_account(shop_id: int, currency: str) -> str:
    return f"escrow:shop:{shop_id}:{currency}"


# --- charges and refunds ----------------------------------------------------------------------


async def charge(
    session: AsyncSession,
    *,
    buyer_id: int,
    currency: str,
    shares: Sequence[OrderShare],
    card: CardDetails,
    now: datetime,
    provider: PaymentProvider | None = None,
) -> Payment:
    """Charge the buyer's card for the orders' shares; returns the Payment in any outcome.

    SUCCEEDED: one balanced entry (clearing debited by the total, each shop's escrow
    credited by its share). DECLINED: failure_code/failure_message from the issuer.
    FAILED: the provider could not be reached; nothing was charged and the buyer may retry.
    An invalid card raises InvalidCard before the provider is asked. Only the brand and the
    last four digits of the card are stored.

    The provider is called inside the caller's transaction: call this last, after every
    other check of the checkout has passed.
    """
    validate_card(card, now=now)
    total = _check_shares(shares, currency)
    provider = provider or default_provider()
    clean = dataclasses.replace(card, number=digits_of(card.number))
    payment_id = new_id()
    status = PaymentStatus.SUCCEEDED
    provider_ref: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    try:
        result = await provider.charge(
            clean, Money(total, currency), reference=f"payment:{payment_id}"
        )
    except ProviderUnavailable as exc:
        status = PaymentStatus.FAILED
        failure_code = "provider_unavailable"
        failure_message = exc.message
    else:
        provider_ref = result.provider_ref
        if not result.succeeded:
            status = PaymentStatus.DECLINED
            failure_code = result.failure_code or "card_declined"
            failure_message = result.failure_message or "The card was declined."
    payment = Payment(
        id=payment_id,
        buyer_id=buyer_id,
        status=status,
        amount_minor=total,
        currency=currency,
        provider=provider.name,
        provider_ref=provider_ref,
        card_brand=card_brand(clean.number),
        card_last4=last4(clean.number),
        failure_code=failure_code,
        failure_message=(failure_message or "")[:255] or None,
        created_at=now,
    )
    session.add(payment)
    await session.flush()
    for share in shares:
        session.add(
            PaymentOrder(
                payment_id=payment.id, order_id=share.order_id, amount_minor=share.amount_minor
            )
        )
    if status == PaymentStatus.SUCCEEDED:
        lines: list[tuple[str, str, int | None, int]] = [
            (clearing_account(provider.name, currency), "asset", None, total)
        ]
        for share in shares:
            if share.amount_minor:
                lines.append(
                    (
                        escrow_account(share.shop_id, currency),
                        "liability",
                        share.shop_id,
                        -share.amount_minor,
                    )
                )
        await post_entry(
            session,
            kind="payment",
            ref_type="payment",
            ref_id=payment.id,
            currency=currency,
            lines=lines,
            now=now,
            description=f"Card payment {payment.id} ({payment.card_brand} {payment.card_last4})",
        )
    await session.flush()
    return payment


def _check_shares(shares: Sequence[OrderShare], currency: str) -> int:
    try:
        Money(0, currency)
    except ValueError as exc:
        raise InvalidAmount(f"{currency!r} is not a currency code.") from exc
    if not shares:
        raise InvalidAmount("A payment pays for at least one order.")
    for share in shares:
        if isinstance(share.amount_minor, bool) or not isinstance(share.amount_minor, int):
            raise InvalidAmount("Amounts are whole minor units.")
        if share.amount_minor < 0:
            raise InvalidAmount(f"Order {share.order_id} has a negative amount.")
    if len({share.order_id for share in shares}) != len(shares):
        raise InvalidAmount("Each order appears once in a payment.")
    total = sum(share.amount_minor for share in shares)
    if total <= 0:
        raise InvalidAmount("There is nothing to charge.")
    return total


async def refund_order(
    session: AsyncSession,
    *,
    order_id: int,
    reason: str,
    now: datetime,
    provider: PaymentProvider | None = None,
) -> Refund | None:
    """Refund the order's share of its succeeded payment, in full, once.

    Returns the order's Refund (the existing one when called again: idempotent, also
    against a concurrent call), or None when the order was never paid. The provider refund
    and one balanced entry (debit the shop's escrow, credit clearing) happen with it.
    """
    existing = await repo.refund_for_order(session, order_id)
    if existing is not None:
        return existing
    found = await repo.succeeded_share(session, order_id)
    if found is None:
        return None
    payment, share = found
    refund_id = new_id()
    created = await repo.insert_refund(
        session,
        {
            "id": refund_id,
            "payment_id": payment.id,
            "order_id": order_id,
            "amount_minor": share.amount_minor,
            "currency": payment.currency,
            "reason": reason[:255],
            "created_at": now,
        },
    )
    refund = await repo.refund_for_order(session, order_id)
    assert refund is not None
    if not created or refund.amount_minor == 0:
        return refund
    shop_id = await repo.order_shop_id(session, order_id)
    assert shop_id is not None
    provider = provider or default_provider()
    result = await provider.refund(
        payment.provider_ref or "", Money(refund.amount_minor, refund.currency)
    )
    await post_entry(
        session,
        kind="refund",
        ref_type="refund",
        ref_id=refund.id,
        currency=refund.currency,
        lines=[
            (escrow_account(shop_id, refund.currency), "liability", shop_id, refund.amount_minor),
            (
                clearing_account(payment.provider, refund.currency),
                "asset",
                None,
                -refund.amount_minor,
            ),
        ],
        now=now,
        description=f"Refund {result.provider_ref} of order {order_id}: {reason}"[:255],
    )
    return refund


# --- the ledger -------------------------------------------------------------------------------


async def post_entry(
    session: AsyncSession,
    *,
    kind: str,
    ref_type: str,
    ref_id: int,
    currency: str,
    lines: Sequence[tuple[str, str, int | None, int]],
    now: datetime,
    description: str = "",
) -> JournalEntry:
    """Post one balanced entry. `lines` are (account code, account kind, shop id, amount),
    amount signed (debit +, credit -). Refuses an unbalanced entry, a zero or non-integer
    amount, and an account of another currency or kind. Accounts are created on first use
    (unique code; a concurrent creation is absorbed)."""
    try:
        Money(0, currency)
    except ValueError as exc:
        raise CurrencyMismatch(f"{currency!r} is not a currency code.") from exc
    if len(lines) < 2:
        raise UnbalancedEntry("A journal entry has at least two postings.")
    for code, account_kind, _, amount in lines:
        if isinstance(amount, bool) or not isinstance(amount, int) or amount == 0:
            raise UnbalancedEntry(f"Posting to {code} is not a non-zero whole amount.")
        if account_kind not in ACCOUNT_KINDS:
            raise LedgerError(f"{account_kind!r} is not an account kind.")
    if sum(amount for *_, amount in lines) != 0:
        raise UnbalancedEntry("The postings of a journal entry must sum to zero.")

    accounts: dict[str, LedgerAccount] = {}
    for code, account_kind, shop_id, _ in sorted(lines, key=lambda line: line[0]):
        if code in accounts:
            continue
        account = await _account(
            session, code=code, kind=account_kind, currency=currency, shop_id=shop_id, now=now
        )
        if account.currency != currency:
            raise CurrencyMismatch(
                f"Account {code} holds {account.currency}; this entry moves {currency}."
            )
        if account.kind != account_kind or account.shop_id != shop_id:
            raise LedgerError(f"Account {code} is a {account.kind} account of another owner.")
        accounts[code] = account

    entry = JournalEntry(
        id=new_id(),
        kind=kind,
        currency=currency,
        ref_type=ref_type,
        ref_id=ref_id,
        description=description[:255],
        created_at=now,
    )
    session.add(entry)
    for code, _, _, amount in lines:
        session.add(
            Posting(
                entry_id=entry.id,
                account_id=accounts[code].id,
                amount_minor=amount,
                currency=currency,
            )
        )
    await session.flush()
    return entry


async def _account(
    session: AsyncSession,
    *,
    code: str,
    kind: str,
    currency: str,
    shop_id: int | None,
    now: datetime,
) -> LedgerAccount:
    account = await repo.account_by_code(session, code)
    if account is None:
        await repo.create_account_if_missing(
            session, code=code, kind=kind, currency=currency, shop_id=shop_id, now=now
        )
        account = await repo.account_by_code(session, code)
    assert account is not None
    return account


async def account_balances(
    session: AsyncSession, *, shop_id: int | None = None
) -> list[tuple[LedgerAccount, int]]:
    """Every account (of one shop when `shop_id`) with its balance, by code."""
    return await repo.balances(session, shop_id=shop_id)


async def shop_escrow(session: AsyncSession, shop_id: int) -> list[tuple[str, int]]:
    """(currency, amount Hawker holds for the shop), by currency."""
    out = [
        (account.currency, -balance)
        for account, balance in await repo.balances(session, shop_id=shop_id, kind="liability")
        if account.code.startswith("escrow:")
    ]
    return sorted(out)


@dataclass(frozen=True)
class LedgerCheck:
    entries: int
    postings: int
    accounts: int
    # currency -> account kind -> sum of balances (debit +); per currency they add up to 0
    totals: dict[str, dict[str, int]]
    problems: list[str]


async def ledger_check(session: AsyncSession) -> LedgerCheck:
    """Every ledger invariant, with what was checked (for `hawker ledger check`)."""
    problems: list[str] = []
    for entry_id, total, n in await repo.unbalanced_entries(session):
        if n < 2:
            problems.append(f"journal entry {entry_id} has {n} posting(s); it needs two or more")
        if total != 0:
            problems.append(f"journal entry {entry_id} does not balance: postings sum to {total}")
    for posting_id, entry_id, cur, entry_cur, account_cur in await repo.currency_mismatches(
        session
    ):
        problems.append(
            f"posting {posting_id} of entry {entry_id} is in {cur}, its entry in {entry_cur} "
            f"and its account in {account_cur}"
        )
    totals: dict[str, dict[str, int]] = defaultdict(dict)
    for currency, kind, amount in await repo.totals_by_currency_and_kind(session):
        totals[currency][kind] = amount
    for currency, by_kind in sorted(totals.items()):
        overall = sum(by_kind.values())
        if overall != 0:
            problems.append(f"{currency}: the balances of all accounts sum to {overall}, not 0")
    return LedgerCheck(
        entries=await repo.count(session, JournalEntry),
        postings=await repo.count(session, Posting),
        accounts=await repo.count(session, LedgerAccount),
        totals=dict(totals),
        problems=problems,
    )


async def check_ledger(session: AsyncSession) -> list[str]:
    """Every entry sums to zero; per currency all balances sum to zero. [] when all holds."""
    return (await ledger_check(session)).problems


# --- operator views ---------------------------------------------------------------------------


async def list_accounts(
    session: AsyncSession,
    *,
    shop_id: int | None = None,
    currency: str | None = None,
    kind: str | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> tuple[list[tuple[LedgerAccount, int]], str | None]:
    items = await repo.balances(
        session,
        shop_id=shop_id,
        currency=currency,
        kind=kind,
        code_prefix=q.strip() if q else None,
        before_id=id_after_cursor(cursor),
        limit=limit + 1,
    )
    page = items[:limit]
    more = len(items) > limit
    return page, encode_cursor({"id": page[-1][0].id}) if more else None


@dataclass(frozen=True)
class EntryView:
    entry: JournalEntry
    postings: list[tuple[Posting, LedgerAccount]]


async def list_entries(
    session: AsyncSession,
    *,
    ref_type: str | None = None,
    ref_id: int | None = None,
    kind: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> tuple[list[EntryView], str | None]:
    rows = await repo.list_entries(
        session,
        ref_type=ref_type,
        ref_id=ref_id,
        kind=kind,
        before_id=id_after_cursor(cursor),
        limit=limit + 1,
    )
    entries = rows[:limit]
    by_entry: dict[int, list[tuple[Posting, LedgerAccount]]] = defaultdict(list)
    for posting, account in await repo.postings_of(session, [e.id for e in entries]):
        by_entry[posting.entry_id].append((posting, account))
    views = [EntryView(e, by_entry.get(e.id, [])) for e in entries]
    return views, encode_cursor({"id": entries[-1].id}) if len(rows) > limit else None


async def order_payments(
    session: AsyncSession, order_id: int
) -> list[tuple[Payment, PaymentOrder]]:
    """Every attempt to pay for the order (succeeded, declined or failed), oldest first, each
    with the order's share of it."""
    return await repo.payments_of_order(session, order_id)


async def order_refunds(session: AsyncSession, order_id: int) -> list[Refund]:
    """The order's refunds, oldest first."""
    return await repo.refunds_of_order(session, order_id)


async def payment_orders(session: AsyncSession, payment_id: int) -> list[PaymentOrder]:
    return await repo.payment_orders(session, payment_id)
