"""Buying: the hot path's answers, idempotency, paying, expiry, and concurrent buyers."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
from sqlalchemy import func, select

from hawker.flash.engine import FlashEngine
from hawker.inventory import service as inventory
from hawker.kit.clock import FrozenClock
from hawker.models import FlashPurchase, LiveOrderAttribution, Order, OrderAllocation
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.flash import (
    DealWorld,
    buy,
    deal_row,
    flash_counts,
    make_deal,
    make_deal_world,
    stock_row,
)
from tests.factories.orders import card


async def started_deal(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    *,
    stock: int = 100,
    **changes: object,
) -> tuple[DealWorld, dict[str, object]]:
    world = await make_deal_world(client, rt, runner, stock=stock)
    deal = await make_deal(client, world, **changes)
    clock.advance(timedelta(seconds=int(changes.get("countdown_seconds", 10))))  # type: ignore[call-overload]
    return world, deal


async def orders_of(rt: Runtime, buyer_id: int) -> list[Order]:
    async with rt.db.read_session() as s:
        q = select(Order).where(Order.buyer_id == buyer_id).order_by(Order.id)
        return list((await s.scalars(q)).all())


async def test_a_buy_press_becomes_an_unpaid_order_with_a_15_minute_window(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    engine: FlashEngine,
) -> None:
    world, deal = await started_deal(client, rt, runner, clock, stock_cap=10, per_buyer_limit=2)
    buyer = await signup(client)
    r = await buy(client, buyer, str(deal["id"]), quantity=2)
    assert r.status_code == 201, r.text
    body = r.json()
    (order,) = await orders_of(rt, buyer.user_id)
    assert body["order_id"] == str(order.id)
    assert body["status"] == "UNPAID" and body["quantity"] == 2
    assert body["pay_by"] == "2026-01-05T09:15:10Z"
    assert order.pay_by == clock.now() + timedelta(minutes=15)
    assert order.subtotal_minor == 2 * 999
    assert body["total"]["amount_minor"] == order.total_minor
    assert body["pay_url"] == f"/api/v1/orders/{order.id}/pay"
    row = await deal_row(rt, str(deal["id"]))
    assert (row.stock_remaining, row.units_sold) == (8, 2)
    assert await stock_row(rt, world) == (100, 10)  # the units were already set aside
    async with rt.db.read_session() as s:
        allocs = (await s.scalars(select(OrderAllocation))).all()
        assert [(a.order_id, a.quantity, a.status) for a in allocs] == [(order.id, 2, "RESERVED")]
        attributed = await s.scalar(select(func.count()).select_from(LiveOrderAttribution))
        assert attributed == 1
        assert await inventory.check_consistency(s) == []
    # the buyer's order detail shows it, with its history
    r = await client.get(f"/api/v1/orders/{order.id}", headers=buyer.headers)
    assert r.status_code == 200 and r.json()["status"] == "UNPAID"


async def test_refusals_have_stable_codes_and_change_nothing(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    engine: FlashEngine,
) -> None:
    world = await make_deal_world(client, rt, runner)
    deal = await make_deal(client, world, stock_cap=2, per_buyer_limit=1, countdown_seconds=10)
    deal_id = str(deal["id"])
    buyer, other, third = [await signup(client) for _ in range(3)]
    before = await flash_counts(rt)

    async def code(r: httpx.Response) -> tuple[int, str]:
        return r.status_code, r.json()["error"]["code"]

    assert await code(await buy(client, buyer, deal_id)) == (409, "not_started")
    client.cookies.clear()  # sign-up left a session cookie
    assert await code(await buy(client, None, deal_id)) == (401, "not_logged_in")
    r = await client.post(
        f"/api/v1/flash/deals/{deal_id}/buy", headers={"Authorization": "Bearer nope"}
    )
    assert await code(r) == (401, "not_logged_in")
    assert await code(await buy(client, buyer, "123")) == (404, "deal_not_found")
    assert await code(await buy(client, buyer, "abc")) == (404, "deal_not_found")
    assert await code(await buy(client, buyer, deal_id, with_address=False)) == (
        400,
        "address_required",
    )
    r = await client.post(
        f"/api/v1/flash/deals/{deal_id}/buy", json={"quantity": 0}, headers=buyer.headers
    )
    assert await code(r) == (422, "validation_error")
    assert await flash_counts(rt) == before

    clock.advance(timedelta(seconds=10))
    assert await code(await buy(client, buyer, deal_id, quantity=2)) == (409, "limit_reached")
    r = await buy(client, buyer, deal_id)
    assert r.status_code == 201
    # the next press of the same buyer uses the address of its latest order
    assert await code(await buy(client, buyer, deal_id, with_address=False)) == (
        409,
        "limit_reached",
    )
    assert (await buy(client, other, deal_id)).status_code == 201
    assert await code(await buy(client, third, deal_id)) == (409, "sold_out")
    await engine.sync()
    row = await deal_row(rt, deal_id)
    assert (row.status, row.end_reason, row.units_sold) == ("ENDED", "SOLD_OUT", 2)  # early
    assert await code(await buy(client, third, deal_id)) == (409, "sold_out")
    assert len(await orders_of(rt, third.user_id)) == 0


async def test_the_same_idempotency_key_returns_the_first_answer(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    engine: FlashEngine,
) -> None:
    _, deal = await started_deal(client, rt, runner, clock, stock_cap=5, per_buyer_limit=3)
    buyer = await signup(client)
    first = await buy(client, buyer, str(deal["id"]), key="press-1")
    again = await buy(client, buyer, str(deal["id"]), key="press-1")
    assert first.status_code == again.status_code == 201
    assert first.content == again.content
    assert again.headers["idempotent-replayed"] == "true"
    assert len(await orders_of(rt, buyer.user_id)) == 1
    other_body = await buy(client, buyer, str(deal["id"]), key="press-1", quantity=2)
    assert (other_body.status_code, other_body.json()["error"]["code"]) == (
        422,
        "idempotency_key_reused",
    )
    # after a restart the counters come back from the database, keys included
    await engine.stop()
    fresh = FlashEngine(rt)
    try:
        await fresh.start(ticker=False)
        client_app = client._transport.app  # type: ignore[attr-defined]
        client_app.state.flash = fresh
        replay = await buy(client, buyer, str(deal["id"]), key="press-1")
        assert replay.content == first.content
        assert (await deal_row(rt, str(deal["id"]))).units_sold == 1
    finally:
        await fresh.stop()


async def test_paying_a_flash_order_moves_it_on(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    engine: FlashEngine,
) -> None:
    _, deal = await started_deal(client, rt, runner, clock)
    buyer = await signup(client)
    order_id = (await buy(client, buyer, str(deal["id"]))).json()["order_id"]
    r = await client.post(
        f"/api/v1/orders/{order_id}/pay",
        json={"card": card()},
        headers={**buyer.headers, "Idempotency-Key": "pay-1"},
    )
    assert r.status_code == 200, r.text
    (order,) = await orders_of(rt, buyer.user_id)
    assert order.status == "ON_HOLD"
    clock.advance(timedelta(minutes=61))
    await runner.run_until_idle()
    (order,) = await orders_of(rt, buyer.user_id)
    assert order.status == "AWAITING_SHIPMENT"  # a paid order never expires
    row = await deal_row(rt, str(deal["id"]))
    assert (row.units_sold, row.units_returned) == (1, 9)


async def test_unpaid_orders_expire_and_their_units_can_be_bought_again(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    engine: FlashEngine,
) -> None:
    world, deal = await started_deal(
        client, rt, runner, clock, stock=10, stock_cap=2, duration_minutes=20
    )
    deal_id = str(deal["id"])
    first, second = await signup(client), await signup(client)
    assert (await buy(client, first, deal_id)).status_code == 201
    assert (await buy(client, first, deal_id)).json()["error"]["code"] == "limit_reached"
    await engine.sync()
    clock.advance(timedelta(minutes=15, seconds=1))
    await runner.run_until_idle()
    (expired,) = await orders_of(rt, first.user_id)
    assert (expired.status, expired.cancelled_by) == ("CANCELLED", "SYSTEM")
    row = await deal_row(rt, deal_id)
    assert (row.status, row.stock_remaining, row.units_sold) == ("LIVE", 2, 0)
    assert await stock_row(rt, world) == (10, 2)  # back in the deal, still set aside
    await engine.sync()  # the counters take the unit back (and the buyer's count)
    assert (await buy(client, first, deal_id)).status_code == 201
    assert (await buy(client, second, deal_id)).status_code == 201
    row = await deal_row(rt, deal_id)
    assert (row.status, row.end_reason, row.units_sold) == ("ENDED", "SOLD_OUT", 2)
    async with rt.db.read_session() as s:
        statuses = (await s.scalars(select(FlashPurchase.status).order_by(FlashPurchase.id))).all()
        assert list(statuses) == ["RETURNED", "ACTIVE", "ACTIVE"]
        assert await inventory.check_consistency(s) == []

    # after the deal ended, expired orders' units go back to the warehouse
    clock.advance(timedelta(minutes=15, seconds=1))
    await runner.run_until_idle()
    row = await deal_row(rt, deal_id)
    assert (row.stock_remaining, row.units_sold, row.units_returned) == (0, 0, 2)
    assert await stock_row(rt, world) == (10, 0)
    async with rt.db.read_session() as s:
        assert await inventory.check_consistency(s) == []


async def test_many_concurrent_buyers_never_get_more_than_the_cap(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    engine: FlashEngine,
) -> None:
    world, deal = await started_deal(client, rt, runner, clock, stock=50, stock_cap=12)
    deal_id = str(deal["id"])
    buyers = [await signup(client) for _ in range(40)]
    presses = [buy(client, b, deal_id, key=f"k-{i}") for i, b in enumerate(buyers)]
    presses += [buy(client, b, deal_id, key=f"k-{i}") for i, b in enumerate(buyers[:10])]
    answers = await asyncio.gather(*presses)
    won = {r.json()["order_id"] for r in answers if r.status_code == 201}
    refused = [r.json()["error"]["code"] for r in answers if r.status_code != 201]
    assert len(won) == 12
    assert set(refused) == {"sold_out"}
    async with rt.db.read_session() as s:
        orders = (await s.scalars(select(Order.id))).all()
        assert {str(o) for o in orders} == won
        per_buyer = (
            await s.execute(select(Order.buyer_id, func.count()).group_by(Order.buyer_id))
        ).all()
        assert all(n == 1 for _, n in per_buyer)
        assert await inventory.check_consistency(s) == []
    row = await deal_row(rt, deal_id)
    assert (row.stock_remaining, row.units_sold, row.status) == (0, 12, "ENDED")
    assert await stock_row(rt, world) == (50, 12)
