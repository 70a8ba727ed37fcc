"""Idempotency-Key on place and pay: a replay returns the first answer and creates nothing."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from typing import Any

import httpx
from sqlalchemy import select

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
    CARD_OK,
    add_to_cart,
    card,
    count_rows,
    make_listing,
    pay,
    place,
)

CARD_OTHER = "5555555555554444"  # another card that pays

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


def _canonical(body: Any) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


async def test_pay_keys_store_no_card_data(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    """The stored request hash is a keyed HMAC over the card's fingerprint: not SHA-256 of the
    body, not even an HMAC of it; the same card still replays and another card is refused."""
    listing = await make_listing(client, rt, runner)
    buyer = await signup(client)
    placed = await place(client, buyer, items=[(listing.sku_id, 1)])
    checkout_id = placed.json()["checkout_id"]
    url = f"/api/v1/checkout/{checkout_id}/pay"
    body = {"card": card()}

    async def pay_with(card_body: dict[str, Any], key: str = "pay-card") -> httpx.Response:
        return await client.post(
            url, json={"card": card_body}, headers={**buyer.headers, "Idempotency-Key": key}
        )

    paid = await pay_with(body["card"])
    assert paid.status_code == 200, paid.text
    async with rt.db.read_session() as s:
        q = select(IdempotencyRecord).where(IdempotencyRecord.scope == "checkout.pay")
        record = (await s.scalars(q)).one()
    raw = {"checkout_id": checkout_id, **body}
    secret = rt.settings.secret_key.encode()
    assert len(record.request_hash) == 64
    assert record.request_hash != hashlib.sha256(_canonical(raw)).hexdigest()
    assert record.request_hash != hmac.new(secret, _canonical(raw), hashlib.sha256).hexdigest()
    stored = json.dumps(record.response_body)
    assert CARD_OK not in stored and "4242 4242" not in stored
    assert record.response_body["payment"]["card_last4"] == "4242"

    after = await counts(rt)
    # The same card replays, however its number is typed; the CVC is not part of the hash.
    for same in (
        card(),
        {**card(), "number": "4242 4242 4242 4242"},
        {**card(), "cvc": "999"},
    ):
        replay = await pay_with(same)
        assert (replay.status_code, replay.json()) == (200, paid.json())
    assert await counts(rt) == after
    # Another card, or another expiry of the same number, is another request.
    for other in (card(CARD_OTHER), {**card(), "exp_year": 2031}, {**card(), "exp_month": 11}):
        r = await pay_with(other)
        assert (r.status_code, r.json()["error"]["code"]) == (409, "idempotency_key_reused")
    assert await counts(rt) == after

    # The order's own pay endpoint keeps the same rules.
    second = await place(client, buyer, items=[(listing.sku_id, 1)])
    order_url = f"/api/v1/orders/{second.json()['orders'][0]['id']}/pay"
    headers = {**buyer.headers, "Idempotency-Key": "pay-order"}
    first = await client.post(order_url, json=body, headers=headers)
    assert first.status_code == 200, first.text
    after = await counts(rt)
    again = await client.post(order_url, json={"card": {**card(), "cvc": "321"}}, headers=headers)
    assert (again.status_code, again.json()) == (200, first.json())
    r = await client.post(order_url, json={"card": card(CARD_OTHER)}, headers=headers)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "idempotency_key_reused")
    assert await counts(rt) == after
    async with rt.db.read_session() as s:
        q = select(IdempotencyRecord).where(IdempotencyRecord.scope == "orders.pay")
        record = (await s.scalars(q)).one()
    raw = {"order_id": second.json()["orders"][0]["id"], **body}
    assert record.request_hash != hashlib.sha256(_canonical(raw)).hexdigest()
    assert CARD_OK not in json.dumps(record.response_body)
