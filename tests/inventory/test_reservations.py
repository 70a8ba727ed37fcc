"""Service-level stock rules against the real database: reserve, release, ship, receive, adjust."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text

from hawker.inventory import service as inventory
from hawker.inventory.service import InsufficientStock, ReserveLine
from hawker.models import (
    AllocationStatus,
    MovementKind,
    OrderAllocation,
    StockMovement,
    WarehouseType,
)
from hawker.runtime import Runtime
from tests.factories.inventory import (
    insert_order,
    insert_shop,
    insert_sku,
    insert_warehouse,
    make_stock_world,
    movement_count,
    stock_figures,
)


async def _receive(rt: Runtime, sku_id: int, warehouse_id: int, quantity: int) -> None:
    async with rt.db.session() as s:
        await inventory.receive(
            s,
            sku_id=sku_id,
            warehouse_id=warehouse_id,
            quantity=quantity,
            now=rt.clock.now(),
            actor_id=None,
        )


async def test_reserve_takes_the_default_warehouse_first_and_splits(rt: Runtime) -> None:
    now = rt.clock.now()
    async with rt.db.session() as s:
        w = await make_stock_world(s, now=now, warehouses=3, default_index=2)
        ret = await insert_warehouse(
            s, shop_id=w.shop_id, now=now, type=WarehouseType.RETURN_WAREHOUSE
        )
        order, lines = await insert_order(
            s, buyer_id=w.buyer_id, shop_id=w.shop_id, now=now, lines=[(w.sku_id, 9)]
        )
    first, second, default = w.warehouses
    await _receive(rt, w.sku_id, default, 4)
    await _receive(rt, w.sku_id, second, 3)
    await _receive(rt, w.sku_id, first, 5)
    await _receive(rt, w.sku_id, ret.id, 100)  # return warehouses never sell

    async with rt.db.session() as s:
        allocations = await inventory.reserve(
            s,
            [ReserveLine(order.id, lines[0].id, w.sku_id, w.shop_id, 9)],
            now=now,
            actor_id=w.buyer_id,
        )
        got = sorted((a.warehouse_id, a.quantity, a.status) for a in allocations)
    assert got == sorted(
        [
            (default, 4, AllocationStatus.RESERVED),
            (first, 5, AllocationStatus.RESERVED),
        ]
    )
    async with rt.db.read_session() as s:
        assert await stock_figures(s, w.sku_id, default) == (4, 4)
        assert await stock_figures(s, w.sku_id, first) == (5, 5)
        assert await stock_figures(s, w.sku_id, second) == (3, 0)
        assert await stock_figures(s, w.sku_id, ret.id) == (100, 0)
        movements = (
            await s.scalars(
                select(StockMovement).where(StockMovement.kind == MovementKind.RESERVATION)
            )
        ).all()
        assert sorted((m.warehouse_id, m.on_hand_delta, m.reserved_delta) for m in movements) == (
            sorted([(default, 0, 4), (first, 0, 5)])
        )
        assert {(m.ref_type, m.ref_id, m.actor_id) for m in movements} == {
            ("order", order.id, w.buyer_id)
        }
        assert await inventory.available_by_sku(s, [w.sku_id, 123]) == {w.sku_id: 3, 123: 0}
        assert await inventory.check_consistency(s) == []


async def test_all_or_none_lists_every_short_line(rt: Runtime) -> None:
    now = rt.clock.now()
    async with rt.db.session() as s:
        w = await make_stock_world(s, now=now)
        sku_b = await insert_sku(s, shop_id=w.shop_id, now=now)
        sku_c = await insert_sku(s, shop_id=w.shop_id, now=now)
        order, lines = await insert_order(
            s,
            buyer_id=w.buyer_id,
            shop_id=w.shop_id,
            now=now,
            lines=[(w.sku_id, 2), (sku_b.id, 5), (sku_c.id, 3)],
        )
    wh = w.warehouses[0]
    await _receive(rt, w.sku_id, wh, 10)
    await _receive(rt, sku_b.id, wh, 1)
    async with rt.db.read_session() as s:
        movements_before = await movement_count(s)

    req = [
        ReserveLine(order.id, lines[0].id, w.sku_id, w.shop_id, 2),
        ReserveLine(order.id, lines[1].id, sku_b.id, w.shop_id, 5),
        ReserveLine(order.id, lines[2].id, sku_c.id, w.shop_id, 3),
    ]
    with pytest.raises(InsufficientStock) as caught:
        async with rt.db.session() as s:
            await inventory.reserve(s, req, now=now)
    err = caught.value
    assert err.status_code == 409
    assert err.code == "insufficient_stock"
    assert err.details == [
        {"sku_id": str(sku_b.id), "requested": 5, "available": 1},
        {"sku_id": str(sku_c.id), "requested": 3, "available": 0},
    ]
    async with rt.db.read_session() as s:
        assert await stock_figures(s, w.sku_id, wh) == (10, 0)
        assert await stock_figures(s, sku_b.id, wh) == (1, 0)
        assert await stock_figures(s, sku_c.id, wh) is None
        assert await movement_count(s) == movements_before
        assert (await s.scalars(select(OrderAllocation))).all() == []


async def test_stock_of_another_shop_is_never_reserved(rt: Runtime) -> None:
    now = rt.clock.now()
    async with rt.db.session() as s:
        w = await make_stock_world(s, now=now)
        other = await insert_shop(s, now=now)
        order, lines = await insert_order(
            s, buyer_id=w.buyer_id, shop_id=other.id, now=now, lines=[(w.sku_id, 1)]
        )
    await _receive(rt, w.sku_id, w.warehouses[0], 5)
    with pytest.raises(InsufficientStock) as caught:
        async with rt.db.session() as s:
            await inventory.reserve(
                s, [ReserveLine(order.id, lines[0].id, w.sku_id, other.id, 1)], now=now
            )
    assert caught.value.details == [{"sku_id": str(w.sku_id), "requested": 1, "available": 0}]


async def test_release_is_idempotent_and_ship_moves_units_out(rt: Runtime) -> None:
    now = rt.clock.now()
    async with rt.db.session() as s:
        w = await make_stock_world(s, now=now)
        o1, l1 = await insert_order(
            s, buyer_id=w.buyer_id, shop_id=w.shop_id, now=now, lines=[(w.sku_id, 3)]
        )
        o2, l2 = await insert_order(
            s, buyer_id=w.buyer_id, shop_id=w.shop_id, now=now, lines=[(w.sku_id, 4)]
        )
    wh = w.warehouses[0]
    await _receive(rt, w.sku_id, wh, 10)
    async with rt.db.session() as s:
        await inventory.reserve(s, [ReserveLine(o1.id, l1[0].id, w.sku_id, w.shop_id, 3)], now=now)
        await inventory.reserve(s, [ReserveLine(o2.id, l2[0].id, w.sku_id, w.shop_id, 4)], now=now)

    async with rt.db.session() as s:
        assert await inventory.release_order(s, o1.id, now=now, reason="buyer cancelled") == 3
    async with rt.db.session() as s:
        assert await inventory.release_order(s, o1.id, now=now, reason="buyer cancelled") == 0
        assert await inventory.ship_allocations(s, o1.id, now=now) == 0
    async with rt.db.read_session() as s:
        assert await stock_figures(s, w.sku_id, wh) == (10, 4)

    async with rt.db.session() as s:
        assert await inventory.ship_allocations(s, o2.id, now=now) == 4
    async with rt.db.session() as s:
        assert await inventory.ship_allocations(s, o2.id, now=now) == 0
        assert await inventory.release_order(s, o2.id, now=now, reason="too late") == 0
    async with rt.db.read_session() as s:
        assert await stock_figures(s, w.sku_id, wh) == (6, 0)
        statuses = {a.order_id: a.status for a in (await s.scalars(select(OrderAllocation))).all()}
        assert statuses == {o1.id: AllocationStatus.RELEASED, o2.id: AllocationStatus.SHIPPED}
        kinds = [
            (m.kind, m.on_hand_delta, m.reserved_delta, m.note)
            for m in (await s.scalars(select(StockMovement).order_by(StockMovement.id))).all()
        ]
        assert kinds == [
            (MovementKind.RECEIPT, 10, 0, ""),
            (MovementKind.RESERVATION, 0, 3, ""),
            (MovementKind.RESERVATION, 0, 4, ""),
            (MovementKind.RELEASE, 0, -3, "buyer cancelled"),
            (MovementKind.SHIPMENT, -4, -4, ""),
        ]
        assert await inventory.check_consistency(s) == []


async def test_receive_and_adjust(rt: Runtime) -> None:
    now = rt.clock.now()
    async with rt.db.session() as s:
        w = await make_stock_world(s, now=now)
        order, lines = await insert_order(
            s, buyer_id=w.buyer_id, shop_id=w.shop_id, now=now, lines=[(w.sku_id, 6)]
        )
    wh = w.warehouses[0]
    async with rt.db.session() as s:
        stock = await inventory.receive(
            s,
            sku_id=w.sku_id,
            warehouse_id=wh,
            quantity=8,
            now=now,
            actor_id=w.owner_id,
            note="PO 17",
        )
        assert (stock.on_hand, stock.reserved) == (8, 0)
        stock = await inventory.adjust(
            s, sku_id=w.sku_id, warehouse_id=wh, delta=2, now=now, actor_id=w.owner_id, note="found"
        )
        assert (stock.on_hand, stock.reserved) == (10, 0)
        await inventory.reserve(
            s, [ReserveLine(order.id, lines[0].id, w.sku_id, w.shop_id, 6)], now=now
        )

    # only the 4 free units can be removed
    with pytest.raises(InsufficientStock) as caught:
        async with rt.db.session() as s:
            await inventory.adjust(
                s,
                sku_id=w.sku_id,
                warehouse_id=wh,
                delta=-5,
                now=now,
                actor_id=w.owner_id,
                note="damaged",
            )
    assert caught.value.details == [{"sku_id": str(w.sku_id), "requested": 5, "available": 4}]
    async with rt.db.session() as s:
        stock = await inventory.adjust(
            s,
            sku_id=w.sku_id,
            warehouse_id=wh,
            delta=-4,
            now=now,
            actor_id=w.owner_id,
            note="damaged",
        )
        assert (stock.on_hand, stock.reserved) == (6, 6)
    async with rt.db.read_session() as s:
        adjustments = (
            await s.scalars(
                select(StockMovement)
                .where(StockMovement.kind == MovementKind.ADJUSTMENT)
                .order_by(StockMovement.id)
            )
        ).all()
        assert [(m.on_hand_delta, m.note, m.actor_id) for m in adjustments] == [
            (2, "found", w.owner_id),
            (-4, "damaged", w.owner_id),
        ]
        assert await inventory.check_consistency(s) == []


async def test_bad_inputs_change_nothing(rt: Runtime) -> None:
    now = rt.clock.now()
    async with rt.db.session() as s:
        w = await make_stock_world(s, now=now)
        other = await insert_shop(s, now=now)
        foreign_wh = await insert_warehouse(s, shop_id=other.id, now=now)
    wh = w.warehouses[0]

    cases: list[tuple[type[Exception], str, dict[str, Any]]] = [
        (inventory.InvalidQuantity, "receive", {"warehouse_id": wh, "quantity": 0}),
        (inventory.InvalidQuantity, "receive", {"warehouse_id": wh, "quantity": 1_000_001}),
        (inventory.WarehouseNotFound, "receive", {"warehouse_id": foreign_wh.id, "quantity": 1}),
        (inventory.WarehouseNotFound, "receive", {"warehouse_id": 42, "quantity": 1}),
        (inventory.InvalidQuantity, "adjust", {"warehouse_id": wh, "delta": 0, "note": "x"}),
        (inventory.ReasonRequired, "adjust", {"warehouse_id": wh, "delta": 1, "note": "  "}),
        (inventory.InsufficientStock, "adjust", {"warehouse_id": wh, "delta": -1, "note": "x"}),
    ]
    for error, fn, kwargs in cases:
        with pytest.raises(error):
            async with rt.db.session() as s:
                call = inventory.receive if fn == "receive" else inventory.adjust
                await call(s, sku_id=w.sku_id, now=now, actor_id=None, **kwargs)
    with pytest.raises(inventory.SkuNotFound):
        async with rt.db.session() as s:
            await inventory.receive(
                s, sku_id=987, warehouse_id=wh, quantity=1, now=now, actor_id=None
            )
    async with rt.db.read_session() as s:
        assert await stock_figures(s, w.sku_id, wh) is None
        assert await movement_count(s) == 0


async def test_check_consistency_reports_corruption(rt: Runtime) -> None:
    now = rt.clock.now()
    async with rt.db.session() as s:
        w = await make_stock_world(s, now=now)
    await _receive(rt, w.sku_id, w.warehouses[0], 5)
    async with rt.db.session() as s:
        await s.execute(text("UPDATE stock SET on_hand = 7, reserved = 2"))
    async with rt.db.read_session() as s:
        problems = await inventory.check_consistency(s)
    wh = w.warehouses[0]
    assert problems == [
        f"SKU {w.sku_id} in warehouse {wh}: on_hand 7, reserved 2, but its movements sum to "
        "on_hand 5, reserved 0",
        f"SKU {w.sku_id} in warehouse {wh}: reserved 2, but reserved order allocations hold 0",
    ]
