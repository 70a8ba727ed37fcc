"""Real concurrency: many reservations at once in separate sessions (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from hawker.inventory import repository as repo
from hawker.inventory import service as inventory
from hawker.inventory.planning import CandidateRow
from hawker.inventory.service import InsufficientStock, ReserveLine, StockBusy
from hawker.models import AllocationStatus, OrderAllocation
from hawker.runtime import Runtime
from tests.factories.inventory import (
    insert_order,
    insert_sku,
    make_stock_world,
    movement_count,
    stock_figures,
)


async def _attempt(rt: Runtime, lines: list[ReserveLine]) -> bool:
    try:
        async with rt.db.session() as s:
            await inventory.reserve(s, lines, now=rt.clock.now())
    except InsufficientStock:
        return False
    return True


async def test_fifty_buyers_for_ten_units(rt: Runtime) -> None:
    now = rt.clock.now()
    async with rt.db.session() as s:
        w = await make_stock_world(s, now=now, warehouses=2)
        requests = []
        for _ in range(50):
            order, lines = await insert_order(
                s, buyer_id=w.buyer_id, shop_id=w.shop_id, now=now, lines=[(w.sku_id, 1)]
            )
            requests.append([ReserveLine(order.id, lines[0].id, w.sku_id, w.shop_id, 1)])
        for wh in w.warehouses:  # 10 units, 5 in each warehouse
            await inventory.receive(
                s, sku_id=w.sku_id, warehouse_id=wh, quantity=5, now=now, actor_id=None
            )

    results = await asyncio.gather(*(_attempt(rt, lines) for lines in requests))

    assert results.count(True) == 10
    assert results.count(False) == 40
    async with rt.db.read_session() as s:
        for wh in w.warehouses:
            assert await stock_figures(s, w.sku_id, wh) == (5, 5)
        reserved = await s.scalar(
            select(func.sum(OrderAllocation.quantity)).where(
                OrderAllocation.status == AllocationStatus.RESERVED
            )
        )
        assert reserved == 10
        assert await movement_count(s) == 2 + 10
        assert await inventory.check_consistency(s) == []


async def test_opposite_line_orders_do_not_deadlock(rt: Runtime) -> None:
    now = rt.clock.now()
    async with rt.db.session() as s:
        w = await make_stock_world(s, now=now)
        sku_b = await insert_sku(s, shop_id=w.shop_id, now=now)
        requests = []
        for i in range(20):
            pair = [(w.sku_id, 1), (sku_b.id, 1)]
            if i % 2:
                pair.reverse()
            order, lines = await insert_order(
                s, buyer_id=w.buyer_id, shop_id=w.shop_id, now=now, lines=pair
            )
            requests.append([ReserveLine(order.id, ln.id, ln.sku_id, w.shop_id, 1) for ln in lines])
        for sku in (w.sku_id, sku_b.id):
            await inventory.receive(
                s, sku_id=sku, warehouse_id=w.warehouses[0], quantity=7, now=now, actor_id=None
            )

    results = await asyncio.gather(*(_attempt(rt, lines) for lines in requests))

    assert results.count(True) == 7
    async with rt.db.read_session() as s:
        assert await stock_figures(s, w.sku_id, w.warehouses[0]) == (7, 7)
        assert await stock_figures(s, sku_b.id, w.warehouses[0]) == (7, 7)
        assert await inventory.check_consistency(s) == []


async def test_a_lost_race_is_planned_again_from_fresh_figures(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first read is stale (another buyer took units after it): the conditional update
    misses, the attempt is rolled back and the line is split from what is really there."""
    now = rt.clock.now()
    async with rt.db.session() as s:
        w = await make_stock_world(s, now=now, warehouses=2)
        order, lines = await insert_order(
            s, buyer_id=w.buyer_id, shop_id=w.shop_id, now=now, lines=[(w.sku_id, 8)]
        )
        for wh in w.warehouses:
            await inventory.receive(
                s, sku_id=w.sku_id, warehouse_id=wh, quantity=5, now=now, actor_id=None
            )

    real = repo.sales_stock_rows
    reads: list[bool] = []

    async def stale_first(*args: Any, **kwargs: Any) -> list[CandidateRow]:
        rows = await real(*args, **kwargs)
        reads.append(kwargs["lock"])
        if len(reads) == 1:
            return [CandidateRow(**{**r.__dict__, "free": 10}) for r in rows]
        return rows

    monkeypatch.setattr(repo, "sales_stock_rows", stale_first)
    async with rt.db.session() as s:
        allocations = await inventory.reserve(
            s, [ReserveLine(order.id, lines[0].id, w.sku_id, w.shop_id, 8)], now=now
        )
        got = sorted((a.warehouse_id, a.quantity) for a in allocations)
    assert reads == [False, False]
    assert got == sorted([(w.warehouses[0], 5), (w.warehouses[1], 3)])
    async with rt.db.read_session() as s:
        assert await stock_figures(s, w.sku_id, w.warehouses[0]) == (5, 5)
        assert await stock_figures(s, w.sku_id, w.warehouses[1]) == (5, 3)
        assert await inventory.check_consistency(s) == []


async def test_endless_lost_races_give_up_without_changing_anything(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = rt.clock.now()
    async with rt.db.session() as s:
        w = await make_stock_world(s, now=now, warehouses=2)
        order, lines = await insert_order(
            s, buyer_id=w.buyer_id, shop_id=w.shop_id, now=now, lines=[(w.sku_id, 8)]
        )
        for wh in w.warehouses:
            await inventory.receive(
                s, sku_id=w.sku_id, warehouse_id=wh, quantity=5, now=now, actor_id=None
            )
    real = repo.try_reserve
    calls: list[int] = []

    async def second_update_always_loses(*args: Any, **kwargs: Any) -> bool:
        calls.append(kwargs["stock_id"])
        ok = await real(*args, **kwargs)
        return ok and len(calls) % 2 == 1

    monkeypatch.setattr(repo, "try_reserve", second_update_always_loses)
    with pytest.raises(StockBusy):
        async with rt.db.session() as s:
            await inventory.reserve(
                s, [ReserveLine(order.id, lines[0].id, w.sku_id, w.shop_id, 8)], now=now
            )
            assert len(calls) == 2 * (inventory.OPTIMISTIC_ATTEMPTS + 1)
            # every failed attempt was rolled back to its savepoint, inside the transaction
            for wh in w.warehouses:
                assert await stock_figures(s, w.sku_id, wh) == (5, 0)
    async with rt.db.read_session() as s:
        for wh in w.warehouses:
            assert await stock_figures(s, w.sku_id, wh) == (5, 0)
        assert (await s.scalars(select(OrderAllocation))).all() == []
