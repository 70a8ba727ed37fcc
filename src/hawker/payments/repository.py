"""Every SQL statement of the payments domain (payments, refunds, ledger)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.kit.ids import new_id
from hawker.models import (
    JournalEntry,
    LedgerAccount,
    Order,
    Payment,
    PaymentOrder,
    PaymentStatus,
    Posting,
    Refund,
)


async def _insert_ignore(
    session: AsyncSession, model: Any, values: dict[str, Any], key: str
) -> int:
    """INSERT unless a row with the same unique `key` exists; returns the row count (0 or 1)."""
    if session.get_bind().dialect.name == "postgresql":
        pg = postgresql.insert(model).values(**values).on_conflict_do_nothing(index_elements=[key])
        result = await session.execute(pg)
    else:
        lite = sqlite.insert(model).values(**values).on_conflict_do_nothing(index_elements=[key])
        result = await session.execute(lite)
    return int(cast(CursorResult[Any], result).rowcount)


# --- payments and refunds ---------------------------------------------------------------------


async def order_shop_id(session: AsyncSession, order_id: int) -> int | None:
    return (await session.scalars(select(Order.shop_id).where(Order.id == order_id))).first()


async def succeeded_share(
    session: AsyncSession, order_id: int
) -> tuple[Payment, PaymentOrder] | None:
    q = (
        select(Payment, PaymentOrder)
        .join(PaymentOrder, PaymentOrder.payment_id == Payment.id)
        .where(PaymentOrder.order_id == order_id, Payment.status == PaymentStatus.SUCCEEDED)
        .order_by(Payment.id.desc())
    )
    return (await session.execute(q)).first()


async def refund_for_order(session: AsyncSession, order_id: int) -> Refund | None:
    q = select(Refund).where(Refund.order_id == order_id).execution_options(populate_existing=True)
    return (await session.scalars(q)).first()


async def insert_refund(session: AsyncSession, values: dict[str, Any]) -> bool:
    """True when this call created the order's refund; false when one already exists."""
    return await _insert_ignore(session, Refund, values, "order_id") == 1


async def payments_of_order(
    session: AsyncSession, order_id: int
) -> list[tuple[Payment, PaymentOrder]]:
    q = (
        select(Payment, PaymentOrder)
        .join(PaymentOrder, PaymentOrder.payment_id == Payment.id)
        .where(PaymentOrder.order_id == order_id)
        .order_by(Payment.id)
    )
    return [(payment, share) for payment, share in (await session.execute(q)).all()]


async def refunds_of_order(session: AsyncSession, order_id: int) -> list[Refund]:
    q = select(Refund).where(Refund.order_id == order_id).order_by(Refund.id)
    return list((await session.scalars(q)).all())


async def payment_orders(session: AsyncSession, payment_id: int) -> list[PaymentOrder]:
    q = select(PaymentOrder).where(PaymentOrder.payment_id == payment_id).order_by(PaymentOrder.id)
    return list((await session.scalars(q)).all())


# --- ledger accounts and entries --------------------------------------------------------------


async def account_by_code(session: AsyncSession, code: str) -> LedgerAccount | None:
    return (await session.scalars(select(LedgerAccount).where(LedgerAccount.code == code))).first()


async def create_account_if_missing(
    session: AsyncSession,
    *,
    code: str,
    kind: str,
    currency: str,
    shop_id: int | None,
    now: datetime,
) -> None:
    values = {
        "id": new_id(),
        "code": code,
        "kind": kind,
        "currency": currency,
        "shop_id": shop_id,
        "created_at": now,
    }
    await _insert_ignore(session, LedgerAccount, values, "code")


def _balance_query() -> Any:
    return (
        select(LedgerAccount, func.coalesce(func.sum(Posting.amount_minor), 0))
        .outerjoin(Posting, Posting.account_id == LedgerAccount.id)
        .group_by(LedgerAccount.id)
    )


async def balances(
    session: AsyncSession,
    *,
    shop_id: int | None = None,
    currency: str | None = None,
    kind: str | None = None,
    code_prefix: str | None = None,
    before_id: int | None = None,
    limit: int | None = None,
) -> list[tuple[LedgerAccount, int]]:
    q = _balance_query()
    if shop_id is not None:
        q = q.where(LedgerAccount.shop_id == shop_id)
    if currency is not None:
        q = q.where(LedgerAccount.currency == currency)
    if kind is not None:
        q = q.where(LedgerAccount.kind == kind)
    if code_prefix:
        q = q.where(LedgerAccount.code.startswith(code_prefix, autoescape=True))
    if before_id is not None:
        q = q.where(LedgerAccount.id < before_id)
    if limit is None:
        q = q.order_by(LedgerAccount.code)
    else:
        q = q.order_by(LedgerAccount.id.desc()).limit(limit)
    return [(account, int(total)) for account, total in (await session.execute(q)).all()]


async def list_entries(
    session: AsyncSession,
    *,
    ref_type: str | None,
    ref_id: int | None,
    kind: str | None,
    before_id: int | None,
    limit: int,
) -> list[JournalEntry]:
    q = select(JournalEntry)
    if ref_type is not None:
        q = q.where(JournalEntry.ref_type == ref_type)
    if ref_id is not None:
        q = q.where(JournalEntry.ref_id == ref_id)
    if kind is not None:
        q = q.where(JournalEntry.kind == kind)
    if before_id is not None:
        q = q.where(JournalEntry.id < before_id)
    q = q.order_by(JournalEntry.id.desc()).limit(limit)
    return list((await session.scalars(q)).all())


async def postings_of(
    session: AsyncSession, entry_ids: Sequence[int]
) -> list[tuple[Posting, LedgerAccount]]:
    if not entry_ids:
        return []
    q = (
        select(Posting, LedgerAccount)
        .join(LedgerAccount, LedgerAccount.id == Posting.account_id)
        .where(Posting.entry_id.in_(list(entry_ids)))
        .order_by(Posting.entry_id, Posting.id)
    )
    return [(p, a) for p, a in (await session.execute(q)).all()]


# --- ledger checks ----------------------------------------------------------------------------


async def count(session: AsyncSession, model: type[Any]) -> int:
    return int((await session.scalar(select(func.count()).select_from(model))) or 0)


async def unbalanced_entries(session: AsyncSession) -> list[tuple[int, int, int]]:
    """(entry id, sum of its postings, number of postings) for entries that are not balanced
    or have fewer than two postings."""
    total = func.coalesce(func.sum(Posting.amount_minor), 0)
    n = func.count(Posting.id)
    q = (
        select(JournalEntry.id, total, n)
        .outerjoin(Posting, Posting.entry_id == JournalEntry.id)
        .group_by(JournalEntry.id)
        .having((total != 0) | (n < 2))
        .order_by(JournalEntry.id)
    )
    return [(r[0], int(r[1]), int(r[2])) for r in (await session.execute(q)).all()]


async def currency_mismatches(session: AsyncSession) -> list[tuple[int, int, str, str, str]]:
    """(posting id, entry id, posting currency, entry currency, account currency) that differ."""
    q = (
        select(
            Posting.id,
            Posting.entry_id,
            Posting.currency,
            JournalEntry.currency,
            LedgerAccount.currency,
        )
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .join(LedgerAccount, LedgerAccount.id == Posting.account_id)
        .where(
            (Posting.currency != JournalEntry.currency)
            | (Posting.currency != LedgerAccount.currency)
        )
        .order_by(Posting.id)
    )
    return [(r[0], r[1], r[2], r[3], r[4]) for r in (await session.execute(q)).all()]


async def totals_by_currency_and_kind(session: AsyncSession) -> list[tuple[str, str, int]]:
    q = (
        select(Posting.currency, LedgerAccount.kind, func.sum(Posting.amount_minor))
        .join(LedgerAccount, LedgerAccount.id == Posting.account_id)
        .group_by(Posting.currency, LedgerAccount.kind)
        .order_by(Posting.currency, LedgerAccount.kind)
    )
    return [(r[0], r[1], int(r[2])) for r in (await session.execute(q)).all()]
