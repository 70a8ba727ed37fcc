"""A buyer sees only their orders, a seller only their shops' orders; denials change nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from hawker.kit.clock import FrozenClock
from hawker.models import Order, OrderHistory, OutboxEvent, Refund, Stock
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import make_operator, signup
from tests.factories.orders import buy, count_rows, make_listing


async def snapshot(rt: Runtime) -> dict[str, Any]:
    async with rt.db.read_session() as s:
        rows = (await s.scalars(select(Order).order_by(Order.id))).all()
        stock = [(r.on_hand, r.reserved) for r in await s.scalars(select(Stock).order_by(Stock.id))]
    return {
        "orders": [(o.id, o.status, o.version) for o in rows],
        "stock": stock,
        "history": await count_rows(rt, OrderHistory),
        "events": await count_rows(rt, OutboxEvent),
        "refunds": await count_rows(rt, Refund),
    }


async def test_other_buyers_and_other_shops_get_404_and_change_nothing(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    shop_a = await make_listing(client, rt, runner)
    shop_b = await make_listing(client, rt, runner)
    alice = await signup(client)
    bob = await signup(client)
    order = await buy(client, alice, shop_a)
    clock.advance(timedelta(hours=1))
    await runner.run_until_idle()  # AWAITING_SHIPMENT: the seller could cancel it
    oid = order["id"]
    before = await snapshot(rt)

    # buyer B
    r = await client.get(f"/api/v1/orders/{oid}", headers=bob.headers)
    assert (r.status_code, r.json()["error"]["code"]) == (404, "order_not_found")
    r = await client.post(f"/api/v1/orders/{oid}/cancel", json={"reason": "x"}, headers=bob.headers)
    assert (r.status_code, r.json()["error"]["code"]) == (404, "order_not_found")
    assert (await client.get("/api/v1/orders", headers=bob.headers)).json()["items"] == []
    missing = await client.get("/api/v1/orders/123456789", headers=alice.headers)
    assert missing.status_code == 404

    # seller B: not through A's shop, not through their own shop
    b_seller = shop_b.seller.headers
    r = await client.get(f"/api/v1/seller/shops/{shop_a.shop_id}/orders", headers=b_seller)
    assert r.status_code == 404
    r = await client.get(f"/api/v1/seller/shops/{shop_a.shop_id}/orders/{oid}", headers=b_seller)
    assert r.status_code == 404
    r = await client.get(f"/api/v1/seller/shops/{shop_b.shop_id}/orders/{oid}", headers=b_seller)
    assert (r.status_code, r.json()["error"]["code"]) == (404, "order_not_found")
    for shop_id in (shop_a.shop_id, shop_b.shop_id):
        r = await client.post(
            f"/api/v1/seller/shops/{shop_id}/orders/{oid}/cancel",
            json={"reason": "not mine"},
            headers=b_seller,
        )
        assert r.status_code == 404
    # a buyer is not a member of the seller's shop
    r = await client.get(f"/api/v1/seller/shops/{shop_a.shop_id}/orders", headers=alice.headers)
    assert r.status_code == 404

    # operators read any order; nobody else may use the operator path
    operator = await make_operator(rt)
    r = await client.get(f"/api/v1/operator/orders/{oid}", headers=operator.headers)
    assert r.status_code == 200
    assert [h["to_status"] for h in r.json()["history"]] == [
        "UNPAID",
        "ON_HOLD",
        "AWAITING_SHIPMENT",
    ]
    r = await client.get(f"/api/v1/operator/orders/{oid}", headers=alice.headers)
    assert r.status_code == 403
    client.cookies.clear()
    assert (await client.get(f"/api/v1/orders/{oid}")).status_code == 401

    assert await snapshot(rt) == before
