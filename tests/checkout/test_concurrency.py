"""THE CONCURRENCY PROOF: 200 buyers check out at once for 10 units; exactly 10 are sold.

Runs on whichever database the suite is configured for (SQLite by default, PostgreSQL in the
PostgreSQL run), with every request a real concurrent API call.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import httpx
from sqlalchemy import func, select

from hawker.accounts import service as accounts
from hawker.accounts.passwords import hash_password
from hawker.inventory import service as inventory
from hawker.models import (
    IdempotencyRecord,
    Order,
    OrderAllocation,
    OrderLine,
    Stock,
    StockMovement,
    User,
    UserRole,
)
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import Actor
from tests.factories.orders import address, count_rows, make_listing

BUYERS = 200
UNITS = 10


async def make_buyers(rt: Runtime, n: int) -> list[Actor]:
    """n buyers inserted directly (one shared password hash), each with a login token."""
    now = rt.clock.now()
    shared_hash = hash_password("concurrent buyer", "fast")
    actors: list[Actor] = []
    async with rt.db.session() as s:
        users = [
            User(
                email=f"crowd{i}@example.com",
                password_hash=shared_hash,
                display_name=f"Buyer {i}",
                role=UserRole.BUYER,
                market_code="US",
                created_at=now,
            )
            for i in range(n)
        ]
        s.add_all(users)
        await s.flush()
        for user in users:
            token = await accounts.issue_token(s, user, now=now, ttl=timedelta(days=1))
            actors.append(Actor(user_id=user.id, email=user.email, token=token))
    return actors


async def test_200_concurrent_checkouts_sell_exactly_the_10_units(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_listing(client, rt, runner, stock=UNITS)
    buyers = await make_buyers(rt, BUYERS)
    sku_id = int(listing.sku_id)

    async def checkout(i: int, buyer: Actor) -> httpx.Response:
        return await client.post(
            "/api/v1/checkout/orders",
            json={
                "shipping_address": address("US", name=f"Buyer {i}"),
                "items": [{"sku_id": listing.sku_id, "quantity": 1}],
            },
            headers={**buyer.headers, "Idempotency-Key": f"crowd-{i}"},
        )

    responses = await asyncio.gather(*(checkout(i, b) for i, b in enumerate(buyers)))

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: UNITS, 409: BUYERS - UNITS}, [
        r.text for r in responses if r.status_code not in (201, 409)
    ][:3]
    for r in responses:
        if r.status_code == 409:
            error = r.json()["error"]
            assert error["code"] == "insufficient_stock"
            assert error["details"] == [{"sku_id": listing.sku_id, "requested": 1, "available": 0}]
    winners = {r.json()["orders"][0]["buyer_id"] for r in responses if r.status_code == 201}
    assert len(winners) == UNITS

    # exactly ten orders, ten units; no stock sold twice, none below zero
    assert await count_rows(rt, Order) == UNITS
    assert await count_rows(rt, IdempotencyRecord) == UNITS  # refusals are not stored
    async with rt.db.read_session() as s:
        stock = (await s.scalars(select(Stock).where(Stock.sku_id == sku_id))).one()
        assert (stock.on_hand, stock.reserved) == (UNITS, UNITS)
        sold = (await s.execute(select(func.sum(OrderLine.quantity)))).scalar_one()
        allocated = (await s.execute(select(func.sum(OrderAllocation.quantity)))).scalar_one()
        assert sold == allocated == UNITS
        on_hand_sum, reserved_sum = (
            await s.execute(
                select(
                    func.sum(StockMovement.on_hand_delta), func.sum(StockMovement.reserved_delta)
                ).where(StockMovement.sku_id == sku_id)
            )
        ).one()
        assert (on_hand_sum, reserved_sum) == (stock.on_hand, stock.reserved)
        assert await inventory.check_consistency(s) == []
