"""Every SQL statement of the fulfilment domain."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.models import (
    AllocationStatus,
    Market,
    OrderAllocation,
    OrderFulfilment,
    OrderLine,
    Package,
    PackageItem,
    PackageStatus,
    Product,
    Sku,
    Stock,
    TrackingEvent,
    Warehouse,
    WarehouseType,
    WeightReview,
    WeightReviewStatus,
)

NO_SYNC = {"synchronize_session": False}


async def _rowcount(session: AsyncSession, stmt: Any) -> int:
    result = cast(CursorResult[Any], await session.execute(stmt))
    return int(result.rowcount)


# --- what allocation reads -------------------------------------------------------------------


async def order_lines(session: AsyncSession, order_id: int) -> list[OrderLine]:
    q = select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.id)
    return list((await session.scalars(q)).all())


async def lines_by_ids(session: AsyncSession, ids: Collection[int]) -> dict[int, OrderLine]:
    if not ids:
        return {}
    rows = await session.scalars(select(OrderLine).where(OrderLine.id.in_(set(ids))))
    return {line.id: line for line in rows}


async def product_boxes(
    session: AsyncSession, product_ids: Collection[int]
) -> dict[int, tuple[int, int, int]]:
    """(length, width, height) in cm of each product's package."""
    if not product_ids:
        return {}
    q = select(
        Product.id, Product.package_length_cm, Product.package_width_cm, Product.package_height_cm
    ).where(Product.id.in_(set(product_ids)))
    return {r[0]: (r[1], r[2], r[3]) for r in (await session.execute(q)).all()}


async def sales_stock(
    session: AsyncSession, shop_id: int, sku_ids: Collection[int]
) -> list[tuple[int, int, int]]:
    """(warehouse id, sku id, free units) in the shop's sales warehouses."""
    if not sku_ids:
        return []
    q = (
        select(Stock.warehouse_id, Stock.sku_id, Stock.on_hand - Stock.reserved)
        .join(Warehouse, Warehouse.id == Stock.warehouse_id)
        .where(
            Warehouse.shop_id == shop_id,
            Warehouse.type == WarehouseType.SALES_WAREHOUSE,
            Stock.sku_id.in_(set(sku_ids)),
        )
        .order_by(Stock.id)
    )
    return [(r[0], r[1], int(r[2])) for r in (await session.execute(q)).all()]


async def reserved_for_order(
    session: AsyncSession, order_id: int
) -> list[tuple[int, int, int, int]]:
    """(line id, sku id, warehouse id, quantity) of the order's RESERVED allocations."""
    q = (
        select(
            OrderAllocation.line_id,
            OrderAllocation.sku_id,
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


# --- order fulfilment clocks -------------------------------------------------------------------


async def get_fulfilment(session: AsyncSession, order_id: int) -> OrderFulfilment | None:
    return await session.get(OrderFulfilment, order_id, populate_existing=True)


async def fulfilments(
    session: AsyncSession, order_ids: Collection[int]
) -> dict[int, OrderFulfilment]:
    if not order_ids:
        return {}
    q = select(OrderFulfilment).where(OrderFulfilment.order_id.in_(set(order_ids)))
    return {f.order_id: f for f in await session.scalars(q)}


async def overdue_ids(session: AsyncSession, *, now: datetime, limit: int) -> list[int]:
    """Orders past their dispatch deadline without every acceptance scan, not yet flagged."""
    q = (
        select(OrderFulfilment.order_id)
        .where(
            OrderFulfilment.dispatched_at.is_(None),
            OrderFulfilment.dispatch_deadline <= now,
            OrderFulfilment.late_dispatch.is_(False),
            OrderFulfilment.closed_at.is_(None),
        )
        .order_by(OrderFulfilment.order_id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.scalars(q)).all())


async def auto_cancel_ids(session: AsyncSession, *, now: datetime, limit: int) -> list[int]:
    """Orders with no acceptance scan at all past their auto-cancel time."""
    q = (
        select(OrderFulfilment.order_id)
        .where(
            OrderFulfilment.first_accepted_at.is_(None),
            OrderFulfilment.auto_cancel_at <= now,
            OrderFulfilment.closed_at.is_(None),
        )
        .order_by(OrderFulfilment.order_id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.scalars(q)).all())


# --- packages ----------------------------------------------------------------------------------


async def get_package(session: AsyncSession, package_id: int) -> Package | None:
    return await session.get(Package, package_id)


async def lock_package(session: AsyncSession, package_id: int) -> Package | None:
    q = (
        select(Package)
        .where(Package.id == package_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(q)).first()


async def packages_of_orders(
    session: AsyncSession, order_ids: Collection[int], *, lock: bool = False
) -> list[Package]:
    if not order_ids:
        return []
    q = (
        select(Package)
        .where(Package.order_id.in_(set(order_ids)))
        .order_by(Package.id)
        .execution_options(populate_existing=True)
    )
    if lock:
        q = q.with_for_update()
    return list((await session.scalars(q)).all())


async def packages_by_tracking(
    session: AsyncSession, carrier_id: int, numbers: Collection[str]
) -> dict[str, Package]:
    if not numbers:
        return {}
    q = select(Package).where(
        Package.carrier_id == carrier_id, Package.tracking_number.in_(set(numbers))
    )
    return {p.tracking_number or "": p for p in await session.scalars(q)}


async def packages_by_ids(session: AsyncSession, ids: Collection[int]) -> dict[int, Package]:
    if not ids:
        return {}
    q = select(Package).where(Package.id.in_(set(ids)))
    return {p.id: p for p in await session.scalars(q)}


async def packages_to_pick(
    session: AsyncSession,
    *,
    shop_id: int,
    warehouse_id: int,
    statuses: Sequence[str],
    allocated_before: datetime,
) -> list[Package]:
    """The warehouse's packages still to leave it (no acceptance scan), allocated before
    `allocated_before`, oldest deadline first."""
    q = (
        select(Package)
        .where(
            Package.shop_id == shop_id,
            Package.warehouse_id == warehouse_id,
            Package.status.in_(list(statuses)),
            Package.accepted_at.is_(None),
            Package.created_at < allocated_before,
        )
        .order_by(Package.dispatch_deadline, Package.id)
    )
    return list((await session.scalars(q)).all())


async def tracking_number_taken(session: AsyncSession, carrier_id: int, number: str) -> bool:
    q = select(Package.id).where(
        Package.carrier_id == carrier_id, Package.tracking_number == number
    )
    return (await session.scalars(q.limit(1))).first() is not None


async def shop_packages(
    session: AsyncSession,
    *,
    shop_id: int,
    statuses: Sequence[str],
    warehouse_id: int | None,
    deadline_from: datetime | None,
    deadline_to: datetime | None,
    unaccepted_only: bool,
    q: str | None,
    before_id: int | None,
    limit: int,
) -> list[Package]:
    stmt = select(Package).where(Package.shop_id == shop_id)
    if statuses:
        stmt = stmt.where(Package.status.in_(list(statuses)))
    if warehouse_id is not None:
        stmt = stmt.where(Package.warehouse_id == warehouse_id)
    if deadline_from is not None:
        stmt = stmt.where(Package.dispatch_deadline > deadline_from)
    if deadline_to is not None:
        stmt = stmt.where(Package.dispatch_deadline <= deadline_to)
    if unaccepted_only:
        stmt = stmt.where(Package.accepted_at.is_(None))
    if q:
        text = q.strip().upper()
        conditions = [Package.tracking_number == text]
        if text.isdigit() and len(text) <= 19 and int(text) < 2**63:
            conditions += [Package.id == int(text), Package.order_id == int(text)]
        stmt = stmt.where(or_(*conditions))
    if before_id is not None:
        stmt = stmt.where(Package.id < before_id)
    stmt = stmt.order_by(Package.id.desc()).limit(limit)
    return list((await session.scalars(stmt)).all())


async def items_of(
    session: AsyncSession, package_ids: Collection[int]
) -> dict[int, list[PackageItem]]:
    out: dict[int, list[PackageItem]] = {pid: [] for pid in package_ids}
    if not package_ids:
        return out
    q = select(PackageItem).where(PackageItem.package_id.in_(set(package_ids)))
    for item in await session.scalars(q.order_by(PackageItem.id)):
        out[item.package_id].append(item)
    return out


async def bump_package(
    session: AsyncSession, package: Package, *, version: int, values: dict[str, Any]
) -> bool:
    """Apply `values` only if the package is still at `version` (optimistic concurrency)."""
    stmt = (
        update(Package)
        .where(Package.id == package.id, Package.version == version)
        .values(version=version + 1, **values)
        .execution_options(**NO_SYNC)
    )
    return await _rowcount(session, stmt) == 1


# --- tracking events -------------------------------------------------------------------------


async def insert_event(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Store a carrier event unless (carrier, event id) is already stored; True if stored."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        pg = postgresql.insert(TrackingEvent).values(**values)
        stmt: Any = pg.on_conflict_do_nothing(index_elements=["carrier_id", "carrier_event_id"])
    else:
        lite = sqlite.insert(TrackingEvent).values(**values)
        stmt = lite.on_conflict_do_nothing(index_elements=["carrier_id", "carrier_event_id"])
    return await _rowcount(session, stmt) == 1


async def events_of(
    session: AsyncSession, package_ids: Collection[int]
) -> dict[int, list[TrackingEvent]]:
    out: dict[int, list[TrackingEvent]] = {pid: [] for pid in package_ids}
    if not package_ids:
        return out
    q = (
        select(TrackingEvent)
        .where(TrackingEvent.package_id.in_(set(package_ids)))
        .order_by(TrackingEvent.event_time, TrackingEvent.id)
    )
    for event in await session.scalars(q):
        out[event.package_id].append(event)
    return out


# --- weight reviews -----------------------------------------------------------------------------


async def get_review(session: AsyncSession, review_id: int) -> WeightReview | None:
    return await session.get(WeightReview, review_id)


async def lock_review(session: AsyncSession, review_id: int) -> WeightReview | None:
    q = (
        select(WeightReview)
        .where(WeightReview.id == review_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(q)).first()


async def reviews_of_packages(
    session: AsyncSession, package_ids: Collection[int]
) -> dict[int, WeightReview]:
    if not package_ids:
        return {}
    q = select(WeightReview).where(WeightReview.package_id.in_(set(package_ids)))
    return {r.package_id: r for r in await session.scalars(q)}


async def list_reviews(
    session: AsyncSession,
    *,
    statuses: Sequence[str],
    shop_id: int | None,
    before_id: int | None,
    limit: int,
) -> list[WeightReview]:
    stmt = select(WeightReview)
    if statuses:
        stmt = stmt.where(WeightReview.status.in_(list(statuses)))
    if shop_id is not None:
        stmt = stmt.where(WeightReview.shop_id == shop_id)
    if before_id is not None:
        stmt = stmt.where(WeightReview.id < before_id)
    stmt = stmt.order_by(WeightReview.id.desc()).limit(limit)
    return list((await session.scalars(stmt)).all())


async def review_counts(
    session: AsyncSession, shop_id: int, *, since: datetime | None = None
) -> dict[str, int]:
    """Reviews of the shop per status (opened since `since` when given)."""
    q = select(WeightReview.status, func.count()).where(WeightReview.shop_id == shop_id)
    if since is not None:
        q = q.where(WeightReview.opened_at >= since)
    rows = (await session.execute(q.group_by(WeightReview.status))).all()
    counts = {s.value: 0 for s in WeightReviewStatus}
    counts.update({str(status): int(n) for status, n in rows})
    return counts


# --- performance -------------------------------------------------------------------------------


async def dispatch_figures(
    session: AsyncSession, shop_id: int, *, start: datetime, end: datetime
) -> tuple[int, int]:
    """(orders due, orders dispatched late) with a dispatch deadline in (start, end].

    An order cancelled before its deadline without any scan is not counted; an order whose
    deadline passed without every acceptance scan, or whose last scan came at or after the
    deadline, is late.
    """
    f = OrderFulfilment
    counted = and_(
        f.shop_id == shop_id,
        f.dispatch_deadline > start,
        f.dispatch_deadline <= end,
        or_(f.closed_at.is_(None), f.closed_at >= f.dispatch_deadline),
    )
    late = or_(
        f.late_dispatch.is_(True),
        f.dispatched_at.is_(None),
        f.dispatched_at >= f.dispatch_deadline,
    )
    q = select(func.count(), func.coalesce(func.sum(case((late, 1), else_=0)), 0)).where(counted)
    row = (await session.execute(q)).one()
    return int(row[0]), int(row[1])


async def tracking_figures(
    session: AsyncSession, shop_id: int, *, start: datetime, end: datetime
) -> tuple[int, int]:
    """(packages with a tracking number due in (start, end], those the carrier scanned)."""
    p = Package
    counted = and_(
        p.shop_id == shop_id,
        p.tracking_number.is_not(None),
        p.dispatch_deadline > start,
        p.dispatch_deadline <= end,
        or_(p.cancelled_at.is_(None), p.cancelled_at >= p.dispatch_deadline),
    )
    valid = p.accepted_at.is_not(None)
    q = select(func.count(), func.coalesce(func.sum(case((valid, 1), else_=0)), 0)).where(counted)
    row = (await session.execute(q)).one()
    return int(row[0]), int(row[1])


async def open_package_counts(
    session: AsyncSession, shop_id: int, *, now: datetime, end_of_today: datetime
) -> tuple[int, int, int]:
    """(to ship, overdue, due today) among packages not yet accepted by a carrier."""
    p = Package
    waiting = and_(
        p.shop_id == shop_id,
        p.status.in_([PackageStatus.TO_FULFILL, PackageStatus.PROCESSING]),
        p.accepted_at.is_(None),
    )
    overdue = p.dispatch_deadline <= now
    today = and_(p.dispatch_deadline > now, p.dispatch_deadline <= end_of_today)
    q = select(
        func.count(),
        func.coalesce(func.sum(case((overdue, 1), else_=0)), 0),
        func.coalesce(func.sum(case((today, 1), else_=0)), 0),
    ).where(waiting)
    row = (await session.execute(q)).one()
    return int(row[0]), int(row[1]), int(row[2])


async def market(session: AsyncSession, code: str) -> Market | None:
    return await session.get(Market, code)


async def sku_packages(
    session: AsyncSession, sku_ids: Collection[int]
) -> dict[int, tuple[int, int, int, int]]:
    """Per SKU: its product's package weight (g), length, width, height (cm)."""
    if not sku_ids:
        return {}
    q = (
        select(
            Sku.id,
            Product.package_weight_g,
            Product.package_length_cm,
            Product.package_width_cm,
            Product.package_height_cm,
        )
        .join(Product, Product.id == Sku.product_id)
        .where(Sku.id.in_(set(sku_ids)))
    )
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in (await session.execute(q)).all()}
