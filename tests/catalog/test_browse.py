"""Public browse: only live products of active shops; search, filters, sorts, pages."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hawker.kit.pagination import encode_cursor
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import make_operator, signup
from tests.factories.catalog import make_product, product_payload
from tests.factories.shops import make_shop

pytestmark = pytest.mark.usefixtures("categories")


def sku(code: str, size: str, price: int) -> dict[str, Any]:
    return {
        "seller_sku": code,
        "sales_attributes": [{"name": "Size", "value_name": size}],
        "price_minor": price,
    }


@pytest.fixture
async def market(client: httpx.AsyncClient, rt: Runtime, runner: JobRunner) -> dict[str, Any]:
    """Visible: a1-a4 (US shop A), b1 (GB shop B). Everything else is hidden."""
    a_owner = await signup(client)
    a = await make_shop(client, rt, a_owner)
    p: dict[str, Any] = {"shop_a": a}

    async def product(key: str, owner: Any, shop: dict[str, Any], **kw: Any) -> None:
        p[key] = await make_product(client, runner, owner, shop["id"], **kw)

    await product("a1", a_owner, a, title="Linen Shirt", category_id="201")
    await product("a2", a_owner, a, title="Oxford Shirt", price_minor=3500, category_id="201")
    await product(
        "a3",
        a_owner,
        a,
        title="Summer Dress",
        category_id="101",
        skus=[sku("D-S", "S", 4500), sku("D-M", "M", 5000)],
    )
    await product("a4", a_owner, a, title="Red Lipstick", price_minor=999, category_id="302")
    await product("a6", a_owner, a, title="Sleepy Shirt")
    url = f"/api/v1/seller/shops/{a['id']}/products"
    await client.post(f"{url}/{p['a6']['id']}/deactivate", headers=a_owner.headers)
    await product("a7", a_owner, a, title="Gone Shirt")
    await client.delete(f"{url}/{p['a7']['id']}", headers=a_owner.headers)
    r = await client.post(url, json=product_payload(title="Replica Shirt"), headers=a_owner.headers)
    p["a8"] = r.json()
    await runner.run_until_idle()

    b_owner = await signup(client, market_code="GB")
    b = await make_shop(client, rt, b_owner, market_code="GB")
    p["shop_b"] = b
    await product("b1", b_owner, b, title="Wool Shirt", category_id="201")

    c_owner = await signup(client)
    c = await make_shop(client, rt, c_owner)
    p["shop_c"] = c
    await product("c1", c_owner, c, title="Hidden Shirt")
    op = await make_operator(rt)
    r = await client.post(
        f"/api/v1/operator/shops/{c['id']}/suspend", json={"reason": "Checks"}, headers=op.headers
    )
    assert r.status_code == 200, r.text

    d_owner = await signup(client)
    d = await make_shop(client, rt, d_owner, active=False)
    await product("d1", d_owner, d, title="Unapproved Shirt")
    await product("a5", a_owner, a, title="Pending Shirt", activate=False)  # audit not run
    return p


def ids(market: dict[str, Any]) -> dict[str, str]:
    return {k: v["id"] for k, v in market.items()}


async def browse(client: httpx.AsyncClient, **params: Any) -> list[str]:
    r = await client.get("/api/v1/products", params=params)
    assert r.status_code == 200, r.text
    return [i["id"] for i in r.json()["items"]]


async def all_pages(client: httpx.AsyncClient, **params: Any) -> list[str]:
    ids: list[str] = []
    cursor = None
    for _ in range(10):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        body = (await client.get("/api/v1/products", params=query)).json()
        assert len(body["items"]) <= params["limit"]
        ids += [i["id"] for i in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return ids
    raise AssertionError("pagination did not end")


async def test_only_live_products_of_active_shops_are_listed(
    client: httpx.AsyncClient, market: dict[str, Any]
) -> None:
    m = ids(market)
    assert await browse(client) == [m["b1"], m["a4"], m["a3"], m["a2"], m["a1"]]
    for hidden in ("a5", "a6", "a7", "a8", "c1", "d1"):
        r = await client.get(f"/api/v1/products/{m[hidden]}")
        assert (r.status_code, r.json()["error"]["code"]) == (404, "product_not_found"), hidden
    assert (await client.get("/api/v1/products/123")).status_code == 404
    r = await client.get("/api/v1/products/9999999999999999999")
    assert (r.status_code, r.json()["error"]["code"]) == (422, "validation_error")


async def test_search_and_filters(client: httpx.AsyncClient, market: dict[str, Any]) -> None:
    m = ids(market)
    assert await browse(client, q="shirt") == [m["b1"], m["a2"], m["a1"]]
    assert await browse(client, q="SHIRT oxford") == [m["a2"]]
    assert await browse(client, q="linen  m") == [m["a1"]]
    assert await browse(client, q="dress s") == [m["a3"]]
    assert await browse(client, q="hidden") == []
    assert await browse(client, q="_") == []
    assert await browse(client, category_id="2") == [m["b1"], m["a2"], m["a1"]]
    assert await browse(client, category_id="201") == [m["b1"], m["a2"], m["a1"]]
    assert await browse(client, category_id="1") == [m["a3"]]
    assert await browse(client, category_id="3") == [m["a4"]]
    assert await browse(client, category_id="4") == []
    assert await browse(client, category_id="424242") == []
    assert await browse(client, shop_id=m["shop_a"]) == [m["a4"], m["a3"], m["a2"], m["a1"]]
    assert await browse(client, shop_id=m["shop_b"]) == [m["b1"]]
    assert await browse(client, shop_id=m["shop_c"]) == []
    assert await browse(client, market_code="GB") == [m["b1"]]
    assert await browse(client, market_code="us") == [m["a4"], m["a3"], m["a2"], m["a1"]]
    assert await browse(client, market_code="JP") == []
    assert await browse(client, min_price=2000) == [m["a3"], m["a2"]]
    assert await browse(client, max_price=1999) == [m["b1"], m["a4"], m["a1"]]
    assert await browse(client, min_price=1000, max_price=4000) == [m["b1"], m["a2"], m["a1"]]
    assert await browse(client, q="shirt", market_code="US", min_price=2000) == [m["a2"]]


async def test_sorts_and_pages(client: httpx.AsyncClient, market: dict[str, Any]) -> None:
    m = ids(market)
    newest = [m["b1"], m["a4"], m["a3"], m["a2"], m["a1"]]
    # price ties (a1 and b1 both start at 1999) break on the newer product first
    asc = [m["a4"], m["b1"], m["a1"], m["a2"], m["a3"]]
    desc = [m["a3"], m["a2"], m["b1"], m["a1"], m["a4"]]
    assert await browse(client, sort="newest") == newest
    assert await browse(client, sort="price_asc") == asc
    assert await browse(client, sort="price_desc") == desc
    for sort, expected in (("newest", newest), ("price_asc", asc), ("price_desc", desc)):
        for limit in (1, 2, 3, 5):
            assert await all_pages(client, sort=sort, limit=limit) == expected, (sort, limit)
    assert await all_pages(client, sort="price_asc", limit=1, q="shirt") == [
        m["b1"],
        m["a1"],
        m["a2"],
    ]

    first = (await client.get("/api/v1/products", params={"sort": "price_asc", "limit": 2})).json()
    r = await client.get(
        "/api/v1/products", params={"sort": "newest", "cursor": first["next_cursor"]}
    )
    assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_cursor")
    huge = encode_cursor({"s": "newest", "id": 2**64, "p": 0})
    cheap = encode_cursor({"s": "price_asc", "id": 5, "p": 2**40})
    for bad in ("%%%", "bm90IGpzb24", "eyJpZCI6ICJ4In0", huge, cheap):
        r = await client.get("/api/v1/products", params={"cursor": bad})
        assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_cursor"), bad
    for params in (
        {"sort": "cheapest"},
        {"limit": 0},
        {"limit": 101},
        {"min_price": -1},
        {"max_price": 2**31},
        {"shop_id": "9999999999999999999"},
    ):
        r = await client.get("/api/v1/products", params=params)
        assert (r.status_code, r.json()["error"]["code"]) == (422, "validation_error")


async def test_public_detail_and_list_shapes(
    client: httpx.AsyncClient, market: dict[str, Any]
) -> None:
    dress, shop = market["a3"], market["shop_a"]
    r = await client.get(f"/api/v1/products/{dress['id']}")
    assert r.status_code == 200
    body = r.json()
    assert body["shop"] == {"id": shop["id"], "name": shop["name"], "market_code": "US"}
    assert body["title"] == "Summer Dress"
    assert body["category_id"] == "101"
    assert (body["price_from"]["formatted"], body["price_to"]["formatted"]) == ("$45.00", "$50.00")
    assert body["images"] == dress["images"]
    assert body["skus"] == [
        {
            "id": dress["skus"][0]["id"],
            "name": "S",
            "sales_attributes": [{"name": "Size", "value_name": "S"}],
            "price": {
                "amount_minor": 4500,
                "currency": "USD",
                "amount": "45.00",
                "formatted": "$45.00",
            },
            "available": 0,
            "in_stock": False,
        },
        {
            "id": dress["skus"][1]["id"],
            "name": "M",
            "sales_attributes": [{"name": "Size", "value_name": "M"}],
            "price": {
                "amount_minor": 5000,
                "currency": "USD",
                "amount": "50.00",
                "formatted": "$50.00",
            },
            "available": 0,
            "in_stock": False,
        },
    ]
    assert "seller_sku" not in body["skus"][0]
    wool = market["b1"]
    items = (await client.get("/api/v1/products", params={"market_code": "GB"})).json()["items"]
    assert items == [
        {
            "id": wool["id"],
            "title": "Wool Shirt",
            "brand": None,
            "category_id": "201",
            "shop": {
                "id": market["shop_b"]["id"],
                "name": market["shop_b"]["name"],
                "market_code": "GB",
            },
            "price_from": {
                "amount_minor": 1999,
                "currency": "GBP",
                "amount": "19.99",
                "formatted": "£19.99",
            },
            "price_to": {
                "amount_minor": 1999,
                "currency": "GBP",
                "amount": "19.99",
                "formatted": "£19.99",
            },
            "image": wool["images"][0],
            "created_at": wool["created_at"],
        }
    ]
