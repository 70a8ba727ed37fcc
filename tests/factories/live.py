"""Live sessions through the real host endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select

from hawker.models import (
    AuditLog,
    LiveBagItem,
    LiveComment,
    LiveMute,
    LivePin,
    LiveSession,
    OutboxEvent,
)
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import Actor, signup
from tests.factories.catalog import make_product
from tests.factories.shops import make_shop


@dataclass
class Studio:
    """A seller's shop with two live products, and a live of the shop hosted by the seller."""

    host: Actor
    shop: dict[str, Any]
    products: list[dict[str, Any]]
    live: dict[str, Any]

    @property
    def live_id(self) -> str:
        return str(self.live["id"])

    @property
    def shop_id(self) -> str:
        return str(self.shop["id"])


async def make_live(
    client: httpx.AsyncClient,
    host: Actor,
    *,
    shop_id: str | None = None,
    product_ids: list[str] | None = None,
    title: str = "Linen week",
    loop_video_id: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"title": title, "product_ids": product_ids or []}
    if shop_id is not None:
        body["shop_id"] = shop_id
    if loop_video_id is not None:
        body["loop_video_id"] = loop_video_id
    r = await client.post("/api/v1/live/sessions", json=body, headers=host.headers)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


async def make_studio(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    *,
    start: bool = True,
    loop_video_id: str | None = None,
) -> Studio:
    host = await signup(client, display_name="Hana Host")
    shop = await make_shop(client, rt, host)
    shop_id = str(shop["id"])
    products = [
        await make_product(client, runner, host, shop_id, title="Linen Shirt", price_minor=1999),
        await make_product(client, runner, host, shop_id, title="Straw Hat", price_minor=1500),
    ]
    live = await make_live(
        client,
        host,
        shop_id=shop_id,
        product_ids=[p["id"] for p in products],
        loop_video_id=loop_video_id,
    )
    if start:
        r = await client.post(f"/api/v1/live/sessions/{live['id']}/start", headers=host.headers)
        assert r.status_code == 200, r.text
        live = r.json()
    return Studio(host=host, shop=shop, products=products, live=live)


async def live_counts(rt: Runtime) -> dict[str, int]:
    """Row counts of the live tables, the outbox and the audit log: a denial changes none."""
    out: dict[str, int] = {}
    async with rt.db.read_session() as s:
        for model in (
            LiveSession,
            LiveBagItem,
            LivePin,
            LiveComment,
            LiveMute,
            OutboxEvent,
            AuditLog,
        ):
            out[model.__tablename__] = int(
                await s.scalar(select(func.count()).select_from(model)) or 0
            )
    return out


async def live_row(rt: Runtime, live_id: str) -> LiveSession:
    async with rt.db.read_session() as s:
        live = await s.get(LiveSession, int(live_id))
        assert live is not None
        return live
