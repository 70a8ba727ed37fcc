"""Applying for a shop, approval, and the public profile."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import func, select

from hawker.models import Shop, ShopMember
from hawker.runtime import Runtime
from hawker.shops.service import MAX_OPEN_SHOPS_PER_OWNER
from tests.factories.accounts import make_operator, signup
from tests.factories.shops import make_shop


def application(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Lantern Goods",
        "market_code": "US",
        "seller_type": "LOCAL",
        "description": "Lamps and lanterns.",
        "contact_email": "Shop@Lantern.example",
        "business_name": "Lantern Goods LLC",
        "business_registration_number": "US-123456",
    }
    body.update(overrides)
    return body


async def shop_count(rt: Runtime) -> int:
    async with rt.db.read_session() as s:
        return int(await s.scalar(select(func.count()).select_from(Shop)) or 0)


async def test_apply_then_approve(client: httpx.AsyncClient, rt: Runtime) -> None:
    seller = await signup(client)
    r = await client.post("/api/v1/shops", json=application(), headers=seller.headers)
    assert r.status_code == 201, r.text
    shop = r.json()
    assert isinstance(shop["id"], str)
    assert shop["status"] == "PENDING_REVIEW"
    assert shop["on_probation"] is True
    assert shop["role"] == "owner"
    assert shop["name"] == "Lantern Goods"
    assert shop["market_code"] == "US"
    assert shop["seller_type"] == "LOCAL"
    assert shop["contact_email"] == "shop@lantern.example"
    assert shop["business_name"] == "Lantern Goods LLC"
    assert shop["business_registration_number"] == "US-123456"
    assert shop["status_reason"] is None
    assert shop["reviewed_at"] is None
    assert shop["created_at"] == rt.clock.now().isoformat().replace("+00:00", "Z")

    # Not visible to the public before approval.
    public = await client.get(f"/api/v1/shops/{shop['id']}")
    assert public.status_code == 404
    assert public.json()["error"]["code"] == "shop_not_found"

    members = await client.get(f"/api/v1/seller/shops/{shop['id']}/members", headers=seller.headers)
    assert [(m["user_id"], m["role"]) for m in members.json()["items"]] == [
        (str(seller.user_id), "owner")
    ]

    operator = await make_operator(rt)
    r = await client.post(f"/api/v1/operator/shops/{shop['id']}/approve", headers=operator.headers)
    assert r.status_code == 200, r.text
    approved = r.json()
    assert approved["status"] == "ACTIVE"
    assert approved["reviewed_by"] == str(operator.user_id)
    assert approved["reviewed_at"] is not None
    assert approved["on_probation"] is True

    public = await client.get(f"/api/v1/shops/{shop['id']}")
    assert public.status_code == 200
    assert public.json() == {
        "id": shop["id"],
        "name": "Lantern Goods",
        "description": "Lamps and lanterns.",
        "market_code": "US",
        "seller_type": "LOCAL",
        "created_at": shop["created_at"],
    }


async def test_factory_makes_active_and_pending_shops(
    client: httpx.AsyncClient, rt: Runtime
) -> None:
    seller = await signup(client)
    active = await make_shop(client, rt, seller, market_code="GB", seller_type="CROSS_BORDER")
    pending = await make_shop(client, rt, seller, active=False, name="Quiet Corner")
    assert active["status"] == "ACTIVE"
    assert active["market_code"] == "GB"
    assert active["seller_type"] == "CROSS_BORDER"
    assert pending["status"] == "PENDING_REVIEW"
    assert pending["name"] == "Quiet Corner"


async def test_unknown_market_is_404_and_creates_nothing(
    client: httpx.AsyncClient, rt: Runtime
) -> None:
    seller = await signup(client)
    r = await client.post(
        "/api/v1/shops", json=application(market_code="ZZ"), headers=seller.headers
    )
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "market_not_found"
    assert await shop_count(rt) == 0


async def test_duplicate_name_is_409(client: httpx.AsyncClient, rt: Runtime) -> None:
    a = await signup(client)
    b = await signup(client)
    assert (
        await client.post("/api/v1/shops", json=application(), headers=a.headers)
    ).status_code == 201
    for name in ("Lantern Goods", "  lantern   GOODS "):
        r = await client.post("/api/v1/shops", json=application(name=name), headers=b.headers)
        assert r.status_code == 409
        assert r.json()["error"]["code"] == "shop_name_taken"
    assert await shop_count(rt) == 1


async def test_concurrent_applications_with_one_name(
    client: httpx.AsyncClient, rt: Runtime
) -> None:
    a = await signup(client)
    b = await signup(client)
    results = await asyncio.gather(
        client.post("/api/v1/shops", json=application(), headers=a.headers),
        client.post("/api/v1/shops", json=application(), headers=b.headers),
    )
    assert sorted(r.status_code for r in results) == [201, 409]
    assert await shop_count(rt) == 1
    async with rt.db.read_session() as s:
        assert int(await s.scalar(select(func.count()).select_from(ShopMember)) or 0) == 1


async def test_owner_cap(client: httpx.AsyncClient, rt: Runtime) -> None:
    seller = await signup(client)
    shops = [
        await make_shop(client, rt, seller, active=False) for _ in range(MAX_OPEN_SHOPS_PER_OWNER)
    ]
    r = await client.post("/api/v1/shops", json=application(), headers=seller.headers)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "too_many_shops"
    assert r.json()["error"]["details"] == {"limit": MAX_OPEN_SHOPS_PER_OWNER}
    assert await shop_count(rt) == MAX_OPEN_SHOPS_PER_OWNER

    # A closed (rejected) shop no longer counts.
    operator = await make_operator(rt)
    r = await client.post(
        f"/api/v1/operator/shops/{shops[0]['id']}/reject",
        json={"reason": "Registration number does not match."},
        headers=operator.headers,
    )
    assert r.status_code == 200
    r = await client.post("/api/v1/shops", json=application(), headers=seller.headers)
    assert r.status_code == 201


async def test_owner_cap_holds_under_concurrency(client: httpx.AsyncClient, rt: Runtime) -> None:
    seller = await signup(client)
    for _ in range(MAX_OPEN_SHOPS_PER_OWNER - 1):
        await make_shop(client, rt, seller, active=False)
    results = await asyncio.gather(
        *(
            client.post(
                "/api/v1/shops", json=application(name=f"Racer {i}"), headers=seller.headers
            )
            for i in range(3)
        )
    )
    assert sorted(r.status_code for r in results) == [201, 409, 409]
    assert await shop_count(rt) == MAX_OPEN_SHOPS_PER_OWNER


async def test_operator_cannot_own_a_shop(client: httpx.AsyncClient, rt: Runtime) -> None:
    operator = await make_operator(rt)
    r = await client.post("/api/v1/shops", json=application(), headers=operator.headers)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "operator_cannot_join_shop"
    assert await shop_count(rt) == 0


async def test_application_needs_login_and_valid_fields(
    client: httpx.AsyncClient, rt: Runtime
) -> None:
    client.cookies.clear()
    r = await client.post("/api/v1/shops", json=application())
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "not_authenticated"
    seller = await signup(client)
    for bad in (
        {"seller_type": "WHOLESALE"},
        {"contact_email": "not-an-email"},
        {"name": "x"},
        {"market_code": "USA"},
        {"business_registration_number": ""},
        {"status": "ACTIVE"},
    ):
        r = await client.post("/api/v1/shops", json=application(**bad), headers=seller.headers)
        assert r.status_code == 422, bad
        assert r.json()["error"]["code"] == "validation_error"
    assert await shop_count(rt) == 0


async def test_public_profile_hides_suspended_and_unknown(
    client: httpx.AsyncClient, rt: Runtime
) -> None:
    seller = await signup(client)
    shop = await make_shop(client, rt, seller)
    operator = await make_operator(rt)
    r = await client.post(
        f"/api/v1/operator/shops/{shop['id']}/suspend",
        json={"reason": "Shipping empty boxes."},
        headers=operator.headers,
    )
    assert r.status_code == 200
    assert (await client.get(f"/api/v1/shops/{shop['id']}")).status_code == 404
    assert (await client.get("/api/v1/shops/123")).status_code == 404
    too_big = await client.get("/api/v1/shops/9999999999999999999")  # above 2^63: not an id
    assert too_big.status_code == 422
    assert too_big.json()["error"]["code"] == "validation_error"
