"""Live flash deals through the real host and buyer endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select

from hawker.models import FlashDeal, FlashPurchase, Order, OutboxEvent, Stock, StockMovement
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import Actor
from tests.factories.live import Studio, make_studio
from tests.factories.orders import address
from tests.factories.shops import make_warehouse


@dataclass
class DealWorld:
    """A live on air with two products in its bag, stock of the first one's SKU."""

    studio: Studio
    warehouse: dict[str, Any]

    @property
    def host(self) -> Actor:
        return self.studio.host

    @property
    def live_id(self) -> str:
        return self.studio.live_id

    @property
    def sku_id(self) -> str:
        return str(self.studio.products[0]["skus"][0]["id"])

    @property
    def warehouse_id(self) -> str:
        return str(self.warehouse["id"])


async def make_deal_world(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, *, stock: int = 100
) -> DealWorld:
    studio = await make_studio(client, rt, runner)
    warehouse = await make_warehouse(client, studio.host, studio.shop_id, is_default=True)
    world = DealWorld(studio=studio, warehouse=warehouse)
    if stock:
        r = await client.post(
            f"/api/v1/seller/shops/{studio.shop_id}/stock/receipts",
            json={
                "sku_id": world.sku_id,
                "warehouse_id": world.warehouse_id,
                "quantity": stock,
                "note": "for the deal",
            },
            headers=studio.host.headers,
        )
        assert r.status_code == 201, r.text
    return world


def deal_body(world: DealWorld, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sku_id": world.sku_id,
        "price_minor": 999,
        "currency": "USD",
        "stock_cap": 10,
        "per_buyer_limit": 1,
        "countdown_seconds": 10,
        "duration_minutes": 5,
    }
    body.update(changes)
    return body


async def post_deal(
    client: httpx.AsyncClient, world: DealWorld, actor: Actor | None = None, **changes: Any
) -> httpx.Response:
    return await client.post(
        f"/api/v1/flash/sessions/{world.live_id}/deals",
        json=deal_body(world, **changes),
        headers=(actor or world.host).headers,
    )


async def make_deal(client: httpx.AsyncClient, world: DealWorld, **changes: Any) -> dict[str, Any]:
    r = await post_deal(client, world, **changes)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


async def buy(
    client: httpx.AsyncClient,
    actor: Actor | None,
    deal_id: str,
    *,
    key: str | None = None,
    quantity: int = 1,
    with_address: bool = True,
) -> httpx.Response:
    headers = dict(actor.headers) if actor else {}
    if key is not None:
        headers["Idempotency-Key"] = key
    body: dict[str, Any] = {"quantity": quantity}
    if with_address:
        body["address"] = address()
    return await client.post(f"/api/v1/flash/deals/{deal_id}/buy", json=body, headers=headers)


async def deal_row(rt: Runtime, deal_id: str) -> FlashDeal:
    async with rt.db.read_session() as s:
        deal = await s.get(FlashDeal, int(deal_id))
        assert deal is not None
        return deal


async def stock_row(rt: Runtime, world: DealWorld) -> tuple[int, int]:
    async with rt.db.read_session() as s:
        q = select(Stock.on_hand, Stock.reserved).where(
            Stock.sku_id == int(world.sku_id), Stock.warehouse_id == int(world.warehouse_id)
        )
        row = (await s.execute(q)).one()
        return int(row[0]), int(row[1])


async def flash_counts(rt: Runtime) -> dict[str, int]:
    """Row counts a refused request must leave alone."""
    out: dict[str, int] = {}
    async with rt.db.read_session() as s:
        for model in (FlashDeal, FlashPurchase, Order, StockMovement, OutboxEvent):
            out[model.__tablename__] = int(
                await s.scalar(select(func.count()).select_from(model)) or 0
            )
    return out
