"""Every SQL statement of live flash deals.

The deal's figures change only through conditional UPDATEs whose row count is checked, so
`stock_remaining + units_sold + units_returned == stock_cap` and `stock_remaining >= 0` hold
under any concurrency, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.db import insert_rows, one_of
from hawker.models import (
    ApiToken,
    FlashDeal,
    FlashDealStatus,
    FlashPurchase,
    FlashPurchaseStatus,
    LiveBagItem,
    LiveOrderAttribution,
    LiveSession,
    LiveStatus,
    Order,
    Sku,
    User,
    UserRole,
)

OPEN = (FlashDealStatus.COUNTDOWN, FlashDealStatus.LIVE)
NO_SYNC = {"synchronize_session": False}


async def _rowcount(session: AsyncSession, stmt: Any) -> int:
    result = cast(CursorResult[Any], await session.execute(stmt))
    return int(result.rowcount)


# --- deals ------------------------------------------------------------------------------


async def get(session: AsyncSession, deal_id: int) -> FlashDeal | None:
    q = select(FlashDeal).where(FlashDeal.id == deal_id).execution_options(populate_existing=True)
    return (await session.scalars(q)).first()


async def lock(session: AsyncSession, deal_id: int) -> FlashDeal | None:
    """The deal, freshly read and locked (PostgreSQL; SQLite has one writer)."""
    q = (
        select(FlashDeal)
        .where(FlashDeal.id == deal_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(q)).first()


async def open_in_session(session: AsyncSession, session_id: int) -> FlashDeal | None:
    q = (
        select(FlashDeal)
        .where(FlashDeal.session_id == session_id, FlashDeal.status.in_(OPEN))
        .order_by(FlashDeal.id.desc())
        .limit(1)
    )
    return (await session.scalars(q)).first()


async def latest_in_session(session: AsyncSession, session_id: int) -> FlashDeal | None:
    q = (
        select(FlashDeal)
        .where(FlashDeal.session_id == session_id)
        .order_by(FlashDeal.id.desc())
        .limit(1)
    )
    return (await session.scalars(q)).first()


async def list_for_session(
    session: AsyncSession, session_id: int, *, before_id: int | None, limit: int
) -> list[FlashDeal]:
    q = select(FlashDeal).where(FlashDeal.session_id == session_id)
    if before_id is not None:
        q = q.where(FlashDeal.id < before_id)
    q = q.order_by(FlashDeal.id.desc()).limit(limit)
    return list((await session.scalars(q)).all())


async def open_deals(session: AsyncSession) -> list[FlashDeal]:
    q = select(FlashDeal).where(FlashDeal.status.in_(OPEN)).order_by(FlashDeal.id)
    return list((await session.scalars(q)).all())


async def statuses(
    session: AsyncSession, deal_ids: Collection[int]
) -> dict[int, tuple[str, str | None]]:
    """deal id -> (status, end reason)."""
    if not deal_ids:
        return {}
    q = select(FlashDeal.id, FlashDeal.status, FlashDeal.end_reason).where(
        FlashDeal.id.in_(set(deal_ids))
    )
    return {int(r[0]): (str(r[1]), r[2]) for r in (await session.execute(q)).all()}


async def due_ids(session: AsyncSession, now: datetime, limit: int) -> list[int]:
    """Open deals to start (countdown over), to end (time up), or whose live is over."""
    q = (
        select(FlashDeal.id)
        .join(LiveSession, LiveSession.id == FlashDeal.session_id)
        .where(
            FlashDeal.status.in_(OPEN),
            or_(
                and_(
                    FlashDeal.status == FlashDealStatus.COUNTDOWN,
                    FlashDeal.starts_at <= now,
                ),
                FlashDeal.ends_at <= now,
                LiveSession.status.in_((LiveStatus.ENDED, LiveStatus.CANCELLED)),
            ),
        )
        .order_by(FlashDeal.id)
        .limit(limit)
    )
    return [int(x) for x in (await session.scalars(q)).all()]


async def set_live(session: AsyncSession, deal_id: int, now: datetime) -> bool:
    stmt = (
        update(FlashDeal)
        .where(FlashDeal.id == deal_id, FlashDeal.status == FlashDealStatus.COUNTDOWN)
        .values(status=FlashDealStatus.LIVE, updated_at=now)
        .execution_options(**NO_SYNC)
    )
    return await _rowcount(session, stmt) == 1


async def close(
    session: AsyncSession,
    deal_id: int,
    *,
    leftover: int,
    status: str,
    reason: str,
    now: datetime,
) -> bool:
    """Open -> ENDED/CANCELLED with the `leftover` units (read under lock) returned."""
    stmt = (
        update(FlashDeal)
        .where(
            FlashDeal.id == deal_id,
            FlashDeal.status.in_(OPEN),
            FlashDeal.stock_remaining == leftover,
        )
        .values(
            status=status,
            end_reason=reason,
            ended_at=now,
            stock_remaining=0,
            units_returned=FlashDeal.units_returned + leftover,
            updated_at=now,
        )
        .execution_options(**NO_SYNC)
    )
    return await _rowcount(session, stmt) == 1


async def take_units(
    session: AsyncSession, deal_id: int, quantity: int, *, sold_out: bool, now: datetime
) -> bool:
    """Units from the deal's stock to orders; the deal ends (SOLD_OUT) when none are left."""
    values: dict[str, Any] = {
        "stock_remaining": FlashDeal.stock_remaining - quantity,
        "units_sold": FlashDeal.units_sold + quantity,
        "updated_at": now,
    }
    if sold_out:
        values.update(status=FlashDealStatus.ENDED, end_reason="SOLD_OUT", ended_at=now)
    stmt = (
        update(FlashDeal)
        .where(
            FlashDeal.id == deal_id,
            FlashDeal.status.in_(OPEN),
            FlashDeal.stock_remaining >= quantity,
        )
        .values(**values)
        .execution_options(**NO_SYNC)
    )
    if sold_out:
        stmt = stmt.where(FlashDeal.stock_remaining == quantity)
    return await _rowcount(session, stmt) == 1


async def units_back_to_deal(
    session: AsyncSession, deal_id: int, quantity: int, *, now: datetime
) -> bool:
    """A cancelled order's units back in the running deal's stock."""
    stmt = (
        update(FlashDeal)
        .where(
            FlashDeal.id == deal_id,
            FlashDeal.status.in_(OPEN),
            FlashDeal.units_sold >= quantity,
        )
        .values(
            stock_remaining=FlashDeal.stock_remaining + quantity,
            units_sold=FlashDeal.units_sold - quantity,
            updated_at=now,
        )
        .execution_options(**NO_SYNC)
    )
    return await _rowcount(session, stmt) == 1


async def units_back_to_warehouse(
    session: AsyncSession, deal_id: int, quantity: int, *, now: datetime
) -> bool:
    """A cancelled order's units went back to the warehouse (the deal is over)."""
    stmt = (
        update(FlashDeal)
        .where(FlashDeal.id == deal_id, FlashDeal.units_sold >= quantity)
        .values(
            units_sold=FlashDeal.units_sold - quantity,
            units_returned=FlashDeal.units_returned + quantity,
            updated_at=now,
        )
        .execution_options(**NO_SYNC)
    )
    return await _rowcount(session, stmt) == 1


# --- the live session -------------------------------------------------------------------


async def in_bag(session: AsyncSession, session_id: int, product_id: int) -> bool:
    q = select(LiveBagItem.id).where(
        LiveBagItem.session_id == session_id, LiveBagItem.product_id == product_id
    )
    return (await session.scalars(q)).first() is not None


async def insert_attributions(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """The orders were placed from the live room (the live counts them once paid)."""
    await insert_rows(session, cast(Table, LiveOrderAttribution.__table__), rows)


# --- purchases --------------------------------------------------------------------------


async def insert_purchases(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    await insert_rows(session, cast(Table, FlashPurchase.__table__), rows)


async def keys_and_holdings(
    session: AsyncSession, deal_id: int, buyer_ids: Collection[int]
) -> tuple[dict[tuple[int, str], int], dict[int, int]]:
    """For these buyers' purchases of the deal: (buyer, idempotency key) -> order id, and
    the units each buyer's ACTIVE purchases hold. One query through the (deal, buyer, key)
    index: a buyer holds at most a few purchases of a deal."""
    if not buyer_ids:
        return {}, {}
    q = select(
        FlashPurchase.buyer_id,
        FlashPurchase.idempotency_key,
        FlashPurchase.order_id,
        FlashPurchase.quantity,
        FlashPurchase.status,
    ).where(
        FlashPurchase.deal_id == deal_id,
        one_of(session, FlashPurchase.buyer_id, set(buyer_ids)),
    )
    keys: dict[tuple[int, str], int] = {}
    held: dict[int, int] = {}
    for buyer, key, order_id, quantity, status in (await session.execute(q)).all():
        if key is not None:
            keys[(int(buyer), str(key))] = int(order_id)
        if status == FlashPurchaseStatus.ACTIVE:
            held[int(buyer)] = held.get(int(buyer), 0) + int(quantity)
    return keys, held


async def purchase_by_order(session: AsyncSession, order_id: int) -> FlashPurchase | None:
    q = (
        select(FlashPurchase)
        .where(FlashPurchase.order_id == order_id)
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(q)).first()


async def purchase_rows(
    session: AsyncSession, deal_id: int
) -> list[tuple[int, int, int, str | None, int, str]]:
    """(purchase id, buyer id, quantity, key, order id, status) of every purchase."""
    q = select(
        FlashPurchase.id,
        FlashPurchase.buyer_id,
        FlashPurchase.quantity,
        FlashPurchase.idempotency_key,
        FlashPurchase.order_id,
        FlashPurchase.status,
    ).where(FlashPurchase.deal_id == deal_id)
    return [
        (int(r[0]), int(r[1]), int(r[2]), r[3], int(r[4]), str(r[5]))
        for r in (await session.execute(q)).all()
    ]


async def set_purchase_status(
    session: AsyncSession, purchase_id: int, *, from_status: str, to_status: str, now: datetime
) -> bool:
    stmt = (
        update(FlashPurchase)
        .where(FlashPurchase.id == purchase_id, FlashPurchase.status == from_status)
        .values(status=to_status, returned_at=now)
        .execution_options(**NO_SYNC)
    )
    return await _rowcount(session, stmt) == 1


async def returning(session: AsyncSession, limit: int) -> list[tuple[int, int, int, int]]:
    """(purchase id, deal id, buyer id, quantity) whose units the counters must take back."""
    q = (
        select(
            FlashPurchase.id, FlashPurchase.deal_id, FlashPurchase.buyer_id, FlashPurchase.quantity
        )
        .where(FlashPurchase.status == FlashPurchaseStatus.RETURNING)
        .order_by(FlashPurchase.id)
        .limit(limit)
    )
    return [(int(a), int(b), int(c), int(d)) for a, b, c, d in (await session.execute(q)).all()]


async def mark_returned(session: AsyncSession, purchase_ids: Collection[int]) -> None:
    if purchase_ids:
        await session.execute(
            update(FlashPurchase)
            .where(
                FlashPurchase.id.in_(set(purchase_ids)),
                FlashPurchase.status == FlashPurchaseStatus.RETURNING,
            )
            .values(status=FlashPurchaseStatus.RETURNED)
            .execution_options(**NO_SYNC)
        )


async def last_address(session: AsyncSession, buyer_id: int) -> Order | None:
    """The buyer's latest order (its shipping address is used when a buy press has none)."""
    q = select(Order).where(Order.buyer_id == buyer_id).order_by(Order.id.desc()).limit(1)
    return (await session.scalars(q)).first()


async def counts(session: AsyncSession, deal_id: int) -> tuple[int, int]:
    """(purchases, units) of ACTIVE purchases of the deal."""
    q = select(func.count(), func.coalesce(func.sum(FlashPurchase.quantity), 0)).where(
        FlashPurchase.deal_id == deal_id, FlashPurchase.status == FlashPurchaseStatus.ACTIVE
    )
    row = (await session.execute(q)).one()
    return int(row[0]), int(row[1])


async def logins(
    session: AsyncSession, token_hashes: Collection[str], now: datetime
) -> dict[str, tuple[int, datetime]]:
    """token hash -> (user id, expiry) of the valid logins among these hashes."""
    if not token_hashes:
        return {}
    q = (
        select(ApiToken.token_hash, ApiToken.user_id, ApiToken.expires_at)
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.token_hash.in_(set(token_hashes)),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
            User.is_active.is_(True),
        )
    )
    return {str(h): (int(u), e) for h, u, e in (await session.execute(q)).all()}


async def bag_sku_ids(session: AsyncSession, session_id: int) -> list[int]:
    q = (
        select(Sku.id)
        .join(LiveBagItem, LiveBagItem.product_id == Sku.product_id)
        .where(LiveBagItem.session_id == session_id)
        .order_by(Sku.id)
    )
    return [int(x) for x in (await session.scalars(q)).all()]


async def buyer_ids(session: AsyncSession, market_code: str, limit: int) -> list[int]:
    q = (
        select(User.id)
        .where(User.role == UserRole.BUYER, User.market_code == market_code, User.is_active)
        .order_by(User.id)
        .limit(limit)
    )
    return [int(x) for x in (await session.scalars(q)).all()]
