"""Cross-border shops and their customs declarations, through the real endpoints."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from hawker.models import AuditLog, CustomsProfile, DutyTable, Order, OrderCustoms, ShopCustoms
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import Actor, signup
from tests.factories.catalog import make_product
from tests.factories.orders import Listing, card, new_key, receive
from tests.factories.shops import make_shop, make_warehouse

SHENZHEN = (22.5431, 114.0579)


async def make_cross_border_listing(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    *,
    market_code: str = "GB",
    title: str = "Cotton T-shirt",
    price_minor: int = 1999,
    stock: int = 20,
) -> Listing:
    """A CROSS_BORDER shop selling in `market_code` from a warehouse in Shenzhen."""
    seller = await signup(client, market_code=market_code)
    shop = await make_shop(client, rt, seller, market_code=market_code, seller_type="CROSS_BORDER")
    warehouse = await make_warehouse(
        client,
        seller,
        str(shop["id"]),
        name="Shenzhen",
        country_code="CN",
        is_default=True,
        latitude=SHENZHEN[0],
        longitude=SHENZHEN[1],
    )
    product = await make_product(
        client, runner, seller, str(shop["id"]), title=title, price_minor=price_minor
    )
    listing = Listing(seller=seller, shop=shop, warehouse=warehouse, product=product)
    if stock:
        await receive(client, listing, stock)
    return listing


def profile_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "hs_code": "6109.10.00",
        "declared_value_minor": 1500,
        "declared_currency": "USD",
        "origin_country": "CN",
        "description_en": "Cotton T-shirt",
    }
    body.update(overrides)
    return body


async def declare(client: httpx.AsyncClient, listing: Listing, **overrides: Any) -> httpx.Response:
    return await client.put(
        f"/api/v1/seller/shops/{listing.shop_id}/products/{listing.product['id']}/customs",
        json=profile_body(**overrides),
        headers=listing.seller.headers,
    )


async def set_duty_mode(client: httpx.AsyncClient, listing: Listing, mode: str) -> httpx.Response:
    return await client.put(
        f"/api/v1/seller/shops/{listing.shop_id}/customs",
        json={"duty_mode": mode},
        headers=listing.seller.headers,
    )


def address_in(country_code: str) -> dict[str, Any]:
    return {
        "name": "Grace Hopper",
        "phone": "+44 20 7946 0000",
        "line1": "10 Downing Lane",
        "city": "London",
        "region": "",
        "postal_code": "EC1A 1BB",
        "country_code": country_code,
    }


async def place_abroad(
    client: httpx.AsyncClient,
    buyer: Actor,
    listing: Listing,
    quantity: int,
    *,
    country_code: str = "GB",
) -> httpx.Response:
    return await client.post(
        "/api/v1/checkout/orders",
        json={
            "shipping_address": address_in(country_code),
            "items": [{"sku_id": listing.sku_id, "quantity": quantity}],
        },
        headers={**buyer.headers, "Idempotency-Key": new_key()},
    )


async def buy_abroad(
    client: httpx.AsyncClient,
    buyer: Actor,
    listing: Listing,
    quantity: int,
    *,
    country_code: str = "GB",
) -> dict[str, Any]:
    """Place and pay; returns the placing answer with the paid orders."""
    r = await place_abroad(client, buyer, listing, quantity, country_code=country_code)
    assert r.status_code == 201, r.text
    placed: dict[str, Any] = r.json()
    r = await client.post(
        f"/api/v1/checkout/{placed['checkout_id']}/pay",
        json={"card": card()},
        headers={**buyer.headers, "Idempotency-Key": new_key()},
    )
    assert r.status_code == 200, r.text
    placed["paid"] = r.json()
    return placed


async def customs_counts(rt: Runtime) -> dict[str, int]:
    """Row counts a refused customs request must leave as they were."""
    out = {}
    async with rt.db.read_session() as s:
        for model in (CustomsProfile, ShopCustoms, DutyTable, OrderCustoms, Order, AuditLog):
            out[model.__tablename__] = int(
                await s.scalar(select(func.count()).select_from(model)) or 0
            )
    return out
