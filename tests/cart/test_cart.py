"""The cart through the API: add, increment, change, remove, limits, one market, tenancy."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from hawker.config import Settings
from hawker.models import CartItem
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.catalog import make_product
from tests.factories.orders import add_to_cart, count_rows, make_listing, place_ok


async def cart_lines(rt: Runtime, user_id: int) -> list[tuple[int, int]]:
    async with rt.db.read_session() as s:
        rows = await s.scalars(
            select(CartItem).where(CartItem.user_id == user_id).order_by(CartItem.id)
        )
        return [(r.sku_id, r.quantity) for r in rows]


async def test_add_increment_change_remove_clear(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    shirt = await make_listing(client, rt, runner, price_minor=1999, stock=0)
    socks = await make_listing(client, rt, runner, title="Wool Socks", price_minor=500, stock=0)
    buyer = await signup(client)

    empty = await client.get("/api/v1/cart", headers=buyer.headers)
    assert empty.status_code == 200
    assert empty.json() == {
        "currency": None,
        "shops": [],
        "total": None,
        "line_count": 0,
        "unavailable": [],
    }

    r = await add_to_cart(client, buyer, shirt.sku_id, 2)
    assert r.status_code == 200, r.text
    r = await add_to_cart(client, buyer, shirt.sku_id, 3)  # same SKU: one line of 5
    cart = r.json()
    assert cart["line_count"] == 1
    (shop,) = cart["shops"]
    (line,) = shop["lines"]
    assert (line["sku_id"], line["quantity"], line["product_title"]) == (
        shirt.sku_id,
        5,
        "Linen Shirt",
    )
    assert line["unit_price"]["formatted"] == "$19.99"
    assert line["line_total"]["amount_minor"] == 9995
    # 9995 ships free in the US; tax 7.25 % = 724.6375 -> 725
    assert (shop["subtotal"]["amount_minor"], shop["shipping_fee"]["amount_minor"]) == (9995, 0)
    assert (shop["tax"]["amount_minor"], shop["total"]["amount_minor"]) == (725, 10720)

    r = await add_to_cart(client, buyer, socks.sku_id, 1)
    assert [s["shop_id"] for s in r.json()["shops"]] == [shirt.shop_id, socks.shop_id]
    assert r.json()["total"]["amount_minor"] == 10720 + (500 + 599 + 36)

    r = await client.patch(
        f"/api/v1/cart/items/{shirt.sku_id}", json={"quantity": 1}, headers=buyer.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["shops"][0]["lines"][0]["quantity"] == 1
    assert await cart_lines(rt, buyer.user_id) == [
        (int(shirt.sku_id), 1),
        (int(socks.sku_id), 1),
    ]

    r = await client.delete(f"/api/v1/cart/items/{shirt.sku_id}", headers=buyer.headers)
    assert r.status_code == 200
    assert [s["shop_id"] for s in r.json()["shops"]] == [socks.shop_id]
    missing = await client.delete(f"/api/v1/cart/items/{shirt.sku_id}", headers=buyer.headers)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "cart_item_not_found"
    missing = await client.patch(
        f"/api/v1/cart/items/{shirt.sku_id}", json={"quantity": 2}, headers=buyer.headers
    )
    assert missing.status_code == 404

    r = await client.delete("/api/v1/cart", headers=buyer.headers)
    assert r.status_code == 204
    assert await cart_lines(rt, buyer.user_id) == []


async def test_only_sellable_skus(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_listing(client, rt, runner, stock=0)
    draft = await make_product(
        client, runner, listing.seller, listing.shop_id, title="Draft Shirt", activate=False
    )
    buyer = await signup(client)

    r = await add_to_cart(client, buyer, draft["skus"][0]["id"])
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "sku_not_sellable"
    r = await add_to_cart(client, buyer, "9999999")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "sku_not_found"
    assert await count_rows(rt, CartItem) == 0

    # a product taken off sale after it was added shows as unavailable and is not quoted
    assert (await add_to_cart(client, buyer, listing.sku_id, 2)).status_code == 200
    r = await client.post(
        f"/api/v1/seller/shops/{listing.shop_id}/products/{listing.product['id']}/deactivate",
        headers=listing.seller.headers,
    )
    assert r.status_code == 200, r.text
    cart = (await client.get("/api/v1/cart", headers=buyer.headers)).json()
    assert cart["shops"] == [] and cart["total"] is None
    assert [(u["sku_id"], u["quantity"], u["reason"]) for u in cart["unavailable"]] == [
        (listing.sku_id, 2, "not_sellable")
    ]


async def test_quantity_and_line_limits(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, settings: Settings
) -> None:
    settings.max_line_quantity = 5
    settings.max_cart_lines = 2
    a = await make_listing(client, rt, runner, stock=0)
    b = await make_listing(client, rt, runner, stock=0)
    c = await make_listing(client, rt, runner, stock=0)
    buyer = await signup(client)

    for bad in (0, -1):  # the same rule, and the same answer, at either end of the range
        r = await add_to_cart(client, buyer, a.sku_id, bad)
        assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_quantity")
    r = await client.patch(
        f"/api/v1/cart/items/{a.sku_id}", json={"quantity": 0}, headers=buyer.headers
    )
    assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_quantity")
    assert await cart_lines(rt, buyer.user_id) == []
    too_many = await add_to_cart(client, buyer, a.sku_id, 6)
    assert too_many.status_code == 400
    assert too_many.json()["error"]["code"] == "invalid_quantity"
    assert too_many.json()["error"]["details"]["max_quantity"] == 5

    assert (await add_to_cart(client, buyer, a.sku_id, 4)).status_code == 200
    over = await add_to_cart(client, buyer, a.sku_id, 2)  # 4 + 2 > 5: refused, line kept at 4
    assert over.status_code == 400
    assert over.json()["error"]["code"] == "invalid_quantity"
    patch = await client.patch(
        f"/api/v1/cart/items/{a.sku_id}", json={"quantity": 6}, headers=buyer.headers
    )
    assert patch.status_code == 400
    assert await cart_lines(rt, buyer.user_id) == [(int(a.sku_id), 4)]

    assert (await add_to_cart(client, buyer, b.sku_id, 1)).status_code == 200
    full = await add_to_cart(client, buyer, c.sku_id, 1)
    assert full.status_code == 409
    assert full.json()["error"]["code"] == "cart_full"
    assert await cart_lines(rt, buyer.user_id) == [(int(a.sku_id), 4), (int(b.sku_id), 1)]
    # adding to a line already there is still fine when the cart is full
    assert (await add_to_cart(client, buyer, b.sku_id, 1)).status_code == 200


async def test_one_market_per_cart(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    """DE and FR both sell in EUR, but checkout ships to one market: a cart holds one."""
    de = await make_listing(client, rt, runner, market_code="DE", stock=5)
    de_other = await make_listing(client, rt, runner, market_code="DE", stock=5)
    fr = await make_listing(client, rt, runner, market_code="FR", stock=5)
    us = await make_listing(client, rt, runner, stock=0)
    buyer = await signup(client)
    assert (await add_to_cart(client, buyer, de.sku_id)).status_code == 200
    assert (await add_to_cart(client, buyer, de_other.sku_id)).status_code == 200  # two shops
    for other, market in ((fr, "FR"), (us, "US")):
        r = await add_to_cart(client, buyer, other.sku_id)
        assert (r.status_code, r.json()["error"]["code"]) == (409, "cart_market_mismatch")
        assert r.json()["error"]["details"] == {"cart_markets": ["DE"], "sku_market": market}
    assert await cart_lines(rt, buyer.user_id) == [(int(de.sku_id), 1), (int(de_other.sku_id), 1)]

    # The whole cart can be ordered, to an address in its market.
    placed = await place_ok(client, buyer, country_code="DE")
    assert sorted(o["shop_id"] for o in placed["orders"]) == sorted([de.shop_id, de_other.shop_id])
    assert await cart_lines(rt, buyer.user_id) == []
    # An empty cart takes an item of any market.
    assert (await add_to_cart(client, buyer, fr.sku_id)).status_code == 200
    assert await cart_lines(rt, buyer.user_id) == [(int(fr.sku_id), 1)]


async def test_carts_are_private(client: httpx.AsyncClient, rt: Runtime, runner: JobRunner) -> None:
    listing = await make_listing(client, rt, runner, stock=0)
    alice = await signup(client)
    bob = await signup(client)
    assert (await add_to_cart(client, alice, listing.sku_id, 2)).status_code == 200

    assert (await client.get("/api/v1/cart", headers=bob.headers)).json()["shops"] == []
    r = await client.delete(f"/api/v1/cart/items/{listing.sku_id}", headers=bob.headers)
    assert r.status_code == 404
    r = await client.patch(
        f"/api/v1/cart/items/{listing.sku_id}", json={"quantity": 1}, headers=bob.headers
    )
    assert r.status_code == 404
    assert (await client.delete("/api/v1/cart", headers=bob.headers)).status_code == 204
    assert await cart_lines(rt, alice.user_id) == [(int(listing.sku_id), 2)]

    client.cookies.clear()  # sign-up left a session cookie behind
    anonymous = await client.get("/api/v1/cart")
    assert anonymous.status_code == 401
    anonymous = await client.post("/api/v1/cart/items", json={"sku_id": listing.sku_id})
    assert anonymous.status_code == 401
