"""The operator console: review actions, their audit and outbox records, lists, the audit log."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hawker.kit.clock import FrozenClock
from hawker.models import AuditLog, OutboxEvent, Shop, User
from hawker.runtime import Runtime
from hawker.shops import review
from hawker.shops.lifecycle import ReviewAction
from hawker.shops.review import ReasonRequired
from tests.factories.accounts import Actor, make_operator, signup
from tests.factories.shops import make_shop

REASONED = {"reject", "suspend", "close"}

# (status the shop is in, action) -> status it ends in; every other pair is refused.
ALLOWED = {
    ("PENDING_REVIEW", "approve"): "ACTIVE",
    ("PENDING_REVIEW", "reject"): "CLOSED",
    ("PENDING_REVIEW", "close"): "CLOSED",
    ("ACTIVE", "suspend"): "SUSPENDED",
    ("ACTIVE", "close"): "CLOSED",
    ("SUSPENDED", "reinstate"): "ACTIVE",
    ("SUSPENDED", "close"): "CLOSED",
}
STATUSES = ["PENDING_REVIEW", "ACTIVE", "SUSPENDED", "CLOSED"]
ACTIONS = ["approve", "reject", "suspend", "reinstate", "close"]


async def act(
    client: httpx.AsyncClient, actor: Actor, shop_id: str, action: str, reason: str = "Because."
) -> httpx.Response:
    body = {"reason": reason} if action in REASONED else None
    return await client.post(
        f"/api/v1/operator/shops/{shop_id}/{action}", json=body, headers=actor.headers
    )


async def shop_in(
    client: httpx.AsyncClient, rt: Runtime, operator: Actor, status: str
) -> dict[str, Any]:
    owner = await signup(client)
    shop = await make_shop(client, rt, owner, active=False)
    path = {
        "PENDING_REVIEW": [],
        "ACTIVE": ["approve"],
        "SUSPENDED": ["approve", "suspend"],
        "CLOSED": ["reject"],
    }[status]
    for action in path:
        r = await act(client, operator, shop["id"], action)
        assert r.status_code == 200, r.text
        shop = r.json()
    assert shop["status"] == status
    return shop


async def records(rt: Runtime, shop_id: str) -> tuple[list[Any], list[Any]]:
    async with rt.db.read_session() as s:
        audits = (
            await s.scalars(
                select(AuditLog)
                .where(AuditLog.target_type == "shop", AuditLog.target_id == int(shop_id))
                .order_by(AuditLog.id)
            )
        ).all()
        events = (
            await s.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.aggregate_id == int(shop_id))
                .order_by(OutboxEvent.id)
            )
        ).all()
    return (
        [(a.actor_id, a.action, a.details) for a in audits],
        [(e.topic, e.aggregate_type, e.payload) for e in events],
    )


async def db_shop(rt: Runtime, shop_id: str) -> tuple[Any, ...]:
    async with rt.db.read_session() as s:
        shop = await s.get(Shop, int(shop_id))
        assert shop is not None
        return (shop.status, shop.status_reason, shop.reviewed_at, shop.reviewed_by)


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", ACTIONS)
async def test_every_transition_through_the_api(
    client: httpx.AsyncClient, rt: Runtime, clock: FrozenClock, status: str, action: str
) -> None:
    setup_op = await make_operator(rt)
    shop = await shop_in(client, rt, setup_op, status)
    audits_before, events_before = await records(rt, shop["id"])
    before = await db_shop(rt, shop["id"])

    operator = await make_operator(rt)
    clock.advance(timedelta(minutes=5))
    r = await act(client, operator, shop["id"], action, reason="  Seen on review.  ")
    expected = ALLOWED.get((status, action))
    audits, events = await records(rt, shop["id"])
    if expected is None:
        assert r.status_code == 409, r.text
        assert r.json()["error"]["code"] == "invalid_state"
        assert r.json()["error"]["details"] == {"status": status, "action": action}
        assert await db_shop(rt, shop["id"]) == before
        assert (audits, events) == (audits_before, events_before)
        return
    assert r.status_code == 200, r.text
    reason = "Seen on review." if action in REASONED else None
    body = r.json()
    assert body["status"] == expected
    assert body["status_reason"] == reason
    assert body["reviewed_by"] == str(operator.user_id)
    assert body["reviewed_at"] == rt.clock.now().isoformat().replace("+00:00", "Z")
    assert await db_shop(rt, shop["id"]) == (expected, reason, rt.clock.now(), operator.user_id)
    assert audits == [
        *audits_before,
        (
            operator.user_id,
            f"shop.{action}",
            {"previous_status": status, "status": expected, "reason": reason},
        ),
    ]
    assert events == [
        *events_before,
        (
            "shop.status_changed",
            "shop",
            {
                "shop_id": shop["id"],
                "status": expected,
                "previous_status": status,
                "reason": reason,
            },
        ),
    ]


@pytest.mark.parametrize("action", sorted(REASONED))
async def test_reason_is_required(client: httpx.AsyncClient, rt: Runtime, action: str) -> None:
    operator = await make_operator(rt)
    status = "ACTIVE" if action != "reject" else "PENDING_REVIEW"
    shop = await shop_in(client, rt, operator, status)
    before = await db_shop(rt, shop["id"])
    url = f"/api/v1/operator/shops/{shop['id']}/{action}"
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        r = await client.post(url, json=body, headers=operator.headers)
        assert (r.status_code, r.json()["error"]["code"]) == (400, "reason_required"), body
    for body in (None, {"reason": "x" * 501}, {"reason": 5}):
        r = await client.post(url, json=body, headers=operator.headers)
        assert (r.status_code, r.json()["error"]["code"]) == (422, "validation_error"), body
    # Callers inside Hawker get the same rule from the service.
    with pytest.raises(ReasonRequired):
        async with rt.db.session() as s:
            user = await s.get(User, operator.user_id)
            assert user is not None
            await review.review(
                s, user, int(shop["id"]), ReviewAction(action), reason=" ", now=rt.clock.now()
            )
    assert await db_shop(rt, shop["id"]) == before
    assert len((await records(rt, shop["id"]))[0]) == (1 if status == "ACTIVE" else 0)


async def test_racing_operators_act_once(client: httpx.AsyncClient, rt: Runtime) -> None:
    op1 = await make_operator(rt)
    op2 = await make_operator(rt)
    owner = await signup(client)
    shop = await make_shop(client, rt, owner, active=False)
    results = await asyncio.gather(
        act(client, op1, shop["id"], "approve"),
        act(client, op2, shop["id"], "reject", reason="Incomplete documents."),
    )
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409]
    winner = next(r for r in results if r.status_code == 200).json()
    audits, events = await records(rt, shop["id"])
    assert len(audits) == 1
    assert len(events) == 1
    assert events[0][2]["status"] == winner["status"]
    assert (await db_shop(rt, shop["id"]))[0] == winner["status"]


async def test_unknown_shop_is_404(client: httpx.AsyncClient, rt: Runtime) -> None:
    operator = await make_operator(rt)
    r = await act(client, operator, "424242", "approve")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "shop_not_found"
    r = await client.get("/api/v1/operator/shops/424242", headers=operator.headers)
    assert r.status_code == 404


async def test_operator_endpoints_refuse_others(client: httpx.AsyncClient, rt: Runtime) -> None:
    buyer = await signup(client)
    seller = await signup(client)
    shop = await make_shop(client, rt, seller, active=False)
    before = await db_shop(rt, shop["id"])
    sid = shop["id"]
    calls: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", "/api/v1/operator/shops", None),
        ("GET", f"/api/v1/operator/shops/{sid}", None),
        ("POST", f"/api/v1/operator/shops/{sid}/approve", None),
        ("POST", f"/api/v1/operator/shops/{sid}/reject", {"reason": "x"}),
        ("POST", f"/api/v1/operator/shops/{sid}/suspend", {"reason": "x"}),
        ("POST", f"/api/v1/operator/shops/{sid}/reinstate", None),
        ("POST", f"/api/v1/operator/shops/{sid}/close", {"reason": "x"}),
        ("GET", "/api/v1/operator/audit-log", None),
    ]
    for actor in (buyer, seller):
        for method, path, body in calls:
            r = await client.request(method, path, json=body, headers=actor.headers)
            assert r.status_code == 403, (method, path)
            assert r.json()["error"]["code"] == "permission_denied"
    client.cookies.clear()
    for method, path, body in calls:
        r = await client.request(method, path, json=body)
        assert r.status_code == 401, (method, path)
    assert await db_shop(rt, shop["id"]) == before
    assert await records(rt, shop["id"]) == ([], [])


async def test_operator_detail_has_members(client: httpx.AsyncClient, rt: Runtime) -> None:
    owner = await signup(client, display_name="Owner O")
    staff = await signup(client, display_name="Staff S")
    shop = await make_shop(client, rt, owner)
    await client.post(
        f"/api/v1/seller/shops/{shop['id']}/members",
        json={"email": staff.email},
        headers=owner.headers,
    )
    operator = await make_operator(rt)
    r = await client.get(f"/api/v1/operator/shops/{shop['id']}", headers=operator.headers)
    assert r.status_code == 200
    body = r.json()
    assert body["business_registration_number"] == shop["business_registration_number"]
    assert [(m["user_id"], m["role"], m["display_name"]) for m in body["members"]] == [
        (str(owner.user_id), "owner", "Owner O"),
        (str(staff.user_id), "staff", "Staff S"),
    ]


async def test_operator_list_filters_and_pages(client: httpx.AsyncClient, rt: Runtime) -> None:
    operator = await make_operator(rt)
    owner = await signup(client)
    us_pending = await make_shop(client, rt, owner, name="Harbor Lights", active=False)
    us_active = await make_shop(client, rt, owner, name="Desert Bloom")
    gb_active = await make_shop(client, rt, owner, name="Harbor Tea", market_code="GB")
    gb_pending = await make_shop(
        client, rt, owner, name="100% Wool_Co", market_code="GB", active=False
    )

    async def ids(query: str) -> list[str]:
        r = await client.get(f"/api/v1/operator/shops?{query}", headers=operator.headers)
        assert r.status_code == 200, r.text
        return [s["id"] for s in r.json()["items"]]

    assert await ids("") == [gb_pending["id"], gb_active["id"], us_active["id"], us_pending["id"]]
    assert await ids("status=PENDING_REVIEW") == [gb_pending["id"], us_pending["id"]]
    assert await ids("market_code=gb") == [gb_pending["id"], gb_active["id"]]
    assert await ids("status=ACTIVE&market_code=US") == [us_active["id"]]
    assert await ids("q=harbor") == [gb_active["id"], us_pending["id"]]
    assert await ids("q=harbor&status=ACTIVE") == [gb_active["id"]]
    assert await ids("q=100%25") == [gb_pending["id"]]  # % is matched literally
    assert await ids("q=t_b") == []  # _ too ("Desert Bloom" would match a wildcard)
    assert await ids(f"q={us_active['business_registration_number']}") == [us_active["id"]]

    p1 = (await client.get("/api/v1/operator/shops?limit=3", headers=operator.headers)).json()
    assert [s["id"] for s in p1["items"]] == [gb_pending["id"], gb_active["id"], us_active["id"]]
    p2 = (
        await client.get(
            f"/api/v1/operator/shops?limit=3&cursor={p1['next_cursor']}", headers=operator.headers
        )
    ).json()
    assert [s["id"] for s in p2["items"]] == [us_pending["id"]]
    assert p2["next_cursor"] is None

    for bad in ("status=OPEN", "limit=101", "market_code=USA"):
        r = await client.get(f"/api/v1/operator/shops?{bad}", headers=operator.headers)
        assert r.status_code == 422, bad
    r = await client.get("/api/v1/operator/shops?cursor=eyJpZCI6IngifQ", headers=operator.headers)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_cursor"


async def test_audit_log_endpoint(client: httpx.AsyncClient, rt: Runtime) -> None:
    op1 = await make_operator(rt)
    op2 = await make_operator(rt)
    owner = await signup(client)
    a = await make_shop(client, rt, owner, active=False)
    b = await make_shop(client, rt, owner, active=False)
    assert (await act(client, op1, a["id"], "approve")).status_code == 200
    assert (await act(client, op2, b["id"], "reject", "Fake documents.")).status_code == 200
    assert (await act(client, op1, a["id"], "suspend", "Late dispatch.")).status_code == 200

    async def entries(query: str) -> list[tuple[str, str | None, str]]:
        r = await client.get(f"/api/v1/operator/audit-log?{query}", headers=op1.headers)
        assert r.status_code == 200, r.text
        return [(e["action"], e["actor_id"], e["target_id"]) for e in r.json()["items"]]

    assert await entries("target_type=shop") == [
        ("shop.suspend", str(op1.user_id), a["id"]),
        ("shop.reject", str(op2.user_id), b["id"]),
        ("shop.approve", str(op1.user_id), a["id"]),
    ]
    assert await entries(f"target_type=shop&target_id={a['id']}") == [
        ("shop.suspend", str(op1.user_id), a["id"]),
        ("shop.approve", str(op1.user_id), a["id"]),
    ]
    assert await entries(f"actor_id={op2.user_id}") == [("shop.reject", str(op2.user_id), b["id"])]
    assert await entries("action=shop.approve&target_type=shop") == [
        ("shop.approve", str(op1.user_id), a["id"])
    ]
    assert await entries("target_id=999999999999999999") == []

    r = await client.get(f"/api/v1/operator/audit-log?target_id={b['id']}", headers=op1.headers)
    entry = r.json()["items"][0]
    assert entry["target_type"] == "shop"
    assert entry["details"] == {
        "previous_status": "PENDING_REVIEW",
        "status": "CLOSED",
        "reason": "Fake documents.",
    }
    assert entry["created_at"] == rt.clock.now().isoformat().replace("+00:00", "Z")

    p1 = (
        await client.get("/api/v1/operator/audit-log?target_type=shop&limit=2", headers=op1.headers)
    ).json()
    p2 = (
        await client.get(
            f"/api/v1/operator/audit-log?target_type=shop&limit=2&cursor={p1['next_cursor']}",
            headers=op1.headers,
        )
    ).json()
    assert [e["action"] for e in p1["items"] + p2["items"]] == [
        "shop.suspend",
        "shop.reject",
        "shop.approve",
    ]
    assert p2["next_cursor"] is None
    r = await client.get("/api/v1/operator/audit-log?cursor=%%%", headers=op1.headers)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_cursor"
