"""Allocation after the remorse window: warehouse choice, moved reservations, split orders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hawker.inventory import service as inventory
from hawker.kit.clock import FrozenClock
from hawker.models import OrderAllocation, OrderFulfilment, Package, Stock, StockMovement
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import Actor, signup
from tests.factories.catalog import make_product
from tests.factories.fulfillment import SimClient, network, packages, ship
from tests.factories.orders import address, make_listing, new_key, pay
from tests.factories.shops import make_warehouse

LA = {"latitude": 34.0522, "longitude": -118.2437}


async def receive(
    client: httpx.AsyncClient, seller: Actor, shop_id: str, sku_id: str, wh: str, qty: int
) -> None:
    r = await client.post(
        f"/api/v1/seller/shops/{shop_id}/stock/receipts",
        json={"sku_id": sku_id, "warehouse_id": wh, "quantity": qty, "note": "test stock"},
        headers=seller.headers,
    )
    assert r.status_code == 201, r.text


async def buy_to(
    client: httpx.AsyncClient,
    runner: JobRunner,
    clock: FrozenClock,
    buyer: Actor,
    items: list[tuple[str, int]],
    postal_code: str,
) -> dict[str, Any]:
    """Place and pay an order shipping to `postal_code`, then let the remorse window end."""
    body = {
        "shipping_address": {**address("US"), "postal_code": postal_code},
        "items": [{"sku_id": s, "quantity": q} for s, q in items],
    }
    r = await client.post(
        "/api/v1/checkout/orders",
        json=body,
        headers={**buyer.headers, "Idempotency-Key": new_key()},
    )
    assert r.status_code == 201, r.text
    placed = r.json()
    r = await pay(client, buyer, placed["checkout_id"])
    assert r.status_code == 200, r.text
    clock.advance(timedelta(hours=1))
    await runner.run_until_idle()
    order: dict[str, Any] = placed["orders"][0]
    return order


async def stock_rows(rt: Runtime) -> dict[tuple[int, int], tuple[int, int]]:
    async with rt.db.read_session() as s:
        return {
            (r.sku_id, r.warehouse_id): (r.on_hand, r.reserved)
            for r in await s.scalars(select(Stock))
        }


async def test_the_order_moves_to_the_cheaper_warehouse_that_holds_everything(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    await network(rt)
    listing = await make_listing(client, rt, runner, stock=5)  # New York, the default
    seller, shop_id, sku = listing.seller, listing.shop_id, listing.sku_id
    west = await make_warehouse(client, seller, shop_id, name="Los Angeles", **LA)
    await receive(client, seller, shop_id, sku, west["id"], 5)
    buyer = await signup(client)
    order = await buy_to(client, runner, clock, buyer, [(sku, 1)], "90210")

    (pkg,) = (await packages(client, seller, shop_id))["items"]
    assert pkg["warehouse_id"] == west["id"]
    assert pkg["warehouse_name"] == "Los Angeles"
    assert pkg["zone"] == 1
    assert pkg["shipping_cost"]["amount_minor"] == 520  # 600 g chargeable: the 1 kg bracket
    east_id, west_id = int(listing.warehouse_id), int(west["id"])
    assert await stock_rows(rt) == {(int(sku), east_id): (5, 0), (int(sku), west_id): (5, 1)}
    async with rt.db.read_session() as s:
        moves = (
            await s.execute(
                select(StockMovement.kind, StockMovement.warehouse_id, StockMovement.reserved_delta)
                .where(StockMovement.ref_id == int(order["id"]))
                .order_by(StockMovement.id)
            )
        ).all()
        assert [tuple(m) for m in moves] == [
            ("RESERVATION", east_id, 1),
            ("RELEASE", east_id, -1),
            ("RESERVATION", west_id, 1),
        ]
        allocs = (
            await s.execute(
                select(OrderAllocation.warehouse_id, OrderAllocation.status).order_by(
                    OrderAllocation.id
                )
            )
        ).all()
        assert [tuple(a) for a in allocs] == [(east_id, "RELEASED"), (west_id, "RESERVED")]
        assert await inventory.check_consistency(s) == []

    # A buyer near New York keeps checkout's warehouse: nothing moves.
    other = await signup(client)
    near = await buy_to(client, runner, clock, other, [(sku, 1)], "10001")
    async with rt.db.read_session() as s:
        kinds = (
            await s.scalars(
                select(StockMovement.kind).where(StockMovement.ref_id == int(near["id"]))
            )
        ).all()
        assert list(kinds) == ["RESERVATION"]
        pkg_row = (
            await s.scalars(select(Package).where(Package.order_id == int(near["id"])))
        ).one()
        assert pkg_row.warehouse_id == east_id
        assert pkg_row.zone == 1


async def test_a_split_order_ships_in_two_packages_and_moves_with_them(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    sim: SimClient,
) -> None:
    await network(rt)
    listing = await make_listing(client, rt, runner, stock=3)  # the shirt, in New York only
    seller, shop_id = listing.seller, listing.shop_id
    west = await make_warehouse(client, seller, shop_id, name="Los Angeles", **LA)
    socks = await make_product(client, runner, seller, shop_id, title="Wool Socks", price_minor=900)
    socks_sku = str(socks["skus"][0]["id"])
    await receive(client, seller, shop_id, socks_sku, west["id"], 4)
    buyer = await signup(client)
    order = await buy_to(
        client, runner, clock, buyer, [(listing.sku_id, 1), (socks_sku, 2)], "12345"
    )

    page = await packages(client, seller, shop_id)
    by_wh = {p["warehouse_id"]: p for p in page["items"]}
    assert set(by_wh) == {listing.warehouse_id, west["id"]}
    east_pkg, west_pkg = by_wh[listing.warehouse_id], by_wh[west["id"]]
    assert [(i["sku_id"], i["quantity"]) for i in east_pkg["items"]] == [(listing.sku_id, 1)]
    assert [(i["sku_id"], i["quantity"]) for i in west_pkg["items"]] == [(socks_sku, 2)]
    assert east_pkg["dispatch_deadline"] == west_pkg["dispatch_deadline"]

    await sim.set_clock(clock.now())
    assert (await ship(client, seller, shop_id, east_pkg["id"])).status_code == 200
    r = await client.get(f"/api/v1/orders/{order['id']}", headers=buyer.headers)
    assert r.json()["status"] == "AWAITING_SHIPMENT"  # one package still to arrange
    r = await ship(client, seller, shop_id, west_pkg["id"])
    assert r.status_code == 200
    west_number = r.json()["tracking_number"]
    east_number = (await packages(client, seller, shop_id, q=east_pkg["id"]))["items"][0][
        "tracking_number"
    ]

    async def status() -> str:
        r = await client.get(f"/api/v1/orders/{order['id']}", headers=buyer.headers)
        return str(r.json()["status"])

    assert await status() == "AWAITING_COLLECTION"
    await sim.push_along(east_number, "PICKED_UP")
    await sim.deliver()
    assert await status() == "PARTIALLY_SHIPPING"
    rows = await stock_rows(rt)
    assert rows[(int(listing.sku_id), int(listing.warehouse_id))] == (2, 0)  # shipped
    assert rows[(int(socks_sku), int(west["id"]))] == (4, 2)  # still reserved
    await sim.push_along(west_number, "PICKED_UP")
    await sim.deliver()
    assert await status() == "IN_TRANSIT"
    await sim.push_along(east_number, "DELIVERED")
    await sim.deliver()
    assert await status() == "IN_TRANSIT"
    await sim.push_along(west_number, "DELIVERED")
    await sim.deliver()
    r = await client.get(f"/api/v1/orders/{order['id']}", headers=buyer.headers)
    detail = r.json()
    assert detail["status"] == "DELIVERED"
    assert [h["to_status"] for h in detail["history"]][2:] == [
        "AWAITING_SHIPMENT",
        "AWAITING_COLLECTION",
        "PARTIALLY_SHIPPING",
        "IN_TRANSIT",
        "DELIVERED",
    ]
    async with rt.db.read_session() as s:
        row = await s.get(OrderFulfilment, int(order["id"]))
        assert row is not None and row.delivered_at is not None and row.dispatched_at is not None
        assert await inventory.check_consistency(s) == []


async def test_a_cancelled_order_closes_its_packages(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    await network(rt)
    listing = await make_listing(client, rt, runner, stock=3)
    buyer = await signup(client)
    order = await buy_to(client, runner, clock, buyer, [(listing.sku_id, 1)], "12345")
    r = await client.post(
        f"/api/v1/seller/shops/{listing.shop_id}/orders/{order['id']}/cancel",
        json={"reason": "Out of stock in store"},
        headers=listing.seller.headers,
    )
    assert r.status_code == 200, r.text
    await runner.run_until_idle()
    page = await packages(client, listing.seller, listing.shop_id, status="CANCELLED")
    (pkg,) = page["items"]
    assert pkg["cancelled_at"] is not None
    assert (await packages(client, listing.seller, listing.shop_id))["items"] == []
    async with rt.db.read_session() as s:
        row = await s.get(OrderFulfilment, int(order["id"]))
        assert row is not None and row.closed_at is not None


async def test_allocation_without_a_network_still_makes_packages(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    listing = await make_listing(client, rt, runner, stock=3)
    buyer = await signup(client)
    await buy_to(client, runner, clock, buyer, [(listing.sku_id, 1)], "12345")
    (pkg,) = (await packages(client, listing.seller, listing.shop_id))["items"]
    assert pkg["warehouse_id"] == listing.warehouse_id
    assert pkg["shipping_cost"] is None
    r = await ship(client, listing.seller, listing.shop_id, pkg["id"])
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "no_delivery_option"
    (same,) = (await packages(client, listing.seller, listing.shop_id))["items"]
    assert same["status"] == "TO_FULFILL" and same["tracking_number"] is None


async def test_moving_a_reservation_is_all_or_nothing(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    listing = await make_listing(client, rt, runner, stock=5)
    seller, shop_id, sku = listing.seller, listing.shop_id, listing.sku_id
    west = await make_warehouse(client, seller, shop_id, name="Los Angeles", **LA)
    await receive(client, seller, shop_id, sku, west["id"], 1)
    buyer = await signup(client)
    placed = await client.post(
        "/api/v1/checkout/orders",
        json={"shipping_address": address("US"), "items": [{"sku_id": sku, "quantity": 2}]},
        headers={**buyer.headers, "Idempotency-Key": new_key()},
    )
    order = placed.json()["orders"][0]
    line_id = int(order["line_items"][0]["id"])
    before = await stock_rows(rt)

    async def movements() -> int:
        async with rt.db.read_session() as s:
            return len((await s.scalars(select(StockMovement))).all())

    count = await movements()
    plan = [inventory.PlannedSlice(line_id, int(sku), int(west["id"]), 2)]  # only 1 unit there
    async with rt.db.session() as s:
        moved = await inventory.move_reservations(
            s, int(order["id"]), plan, now=clock.now(), reason="test"
        )
    assert moved is False
    assert await stock_rows(rt) == before
    assert await movements() == count
    async with rt.db.session() as s:
        with pytest.raises(inventory.StockInconsistent):
            await inventory.move_reservations(
                s,
                int(order["id"]),
                [inventory.PlannedSlice(line_id, int(sku), int(west["id"]), 1)],
                now=clock.now(),
                reason="test",
            )
    assert await stock_rows(rt) == before
    # a split plan that fits moves one unit and keeps one
    split = [
        inventory.PlannedSlice(line_id, int(sku), int(west["id"]), 1),
        inventory.PlannedSlice(line_id, int(sku), int(listing.warehouse_id), 1),
    ]
    async with rt.db.session() as s:
        assert await inventory.move_reservations(
            s, int(order["id"]), split, now=clock.now(), reason="test"
        )
    after = await stock_rows(rt)
    assert after[(int(sku), int(west["id"]))] == (1, 1)
    assert after[(int(sku), int(listing.warehouse_id))] == (5, 1)
    async with rt.db.read_session() as s:
        assert await inventory.check_consistency(s) == []
