"""Placing orders: the key, the address, stock all-or-nothing, what leaves the cart."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from hawker.models import (
    CartItem,
    IdempotencyRecord,
    Order,
    OrderAllocation,
    OrderHistory,
    OrderLine,
    OutboxEvent,
    Stock,
    StockMovement,
)
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.orders import add_to_cart, address, count_rows, make_listing, place

ORDER_TABLES: tuple[type[Any], ...] = (
    Order,
    OrderLine,
    OrderAllocation,
    OrderHistory,
    IdempotencyRecord,
)


async def snapshot(rt: Runtime) -> dict[str, Any]:
    """Everything placing an order could change."""
    counts = {m.__tablename__: await count_rows(rt, m) for m in ORDER_TABLES}
    counts["order_events"] = await count_rows(
        rt, OutboxEvent, OutboxEvent.topic == "order.status_changed"
    )
    counts["movements"] = await count_rows(rt, StockMovement)
    async with rt.db.read_session() as s:
        stock = sorted((r.sku_id, r.on_hand, r.reserved) for r in await s.scalars(select(Stock)))
        cart = sorted((r.user_id, r.sku_id, r.quantity) for r in await s.scalars(select(CartItem)))
    return {"counts": counts, "stock": stock, "cart": cart}


async def test_the_key_is_required_and_bounded(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_listing(client, rt, runner)
    buyer = await signup(client)
    await add_to_cart(client, buyer, listing.sku_id)
    before = await snapshot(rt)

    body = {"shipping_address": address("US")}
    r = await client.post("/api/v1/checkout/orders", json=body, headers=buyer.headers)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "idempotency_key_required"
    for bad in ("", "k" * 256):
        r = await client.post(
            "/api/v1/checkout/orders",
            json=body,
            headers={**buyer.headers, "Idempotency-Key": bad},
        )
        assert r.status_code == 400
        assert r.json()["error"]["code"] == "invalid_idempotency_key"
    r = await client.post(
        "/api/v1/checkout/orders",
        json={"shipping_address": {"name": "No street"}},
        headers={**buyer.headers, "Idempotency-Key": "k"},
    )
    assert r.status_code == 422
    assert await snapshot(rt) == before

    ok = await place(client, buyer, key="k" * 255)
    assert ok.status_code == 201, ok.text


async def test_short_stock_fails_every_line_and_creates_nothing(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    a = await make_listing(client, rt, runner, stock=1)
    b = await make_listing(client, rt, runner, stock=5)
    c = await make_listing(client, rt, runner, stock=2)
    buyer = await signup(client)
    await add_to_cart(client, buyer, a.sku_id, 2)  # short by one
    await add_to_cart(client, buyer, b.sku_id, 5)  # enough
    await add_to_cart(client, buyer, c.sku_id, 3)  # short by one
    before = await snapshot(rt)

    r = await place(client, buyer)
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "insufficient_stock"
    assert sorted(error["details"], key=lambda d: d["sku_id"]) == sorted(
        [
            {"sku_id": a.sku_id, "requested": 2, "available": 1},
            {"sku_id": c.sku_id, "requested": 3, "available": 2},
        ],
        key=lambda d: d["sku_id"],
    )
    assert await snapshot(rt) == before


async def test_items_buy_part_of_the_cart(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    a = await make_listing(client, rt, runner)
    b = await make_listing(client, rt, runner)
    buyer = await signup(client)
    await add_to_cart(client, buyer, a.sku_id, 3)
    await add_to_cart(client, buyer, b.sku_id, 1)

    # a SKU listed twice is one line; a is partly bought, b is untouched
    r = await place(client, buyer, items=[(a.sku_id, 1), (a.sku_id, 1)])
    assert r.status_code == 201, r.text
    (order,) = r.json()["orders"]
    assert [(ln["sku_id"], ln["quantity"]) for ln in order["line_items"]] == [(a.sku_id, 2)]
    cart = (await client.get("/api/v1/cart", headers=buyer.headers)).json()
    lines = [(ln["sku_id"], ln["quantity"]) for s in cart["shops"] for ln in s["lines"]]
    assert lines == [(a.sku_id, 1), (b.sku_id, 1)]

    # buying something that is not in the cart at all leaves the cart alone
    c = await make_listing(client, rt, runner)
    r = await place(client, buyer, items=[(c.sku_id, 1)])
    assert r.status_code == 201, r.text
    assert await count_rows(rt, CartItem) == 2


async def test_refusals_change_nothing(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_listing(client, rt, runner)
    buyer = await signup(client)

    empty = await place(client, buyer)
    assert empty.status_code == 400
    assert empty.json()["error"]["code"] == "cart_empty"

    await add_to_cart(client, buyer, listing.sku_id, 2)
    before = await snapshot(rt)
    outside = await place(client, buyer, country_code="GB")
    assert outside.status_code == 400
    error = outside.json()["error"]
    assert error["code"] == "address_outside_market"
    assert error["details"] == {
        "country_code": "GB",
        "markets": ["US"],
        "sku_ids": [listing.sku_id],
    }
    unknown = await place(client, buyer, items=[("123456789", 1)])
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "sku_not_found"
    too_many = await place(client, buyer, items=[(listing.sku_id, 1000)])
    assert too_many.status_code == 400
    assert too_many.json()["error"]["code"] == "invalid_quantity"
    # One rule for both ends of the range, and for each line before a repeated SKU is summed.
    for items in ([(listing.sku_id, 0)], [(listing.sku_id, 5), (listing.sku_id, -3)]):
        r = await place(client, buyer, items=items)
        assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_quantity"), items

    r = await client.post(
        f"/api/v1/seller/shops/{listing.shop_id}/products/{listing.product['id']}/deactivate",
        headers=listing.seller.headers,
    )
    assert r.status_code == 200, r.text
    closed = await place(client, buyer)
    assert closed.status_code == 409
    assert closed.json()["error"]["code"] == "sku_not_sellable"
    assert closed.json()["error"]["details"] == {"sku_ids": [listing.sku_id]}
    assert await snapshot(rt) == before

    client.cookies.clear()
    anonymous = await client.post(
        "/api/v1/checkout/orders",
        json={"shipping_address": address("US")},
        headers={"Idempotency-Key": "anon"},
    )
    assert anonymous.status_code == 401
    assert await snapshot(rt) == before
