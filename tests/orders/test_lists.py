"""Buyer and seller order lists: filters, text search, cursor pagination."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from hawker.kit.clock import FrozenClock
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import Actor, signup
from tests.factories.orders import make_listing, pay, place_ok


async def ids(client: httpx.AsyncClient, path: str, who: Actor, params: Any = None) -> list[str]:
    r = await client.get(path, params=params, headers=who.headers)
    assert r.status_code == 200, r.text
    return [o["id"] for o in r.json()["items"]]


async def test_buyer_and_seller_lists(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    shirt = await make_listing(client, rt, runner, title="Linen Shirt")
    jacket = await make_listing(client, rt, runner, title="Rain Jacket")
    buyer = await signup(client)
    other = await signup(client)
    t0 = clock.now()

    o1 = (await place_ok(client, buyer, items=[(shirt.sku_id, 1)]))["orders"][0]["id"]
    clock.advance(timedelta(hours=1))
    placed = await place_ok(client, buyer, items=[(jacket.sku_id, 1)])
    o2 = placed["orders"][0]["id"]
    assert (await pay(client, buyer, placed["checkout_id"])).status_code == 200
    clock.advance(timedelta(hours=1))
    o3 = (await place_ok(client, buyer, items=[(shirt.sku_id, 2)], recipient="Grace Hopper"))[
        "orders"
    ][0]["id"]
    await place_ok(client, other, items=[(shirt.sku_id, 1)])  # someone else's order

    mine = "/api/v1/orders"
    assert await ids(client, mine, buyer) == [o3, o2, o1]
    assert await ids(client, mine, buyer, {"status": "UNPAID"}) == [o3, o1]
    assert await ids(client, mine, buyer, [("status", "UNPAID"), ("status", "ON_HOLD")]) == [
        o3,
        o2,
        o1,
    ]
    assert await ids(client, mine, buyer, {"status": "CANCELLED"}) == []
    half = (t0 + timedelta(minutes=30)).isoformat()
    ninety = (t0 + timedelta(minutes=90)).isoformat()
    assert await ids(client, mine, buyer, {"created_from": half}) == [o3, o2]
    assert await ids(client, mine, buyer, {"created_to": ninety}) == [o2, o1]
    assert await ids(client, mine, buyer, {"created_from": half, "created_to": ninety}) == [o2]
    assert await ids(client, mine, buyer, {"q": "JACKET"}) == [o2]
    assert await ids(client, mine, buyer, {"q": "grace"}) == [o3]
    assert await ids(client, mine, buyer, {"q": o1}) == [o1]
    assert await ids(client, mine, buyer, {"q": "100%_"}) == []

    # cursor pagination, newest first
    r = await client.get(mine, params={"limit": 2}, headers=buyer.headers)
    page = r.json()
    assert [o["id"] for o in page["items"]] == [o3, o2]
    assert page["next_cursor"]
    r = await client.get(
        mine, params={"limit": 2, "cursor": page["next_cursor"]}, headers=buyer.headers
    )
    assert [o["id"] for o in r.json()["items"]] == [o1]
    assert r.json()["next_cursor"] is None
    r = await client.get(mine, params={"limit": 3}, headers=buyer.headers)
    assert r.json()["next_cursor"] is None

    bad = await client.get(mine, params={"cursor": "not-a-cursor"}, headers=buyer.headers)
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_cursor"
    for params in ({"limit": 0}, {"limit": 101}, {"status": "LOST"}):
        r = await client.get(mine, params=params, headers=buyer.headers)
        assert r.status_code == 422, params

    shop = f"/api/v1/seller/shops/{shirt.shop_id}/orders"
    all_shirt = await ids(client, shop, shirt.seller)
    assert len(all_shirt) == 3 and all_shirt[1:] == [o3, o1]
    assert await ids(client, shop, shirt.seller, {"q": "grace"}) == [o3]
    assert await ids(client, shop, shirt.seller, {"created_to": ninety}) == [o1]
    r = await client.get(shop, params={"limit": 1}, headers=shirt.seller.headers)
    first = r.json()
    assert len(first["items"]) == 1
    r = await client.get(
        shop, params={"limit": 2, "cursor": first["next_cursor"]}, headers=shirt.seller.headers
    )
    assert [o["id"] for o in r.json()["items"]] == [o3, o1]
    assert await ids(
        client,
        f"/api/v1/seller/shops/{jacket.shop_id}/orders",
        jacket.seller,
        {"status": "ON_HOLD"},
    ) == [o2]

    detail = await client.get(f"{shop}/{o3}", headers=shirt.seller.headers)
    assert detail.status_code == 200
    body = detail.json()
    assert body["recipient_address"]["name"] == "Grace Hopper"
    assert body["line_items"][0]["quantity"] == 2
    assert [h["to_status"] for h in body["history"]] == ["UNPAID"]
