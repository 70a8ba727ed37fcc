"""Order lifecycle: unpaid expiry, buyer and seller cancellation, the guarded transition."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hawker.inventory import service as inventory
from hawker.kit.clock import FrozenClock
from hawker.models import AuditLog, Order, OrderHistory, OutboxEvent, Refund, Stock
from hawker.orders import service as orders
from hawker.orders.state import ActorRole, InvalidTransition
from hawker.outbox.runner import JobRunner
from hawker.payments import service as payments
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.orders import Listing, buy, count_rows, make_listing, place_ok


async def state(rt: Runtime, order_id: str) -> dict[str, Any]:
    """Everything about an order that a refused action must leave as it was."""
    async with rt.db.read_session() as s:
        o = await s.get(Order, int(order_id))
        assert o is not None
        stock = [(r.on_hand, r.reserved) for r in await s.scalars(select(Stock))]
        history = (
            await s.scalars(
                select(OrderHistory.to_status)
                .where(OrderHistory.order_id == o.id)
                .order_by(OrderHistory.id)
            )
        ).all()
        return {
            "status": o.status,
            "version": o.version,
            "cancelled_by": o.cancelled_by,
            "stock": stock,
            "history": list(history),
            "refunds": await count_rows(rt, Refund),
            "events": await count_rows(rt, OutboxEvent),
        }


async def stock(rt: Runtime, listing: Listing) -> tuple[int, int]:
    async with rt.db.read_session() as s:
        row = (await s.scalars(select(Stock).where(Stock.sku_id == int(listing.sku_id)))).one()
        return row.on_hand, row.reserved


async def healthy(rt: Runtime) -> None:
    async with rt.db.read_session() as s:
        assert await payments.check_ledger(s) == []
        assert await inventory.check_consistency(s) == []


async def test_unpaid_orders_expire_and_release_their_stock(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    listing = await make_listing(client, rt, runner, stock=3)
    buyer = await signup(client)
    placed = await place_ok(client, buyer, items=[(listing.sku_id, 3)])
    order_id = placed["orders"][0]["id"]
    assert await stock(rt, listing) == (3, 3)

    clock.advance(timedelta(hours=24) - timedelta(seconds=1))
    await runner.run_until_idle()
    assert (await state(rt, order_id))["status"] == "UNPAID"

    clock.advance(timedelta(seconds=1))
    await runner.run_until_idle()
    r = await client.get(f"/api/v1/orders/{order_id}", headers=buyer.headers)
    detail = r.json()
    assert detail["status"] == "CANCELLED"
    assert detail["cancelled_by"] == "SYSTEM"
    assert detail["cancel_reason"] == "payment window expired"
    assert detail["cancelled_at"] is not None
    assert [(h["to_status"], h["actor_role"]) for h in detail["history"]] == [
        ("UNPAID", "BUYER"),
        ("CANCELLED", "SYSTEM"),
    ]
    assert await stock(rt, listing) == (3, 0)
    assert await count_rows(rt, Refund) == 0  # never paid, nothing to refund
    events = await count_rows(rt, OutboxEvent, OutboxEvent.topic == "order.status_changed")
    assert events == 2

    # the units are on sale again, and a second sweep changes nothing
    before = await state(rt, order_id)
    await runner.run_until_idle()
    assert await state(rt, order_id) == before
    other = await signup(client)
    again = await place_ok(client, other, items=[(listing.sku_id, 3)])
    assert again["orders"][0]["status"] == "UNPAID"
    await healthy(rt)


async def test_buyer_cancels_in_the_remorse_window_and_is_refunded(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    listing = await make_listing(client, rt, runner)
    buyer = await signup(client)
    order = await buy(client, buyer, listing, 2)
    assert await stock(rt, listing) == (10, 2)

    r = await client.post(
        f"/api/v1/orders/{order['id']}/cancel",
        json={"reason": "changed my mind"},
        headers=buyer.headers,
    )
    assert r.status_code == 200, r.text
    detail = r.json()
    assert (detail["status"], detail["cancelled_by"], detail["cancel_reason"]) == (
        "CANCELLED",
        "BUYER",
        "changed my mind",
    )
    assert [h["to_status"] for h in detail["history"]] == ["UNPAID", "ON_HOLD", "CANCELLED"]
    assert await stock(rt, listing) == (10, 0)
    async with rt.db.read_session() as s:
        refund = (await s.scalars(select(Refund))).one()
    assert refund.order_id == int(order["id"])
    assert refund.amount_minor == order["payment"]["total_amount"]["amount_minor"]
    await healthy(rt)

    # cancelled is final: a second cancel is refused and changes nothing
    before = await state(rt, order["id"])
    r = await client.post(
        f"/api/v1/orders/{order['id']}/cancel", json={"reason": "again"}, headers=buyer.headers
    )
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "invalid_state"
    assert await state(rt, order["id"]) == before

    # the hold timer leaves a cancelled order alone
    clock.advance(timedelta(hours=2))
    await runner.run_until_idle()
    assert await state(rt, order["id"]) == before


async def test_buyer_cancels_unpaid_without_refund(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_listing(client, rt, runner)
    buyer = await signup(client)
    placed = await place_ok(client, buyer, items=[(listing.sku_id, 1)])
    order_id = placed["orders"][0]["id"]
    r = await client.post(
        f"/api/v1/orders/{order_id}/cancel",
        json={"reason": "found it cheaper"},
        headers=buyer.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "CANCELLED"
    assert await stock(rt, listing) == (10, 0)
    assert await count_rows(rt, Refund) == 0
    blank = await client.post(
        f"/api/v1/orders/{order_id}/cancel", json={"reason": "   "}, headers=buyer.headers
    )
    assert blank.status_code == 422


async def test_after_the_remorse_window_only_the_seller_cancels(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    listing = await make_listing(client, rt, runner)
    buyer = await signup(client)
    order = await buy(client, buyer, listing, 1)
    seller_path = f"/api/v1/seller/shops/{listing.shop_id}/orders/{order['id']}/cancel"

    # ON_HOLD belongs to the buyer: the seller may not cancel yet
    early = await client.post(
        seller_path, json={"reason": "out of stock"}, headers=listing.seller.headers
    )
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "invalid_state"

    clock.advance(timedelta(hours=1))
    await runner.run_until_idle()
    before = await state(rt, order["id"])
    assert before["status"] == "AWAITING_SHIPMENT"
    late = await client.post(
        f"/api/v1/orders/{order['id']}/cancel", json={"reason": "too slow"}, headers=buyer.headers
    )
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "invalid_state"
    assert await state(rt, order["id"]) == before

    r = await client.post(
        seller_path, json={"reason": "damaged in storage"}, headers=listing.seller.headers
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["cancelled_by"]) == ("CANCELLED", "SELLER")
    assert r.json()["history"][-1]["actor_role"] == "SELLER"
    assert await stock(rt, listing) == (10, 0)
    assert await count_rows(rt, Refund) == 1
    assert await count_rows(rt, AuditLog, AuditLog.action == "order.seller_cancelled") == 1
    await healthy(rt)


async def test_transition_refuses_what_the_state_machine_forbids(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_listing(client, rt, runner)
    buyer = await signup(client)
    order_id = int((await place_ok(client, buyer, items=[(listing.sku_id, 1)]))["orders"][0]["id"])
    before = await state(rt, str(order_id))

    for target in ("AWAITING_SHIPMENT", "IN_TRANSIT", "DELIVERED", "COMPLETED", "UNPAID"):
        with pytest.raises(InvalidTransition):
            async with rt.db.session() as s:
                order = await orders.get_order(s, order_id)
                await orders.transition(
                    s,
                    order,
                    target,
                    actor_role=ActorRole.SYSTEM,
                    actor_id=None,
                    reason="test",
                    now=rt.clock.now(),
                )
    assert await state(rt, str(order_id)) == before

    # a stale copy loses the race: 409 order_changed, nothing written
    async with rt.db.session() as s:
        stale = await orders.get_order(s, order_id)
    async with rt.db.session() as s:
        fresh = await orders.get_order(s, order_id)
        await orders.cancel_order(
            s, fresh, by=ActorRole.SYSTEM, actor_id=None, reason="first", now=rt.clock.now()
        )
    after_cancel = await state(rt, str(order_id))
    assert (after_cancel["status"], after_cancel["version"]) == ("CANCELLED", 2)
    with pytest.raises(orders.OrderChanged) as exc:
        async with rt.db.session() as s:
            s.add(stale)  # re-attached as it was read: UNPAID at version 1
            await orders.transition(
                s,
                stale,
                "ON_HOLD",
                actor_role=ActorRole.BUYER,
                actor_id=None,
                reason="late payment",
                now=rt.clock.now(),
            )
    assert (exc.value.status_code, exc.value.code) == (409, "order_changed")
    assert await state(rt, str(order_id)) == after_cancel
