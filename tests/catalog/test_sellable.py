"""skus_for_sale: what checkout and cart read about SKUs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hawker.catalog.service import SellableSku, skus_for_sale
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import make_operator, signup
from tests.factories.catalog import make_product
from tests.factories.shops import make_shop

pytestmark = pytest.mark.usefixtures("categories")

SKUS = [
    {
        "seller_sku": "TEE-RED-M",
        "sales_attributes": [
            {"name": "Colour", "value_name": "Red"},
            {"name": "Size", "value_name": "M"},
        ],
        "price_minor": 1500,
    },
    {
        "seller_sku": "TEE-RED-L",
        "sales_attributes": [
            {"name": "Colour", "value_name": "Red"},
            {"name": "Size", "value_name": "L"},
        ],
        "price_minor": 1700,
    },
]


async def sellable(rt: Runtime, *ids: str | int) -> dict[int, SellableSku]:
    async with rt.db.read_session() as s:
        return await skus_for_sale(s, [int(i) for i in ids])


async def test_skus_for_sale_fields(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    owner = await signup(client, market_code="GB")
    shop = await make_shop(client, rt, owner, market_code="GB")
    p = await make_product(client, runner, owner, shop["id"], title="Cotton Tee", skus=SKUS)
    m, large = (s["id"] for s in p["skus"])
    out = await sellable(rt, m, large, 424242)
    assert sorted(out) == sorted([int(m), int(large)])
    assert out[int(m)] == SellableSku(
        sku_id=int(m),
        product_id=int(p["id"]),
        shop_id=int(shop["id"]),
        product_title="Cotton Tee",
        sku_name="Red / M",
        seller_sku="TEE-RED-M",
        price_minor=1500,
        currency="GBP",
        image_uri=p["images"][0]["uri"],
        package_weight_g=250,
        product_status="ACTIVATE",
        shop_status="ACTIVE",
        market_code="GB",
        is_sellable=True,
    )
    assert out[int(large)].sku_name == "Red / L"
    assert out[int(large)].price_minor == 1700
    async with rt.db.read_session() as s:
        assert await skus_for_sale(s, []) == {}


async def is_sellable(rt: Runtime, product: dict[str, Any]) -> list[bool]:
    out = await sellable(rt, *(s["id"] for s in product["skus"]))
    return [out[int(s["id"])].is_sellable for s in product["skus"]]


async def test_is_sellable_follows_product_sku_and_shop(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    owner = await signup(client)
    shop = await make_shop(client, rt, owner)
    url = f"/api/v1/seller/shops/{shop['id']}/products"
    p = await make_product(client, runner, owner, shop["id"], skus=SKUS)
    assert await is_sellable(rt, p) == [True, True]

    await client.post(f"{url}/{p['id']}/deactivate", headers=owner.headers)
    assert await is_sellable(rt, p) == [False, False]
    out = await sellable(rt, p["skus"][0]["id"])
    assert out[int(p["skus"][0]["id"])].product_status == "SELLER_DEACTIVATED"
    await client.post(f"{url}/{p['id']}/activate", headers=owner.headers)
    assert await is_sellable(rt, p) == [True, True]

    # A SKU removed by an update is no longer sellable (and the product is back in audit).
    body = {
        "title": p["title"],
        "description": p["description"],
        "category_id": p["category_id"],
        "package_weight_g": 250,
        "package_length_cm": 30,
        "package_width_cm": 20,
        "package_height_cm": 5,
        "origin_country": "US",
        "image_ids": [p["images"][0]["id"]],
        "skus": [{**SKUS[0], "id": p["skus"][0]["id"]}],
    }
    r = await client.put(f"{url}/{p['id']}", json=body, headers=owner.headers)
    assert r.json()["status"] == "PENDING"
    assert await is_sellable(rt, p) == [False, False]
    await runner.run_until_idle()
    assert await is_sellable(rt, p) == [True, False]

    op = await make_operator(rt)
    r = await client.post(
        f"/api/v1/operator/shops/{shop['id']}/suspend",
        json={"reason": "Checks"},
        headers=op.headers,
    )
    assert r.status_code == 200, r.text
    out = await sellable(rt, p["skus"][0]["id"])
    assert out[int(p["skus"][0]["id"])].shop_status == "SUSPENDED"
    assert await is_sellable(rt, p) == [False, False]
    r = await client.post(f"/api/v1/operator/shops/{shop['id']}/reinstate", headers=op.headers)
    assert r.status_code == 200, r.text
    assert await is_sellable(rt, p) == [True, False]

    await client.post(
        f"/api/v1/operator/products/{p['id']}/deactivate", json={"reason": "x"}, headers=op.headers
    )
    assert await is_sellable(rt, p) == [False, False]
    await client.post(f"/api/v1/operator/products/{p['id']}/reinstate", headers=op.headers)
    await client.delete(f"{url}/{p['id']}", headers=owner.headers)
    out = await sellable(rt, p["skus"][0]["id"])
    assert out[int(p["skus"][0]["id"])].product_status == "DELETED"
    assert await is_sellable(rt, p) == [False, False]
