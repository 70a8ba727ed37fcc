"""The seller center: my shops, profile edits, members, and tenancy between sellers."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from hawker.models import AuditLog
from hawker.runtime import Runtime
from tests.factories.accounts import Actor, make_operator, signup
from tests.factories.shops import make_shop, make_warehouse


async def members_of(client: httpx.AsyncClient, actor: Actor, shop_id: str) -> list[Any]:
    r = await client.get(f"/api/v1/seller/shops/{shop_id}/members", headers=actor.headers)
    assert r.status_code == 200, r.text
    return [(m["user_id"], m["role"]) for m in r.json()["items"]]


async def test_my_shops_lists_only_mine_with_role(client: httpx.AsyncClient, rt: Runtime) -> None:
    alice = await signup(client)
    bob = await signup(client)
    a1 = await make_shop(client, rt, alice, name="Alice One")
    a2 = await make_shop(client, rt, alice, name="Alice Two", active=False, market_code="GB")
    b1 = await make_shop(client, rt, bob, name="Bob One")
    r = await client.post(
        f"/api/v1/seller/shops/{b1['id']}/members", json={"email": alice.email}, headers=bob.headers
    )
    assert r.status_code == 201

    r = await client.get("/api/v1/seller/shops", headers=alice.headers)
    assert r.status_code == 200
    body = r.json()
    assert [(s["id"], s["role"], s["status"], s["market_code"]) for s in body["items"]] == [
        (b1["id"], "staff", "ACTIVE", "US"),
        (a2["id"], "owner", "PENDING_REVIEW", "GB"),
        (a1["id"], "owner", "ACTIVE", "US"),
    ]
    assert body["next_cursor"] is None

    page1 = (await client.get("/api/v1/seller/shops?limit=2", headers=alice.headers)).json()
    assert [s["id"] for s in page1["items"]] == [b1["id"], a2["id"]]
    page2 = (
        await client.get(
            f"/api/v1/seller/shops?limit=2&cursor={page1['next_cursor']}", headers=alice.headers
        )
    ).json()
    assert [s["id"] for s in page2["items"]] == [a1["id"]]
    assert page2["next_cursor"] is None

    r = await client.get("/api/v1/seller/shops?cursor=not-a-cursor", headers=alice.headers)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_cursor"
    client.cookies.clear()  # sign-up left a session cookie behind
    assert (await client.get("/api/v1/seller/shops")).status_code == 401


async def test_owner_updates_profile(client: httpx.AsyncClient, rt: Runtime) -> None:
    owner = await signup(client)
    shop = await make_shop(client, rt, owner)
    r = await client.patch(
        f"/api/v1/seller/shops/{shop['id']}",
        json={"description": "  Handmade lamps.  ", "contact_email": "Help@Example.com"},
        headers=owner.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["description"] == "Handmade lamps."
    assert r.json()["contact_email"] == "help@example.com"
    assert r.json()["role"] == "owner"
    assert (await client.get(f"/api/v1/shops/{shop['id']}")).json()["description"] == (
        "Handmade lamps."
    )
    async with rt.db.read_session() as s:
        rows = (await s.scalars(select(AuditLog).where(AuditLog.action == "shop.update"))).all()
    assert [(r.actor_id, r.target_id, r.details) for r in rows] == [
        (owner.user_id, int(shop["id"]), {"changed": ["contact_email", "description"]})
    ]

    # Fields that go through review cannot be edited here.
    r = await client.patch(
        f"/api/v1/seller/shops/{shop['id']}", json={"name": "New Name"}, headers=owner.headers
    )
    assert r.status_code == 422


async def test_staff_reads_but_does_not_manage(client: httpx.AsyncClient, rt: Runtime) -> None:
    owner = await signup(client)
    staff = await signup(client)
    other = await signup(client)
    shop = await make_shop(client, rt, owner)
    r = await client.post(
        f"/api/v1/seller/shops/{shop['id']}/members",
        json={"email": staff.email.upper()},
        headers=owner.headers,
    )
    assert r.status_code == 201
    assert r.json()["user_id"] == str(staff.user_id)
    assert r.json()["role"] == "staff"
    assert r.json()["email"] == staff.email

    r = await client.get(f"/api/v1/seller/shops/{shop['id']}", headers=staff.headers)
    assert r.status_code == 200
    assert r.json()["role"] == "staff"
    before = await members_of(client, staff, shop["id"])
    assert before == [(str(staff.user_id), "staff"), (str(owner.user_id), "owner")]

    for method, path, body in (
        ("POST", f"/api/v1/seller/shops/{shop['id']}/members", {"email": other.email}),
        ("DELETE", f"/api/v1/seller/shops/{shop['id']}/members/{owner.user_id}", None),
        ("DELETE", f"/api/v1/seller/shops/{shop['id']}/members/{staff.user_id}", None),
        ("PATCH", f"/api/v1/seller/shops/{shop['id']}", {"description": "staff edit"}),
    ):
        r = await client.request(method, path, json=body, headers=staff.headers)
        assert r.status_code == 403, (method, path)
        assert r.json()["error"]["code"] == "not_shop_owner"
    assert await members_of(client, owner, shop["id"]) == before
    desc = (await client.get(f"/api/v1/seller/shops/{shop['id']}", headers=owner.headers)).json()
    assert desc["description"] == shop["description"]

    # Staff may manage warehouses.
    w = await make_warehouse(client, staff, shop["id"])
    assert w["shop_id"] == shop["id"]


async def test_member_errors(client: httpx.AsyncClient, rt: Runtime) -> None:
    owner = await signup(client)
    staff = await signup(client)
    shop = await make_shop(client, rt, owner)
    url = f"/api/v1/seller/shops/{shop['id']}/members"
    r = await client.post(url, json={"email": "nobody@example.com"}, headers=owner.headers)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "user_not_found"
    r = await client.post(url, json={"email": owner.email}, headers=owner.headers)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "already_member"
    operator = await make_operator(rt)
    r = await client.post(url, json={"email": operator.email}, headers=owner.headers)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "operator_cannot_join_shop"
    assert (
        await client.post(url, json={"email": staff.email}, headers=owner.headers)
    ).status_code == 201
    r = await client.post(url, json={"email": staff.email}, headers=owner.headers)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "already_member"

    r = await client.delete(f"{url}/{owner.user_id}", headers=owner.headers)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "cannot_remove_owner"
    r = await client.delete(f"{url}/12345", headers=owner.headers)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "member_not_found"
    assert await members_of(client, owner, shop["id"]) == [
        (str(staff.user_id), "staff"),
        (str(owner.user_id), "owner"),
    ]

    r = await client.delete(f"{url}/{staff.user_id}", headers=owner.headers)
    assert r.status_code == 204
    assert await members_of(client, owner, shop["id"]) == [(str(owner.user_id), "owner")]
    # The removed staff member no longer sees the shop.
    r = await client.get(f"/api/v1/seller/shops/{shop['id']}", headers=staff.headers)
    assert r.status_code == 404
    async with rt.db.read_session() as s:
        actions = (
            await s.scalars(
                select(AuditLog.action)
                .where(AuditLog.target_id == int(shop["id"]), AuditLog.action.like("shop.member%"))
                .order_by(AuditLog.id)
            )
        ).all()
    assert list(actions) == ["shop.member_add", "shop.member_remove"]


async def test_members_pagination(client: httpx.AsyncClient, rt: Runtime) -> None:
    owner = await signup(client)
    shop = await make_shop(client, rt, owner)
    staff = [await signup(client) for _ in range(3)]
    for s in staff:
        r = await client.post(
            f"/api/v1/seller/shops/{shop['id']}/members",
            json={"email": s.email},
            headers=owner.headers,
        )
        assert r.status_code == 201
    url = f"/api/v1/seller/shops/{shop['id']}/members?limit=3"
    first = (await client.get(url, headers=owner.headers)).json()
    assert [m["user_id"] for m in first["items"]] == [str(s.user_id) for s in reversed(staff)]
    second = (
        await client.get(f"{url}&cursor={first['next_cursor']}", headers=owner.headers)
    ).json()
    assert [m["user_id"] for m in second["items"]] == [str(owner.user_id)]
    assert second["next_cursor"] is None


async def test_tenancy_between_sellers(client: httpx.AsyncClient, rt: Runtime) -> None:
    a = await signup(client)
    b = await signup(client)
    b_staff = await signup(client)
    shop_b = await make_shop(client, rt, b)
    await client.post(
        f"/api/v1/seller/shops/{shop_b['id']}/members",
        json={"email": b_staff.email},
        headers=b.headers,
    )
    wh = await make_warehouse(client, b, shop_b["id"], name="B Main", is_default=True)
    base = f"/api/v1/seller/shops/{shop_b['id']}"

    async def snapshot() -> list[Any]:
        return [
            (await client.get(base, headers=b.headers)).json(),
            (await client.get(f"{base}/members", headers=b.headers)).json(),
            (await client.get(f"{base}/warehouses", headers=b.headers)).json(),
        ]

    before = await snapshot()
    attempts: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", base, None),
        ("PATCH", base, {"description": "hijacked"}),
        ("GET", f"{base}/members", None),
        ("POST", f"{base}/members", {"email": a.email}),
        ("DELETE", f"{base}/members/{b_staff.user_id}", None),
        ("GET", f"{base}/warehouses", None),
        ("GET", f"{base}/warehouses/{wh['id']}", None),
        ("PATCH", f"{base}/warehouses/{wh['id']}", {"name": "Mine now", "is_default": False}),
        (
            "POST",
            f"{base}/warehouses",
            {
                "type": "SALES_WAREHOUSE",
                "name": "Intruder",
                "address_line1": "1 Road",
                "city": "Town",
                "postal_code": "1",
                "country_code": "US",
                "latitude": 1,
                "longitude": 1,
            },
        ),
    ]
    for method, path, body in attempts:
        r = await client.request(method, path, json=body, headers=a.headers)
        assert r.status_code == 404, (method, path, r.text)
        assert r.json()["error"]["code"] == "shop_not_found"
    assert await snapshot() == before
    mine = (await client.get("/api/v1/seller/shops", headers=a.headers)).json()
    assert mine == {"items": [], "next_cursor": None}
