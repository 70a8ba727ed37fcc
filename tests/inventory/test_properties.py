"""Property: any sequence of receipts, reservations, releases, shipments and adjustments keeps
0 <= reserved <= on_hand in every row, the movements summing to the figures, and the totals
equal to a plain model of what should have happened."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hawker.inventory import service as inventory
from hawker.inventory.service import InsufficientStock, ReserveLine
from hawker.runtime import Runtime
from tests.factories.inventory import insert_order, make_stock_world, stock_figures

WAREHOUSES = 3

ops = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), st.integers(0, WAREHOUSES - 1), st.integers(1, 6)),
        st.tuples(st.just("reserve"), st.just(0), st.integers(1, 8)),
        st.tuples(st.just("release"), st.integers(0, 20), st.just(0)),
        st.tuples(st.just("ship"), st.integers(0, 20), st.just(0)),
        st.tuples(st.just("adjust"), st.integers(0, WAREHOUSES - 1), st.integers(-5, 5)),
    ),
    min_size=1,
    max_size=25,
)


@dataclass
class Model:
    """What the totals over all warehouses must be."""

    on_hand: int = 0
    reserved: int = 0
    open_orders: dict[int, int] = field(default_factory=dict)  # order id -> reserved units


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=ops)
async def test_any_sequence_keeps_the_invariants(
    rt: Runtime, steps: list[tuple[str, int, int]]
) -> None:
    now = rt.clock.now()
    async with rt.db.session() as s:
        w = await make_stock_world(s, now=now, warehouses=WAREHOUSES, default_index=1)
    model = Model()
    orders: list[int] = []
    per_warehouse_free = {wh: 0 for wh in w.warehouses}

    for op, arg, qty in steps:
        if op == "receive":
            wh = w.warehouses[arg]
            async with rt.db.session() as s:
                await inventory.receive(
                    s, sku_id=w.sku_id, warehouse_id=wh, quantity=qty, now=now, actor_id=None
                )
            model.on_hand += qty
        elif op == "reserve":
            try:
                async with rt.db.session() as s:
                    order, lines = await insert_order(
                        s, buyer_id=w.buyer_id, shop_id=w.shop_id, now=now, lines=[(w.sku_id, qty)]
                    )
                    await inventory.reserve(
                        s, [ReserveLine(order.id, lines[0].id, w.sku_id, w.shop_id, qty)], now=now
                    )
            except InsufficientStock as exc:
                assert model.on_hand - model.reserved < qty
                assert exc.details == [
                    {
                        "sku_id": str(w.sku_id),
                        "requested": qty,
                        "available": model.on_hand - model.reserved,
                    }
                ]
            else:
                assert model.on_hand - model.reserved >= qty
                model.reserved += qty
                model.open_orders[order.id] = qty
                orders.append(order.id)
        elif op in ("release", "ship") and orders:
            order_id = orders[arg % len(orders)]
            async with rt.db.session() as s:
                if op == "release":
                    moved = await inventory.release_order(s, order_id, now=now, reason="test")
                else:
                    moved = await inventory.ship_allocations(s, order_id, now=now)
            expected = model.open_orders.pop(order_id, 0)
            assert moved == expected
            model.reserved -= expected
            if op == "ship":
                model.on_hand -= expected
        elif op == "adjust" and qty != 0:
            wh = w.warehouses[arg]
            async with rt.db.read_session() as s:
                figures = await stock_figures(s, w.sku_id, wh)
            free = 0 if figures is None else figures[0] - figures[1]
            try:
                async with rt.db.session() as s:
                    await inventory.adjust(
                        s,
                        sku_id=w.sku_id,
                        warehouse_id=wh,
                        delta=qty,
                        now=now,
                        actor_id=None,
                        note="count",
                    )
            except InsufficientStock:
                assert qty < 0 and free < -qty
            else:
                assert qty > 0 or free >= -qty
                model.on_hand += qty

        async with rt.db.read_session() as s:
            on_hand = reserved = 0
            for wh in w.warehouses:
                figures = await stock_figures(s, w.sku_id, wh) or (0, 0)
                assert 0 <= figures[1] <= figures[0]
                per_warehouse_free[wh] = figures[0] - figures[1]
                on_hand += figures[0]
                reserved += figures[1]
            assert (on_hand, reserved) == (model.on_hand, model.reserved)
            assert await inventory.available_by_sku(s, [w.sku_id]) == {
                w.sku_id: model.on_hand - model.reserved
            }

    async with rt.db.read_session() as s:
        assert await inventory.check_consistency(s) == []
