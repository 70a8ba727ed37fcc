"""Stock rules: receipts, adjustments, reservations for orders, releases and shipments.

Every change to a stock row is one conditional UPDATE plus exactly one StockMovement, so per
(sku, warehouse) the movements always sum to `on_hand` and `reserved`, and `reserved <=
on_hand` (both >= 0) holds under any concurrency. Functions flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.errors import BadRequest, Conflict, HawkerError, NotFound
from hawker.inventory import planning
from hawker.inventory import repository as repo
from hawker.kit.pagination import InvalidCursor, decode_cursor, encode_cursor
from hawker.models import (
    AllocationStatus,
    MovementKind,
    OrderAllocation,
    Product,
    Sku,
    Stock,
    StockMovement,
    Warehouse,
)
from hawker.outbox.service import record_event

MAX_QUANTITY = 1_000_000
# Lost races are retried optimistically this many times, then once with the rows locked.
OPTIMISTIC_ATTEMPTS = 3


# --- errors -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReserveLine:
    order_id: int
    line_id: int
    sku_id: int
    shop_id: int
    quantity: int


@dataclass(frozen=True)
class ShortLine:
    sku_id: int
    requested: int
    available: int


class InsufficientStock(Conflict):
    """Not enough stock."""

    code = "insufficient_stock"

    def __init__(self, lines: Sequence[ShortLine], message: str | None = None) -> None:
        self.lines = list(lines)
        details = [
            {"sku_id": str(s.sku_id), "requested": s.requested, "available": s.available}
            for s in self.lines
        ]
        if message is None:
            parts = ", ".join(
                f"SKU {s.sku_id}: {s.requested} requested, {s.available} available"
                for s in self.lines
            )
            message = f"Not enough stock ({parts})."
        super().__init__(message, details)


class InvalidQuantity(BadRequest):
    """The quantity is not valid."""

    code = "invalid_quantity"


class ReasonRequired(BadRequest):
    """Say why the stock changes."""

    code = "reason_required"


class SkuNotFound(NotFound):
    """No such SKU."""

    code = "sku_not_found"


class WarehouseNotFound(NotFound):
    """No such warehouse."""

    code = "warehouse_not_found"


class BadCursor(BadRequest):
    """The cursor is not valid."""

    code = "invalid_cursor"


class StockBusy(Conflict):
    """The stock is changing too fast to reserve; try again."""

    code = "stock_busy"


class StockInconsistent(HawkerError):
    """Stock figures disagree with the order's allocations."""

    code = "stock_inconsistent"


class _LostRace(Exception):
    """Another transaction took the units between our read and our update."""


# --- reservations -----------------------------------------------------------------------------


async def reserve(
    session: AsyncSession,
    lines: Sequence[ReserveLine],
    *,
    now: datetime,
    actor_id: int | None = None,
) -> list[OrderAllocation]:
    """Reserve every line or nothing; raises InsufficientStock listing every short line.

    Units come from the shop's sales warehouses (default first, then by id), a line split
    across warehouses when needed. Each slice is one conditional UPDATE with a row-count
    check, stock rows touched in ascending id order; a lost race rolls the attempt back to a
    savepoint and plans again from fresh figures (the last attempt locks the rows first).
    Writes one RESERVATION movement and one RESERVED allocation per slice.
    """
    if not lines:
        return []
    for line in lines:
        if line.quantity <= 0 or line.quantity > MAX_QUANTITY:
            raise InvalidQuantity(f"Quantity {line.quantity} is not between 1 and {MAX_QUANTITY}.")
    requests = [
        planning.LineRequest(i, line.sku_id, line.shop_id, line.quantity)
        for i, line in enumerate(lines)
    ]
    pairs = {(line.sku_id, line.shop_id) for line in lines}

    for attempt in range(OPTIMISTIC_ATTEMPTS + 1):
        rows = await repo.sales_stock_rows(session, pairs, lock=attempt == OPTIMISTIC_ATTEMPTS)
        slices, short = planning.plan(requests, rows)
        if short:
            raise InsufficientStock([ShortLine(s.sku_id, s.requested, s.available) for s in short])
        ordered = planning.touch_order(slices)
        try:
            async with session.begin_nested():
                for sl in ordered:
                    if not await repo.try_reserve(
                        session, stock_id=sl.stock_id, quantity=sl.quantity, now=now
                    ):
                        raise _LostRace
        except _LostRace:
            continue
        allocations: list[OrderAllocation] = []
        for sl in ordered:
            line = lines[sl.index]
            session.add(
                _movement(
                    MovementKind.RESERVATION,
                    sku_id=sl.sku_id,
                    warehouse_id=sl.warehouse_id,
                    on_hand=0,
                    reserved=sl.quantity,
                    ref_id=line.order_id,
                    actor_id=actor_id,
                    now=now,
                )
            )
            allocation = OrderAllocation(
                order_id=line.order_id,
                line_id=line.line_id,
                sku_id=sl.sku_id,
                warehouse_id=sl.warehouse_id,
                quantity=sl.quantity,
                status=AllocationStatus.RESERVED,
            )
            session.add(allocation)
            allocations.append(allocation)
        await session.flush()
        return allocations
    raise StockBusy("The stock is changing too fast to reserve; try again.")


async def release_order(session: AsyncSession, order_id: int, *, now: datetime, reason: str) -> int:
    """Release the order's RESERVED allocations; returns the units released. Idempotent."""
    released = 0
    for alloc_id, stock_id, sku_id, warehouse_id, qty in await repo.reserved_allocations(
        session, order_id
    ):
        if not await repo.claim_allocation(session, alloc_id, to_status=AllocationStatus.RELEASED):
            continue  # a concurrent release or shipment got there first
        if not await repo.unreserve(session, stock_id=stock_id, quantity=qty, now=now):
            raise StockInconsistent(f"Stock row {stock_id} holds fewer reserved units than {qty}.")
        session.add(
            _movement(
                MovementKind.RELEASE,
                sku_id=sku_id,
                warehouse_id=warehouse_id,
                on_hand=0,
                reserved=-qty,
                ref_id=order_id,
                actor_id=None,
                now=now,
                note=reason,
            )
        )
        released += qty
    await session.flush()
    return released


async def ship_allocations(session: AsyncSession, order_id: int, *, now: datetime) -> int:
    """RESERVED -> SHIPPED: the units leave the warehouse (on_hand -n, reserved -n)."""
    shipped = 0
    for alloc_id, stock_id, sku_id, warehouse_id, qty in await repo.reserved_allocations(
        session, order_id
    ):
        if not await repo.claim_allocation(session, alloc_id, to_status=AllocationStatus.SHIPPED):
            continue
        if not await repo.ship_reserved(session, stock_id=stock_id, quantity=qty, now=now):
            raise StockInconsistent(f"Stock row {stock_id} cannot ship {qty} reserved units.")
        session.add(
            _movement(
                MovementKind.SHIPMENT,
                sku_id=sku_id,
                warehouse_id=warehouse_id,
                on_hand=-qty,
                reserved=-qty,
                ref_id=order_id,
                actor_id=None,
                now=now,
            )
        )
        shipped += qty
    await session.flush()
    return shipped


# --- receipts and adjustments -----------------------------------------------------------------


async def receive(
    session: AsyncSession,
    *,
    sku_id: int,
    warehouse_id: int,
    quantity: int,
    now: datetime,
    actor_id: int | None,
    note: str = "",
) -> Stock:
    """Units arrive in a warehouse: on_hand +quantity (the stock row is made on first use)."""
    if quantity <= 0 or quantity > MAX_QUANTITY:
        raise InvalidQuantity(f"Quantity {quantity} is not between 1 and {MAX_QUANTITY}.")
    await _check_same_shop(session, sku_id, warehouse_id)
    await repo.ensure_stock_row(session, sku_id=sku_id, warehouse_id=warehouse_id, now=now)
    if not await repo.add_on_hand(
        session, sku_id=sku_id, warehouse_id=warehouse_id, quantity=quantity, now=now
    ):
        raise StockInconsistent(f"No stock row for SKU {sku_id} in warehouse {warehouse_id}.")
    return await _record_change(
        session,
        MovementKind.RECEIPT,
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        delta=quantity,
        actor_id=actor_id,
        note=note,
        now=now,
    )


async def adjust(
    session: AsyncSession,
    *,
    sku_id: int,
    warehouse_id: int,
    delta: int,
    now: datetime,
    actor_id: int | None,
    note: str,
) -> Stock:
    """Correct on_hand by `delta` (a count, damage, loss). Only free units can be removed."""
    if delta == 0 or abs(delta) > MAX_QUANTITY:
        raise InvalidQuantity(f"An adjustment moves between 1 and {MAX_QUANTITY} units.")
    if not note.strip():
        raise ReasonRequired("Say why the stock changes (note).")
    await _check_same_shop(session, sku_id, warehouse_id)
    if delta > 0:
        await repo.ensure_stock_row(session, sku_id=sku_id, warehouse_id=warehouse_id, now=now)
        changed = await repo.add_on_hand(
            session, sku_id=sku_id, warehouse_id=warehouse_id, quantity=delta, now=now
        )
    else:
        changed = await repo.remove_free(
            session, sku_id=sku_id, warehouse_id=warehouse_id, quantity=-delta, now=now
        )
    if not changed:
        free = await repo.free_units(session, sku_id, warehouse_id)
        raise InsufficientStock(
            [ShortLine(sku_id, -delta, free)],
            f"Only {free} free units of SKU {sku_id} are in that warehouse; "
            f"cannot remove {-delta}.",
        )
    return await _record_change(
        session,
        MovementKind.ADJUSTMENT,
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        delta=delta,
        actor_id=actor_id,
        note=note.strip(),
        now=now,
    )


async def _record_change(
    session: AsyncSession,
    kind: MovementKind,
    *,
    sku_id: int,
    warehouse_id: int,
    delta: int,
    actor_id: int | None,
    note: str,
    now: datetime,
) -> Stock:
    movement = _movement(
        kind,
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        on_hand=delta,
        reserved=0,
        ref_id=None,
        actor_id=actor_id,
        now=now,
        note=note,
    )
    session.add(movement)
    await session.flush()
    stock = await repo.get_stock(session, sku_id, warehouse_id)
    assert stock is not None
    record_event(
        session,
        topic="inventory.stock_changed",
        aggregate_type="sku",
        aggregate_id=sku_id,
        payload={
            "sku_id": str(sku_id),
            "warehouse_id": str(warehouse_id),
            "kind": str(kind),
            "delta": delta,
            "on_hand": stock.on_hand,
            "reserved": stock.reserved,
        },
        now=now,
    )
    return stock


def _movement(
    kind: MovementKind,
    *,
    sku_id: int,
    warehouse_id: int,
    on_hand: int,
    reserved: int,
    ref_id: int | None,
    actor_id: int | None,
    now: datetime,
    note: str = "",
) -> StockMovement:
    return StockMovement(
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        kind=kind,
        on_hand_delta=on_hand,
        reserved_delta=reserved,
        ref_type="order" if ref_id is not None else None,
        ref_id=ref_id,
        note=note[:255],
        actor_id=actor_id,
        created_at=now,
    )


async def _check_same_shop(session: AsyncSession, sku_id: int, warehouse_id: int) -> None:
    shop_id = await repo.sku_shop_id(session, sku_id)
    if shop_id is None:
        raise SkuNotFound(f"There is no SKU {sku_id}.")
    warehouse = await repo.get_warehouse(session, warehouse_id)
    if warehouse is None or warehouse.shop_id != shop_id:
        raise WarehouseNotFound(f"There is no warehouse {warehouse_id}.")


# --- availability -----------------------------------------------------------------------------


async def available_by_sku(session: AsyncSession, sku_ids: Sequence[int]) -> dict[int, int]:
    """Units free to sell per SKU: over the shop's sales warehouses, on_hand - reserved."""
    if not sku_ids:
        return {}
    found = await repo.available_by_sku(session, sku_ids)
    return {sku_id: found.get(sku_id, 0) for sku_id in sku_ids}


# --- seller center ----------------------------------------------------------------------------


async def require_sku_in_shop(session: AsyncSession, shop_id: int, sku_id: int) -> None:
    if await repo.sku_shop_id(session, sku_id) != shop_id:
        raise SkuNotFound(f"There is no SKU {sku_id}.")


async def require_warehouse_in_shop(
    session: AsyncSession, shop_id: int, warehouse_id: int
) -> Warehouse:
    warehouse = await repo.get_warehouse(session, warehouse_id)
    if warehouse is None or warehouse.shop_id != shop_id:
        raise WarehouseNotFound(f"There is no warehouse {warehouse_id}.")
    return warehouse


def sku_name(sku: Sku) -> str:
    """ "Red / L" from the sales attributes; the seller SKU when there are none."""
    values = [str(a.get("value_name", "")) for a in sku.sales_attributes or []]
    name = " / ".join(v for v in values if v)
    return name or sku.seller_sku


@dataclass(frozen=True)
class StockView:
    stock: Stock
    sku: Sku
    product: Product
    warehouse: Warehouse


def _before_id(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        data: dict[str, Any] = decode_cursor(cursor)
    except InvalidCursor as exc:
        raise BadCursor("The cursor is not valid.") from exc
    value = data.get("id")
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadCursor("The cursor is not valid.")
    return value


def _next_cursor(ids: list[int], limit: int) -> str | None:
    return encode_cursor({"id": ids[-1]}) if len(ids) == limit else None


async def list_stock(
    session: AsyncSession,
    *,
    shop_id: int,
    warehouse_id: int | None = None,
    sku_id: int | None = None,
    product_id: int | None = None,
    low_stock: int | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> tuple[list[StockView], str | None]:
    rows = await repo.list_stock(
        session,
        shop_id=shop_id,
        warehouse_id=warehouse_id,
        sku_id=sku_id,
        product_id=product_id,
        low_stock=low_stock,
        q=q.strip() if q else None,
        before_id=_before_id(cursor),
        limit=limit,
    )
    views = [StockView(*row) for row in rows]
    return views, _next_cursor([v.stock.id for v in views], limit)


async def stock_view(session: AsyncSession, *, shop_id: int, stock: Stock) -> StockView:
    row = await repo.stock_view(session, shop_id=shop_id, stock_id=stock.id)
    assert row is not None
    return StockView(*row)


async def list_movements(
    session: AsyncSession,
    *,
    shop_id: int,
    sku_id: int | None = None,
    warehouse_id: int | None = None,
    kind: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> tuple[list[StockMovement], str | None]:
    items = list(
        await repo.list_movements(
            session,
            shop_id=shop_id,
            sku_id=sku_id,
            warehouse_id=warehouse_id,
            kind=kind,
            before_id=_before_id(cursor),
            limit=limit,
        )
    )
    return items, _next_cursor([m.id for m in items], limit)


# --- consistency ------------------------------------------------------------------------------


@dataclass(frozen=True)
class InventoryCheck:
    stock_rows: int
    movements: int
    allocations: int
    problems: list[str]


async def inventory_check(session: AsyncSession) -> InventoryCheck:
    """Every invariant of the stock tables, with what was checked (for `hawker inventory check`)."""
    problems: list[str] = []
    for s in await repo.stock_rows_out_of_bounds(session):
        problems.append(
            f"stock {s.id} (SKU {s.sku_id}, warehouse {s.warehouse_id}): on_hand {s.on_hand}, "
            f"reserved {s.reserved}; needs 0 <= reserved <= on_hand"
        )
    for sku, wh, on_hand, reserved, m_on_hand, m_reserved in await repo.movement_mismatches(
        session
    ):
        problems.append(
            f"SKU {sku} in warehouse {wh}: on_hand {on_hand}, reserved {reserved}, but its "
            f"movements sum to on_hand {m_on_hand}, reserved {m_reserved}"
        )
    for sku, wh, reserved, allocated in await repo.allocation_mismatches(session):
        problems.append(
            f"SKU {sku} in warehouse {wh}: reserved {reserved}, but reserved order "
            f"allocations hold {allocated}"
        )
    return InventoryCheck(
        stock_rows=await repo.count(session, Stock),
        movements=await repo.count(session, StockMovement),
        allocations=await repo.count(session, OrderAllocation),
        problems=problems,
    )


async def check_consistency(session: AsyncSession) -> list[str]:
    """Human-readable problems with the stock figures; [] when every invariant holds."""
    return (await inventory_check(session)).problems
