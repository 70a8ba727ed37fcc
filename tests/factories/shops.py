"""Shops and warehouses, created through the real seller and operator endpoints."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from hawker.runtime import Runtime
from tests.factories.accounts import Actor, make_operator

_seq = itertools.count(1)


async def make_shop(
    client: httpx.AsyncClient,
    rt: Runtime,
    owner: Actor,
    *,
    market_code: str = "US",
    name: str | None = None,
    seller_type: str = "LOCAL",
    active: bool = True,
) -> dict[str, Any]:
    """A shop applied for by `owner`; approved by a fresh operator when `active`."""
    n = next(_seq)
    r = await client.post(
        "/api/v1/shops",
        json={
            "name": name or f"Test Shop {n}",
            "market_code": market_code,
            "seller_type": seller_type,
            "description": "A shop made by the test factory.",
            "contact_email": owner.email,
            "business_name": f"Test Business {n}",
            "business_registration_number": f"REG-{n:06d}",
        },
        headers=owner.headers,
    )
    assert r.status_code == 201, r.text
    shop: dict[str, Any] = r.json()
    if active:
        operator = await make_operator(rt)
        r = await client.post(
            f"/api/v1/operator/shops/{shop['id']}/approve", json={}, headers=operator.headers
        )
        assert r.status_code == 200, r.text
        shop = r.json()
    return shop


async def make_warehouse(
    client: httpx.AsyncClient,
    owner: Actor,
    shop_id: str,
    *,
    type: str = "SALES_WAREHOUSE",
    name: str | None = None,
    country_code: str = "US",
    cutoff_hour: int = 14,
    is_default: bool = False,
    latitude: float = 40.7128,
    longitude: float = -74.006,
) -> dict[str, Any]:
    r = await client.post(
        f"/api/v1/seller/shops/{shop_id}/warehouses",
        json={
            "type": type,
            "name": name or f"Warehouse {next(_seq)}",
            "address_line1": "1 Test Street",
            "city": "Testville",
            "region": "TS",
            "postal_code": "10001",
            "country_code": country_code,
            "latitude": latitude,
            "longitude": longitude,
            "cutoff_hour": cutoff_hour,
            "is_default": is_default,
        },
        headers=owner.headers,
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body
