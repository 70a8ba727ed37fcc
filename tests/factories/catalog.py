"""Categories, images and products, created through the real seller endpoints."""

from __future__ import annotations

import functools
import importlib.util
import io
import itertools
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
from PIL import Image
from sqlalchemy import func, select

from hawker.models import (
    AuditLog,
    Category,
    OutboxEvent,
    PriceHistory,
    Product,
    ProductAudit,
    ProductImage,
    Sku,
)
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import Actor

_seq = itertools.count(1)

MIGRATION = Path(__file__).resolve().parents[2] / "migrations/versions/0003_categories.py"
DEFAULT_CATEGORY_ID = "201"  # Menswear > Shirts (seeded by migration 0003)


@functools.cache
def _seed_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hawker_migration_0003", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def ensure_categories(rt: Runtime) -> None:
    """Put back the default category tree of migration 0003 where rows are missing.

    The test harness empties every table but the markets between tests.
    """
    tops, leaves = _seed_module().rows()
    async with rt.db.session() as s:
        present = set((await s.scalars(select(Category.id))).all())
        for row in [*tops, *leaves]:
            if row["id"] not in present:
                s.add(Category(**row))
                await s.flush()  # parents before children


def image_bytes(
    *,
    color: tuple[int, int, int] = (200, 80, 80),
    fmt: str = "PNG",
    size: tuple[int, int] = (64, 48),
) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format=fmt)
    return buf.getvalue()


async def upload_image(
    client: httpx.AsyncClient,
    owner: Actor,
    shop_id: str,
    *,
    color: tuple[int, int, int] = (200, 80, 80),
    fmt: str = "PNG",
) -> dict[str, Any]:
    data = image_bytes(color=color, fmt=fmt)
    ext = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}.get(fmt.upper(), "bin")
    r = await client.post(
        f"/api/v1/seller/shops/{shop_id}/images",
        files={"file": (f"image.{ext}", data, f"image/{ext}")},
        headers=owner.headers,
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def product_payload(
    *,
    title: str = "Linen Shirt",
    price_minor: int = 1999,
    skus: list[dict[str, Any]] | None = None,
    category_id: str = DEFAULT_CATEGORY_ID,
    image_ids: list[str] | None = None,
    description: str = "A product made by the test factory.",
    brand: str | None = None,
) -> dict[str, Any]:
    n = next(_seq)
    return {
        "title": title,
        "description": description,
        "category_id": category_id,
        "brand": brand,
        "package_weight_g": 250,
        "package_length_cm": 30,
        "package_width_cm": 20,
        "package_height_cm": 5,
        "origin_country": "US",
        "image_ids": image_ids or [],
        "skus": skus
        if skus is not None
        else [
            {
                "seller_sku": f"SKU-{n}",
                "sales_attributes": [{"name": "Size", "value_name": "M"}],
                "price_minor": price_minor,
            }
        ],
    }


async def make_product(
    client: httpx.AsyncClient,
    runner: JobRunner,
    owner: Actor,
    shop_id: str,
    *,
    title: str = "Linen Shirt",
    price_minor: int = 1999,
    skus: list[dict[str, Any]] | None = None,
    category_id: str | None = None,
    activate: bool = True,
) -> dict[str, Any]:
    """A product with one uploaded image; audited (and so live) when `activate`.

    Returns the seller's view of the product: `skus[i]["id"]` are strings.
    """
    await ensure_categories(runner.rt)
    image = await upload_image(client, owner, shop_id)
    payload = product_payload(
        title=title,
        price_minor=price_minor,
        skus=skus,
        category_id=category_id or DEFAULT_CATEGORY_ID,
        image_ids=[image["id"]],
    )
    r = await client.post(
        f"/api/v1/seller/shops/{shop_id}/products", json=payload, headers=owner.headers
    )
    assert r.status_code == 201, r.text
    product: dict[str, Any] = r.json()
    if activate:
        await runner.run_until_idle()
        r = await client.get(
            f"/api/v1/seller/shops/{shop_id}/products/{product['id']}", headers=owner.headers
        )
        assert r.status_code == 200, r.text
        product = r.json()
        assert product["status"] == "ACTIVATE", product["audit"]
    return product


async def catalog_counts(rt: Runtime) -> dict[str, int]:
    """Row counts of the catalog's tables and the outbox: a denied request changes none."""
    out: dict[str, int] = {}
    async with rt.db.read_session() as s:
        for model in (
            Category,
            Product,
            Sku,
            PriceHistory,
            ProductImage,
            ProductAudit,
            OutboxEvent,
            AuditLog,
        ):
            out[model.__tablename__] = int(
                await s.scalar(select(func.count()).select_from(model)) or 0
            )
    return out


async def outbox_events(rt: Runtime, topic: str) -> list[dict[str, Any]]:
    """Payloads of the outbox events with `topic`, oldest first."""
    async with rt.db.read_session() as s:
        q = select(OutboxEvent).where(OutboxEvent.topic == topic).order_by(OutboxEvent.id)
        return [dict(e.payload) for e in (await s.scalars(q)).all()]
