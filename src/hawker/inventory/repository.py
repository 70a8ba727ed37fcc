"""Every SQL statement of the inventory domain.

Counters change only through conditional UPDATEs whose row count is checked, so the
figures hold under any concurrency on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, and_, func, or_, select, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.db import insert_rows
from hawker.inventory.planning import CandidateRow
from hawker.kit.ids import new_id
from hawker.models import (
    AllocationStatus,
    FlashDeal,
    OrderAllocation,
    Product,
    Sku,
    Stock,
    StockMovement,
    Warehouse,
    WarehouseType,
)

NO_SYNC = {"synchronize_session": False}


async def _rowcount(session: AsyncSession, stmt: Any) -> int:
    result = cast(CursorResult[Any], await session.execute(stmt))
    return int(result.rowcount)


# --- lookups ---------------------------------------------------------------------------------


async def sku_shop_id(session: AsyncSession, sku_id: int) -> int | None:
    q = select(Product.shop_id).join(Sku, Sku.product_id == Product.id).where(Sku.id == sku_id)
    return (await session.scalars(q)).first()


async def get_warehouse(session: AsyncSession, warehouse_id: int) -> Warehouse | None:
    return await session.get(Warehouse, warehouse_id)


async def get_stock(session: AsyncSession, sku_id: int, warehouse_id: int) -> Stock | None:
    q = (
        select(Stock)
        .where(Stock.sku_id == sku_id, Stock.warehouse_id == warehouse_id)
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(q)).first()


async def sales_stock_rows(
    session: AsyncSession, pairs: Collection[tuple[int, int]], *, lock: bool
) -> list[CandidateRow]:
    """Stock rows of the given (sku, shop) pairs in the shop's sales warehouses, by id.

    With `lock`, the rows are locked in ascending id order (PostgreSQL; SQLite has one
    writer at a time and ignores it).
    """
    sku_ids = {sku for sku, _ in pairs}
    shop_ids = {shop for _, shop in pairs}
    q = (
        select(
            Stock.id,
            Stock.sku_id,
            Stock.warehouse_id,
            Warehouse.shop_id,
            Warehouse.is_default,
            Stock.on_hand - Stock.reserved,
        )
        .join(Warehouse, Warehouse.id == Stock.warehouse_id)
        .where(
            Stock.sku_id.in_(sku_ids),
            Warehouse.shop_id.in_(shop_ids),
            Warehouse.type == WarehouseType.SALES_WAREHOUSE,
        )
        .order_by(Stock.id)
    )
    if lock:
        q = q.with_for_update(of=Stock)
    rows = (await session.execute(q)).all()
    return [
        CandidateRow(
            stock_id=r[0],
            sku_id=r[1],
            warehouse_id=r[2],
            shop_id=r[3],
            is_default=bool(r[4]),
            free=int(r[5]),
        )
        for r in rows
        if (r[1], r[3]) in pairs
    ]


async def free_units(session: AsyncSession, sku_id: int, warehouse_id: int) -> int:
    q = select(Stock.on_hand - Stock.reserved).where(
        Stock.sku_id == sku_id, Stock.warehouse_id == warehouse_id
    )
    value = (await session.scalars(q)).first()
    return int(value or 0)


async def available_by_sku(session: AsyncSession, sku_ids: Collection[int]) -> dict[int, int]:
    q = (
        select(Stock.sku_id, func.sum(Stock.on_hand - Stock.reserved))
        .join(Warehouse, Warehouse.id == Stock.warehouse_id)
        .join(Sku, Sku.id == Stock.sku_id)
        .join(Product, Product.id == Sku.product_id)
        .where(
            Stock.sku_id.in_(set(sku_ids)),
            Warehouse.type == WarehouseType.SALES_WAREHOUSE,
            Warehouse.shop_id == Product.shop_id,
        )
        .group_by(Stock.sku_id)
    )
    return {int(sku): int(total or 0) for sku, total in (await session.execute(q)).all()}


# --- counter changes (one conditional statement each) -----------------------------------------


async def ensure_stock_row(
    session: AsyncSession, *, sku_id: int, warehouse_id: int, now: datetime
) -> None:
    """Create the (sku, warehouse) row at zero unless it exists; safe against a racing insert."""
    dialect = session.get_bind().dialect.name
    values = {
        "id": new_id(),
        "sku_id": sku_id,
        "warehouse_id": warehouse_id,
        "on_hand": 0,
        "reserved": 0,
        "updated_at": now,
    }
    if dialect == "postgresql":
        pg = postgresql.insert(Stock).values(**values)
        await session.execute(pg.on_conflict_do_nothing(index_elements=["sku_id", "warehouse_id"]))
    else:
        lite = sqlite.insert(Stock).values(**values)
        await session.execute(
            lite.on_conflict_do_nothing(index_elements=["sku_id", "warehouse_id"])
        )


async def add_on_hand(
    session: AsyncSession, *, sku_id: int, warehouse_id: int, quantity: int, now: datetime
) -> bool:
    stmt = (
        update(Stock)
        .where(Stock.sku_id == sku_id, Stock.warehouse_id == warehouse_id)
        .values(on_hand=Stock.on_hand + quantity, updated_at=now)
        .execution_options(**NO_SYNC)
    )
    return await _rowcount(session, stmt) == 1


async def remove_free(
    session: AsyncSession, *, sku_id: int, warehouse_id: int, quantity: int, now: datetime
) -> bool:
    """on_hand -= quantity, only if that many units are free (not reserved)."""
    stmt = (
        update(Stock)
        .where(
            Stock.sku_id == sku_id,
            Stock.warehouse_id == warehouse_id,
            Stock.on_hand - Stock.reserved >= quantity,
        )
        .values(on_hand=Stock.on_hand - quantity, updated_at=now)
        .execution_options(**NO_SYNC)
    )
    return await _rowcount(session, stmt) == 1


async def try_reserve(
    session: AsyncSession, *, stock_id: int, quantity: int, now: datetime
) -> bool:
    stmt = (
        update(Stock)
        .where(Stock.id == stock_id, Stock.on_hand - Stock.reserved >= quantity)
        .values(reserved=Stock.reserved + quantity, updated_at=now)
        .execution_options(**NO_SYNC)
    )
    return await _rowcount(session, stmt) == 1


async def unreserve(session: AsyncSession, *, stock_id: int, quantity: int, now: datetime) -> bool:
    stmt = (
        update(Stock)
        .where(Stock.id == stock_id, Stock.reserved >= quantity)
        .values(reserved=Stock.reserved - quantity, updated_at=now)
        .execution_options(**NO_SYNC)
    )
    return await _rowcount(session, stmt) == 1


async def ship_reserved(
    session: AsyncSession, *, stock_id: int, quantity: int, now: datetime
) -> bool:
    stmt = (
        update(Stock)
        .where(Stock.id == stock_id, Stock.reserved >= quantity, Stock.on_hand >= quantity)
        .values(
            on_hand=Stock.on_hand - quantity,
            reserved=Stock.reserved - quantity,
            updated_at=now,
        )
        .execution_options(**NO_SYNC)
    )
    return await _rowcount(session, stmt) == 1


# --- allocations ------------------------------------------------------------------------------


async def reserved_allocations(
    session: AsyncSession, order_id: int, *, warehouse_id: int | None = None
) -> list[tuple[int, int, int, int, int]]:
    """(allocation id, stock id, sku id, warehouse id, quantity), stock rows in id order
    (only those in `warehouse_id` when given)."""
    q = (
        select(
            OrderAllocation.id,
            Stock.id,
            OrderAllocation.sku_id,
            OrderAllocation.warehouse_id,
            OrderAllocation.quantity,
        )
        .join(
            Stock,
            and_(
                Stock.sku_id == OrderAllocation.sku_id,
                Stock.warehouse_id == OrderAllocation.warehouse_id,
            ),
        )
        .where(
            OrderAllocation.order_id == order_id,
            OrderAllocation.status == AllocationStatus.RESERVED,
        )
        .order_by(Stock.id, OrderAllocation.id)
    )
    if warehouse_id is not None:
        q = q.where(OrderAllocation.warehouse_id == warehouse_id)
    return [(r[0], r[1], r[2], r[3], r[4]) for r in (await session.execute(q)).all()]


async def reserved_lines(session: AsyncSession, order_id: int) -> list[tuple[int, int, int, int]]:
    """(allocation id, line id, warehouse id, quantity) of the order's RESERVED allocations."""
    q = (
        select(
            OrderAllocation.id,
            OrderAllocation.line_id,
            OrderAllocation.warehouse_id,
            OrderAllocation.quantity,
        )
        .where(
            OrderAllocation.order_id == order_id,
            OrderAllocation.status == AllocationStatus.RESERVED,
        )
        .order_by(OrderAllocation.id)
    )
    return [(r[0], r[1], r[2], r[3]) for r in (await session.execute(q)).all()]


async def stock_ids(
    session: AsyncSession, pairs: Collection[tuple[int, int]], *, lock: bool
) -> dict[tuple[int, int], int]:
    """Stock row id per (sku, warehouse) pair that has one; locked in id order with `lock`."""
    if not pairs:
        return {}
    wanted = set(pairs)
    q = (
        select(Stock.id, Stock.sku_id, Stock.warehouse_id)
        .where(
            Stock.sku_id.in_({s for s, _ in wanted}),
            Stock.warehouse_id.in_({w for _, w in wanted}),
        )
        .order_by(Stock.id)
    )
    if lock:
        q = q.with_for_update()
    rows = (await session.execute(q)).all()
    return {(r[1], r[2]): r[0] for r in rows if (r[1], r[2]) in wanted}


async def insert_allocations(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Many RESERVED allocations in one statement (rows carry every column)."""
    await insert_rows(session, cast(Table, OrderAllocation.__table__), rows)


async def claim_allocation(
    session: AsyncSession, allocation_id: int, *, to_status: AllocationStatus
) -> bool:
    """RESERVED -> `to_status`; false when someone else already moved it."""
    stmt = (
        update(OrderAllocation)
        .where(
            OrderAllocation.id == allocation_id,
            OrderAllocation.status == AllocationStatus.RESERVED,
        )
        .values(status=to_status)
        .execution_options(**NO_SYNC)
    )
    return await _rowcount(session, stmt) == 1


# --- seller views -----------------------------------------------------------------------------


def stock_view_query(shop_id: int) -> Select[Stock, Sku, Product, Warehouse]:
    return (
        select(Stock, Sku, Product, Warehouse)
        .join(Warehouse, Warehouse.id == Stock.warehouse_id)
        .join(Sku, Sku.id == Stock.sku_id)
        .join(Product, Product.id == Sku.product_id)
        .where(Warehouse.shop_id == shop_id, Product.shop_id == shop_id)
    )


async def list_stock(
    session: AsyncSession,
    *,
    shop_id: int,
    warehouse_id: int | None,
    sku_id: int | None,
    product_id: int | None,
    low_stock: int | None,
    q: str | None,
    before_id: int | None,
    limit: int,
) -> Sequence[tuple[Stock, Sku, Product, Warehouse]]:
    query = stock_view_query(shop_id)
    if warehouse_id is not None:
        query = query.where(Stock.warehouse_id == warehouse_id)
    if sku_id is not None:
        query = query.where(Stock.sku_id == sku_id)
    if product_id is not None:
        query = query.where(Sku.product_id == product_id)
    if low_stock is not None:
        query = query.where(Stock.on_hand - Stock.reserved <= low_stock)
    if q:
        pattern = f"%{q.lower()}%"
        query = query.where(
            or_(func.lower(Product.title).like(pattern), func.lower(Sku.seller_sku).like(pattern))
        )
    if before_id is not None:
        query = query.where(Stock.id < before_id)
    query = query.order_by(Stock.id.desc()).limit(limit)
    rows = (await session.execute(query)).all()
    return rows


async def stock_view(
    session: AsyncSession, *, shop_id: int, stock_id: int
) -> tuple[Stock, Sku, Product, Warehouse] | None:
    query = stock_view_query(shop_id).where(Stock.id == stock_id)
    query = query.execution_options(populate_existing=True)
    return (await session.execute(query)).first()


async def list_movements(
    session: AsyncSession,
    *,
    shop_id: int,
    sku_id: int | None,
    warehouse_id: int | None,
    kind: str | None,
    before_id: int | None,
    limit: int,
) -> Sequence[StockMovement]:
    query = (
        select(StockMovement)
        .join(Warehouse, Warehouse.id == StockMovement.warehouse_id)
        .where(Warehouse.shop_id == shop_id)
    )
    if sku_id is not None:
        query = query.where(StockMovement.sku_id == sku_id)
    if warehouse_id is not None:
        query = query.where(StockMovement.warehouse_id == warehouse_id)
    if kind is not None:
        query = query.where(StockMovement.kind == kind)
    if before_id is not None:
        query = query.where(StockMovement.id < before_id)
    query = query.order_by(StockMovement.id.desc()).limit(limit)
    return (await session.scalars(query)).all()


# --- consistency ------------------------------------------------------------------------------


async def count(session: AsyncSession, model: type[Any]) -> int:
    return int((await session.scalar(select(func.count()).select_from(model))) or 0)


async def stock_rows_out_of_bounds(session: AsyncSession) -> list[Stock]:
    q = (
        select(Stock)
        .where(or_(Stock.on_hand < 0, Stock.reserved < 0, Stock.reserved > Stock.on_hand))
        .order_by(Stock.id)
    )
    return list((await session.scalars(q)).all())


async def movement_mismatches(session: AsyncSession) -> list[tuple[int, int, int, int, int, int]]:
    """(sku, warehouse, on_hand, reserved, movement on_hand sum, movement reserved sum) that
    disagree, including movements with no stock row whose sums are not zero."""
    sums = (
        select(
            StockMovement.sku_id.label("sku_id"),
            StockMovement.warehouse_id.label("warehouse_id"),
            func.sum(StockMovement.on_hand_delta).label("on_hand"),
            func.sum(StockMovement.reserved_delta).label("reserved"),
        )
        .group_by(StockMovement.sku_id, StockMovement.warehouse_id)
        .subquery()
    )
    m_on_hand = func.coalesce(sums.c.on_hand, 0)
    m_reserved = func.coalesce(sums.c.reserved, 0)
    with_rows = (
        select(
            Stock.sku_id, Stock.warehouse_id, Stock.on_hand, Stock.reserved, m_on_hand, m_reserved
        )
        .outerjoin(
            sums,
            and_(sums.c.sku_id == Stock.sku_id, sums.c.warehouse_id == Stock.warehouse_id),
        )
        .where(or_(Stock.on_hand != m_on_hand, Stock.reserved != m_reserved))
        .order_by(Stock.id)
    )
    orphans = (
        select(sums.c.sku_id, sums.c.warehouse_id, sums.c.on_hand, sums.c.reserved)
        .outerjoin(
            Stock,
            and_(sums.c.sku_id == Stock.sku_id, sums.c.warehouse_id == Stock.warehouse_id),
        )
        .where(Stock.id.is_(None), or_(sums.c.on_hand != 0, sums.c.reserved != 0))
    )
    out = [(r[0], r[1], r[2], r[3], int(r[4]), int(r[5])) for r in await session.execute(with_rows)]
    out += [(r[0], r[1], 0, 0, int(r[2]), int(r[3])) for r in await session.execute(orphans)]
    return out


async def allocation_mismatches(session: AsyncSession) -> list[tuple[int, int, int, int]]:
    """(sku, warehouse, reserved, units held) that disagree.

    Units held are those of RESERVED order allocations plus the units set aside for live
    flash deals and not yet sold (`flash_deals.stock_remaining`, zero once a deal ended).
    """
    held = union_all(
        select(
            OrderAllocation.sku_id.label("sku_id"),
            OrderAllocation.warehouse_id.label("warehouse_id"),
            OrderAllocation.quantity.label("quantity"),
        ).where(OrderAllocation.status == AllocationStatus.RESERVED),
        select(
            FlashDeal.sku_id.label("sku_id"),
            FlashDeal.warehouse_id.label("warehouse_id"),
            FlashDeal.stock_remaining.label("quantity"),
        ).where(FlashDeal.stock_remaining > 0),
    ).subquery()
    sums = (
        select(
            held.c.sku_id.label("sku_id"),
            held.c.warehouse_id.label("warehouse_id"),
            func.sum(held.c.quantity).label("quantity"),
        )
        .group_by(held.c.sku_id, held.c.warehouse_id)
        .subquery()
    )
    allocated = func.coalesce(sums.c.quantity, 0)
    with_rows = (
        select(Stock.sku_id, Stock.warehouse_id, Stock.reserved, allocated)
        .outerjoin(
            sums,
            and_(sums.c.sku_id == Stock.sku_id, sums.c.warehouse_id == Stock.warehouse_id),
        )
        .where(Stock.reserved != allocated)
        .order_by(Stock.id)
    )
    orphans = (
        select(sums.c.sku_id, sums.c.warehouse_id, sums.c.quantity)
        .outerjoin(
            Stock,
            and_(sums.c.sku_id == Stock.sku_id, sums.c.warehouse_id == Stock.warehouse_id),
        )
        .where(Stock.id.is_(None))
    )
    out = [(r[0], r[1], r[2], int(r[3])) for r in await session.execute(with_rows)]
    out += [(r[0], r[1], 0, int(r[2])) for r in await session.execute(orphans)]
    return out
