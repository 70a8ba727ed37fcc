"""Stock rules: receipts, adjustments, reservations for orders, releases and shipments.

Every change to a stock row is one conditional UPDATE plus exactly one StockMovement, so per
(sku, warehouse) the movements always sum to `on_hand` and `reserved`, and `reserved <=
on_hand` (both >= 0) holds under any concurrency. Functions flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.errors import BadRequest, Conflict, HawkerError, NotFound, id_after_cursor
from hawker.inventory import planning
from hawker.inventory import repository as repo
from hawker.kit.ids import new_id
from hawker.kit.pagination import encode_cursor
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
from hawker.shops import service as shops

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


async def ship_allocations(
    session: AsyncSession, order_id: int, *, now: datetime, warehouse_id: int | None = None
) -> int:
    """RESERVED -> SHIPPED: the units leave the warehouse (on_hand -n, reserved -n).

    With `warehouse_id`, only the units reserved there (one package of a split order).
    """
    shipped = 0
    for alloc_id, stock_id, sku_id, from_warehouse, qty in await repo.reserved_allocations(
        session, order_id, warehouse_id=warehouse_id
    ):
        if not await repo.claim_allocation(session, alloc_id, to_status=AllocationStatus.SHIPPED):
            continue
        if not await repo.ship_reserved(session, stock_id=stock_id, quantity=qty, now=now):
            raise StockInconsistent(f"Stock row {stock_id} cannot ship {qty} reserved units.")
        session.add(
            _movement(
                MovementKind.SHIPMENT,
                sku_id=sku_id,
                warehouse_id=from_warehouse,
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


@dataclass(frozen=True)
class PlannedSlice:
    """`quantity` units of order line `line_id` (SKU `sku_id`) to be held in `warehouse_id`."""

    line_id: int
    sku_id: int
    warehouse_id: int
    quantity: int


async def move_reservations(
    session: AsyncSession,
    order_id: int,
    plan: Sequence[PlannedSlice],
    *,
    now: datetime,
    reason: str,
) -> bool:
    """Hold the order's units where `plan` says (fulfilment chose other warehouses).

    Only lines whose warehouses change are touched: their RESERVED allocations are released
    and the planned slices reserved, all in one savepoint, stock rows locked in id order.
    Returns False and changes nothing when a planned warehouse no longer has the units
    (the caller keeps the reservation it had); True when the plan now holds.
    """
    current: dict[int, dict[int, int]] = {}
    held = await repo.reserved_lines(session, order_id)
    for _, line_id, warehouse_id, qty in held:
        by_wh = current.setdefault(line_id, {})
        by_wh[warehouse_id] = by_wh.get(warehouse_id, 0) + qty
    wanted: dict[int, dict[int, int]] = {}
    skus: dict[int, int] = {}
    for sl in plan:
        if sl.quantity <= 0:
            raise InvalidQuantity("A planned slice holds at least one unit.")
        by_wh = wanted.setdefault(sl.line_id, {})
        by_wh[sl.warehouse_id] = by_wh.get(sl.warehouse_id, 0) + sl.quantity
        skus[sl.line_id] = sl.sku_id
    changed = {line for line in wanted if wanted[line] != current.get(line)}
    if not changed:
        return True
    for line in changed:
        if sum(wanted[line].values()) != sum(current.get(line, {}).values()):
            raise StockInconsistent(f"The plan for line {line} moves a different number of units.")
    old = [
        (alloc_id, stock_id, sku_id, wh, qty)
        for alloc_id, stock_id, sku_id, wh, qty in await repo.reserved_allocations(
            session, order_id
        )
        if alloc_id in {a for a, line_id, _, _ in held if line_id in changed}
    ]
    new = [
        (line, skus[line], wh, qty) for line in sorted(changed) for wh, qty in wanted[line].items()
    ]
    pairs = {(sku, wh) for _, _, sku, wh, _ in old} | {(sku, wh) for _, sku, wh, _ in new}
    stock_of = await repo.stock_ids(session, pairs, lock=True)
    if any((sku, wh) not in stock_of for _, sku, wh, _ in new):
        return False
    try:
        async with session.begin_nested():
            for alloc_id, stock_id, _, _, qty in old:
                if not await repo.claim_allocation(
                    session, alloc_id, to_status=AllocationStatus.RELEASED
                ) or not await repo.unreserve(session, stock_id=stock_id, quantity=qty, now=now):
                    raise _LostRace
            for _, sku, wh, qty in sorted(new, key=lambda n: stock_of[(n[1], n[2])]):
                if not await repo.try_reserve(
                    session, stock_id=stock_of[(sku, wh)], quantity=qty, now=now
                ):
                    raise _LostRace
    except _LostRace:
        return False
    for _, _, sku, wh, qty in old:
        session.add(
            _movement(
                MovementKind.RELEASE,
                sku_id=sku,
                warehouse_id=wh,
                on_hand=0,
                reserved=-qty,
                ref_id=order_id,
                actor_id=None,
                now=now,
                note=reason,
            )
        )
    for line, sku, wh, qty in new:
        session.add(
            _movement(
                MovementKind.RESERVATION,
                sku_id=sku,
                warehouse_id=wh,
                on_hand=0,
                reserved=qty,
                ref_id=order_id,
                actor_id=None,
                now=now,
                note=reason,
            )
        )
        session.add(
            OrderAllocation(
                order_id=order_id,
                line_id=line,
                sku_id=sku,
                warehouse_id=wh,
                quantity=qty,
                status=AllocationStatus.RESERVED,
            )
        )
    await session.flush()
    return True


# --- units set aside (live flash deals) -------------------------------------------------------
#
# A live flash deal sets its units aside when it is created: they are reserved in one sales
# warehouse's stock row (one RESERVATION movement referring to the deal), so no ordinary
# checkout can sell them. Orders of the deal then hold those units as their allocations
# without changing the stock figures; whatever is left goes back on sale when the deal ends
# (one RELEASE movement). `inventory_check` counts the units a deal still holds.


@dataclass(frozen=True)
class AllocationDraft:
    order_id: int
    line_id: int
    sku_id: int
    warehouse_id: int
    quantity: int


async def set_aside(
    session: AsyncSession,
    *,
    sku_id: int,
    shop_id: int,
    quantity: int,
    ref_type: str,
    ref_id: int,
    now: datetime,
    actor_id: int | None,
    warehouse_id: int | None = None,
) -> int:
    """Reserve `quantity` units in ONE of the shop's sales warehouses; returns its id.

    The default warehouse first, then by id (or only `warehouse_id` when given). Raises
    InsufficientStock (with the most any one warehouse has free) when none holds them all.
    """
    if quantity <= 0 or quantity > MAX_QUANTITY:
        raise InvalidQuantity(f"Quantity {quantity} is not between 1 and {MAX_QUANTITY}.")
    rows = await repo.sales_stock_rows(session, {(sku_id, shop_id)}, lock=False)
    candidates = sorted(rows, key=lambda r: (not r.is_default, r.stock_id))
    if warehouse_id is not None:
        candidates = [r for r in candidates if r.warehouse_id == warehouse_id]
    for row in candidates:
        if row.free >= quantity and await repo.try_reserve(
            session, stock_id=row.stock_id, quantity=quantity, now=now
        ):
            session.add(
                _movement(
                    MovementKind.RESERVATION,
                    sku_id=sku_id,
                    warehouse_id=row.warehouse_id,
                    on_hand=0,
                    reserved=quantity,
                    ref_id=ref_id,
                    ref_type=ref_type,
                    actor_id=actor_id,
                    now=now,
                    note="set aside",
                )
            )
            await session.flush()
            return row.warehouse_id
    best = max((r.free for r in candidates), default=0)
    raise InsufficientStock(
        [ShortLine(sku_id, quantity, best)],
        f"No sales warehouse holds {quantity} free units of SKU {sku_id} (at most {best}).",
    )


async def release_set_aside(
    session: AsyncSession,
    *,
    sku_id: int,
    warehouse_id: int,
    quantity: int,
    ref_type: str,
    ref_id: int,
    now: datetime,
    note: str,
) -> None:
    """Units set aside go back on sale: reserved -quantity, one RELEASE movement."""
    if quantity <= 0:
        return
    stock = await repo.get_stock(session, sku_id, warehouse_id)
    if stock is None or not await repo.unreserve(
        session, stock_id=stock.id, quantity=quantity, now=now
    ):
        raise StockInconsistent(
            f"SKU {sku_id} in warehouse {warehouse_id} holds fewer reserved units than {quantity}."
        )
    session.add(
        _movement(
            MovementKind.RELEASE,
            sku_id=sku_id,
            warehouse_id=warehouse_id,
            on_hand=0,
            reserved=-quantity,
            ref_id=ref_id,
            ref_type=ref_type,
            actor_id=None,
            now=now,
            note=note,
        )
    )
    await session.flush()


async def allocate_set_aside(session: AsyncSession, drafts: Sequence[AllocationDraft]) -> None:
    """Orders take units that are already reserved (set aside): RESERVED allocations in one
    statement; the stock figures do not change, so there is no movement."""
    await repo.insert_allocations(
        session,
        [
            {
                "id": new_id(),
                "order_id": d.order_id,
                "line_id": d.line_id,
                "sku_id": d.sku_id,
                "warehouse_id": d.warehouse_id,
                "quantity": d.quantity,
                "status": AllocationStatus.RESERVED,
            }
            for d in drafts
        ],
    )


async def take_back_allocations(session: AsyncSession, order_id: int) -> int:
    """The order's RESERVED allocations end (RELEASED) while their units stay reserved in the
    stock rows: they return to what they were set aside for. Returns the units. Idempotent."""
    taken = 0
    for alloc_id, _, _, _, qty in await repo.reserved_allocations(session, order_id):
        if await repo.claim_allocation(session, alloc_id, to_status=AllocationStatus.RELEASED):
            taken += qty
    await session.flush()
    return taken


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
    ref_type: str = "order",
) -> StockMovement:
    return StockMovement(
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        kind=kind,
        on_hand_delta=on_hand,
        reserved_delta=reserved,
        ref_type=ref_type if ref_id is not None else None,
        ref_id=ref_id,
        note=note[:255],
        actor_id=actor_id,
        created_at=now,
    )


async def _check_same_shop(session: AsyncSession, sku_id: int, warehouse_id: int) -> None:
    """The SKU and the warehouse belong to one shop, and that shop is not closed."""
    shop_id = await repo.sku_shop_id(session, sku_id)
    if shop_id is None:
        raise SkuNotFound(f"There is no SKU {sku_id}.")
    warehouse = await repo.get_warehouse(session, warehouse_id)
    if warehouse is None or warehouse.shop_id != shop_id:
        raise WarehouseNotFound(f"There is no warehouse {warehouse_id}.")
    shops.ensure_not_closed(await shops.get_shop(session, shop_id))


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
        before_id=id_after_cursor(cursor),
        limit=limit + 1,
    )
    views = [StockView(*row) for row in rows[:limit]]
    more = len(rows) > limit
    return views, encode_cursor({"id": views[-1].stock.id}) if more else None


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
    rows = list(
        await repo.list_movements(
            session,
            shop_id=shop_id,
            sku_id=sku_id,
            warehouse_id=warehouse_id,
            kind=kind,
            before_id=id_after_cursor(cursor),
            limit=limit + 1,
        )
    )
    items = rows[:limit]
    more = len(rows) > limit
    return items, encode_cursor({"id": items[-1].id}) if more else None


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
