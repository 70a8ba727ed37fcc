"""A closed shop's catalog is frozen; a shop that is not ACTIVE shows and sells nothing."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import Actor, make_operator, signup
from tests.factories.catalog import (
    catalog_counts,
    image_bytes,
    make_product,
    product_payload,
    upload_image,
)
from tests.factories.orders import add_to_cart, make_listing, place, receive
from tests.factories.shops import make_shop, make_warehouse

pytestmark = pytest.mark.usefixtures("categories")


def media_files(rt: Runtime) -> list[Path]:
    root = rt.settings.media_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def operator_action(
    rt: Runtime, client: httpx.AsyncClient, shop_id: str, action: str
) -> None:
    op = await make_operator(rt)
    body = {"reason": "Test"} if action in ("suspend", "close") else None
    r = await client.post(
        f"/api/v1/operator/shops/{shop_id}/{action}", json=body, headers=op.headers
    )
    assert r.status_code == 200, r.text


async def test_a_closed_shop_cannot_change_its_catalog(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    owner = await signup(client)
    shop = await make_shop(client, rt, owner)
    live = await make_product(client, runner, owner, shop["id"], title="Linen Shirt")
    resting = await make_product(client, runner, owner, shop["id"], title="Wool Shirt")
    base = f"/api/v1/seller/shops/{shop['id']}/products"
    r = await client.post(f"{base}/{resting['id']}/deactivate", headers=owner.headers)
    assert r.json()["status"] == "SELLER_DEACTIVATED"
    free_image = await upload_image(client, owner, shop["id"], color=(10, 200, 10))
    await operator_action(rt, client, shop["id"], "close")

    before = await catalog_counts(rt)
    files = media_files(rt)
    views = {
        p["id"]: (await client.get(f"{base}/{p['id']}", headers=owner.headers)).json()
        for p in (live, resting)
    }
    body = product_payload(title="New Shirt", image_ids=[free_image["id"]])
    edit = {**product_payload(title="Renamed Shirt"), "image_ids": [live["images"][0]["id"]]}
    edit["skus"] = [{**edit["skus"][0], "id": live["skus"][0]["id"]}]
    prices = {"skus": [{"sku_id": live["skus"][0]["id"], "price_minor": 5}]}
    for method, url, payload in [
        ("POST", base, body),
        ("PUT", f"{base}/{live['id']}", edit),
        ("POST", f"{base}/{live['id']}/prices", prices),
        ("POST", f"{base}/{live['id']}/deactivate", None),
        ("POST", f"{base}/{resting['id']}/activate", None),
        ("DELETE", f"{base}/{live['id']}", None),
    ]:
        r = await client.request(method, url, json=payload, headers=owner.headers)
        assert (r.status_code, r.json()["error"]["code"]) == (409, "shop_closed"), (method, url)
    r = await client.post(
        f"/api/v1/seller/shops/{shop['id']}/images",
        files={"file": ("image.png", image_bytes(), "image/png")},
        headers=owner.headers,
    )
    assert (r.status_code, r.json()["error"]["code"]) == (409, "shop_closed")

    assert await catalog_counts(rt) == before
    assert media_files(rt) == files
    for product_id, view in views.items():  # still readable, unchanged
        r = await client.get(f"{base}/{product_id}", headers=owner.headers)
        assert (r.status_code, r.json()) == (200, view)
    assert (await client.get(f"/api/v1/products/{live['id']}")).status_code == 404


async def not_buyable(client: httpx.AsyncClient, listing_sku: str, product_id: str) -> None:
    buyer = await signup(client)
    r = await client.get(f"/api/v1/products/{product_id}")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "product_not_found")
    r = await client.get("/api/v1/products")
    assert product_id not in [i["id"] for i in r.json()["items"]]
    r = await add_to_cart(client, buyer, listing_sku)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "sku_not_sellable")
    r = await place(client, buyer, items=[(listing_sku, 1)])
    assert (r.status_code, r.json()["error"]["code"]) == (409, "sku_not_sellable")
    assert (await client.get("/api/v1/orders", headers=buyer.headers)).json()["items"] == []


async def test_pending_and_suspended_shops_show_and_sell_nothing(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    # A shop still in review may prepare its catalog and stock, even pass audits...
    owner: Actor = await signup(client)
    pending = await make_shop(client, rt, owner, active=False)
    warehouse = await make_warehouse(client, owner, pending["id"], is_default=True)
    product = await make_product(client, runner, owner, pending["id"])
    assert product["status"] == "ACTIVATE"
    r = await client.post(
        f"/api/v1/seller/shops/{pending['id']}/stock/receipts",
        json={"sku_id": product["skus"][0]["id"], "warehouse_id": warehouse["id"], "quantity": 5},
        headers=owner.headers,
    )
    assert r.status_code == 201, r.text
    # ...but none of it is visible or buyable until an operator approves the shop.
    await not_buyable(client, product["skus"][0]["id"], product["id"])

    # An active shop's listing disappears while the shop is suspended, and comes back.
    listing = await make_listing(client, rt, runner)
    buyer = await signup(client)
    assert (await add_to_cart(client, buyer, listing.sku_id)).status_code == 200
    await operator_action(rt, client, listing.shop_id, "suspend")
    await not_buyable(client, listing.sku_id, listing.product["id"])
    cart = (await client.get("/api/v1/cart", headers=buyer.headers)).json()
    assert (cart["line_count"], [u["reason"] for u in cart["unavailable"]]) == (0, ["not_sellable"])
    r = await place(client, buyer)  # the whole cart
    assert (r.status_code, r.json()["error"]["code"]) == (409, "sku_not_sellable")
    stock = await receive(client, listing, 1)  # the suspended seller still keeps stock
    assert (stock["on_hand"], stock["reserved"]) == (11, 0)

    await operator_action(rt, client, listing.shop_id, "reinstate")
    assert (await client.get(f"/api/v1/products/{listing.product['id']}")).status_code == 200
    assert (await place(client, buyer)).status_code == 201
