"""Data for the browser journeys, made through the live server's API (so pictures land in
its media folder) and, for operators, the accounts service (operators cannot sign up)."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import httpx

from hawker.accounts import service as accounts
from hawker.demo.images import product_image
from hawker.models import UserRole
from hawker.runtime import Runtime

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_seq)}-{id(object()) % 100_000}"


async def create_operator(rt: Runtime, *, email: str, name: str = "Olu Operator") -> None:
    async with rt.db.session() as s:
        await accounts.create_user(
            s,
            email=email,
            password=PASSWORD,
            display_name=name,
            role=UserRole.OPERATOR,
            now=rt.clock.now(),
            hash_profile="fast",
        )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def signup(http: httpx.AsyncClient, *, email: str, name: str) -> str:
    r = await http.post(
        "/api/v1/auth/signup",
        json={"email": email, "password": PASSWORD, "display_name": name, "market_code": "US"},
    )
    assert r.status_code == 201, r.text
    token: str = r.json()["token"]
    return token


async def login(http: httpx.AsyncClient, *, email: str) -> str:
    r = await http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    token: str = r.json()["token"]
    return token


async def shop(
    http: httpx.AsyncClient, seller: str, *, name: str, approve_with: str | None
) -> dict[str, Any]:
    r = await http.post(
        "/api/v1/shops",
        json={
            "name": name,
            "market_code": "US",
            "seller_type": "LOCAL",
            "description": "Small-batch goods, packed with care.",
            "contact_email": "hello@shop.example",
            "business_name": f"{name} LLC",
            "business_registration_number": f"US-{next(_seq):06d}",
        },
        headers=bearer(seller),
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    if approve_with is not None:
        r = await http.post(
            f"/api/v1/operator/shops/{body['id']}/approve", json={}, headers=bearer(approve_with)
        )
        assert r.status_code == 200, r.text
    return body


async def warehouse(http: httpx.AsyncClient, seller: str, shop_id: str) -> dict[str, Any]:
    r = await http.post(
        f"/api/v1/seller/shops/{shop_id}/warehouses",
        json={
            "type": "SALES_WAREHOUSE",
            "name": "Brooklyn warehouse",
            "address_line1": "55 Water Street",
            "city": "Brooklyn",
            "region": "NY",
            "postal_code": "11201",
            "country_code": "US",
            "latitude": 40.7033,
            "longitude": -73.9881,
            "is_default": True,
        },
        headers=bearer(seller),
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def product(
    http: httpx.AsyncClient,
    seller: str,
    shop_id: str,
    *,
    title: str,
    shape: str,
    color: tuple[int, int, int],
    skus: list[dict[str, Any]],
    category_id: str = "201",
    description: str = "Soft, breathable and made to last. Machine washable.",
) -> dict[str, Any]:
    """A product with a drawn picture, audited live by the server's own job runner."""
    picture = product_image(title, shape=shape, color=color, seed=len(title))
    r = await http.post(
        f"/api/v1/seller/shops/{shop_id}/images",
        files={"file": ("picture.png", picture, "image/png")},
        headers=bearer(seller),
    )
    assert r.status_code == 201, r.text
    r = await http.post(
        f"/api/v1/seller/shops/{shop_id}/products",
        json={
            "title": title,
            "description": description,
            "category_id": category_id,
            "brand": None,
            "package_weight_g": 300,
            "package_length_cm": 30,
            "package_width_cm": 22,
            "package_height_cm": 4,
            "origin_country": "US",
            "image_ids": [r.json()["id"]],
            "skus": skus,
        },
        headers=bearer(seller),
    )
    assert r.status_code == 201, r.text
    return await wait_for_status(http, seller, shop_id, r.json()["id"], "ACTIVATE")


async def wait_for_status(
    http: httpx.AsyncClient, seller: str, shop_id: str, product_id: str, status: str
) -> dict[str, Any]:
    for _ in range(100):
        r = await http.get(
            f"/api/v1/seller/shops/{shop_id}/products/{product_id}", headers=bearer(seller)
        )
        body: dict[str, Any] = r.json()
        if body["status"] == status:
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"product {product_id} stayed {body['status']}: {body.get('audit')}")


async def stock(
    http: httpx.AsyncClient, seller: str, shop_id: str, warehouse_id: str, sku_id: str, units: int
) -> None:
    r = await http.post(
        f"/api/v1/seller/shops/{shop_id}/stock/receipts",
        json={"sku_id": sku_id, "warehouse_id": warehouse_id, "quantity": units, "note": "seed"},
        headers=bearer(seller),
    )
    assert r.status_code == 201, r.text


def sku(code: str, price_minor: int, **attributes: str) -> dict[str, Any]:
    return {
        "seller_sku": code,
        "sales_attributes": [{"name": k, "value_name": v} for k, v in attributes.items()],
        "price_minor": price_minor,
    }


async def video(
    http: httpx.AsyncClient, seller: str, shop_id: str, *, title: str, data: bytes
) -> dict[str, Any]:
    """An uploaded video, transcoded READY by the server's own job runner."""
    r = await http.post(
        "/api/v1/videos",
        data={"title": title, "shop_id": shop_id},
        files={"file": ("clip.mp4", data, "video/mp4")},
        headers=bearer(seller),
    )
    assert r.status_code == 201, r.text
    video_id = r.json()["id"]
    for _ in range(150):
        r = await http.get(f"/api/v1/videos/{video_id}", headers=bearer(seller))
        body: dict[str, Any] = r.json()
        if body["status"] in ("READY", "FAILED"):
            assert body["status"] == "READY", body
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"video {video_id} was not transcoded in time")


async def live(
    http: httpx.AsyncClient,
    seller: str,
    shop_id: str,
    *,
    title: str,
    product_ids: list[str],
    loop_video_id: str | None,
    pin: str | None,
) -> dict[str, Any]:
    """A shop's live, on air, with `pin` pinned."""
    r = await http.post(
        "/api/v1/live/sessions",
        json={
            "title": title,
            "shop_id": shop_id,
            "product_ids": product_ids,
            "loop_video_id": loop_video_id,
        },
        headers=bearer(seller),
    )
    assert r.status_code == 201, r.text
    live_id = r.json()["id"]
    r = await http.post(f"/api/v1/live/sessions/{live_id}/start", headers=bearer(seller))
    assert r.status_code == 200, r.text
    if pin is not None:
        r = await http.post(
            f"/api/v1/live/sessions/{live_id}/pin", json={"product_id": pin}, headers=bearer(seller)
        )
        assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def deal(
    http: httpx.AsyncClient, seller: str, live_id: str, sku_id: str, **terms: Any
) -> dict[str, Any]:
    r = await http.post(
        f"/api/v1/flash/sessions/{live_id}/deals",
        json={
            "sku_id": sku_id,
            "currency": "USD",
            "per_buyer_limit": 1,
            "countdown_seconds": 10,
            "duration_minutes": 5,
            **terms,
        },
        headers=bearer(seller),
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body
