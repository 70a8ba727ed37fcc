"""Paying: declines, provider outages, retries, single orders, the payment window."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from hawker.kit.clock import FrozenClock
from hawker.models import IdempotencyRecord, JournalEntry, Order, Payment
from hawker.outbox.runner import JobRunner
from hawker.payments import service as payments
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.orders import (
    CARD_DECLINED,
    CARD_NETWORK_ERROR,
    add_to_cart,
    card,
    count_rows,
    make_listing,
    pay,
    place_ok,
)


async def statuses(rt: Runtime) -> list[str]:
    async with rt.db.read_session() as s:
        return list((await s.scalars(select(Order.status).order_by(Order.id))).all())


async def payment_statuses(rt: Runtime) -> list[str]:
    async with rt.db.read_session() as s:
        return list((await s.scalars(select(Payment.status).order_by(Payment.id))).all())


async def test_declined_then_paid_with_a_new_key(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_listing(client, rt, runner)
    buyer = await signup(client)
    placed = await place_ok(client, buyer, items=[(listing.sku_id, 1)])
    checkout_id = placed["checkout_id"]

    declined = await pay(client, buyer, checkout_id, number=CARD_DECLINED, key="try-1")
    assert declined.status_code == 402
    error = declined.json()["error"]
    assert error["code"] == "payment_declined"
    assert error["details"]["decline_code"] == "card_declined"
    assert error["details"]["order_ids"] == [placed["orders"][0]["id"]]
    assert await statuses(rt) == ["UNPAID"]
    assert await payment_statuses(rt) == ["DECLINED"]  # the attempt is kept
    assert await count_rows(rt, JournalEntry) == 0

    # the decline is the stored answer for that key
    replay = await pay(client, buyer, checkout_id, number=CARD_DECLINED, key="try-1")
    assert replay.status_code == 402
    assert replay.json() == declined.json()
    assert await payment_statuses(rt) == ["DECLINED"]

    ok = await pay(client, buyer, checkout_id, key="try-2")
    assert ok.status_code == 200, ok.text
    assert await statuses(rt) == ["ON_HOLD"]
    assert await payment_statuses(rt) == ["DECLINED", "SUCCEEDED"]
    async with rt.db.read_session() as s:
        assert await payments.check_ledger(s) == []


async def test_provider_outage_is_retryable_with_the_same_key(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_listing(client, rt, runner)
    buyer = await signup(client)
    placed = await place_ok(client, buyer, items=[(listing.sku_id, 1)])
    checkout_id = placed["checkout_id"]

    down = await pay(client, buyer, checkout_id, number=CARD_NETWORK_ERROR, key="net-1")
    assert down.status_code == 503
    assert down.json()["error"]["code"] == "payment_provider_unavailable"
    assert await statuses(rt) == ["UNPAID"]
    assert await count_rows(rt, IdempotencyRecord, IdempotencyRecord.scope == "checkout.pay") == 0

    # not stored: the same key runs again (a second attempt is made)
    again = await pay(client, buyer, checkout_id, number=CARD_NETWORK_ERROR, key="net-1")
    assert again.status_code == 503
    assert await payment_statuses(rt) == ["FAILED", "FAILED"]
    assert await count_rows(rt, JournalEntry) == 0

    ok = await pay(client, buyer, checkout_id, key="net-2")
    assert ok.status_code == 200, ok.text
    assert await statuses(rt) == ["ON_HOLD"]

    nothing = await pay(client, buyer, checkout_id, key="net-3")
    assert nothing.status_code == 409
    assert nothing.json()["error"]["code"] == "nothing_to_pay"
    assert await payment_statuses(rt) == ["FAILED", "FAILED", "SUCCEEDED"]


async def test_pay_one_order_then_the_rest_of_the_checkout(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    a = await make_listing(client, rt, runner, price_minor=1000)
    b = await make_listing(client, rt, runner, price_minor=2000)
    buyer = await signup(client)
    await add_to_cart(client, buyer, a.sku_id)
    await add_to_cart(client, buyer, b.sku_id)
    placed = await place_ok(client, buyer)
    by_shop = {o["shop_id"]: o for o in placed["orders"]}
    oa, ob = by_shop[a.shop_id], by_shop[b.shop_id]

    r = await client.post(
        f"/api/v1/orders/{oa['id']}/pay",
        json={"card": card()},
        headers={**buyer.headers, "Idempotency-Key": "one"},
    )
    assert r.status_code == 200, r.text
    assert [o["id"] for o in r.json()["orders"]] == [oa["id"]]
    assert (
        r.json()["payment"]["amount"]["amount_minor"]
        == oa["payment"]["total_amount"]["amount_minor"]
    )
    rest = await pay(client, buyer, placed["checkout_id"])
    assert rest.status_code == 200, rest.text
    assert [o["id"] for o in rest.json()["orders"]] == [ob["id"]]
    assert (
        rest.json()["payment"]["amount"]["amount_minor"]
        == ob["payment"]["total_amount"]["amount_minor"]
    )
    again = await client.post(
        f"/api/v1/orders/{oa['id']}/pay",
        json={"card": card()},
        headers={**buyer.headers, "Idempotency-Key": "two"},
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "nothing_to_pay"
    assert await statuses(rt) == ["ON_HOLD", "ON_HOLD"]
    assert len(await payment_statuses(rt)) == 2


async def test_refused_payments_change_nothing(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    listing = await make_listing(client, rt, runner)
    buyer = await signup(client)
    stranger = await signup(client)
    placed = await place_ok(client, buyer, items=[(listing.sku_id, 1)])
    checkout_id = placed["checkout_id"]
    order_id = placed["orders"][0]["id"]

    # another buyer's checkout or order: 404, nothing charged
    r = await pay(client, stranger, checkout_id)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "checkout_not_found"
    r = await client.post(
        f"/api/v1/orders/{order_id}/pay",
        json={"card": card()},
        headers={**stranger.headers, "Idempotency-Key": "steal"},
    )
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "order_not_found"

    # a card that cannot be charged never reaches the provider
    bad: dict[str, Any] = {**card(), "number": "4242424242424241"}
    r = await client.post(
        f"/api/v1/checkout/{checkout_id}/pay",
        json={"card": bad},
        headers={**buyer.headers, "Idempotency-Key": "bad-card"},
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_card"
    r = await client.post(
        f"/api/v1/checkout/{checkout_id}/pay",
        json={"card": card()},
        headers=buyer.headers,
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "idempotency_key_required"

    # past the payment window (before the sweep has run) the order cannot be paid
    clock.advance(timedelta(hours=24))
    r = await pay(client, buyer, checkout_id)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "payment_window_expired"

    assert await statuses(rt) == ["UNPAID"]
    assert await count_rows(rt, Payment) == 0
    assert await count_rows(rt, IdempotencyRecord, IdempotencyRecord.scope != "checkout.place") == 0
