from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.db import insert_rows
from hawker.models import Order, OrderHistory, OrderLine, OrderStatus, OutboxEvent

MAX_ORDER_ID = 2**63 - 1  # a longer run of digits is searched as text only


def add_order(session: AsyncSession, order: Order, lines: Sequence[OrderLine]) -> None:
    session.add(order)
    session.add_all(lines)


def add_history(session: AsyncSession, row: OrderHistory) -> None:
    session.add(row)


async def insert_many(
    session: AsyncSession,
    *,
    orders: Sequence[dict[str, Any]],
    lines: Sequence[dict[str, Any]],
    history: Sequence[dict[str, Any]],
    events: Sequence[dict[str, Any]],
) -> None:
    """Many new orders in one statement per table (rows carry every column)."""
    for model, rows in (
        (Order, orders),
        (OrderLine, lines),
        (OrderHistory, history),
        (OutboxEvent, events),
    ):
        await insert_rows(session, cast(Table, model.__table__), rows)  # Core: no ORM


async def get(session: AsyncSession, order_id: int) -> Order | None:
    return await session.get(Order, order_id)


async def lock(session: AsyncSession, order_ids: Sequence[int]) -> list[Order]:
    """The orders, freshly read and locked in id order (PostgreSQL; SQLite has one writer)."""
    if not order_ids:
        return []
    q = (
        select(Order)
        .where(Order.id.in_(sorted(set(order_ids))))
        .order_by(Order.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list((await session.scalars(q)).all())


async def ids_of_checkout(session: AsyncSession, *, checkout_id: int, buyer_id: int) -> list[int]:
    q = (
        select(Order.id)
        .where(Order.checkout_id == checkout_id, Order.buyer_id == buyer_id)
        .order_by(Order.id)
    )
    return list((await session.scalars(q)).all())


async def guarded_update(
    session: AsyncSession,
    *,
    order_id: int,
    status: str,
    version: int,
    values: Mapping[str, Any],
) -> bool:
    """UPDATE the order only if it is still in `status` at `version`; True if it was."""
    result = await session.execute(
        update(Order)
        .where(Order.id == order_id, Order.status == status, Order.version == version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return int(result.rowcount) == 1


async def lines_of(session: AsyncSession, order_ids: Sequence[int]) -> dict[int, list[OrderLine]]:
    out: dict[int, list[OrderLine]] = {oid: [] for oid in order_ids}
    if not order_ids:
        return out
    q = select(OrderLine).where(OrderLine.order_id.in_(list(order_ids))).order_by(OrderLine.id)
    for line in (await session.scalars(q)).all():
        out[line.order_id].append(line)
    return out


async def history_of(session: AsyncSession, order_id: int) -> list[OrderHistory]:
    q = select(OrderHistory).where(OrderHistory.order_id == order_id).order_by(OrderHistory.id)
    return list((await session.scalars(q)).all())


async def search(
    session: AsyncSession,
    *,
    buyer_id: int | None = None,
    shop_id: int | None = None,
    statuses: Sequence[str] = (),
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    q: str | None = None,
    before_id: int | None = None,
    limit: int = 20,
) -> list[Order]:
    """Newest first (ids are time-ordered); keyset after `before_id`."""
    stmt = select(Order)
    if buyer_id is not None:
        stmt = stmt.where(Order.buyer_id == buyer_id)
    if shop_id is not None:
        stmt = stmt.where(Order.shop_id == shop_id)
    if statuses:
        stmt = stmt.where(Order.status.in_(list(statuses)))
    if created_from is not None:
        stmt = stmt.where(Order.created_at >= created_from)
    if created_to is not None:
        stmt = stmt.where(Order.created_at < created_to)
    if q:
        text = q.strip().lower()
        match = Order.search_text.contains(text, autoescape=True)
        if text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= MAX_ORDER_ID:
            stmt = stmt.where(or_(match, Order.id == int(text)))
        else:
            stmt = stmt.where(match)
    if before_id is not None:
        stmt = stmt.where(Order.id < before_id)
    stmt = stmt.order_by(Order.id.desc()).limit(limit)
    return list((await session.scalars(stmt)).all())


async def due_ids(
    session: AsyncSession,
    *,
    status: OrderStatus,
    now: datetime,
    limit: int,
) -> list[int]:
    """Orders in `status` whose deadline (pay_by for UNPAID, hold_until for ON_HOLD) passed.

    Rows another worker holds are skipped (PostgreSQL), so sweeps run side by side.
    """
    deadline = Order.pay_by if status == OrderStatus.UNPAID else Order.hold_until
    q = (
        select(Order.id)
        .where(Order.status == status, deadline <= now)
        .order_by(Order.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.scalars(q)).all())
