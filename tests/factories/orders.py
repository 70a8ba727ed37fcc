"""Listings with stock, carts, checkouts and payments, through the real endpoints."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select

from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import Actor, signup
from tests.factories.catalog import make_product
from tests.factories.shops import make_shop, make_warehouse

_seq = itertools.count(1)

CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000002"
CARD_NETWORK_ERROR = "4000000000000119"


@dataclass
class Listing:
    """An active product of an active shop, with one SKU stocked in one warehouse."""

    seller: Actor
    shop: dict[str, Any]
    warehouse: dict[str, Any]
    product: dict[str, Any]

    @property
    def shop_id(self) -> str:
        return str(self.shop["id"])

    @property
    def sku_id(self) -> str:
        return str(self.product["skus"][0]["id"])

    @property
    def warehouse_id(self) -> str:
        return str(self.warehouse["id"])


def address(country_code: str = "US", *, name: str = "Ada Buyer") -> dict[str, Any]:
    return {
        "name": name,
        "phone": "+1 555 0100",
        "line1": "1 Market Street",
        "city": "Springfield",
        "region": "SP",
        "postal_code": "12345",
        "country_code": country_code,
    }


def card(number: str = CARD_OK) -> dict[str, Any]:
    return {
        "number": number,
        "exp_month": 12,
        "exp_year": 2030,
        "cvc": "123",
        "holder_name": "Ada Buyer",
    }


def new_key() -> str:
    return f"key-{next(_seq)}"


async def receive(client: httpx.AsyncClient, listing: Listing, quantity: int) -> dict[str, Any]:
    r = await client.post(
        f"/api/v1/seller/shops/{listing.shop_id}/stock/receipts",
        json={
            "sku_id": listing.sku_id,
            "warehouse_id": listing.warehouse_id,
            "quantity": quantity,
            "note": "test stock",
        },
        headers=listing.seller.headers,
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def make_listing(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    *,
    seller: Actor | None = None,
    market_code: str = "US",
    title: str = "Linen Shirt",
    price_minor: int = 1999,
    stock: int = 10,
) -> Listing:
    seller = seller or await signup(client, market_code=market_code)
    shop = await make_shop(client, rt, seller, market_code=market_code)
    warehouse = await make_warehouse(
        client, seller, str(shop["id"]), country_code=market_code, is_default=True
    )
    product = await make_product(
        client, runner, seller, str(shop["id"]), title=title, price_minor=price_minor
    )
    listing = Listing(seller=seller, shop=shop, warehouse=warehouse, product=product)
    if stock:
        await receive(client, listing, stock)
    return listing


async def add_to_cart(
    client: httpx.AsyncClient, buyer: Actor, sku_id: str, quantity: int = 1
) -> httpx.Response:
    return await client.post(
        "/api/v1/cart/items", json={"sku_id": sku_id, "quantity": quantity}, headers=buyer.headers
    )


async def place(
    client: httpx.AsyncClient,
    buyer: Actor,
    *,
    items: list[tuple[str, int]] | None = None,
    country_code: str = "US",
    key: str | None = None,
    note: str = "",
    recipient: str = "Ada Buyer",
) -> httpx.Response:
    body: dict[str, Any] = {
        "shipping_address": address(country_code, name=recipient),
        "note": note,
    }
    if items is not None:
        body["items"] = [{"sku_id": s, "quantity": q} for s, q in items]
    return await client.post(
        "/api/v1/checkout/orders",
        json=body,
        headers={**buyer.headers, "Idempotency-Key": key or new_key()},
    )


async def place_ok(
    client: httpx.AsyncClient,
    buyer: Actor,
    *,
    items: list[tuple[str, int]] | None = None,
    country_code: str = "US",
    recipient: str = "Ada Buyer",
) -> dict[str, Any]:
    r = await place(client, buyer, items=items, country_code=country_code, recipient=recipient)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def pay(
    client: httpx.AsyncClient,
    buyer: Actor,
    checkout_id: str,
    *,
    number: str = CARD_OK,
    key: str | None = None,
) -> httpx.Response:
    return await client.post(
        f"/api/v1/checkout/{checkout_id}/pay",
        json={"card": card(number)},
        headers={**buyer.headers, "Idempotency-Key": key or new_key()},
    )


async def buy(
    client: httpx.AsyncClient, buyer: Actor, listing: Listing, quantity: int = 1
) -> dict[str, Any]:
    """Place and pay an order for `quantity` of the listing; returns the paid order."""
    placed = await place_ok(client, buyer, items=[(listing.sku_id, quantity)])
    r = await pay(client, buyer, placed["checkout_id"])
    assert r.status_code == 200, r.text
    order: dict[str, Any] = r.json()["orders"][0]
    assert order["status"] == "ON_HOLD"
    return order


async def count_rows(rt: Runtime, model: type[Any], *where: Any) -> int:
    async with rt.db.read_session() as s:
        q = select(func.count()).select_from(model)
        if where:
            q = q.where(*where)
        return int((await s.execute(q)).scalar_one())
