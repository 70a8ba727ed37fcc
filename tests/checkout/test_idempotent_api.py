"""Idempotency-Key on place and pay: a replay returns the first answer and creates nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from hawker.inventory import service as inventory
from hawker.models import (
    IdempotencyRecord,
    JournalEntry,
    Order,
    OrderAllocation,
    OrderHistory,
    OrderLine,
    OutboxEvent,
    Payment,
    Posting,
    StockMovement,
)
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.orders import (
    CARD_DECLINED,
    add_to_cart,
    count_rows,
    make_listing,
    pay,
    place,
)

TABLES: tuple[type[Any], ...] = (
    Order,
    OrderLine,
    OrderAllocation,
    OrderHistory,
    OutboxEvent,
    StockMovement,
    IdempotencyRecord,
    Payment,
    JournalEntry,
    Posting,
)


async def counts(rt: Runtime) -> dict[str, int]:
    return {m.__tablename__: await count_rows(rt, m) for m in TABLES}


async def test_place_and_pay_replay_the_first_answer(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_listing(client, rt, runner)
    buyer = await signup(client)
    await add_to_cart(client, buyer, listing.sku_id, 2)

    first = await place(client, buyer, key="place-1", note="ring twice")
    assert first.status_code == 201, first.text
    after_first = await counts(rt)
    assert after_first["orders"] == 1

    again = await place(client, buyer, key="place-1", note="ring twice")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert await counts(rt) == after_first

    # same key, different request: refused, nothing created
    reused = await place(client, buyer, key="place-1", note="ring once")
    assert reused.status_code == 409
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert await counts(rt) == after_first

    checkout_id = first.json()["checkout_id"]
    paid = await pay(client, buyer, checkout_id, key="pay-1")
    assert paid.status_code == 200, paid.text
    after_pay = await counts(rt)
    assert after_pay["payments"] == 1
    replay = await pay(client, buyer, checkout_id, key="pay-1")
    assert replay.status_code == 200
    assert replay.json() == paid.json()
    assert await counts(rt) == after_pay

    other_card = await pay(client, buyer, checkout_id, key="pay-1", number=CARD_DECLINED)
    assert other_card.status_code == 409
    assert other_card.json()["error"]["code"] == "idempotency_key_reused"
    assert await counts(rt) == after_pay

    # keys belong to one buyer: another buyer's identical key is a new request of theirs
    other = await signup(client)
    await add_to_cart(client, other, listing.sku_id, 1)
    theirs = await place(client, other, key="place-1", note="ring twice")
    assert theirs.status_code == 201
    assert theirs.json()["checkout_id"] != checkout_id


async def test_concurrent_duplicates_create_one_order(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    """The same keyed request sent five times at once: one order; the others replay it or are
    told it is in progress (PostgreSQL), never a second order."""
    listing = await make_listing(client, rt, runner)
    buyer = await signup(client)
    responses = await asyncio.gather(
        *(place(client, buyer, items=[(listing.sku_id, 1)], key="burst") for _ in range(5))
    )
    created = [r for r in responses if r.status_code == 201]
    assert created
    assert all(r.json() == created[0].json() for r in created)
    for r in responses:
        if r.status_code != 201:
            assert r.status_code == 409
            assert r.json()["error"]["code"] == "idempotency_request_in_progress"
    assert await count_rows(rt, Order) == 1
    assert await count_rows(rt, IdempotencyRecord) == 1
    async with rt.db.read_session() as s:
        assert await inventory.check_consistency(s) == []
