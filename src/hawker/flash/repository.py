"""Every SQL statement of live flash deals.

The deal's figures change only through conditional UPDATEs whose row count is checked, so
`stock_remaining + units_sold + units_returned == stock_cap` and `stock_remaining >= 0` hold
under any concurrency, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Integer,
    Table,
    and_,
    bindparam,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.db import insert_rows, one_of, one_of_param, one_of_value
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
from hawker.models.types import UTCDateTime

OPEN = (FlashDealStatus.COUNTDOWN, FlashDealStatus.LIVE)
NO_SYNC = {"synchronize_session": False}


async def _rowcount(session: AsyncSession, stmt: Any) -> int:
    result = cast(CursorResult[Any], await session.execute(stmt))
    return int(result.rowcount)


# --- deals ------------------------------------------------------------------------------


async def get(session: AsyncSession, deal_id: int) -> FlashDeal | None:
    q = select(FlashDeal).where(FlashDeal.id == deal_id).execution_options(populate_existing=True)
    return (await session.scalars(q)).first()


# The group commit's statements are built once (per dialect) and executed with parameters:
# building and fingerprinting a statement costs more than running it.
_BUILT: dict[tuple[str, str], Any] = {}


def _built(session: AsyncSession, name: str, build: Callable[[str], Any]) -> tuple[Any, str]:
    dialect = session.get_bind().dialect.name
    stmt = _BUILT.get((dialect, name))
    if stmt is None:
        stmt = _BUILT[(dialect, name)] = build(dialect)
    return stmt, dialect


def _lock_statement(_: str) -> Any:
    return (
        select(FlashDeal)
        .where(FlashDeal.id == bindparam("deal_id"))
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def lock(session: AsyncSession, deal_id: int) -> FlashDeal | None:
    """The deal, freshly read and locked (PostgreSQL; SQLite has one writer)."""
    stmt, _ = _built(session, "lock", _lock_statement)
    return (await session.scalars(stmt, {"deal_id": deal_id})).first()


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


def _take_statement(sold_out: bool) -> Any:
    quantity = bindparam("quantity", type_=Integer())
    now = bindparam("now", type_=UTCDateTime())
    values: dict[str, Any] = {
        "stock_remaining": FlashDeal.stock_remaining - quantity,
        "units_sold": FlashDeal.units_sold + quantity,
        "updated_at": now,
    }
    stmt = update(FlashDeal).where(
        FlashDeal.id == bindparam("deal_id"),
        FlashDeal.status.in_(OPEN),
        FlashDeal.stock_remaining >= quantity,
    )
    if sold_out:
        values.update(status=FlashDealStatus.ENDED, end_reason="SOLD_OUT", ended_at=now)
        stmt = stmt.where(FlashDeal.stock_remaining == quantity)
    return stmt.values(**values).execution_options(**NO_SYNC)


async def take_units(
    session: AsyncSession, deal_id: int, quantity: int, *, sold_out: bool, now: datetime
) -> bool:
    """Units from the deal's stock to orders; the deal ends (SOLD_OUT) when none are left."""
    name = "take_last" if sold_out else "take"
    stmt, _ = _built(session, name, lambda _: _take_statement(sold_out))
    params = {"deal_id": deal_id, "quantity": quantity, "now": now}
    result = cast(CursorResult[Any], await session.execute(stmt, params))
    return int(result.rowcount) == 1


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


def _keys_and_holdings_statement(dialect: str) -> Any:
    p = FlashPurchase
    keyed = select(p.buyer_id, p.idempotency_key, p.order_id, literal(0).label("units")).where(
        p.deal_id == bindparam("deal_id"),
        one_of_param(dialect, p.buyer_id, "key_buyers"),
        one_of_param(dialect, p.idempotency_key, "keys"),
    )
    held = (
        select(p.buyer_id, null(), null(), func.sum(p.quantity))
        .where(
            p.deal_id == bindparam("deal_id"),
            one_of_param(dialect, p.buyer_id, "buyers"),
            p.status == FlashPurchaseStatus.ACTIVE,
        )
        .group_by(p.buyer_id)
    )
    return union_all(keyed, held)


async def keys_and_holdings(
    session: AsyncSession,
    deal_id: int,
    buyer_ids: Collection[int],
    keys: Collection[tuple[int, str]],
) -> tuple[dict[tuple[int, str], int], dict[int, int]]:
    """(buyer, idempotency key) -> order id of the deal's purchases with these keys, and the
    units each of these buyers' ACTIVE purchases hold: one statement, both parts through
    the (deal, buyer, key) index, so a deal with tens of thousands of purchases is never
    scanned for a batch."""
    if not buyer_ids:
        return {}, {}
    wanted = set(keys)
    stmt, dialect = _built(session, "keys_and_holdings", _keys_and_holdings_statement)
    params = {
        "deal_id": deal_id,
        "key_buyers": one_of_value(dialect, {b for b, _ in wanted} or {0}),
        "keys": one_of_value(dialect, {k for _, k in wanted} or {""}),
        "buyers": one_of_value(dialect, set(buyer_ids)),
    }
    found: dict[tuple[int, str], int] = {}
    units: dict[int, int] = {}
    result: Result[Any] = await session.execute(stmt, params)
    rows: list[tuple[Any, ...]] = [tuple(r) for r in result.all()]
    for buyer, key, order_id, n in rows:
        if key is None:
            units[int(buyer)] = int(n or 0)
        elif (int(buyer), str(key)) in wanted:
            found[(int(buyer), str(key))] = int(order_id)
    return found, units


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
            one_of(session, ApiToken.token_hash, set(token_hashes)),
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
