"""Dispatch deadline, late dispatch and auto-cancel on the market calendar and the test clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from sqlalchemy import select

from hawker.inventory import service as inventory
from hawker.kit.clock import FrozenClock
from hawker.models import (
    JournalEntry,
    OrderFulfilment,
    OrderHistory,
    OutboxEvent,
    Package,
    Posting,
    Refund,
    Stock,
)
from hawker.outbox.runner import JobRunner
from hawker.payments import service as payments
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.fulfillment import SimClient, network, packages, paid_order, ship
from tests.factories.orders import make_listing


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def stock_of(rt: Runtime, sku_id: str) -> tuple[int, int]:
    async with rt.db.read_session() as s:
        row = (await s.scalars(select(Stock).where(Stock.sku_id == int(sku_id)))).one()
        return row.on_hand, row.reserved


async def clock_row(rt: Runtime, order_id: str) -> OrderFulfilment:
    async with rt.db.read_session() as s:
        row = await s.get(OrderFulfilment, int(order_id))
        assert row is not None
        return row


async def test_late_dispatch_then_auto_cancel_refunds_and_releases_stock(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    sim: SimClient,
) -> None:
    await network(rt)
    listing = await make_listing(client, rt, runner, stock=5)
    seller, shop_id = listing.seller, listing.shop_id
    buyer = await signup(client)
    order = await paid_order(client, runner, clock, buyer, listing, 2)
    row = await clock_row(rt, order["id"])
    assert row.released_at == at("2026-01-05T10:00:00+00:00")
    assert row.dispatch_deadline == at("2026-01-08T05:00:00+00:00")  # end of Wed, New York
    assert row.auto_cancel_at == at("2026-01-15T05:00:00+00:00")  # end of the 7th business day
    (pkg,) = (await packages(client, seller, shop_id))["items"]

    # The seller buys a label but never hands the parcel over.
    await sim.set_clock(clock.now())
    r = await ship(client, seller, shop_id, pkg["id"])
    number = r.json()["tracking_number"]
    assert r.json()["status"] == "PROCESSING"

    clock.set(at("2026-01-08T04:59:59+00:00"))
    await runner.run_until_idle()
    assert (await clock_row(rt, order["id"])).late_dispatch is False
    page = await packages(client, seller, shop_id, due="today")
    assert [p["id"] for p in page["items"]] == [pkg["id"]]
    assert page["end_of_today"] == "2026-01-08T05:00:00Z"

    clock.set(at("2026-01-08T05:00:00+00:00"))
    await runner.run_until_idle()
    assert (await clock_row(rt, order["id"])).late_dispatch is True
    async with rt.db.read_session() as s:
        late = (
            await s.scalars(
                select(OutboxEvent).where(OutboxEvent.topic == "fulfillment.dispatch_late")
            )
        ).one()
        assert late.payload["order_id"] == order["id"]
    page = await packages(client, seller, shop_id, due="overdue")
    assert [(p["id"], p["due"]) for p in page["items"]] == [(pkg["id"], "overdue")]
    assert (await packages(client, seller, shop_id, due="today"))["items"] == []
    r = await client.get(f"/api/v1/seller/shops/{shop_id}/performance", headers=seller.headers)
    figures = r.json()
    assert figures["late_dispatch"] == {
        "due": 1,
        "hits": 1,
        "rate": "1.0000",
        "threshold": "0.04",
        "meets_threshold": False,
    }
    assert figures["valid_tracking"]["due"] == 1
    assert figures["valid_tracking"]["hits"] == 0
    assert figures["valid_tracking"]["meets_threshold"] is False
    assert (figures["to_ship"], figures["overdue"], figures["due_today"]) == (1, 1, 0)
    assert await stock_of(rt, listing.sku_id) == (5, 2)

    # One second before the 7th business day ends nothing happens; then the order goes.
    clock.set(at("2026-01-15T04:59:59+00:00"))
    await runner.run_until_idle()
    r = await client.get(f"/api/v1/orders/{order['id']}", headers=buyer.headers)
    assert r.json()["status"] == "AWAITING_COLLECTION"
    clock.set(at("2026-01-15T05:00:00+00:00"))
    await runner.run_until_idle()
    r = await client.get(f"/api/v1/orders/{order['id']}", headers=buyer.headers)
    detail = r.json()
    assert detail["status"] == "CANCELLED"
    assert detail["cancelled_by"] == "SYSTEM"
    assert detail["cancel_reason"] == "not dispatched in time: no carrier acceptance scan"
    assert detail["history"][-1]["actor_role"] == "SYSTEM"
    assert await stock_of(rt, listing.sku_id) == (5, 0)
    total = order["payment"]["total_amount"]["amount_minor"]
    async with rt.db.read_session() as s:
        refund = (await s.scalars(select(Refund))).one()
        assert (refund.order_id, refund.amount_minor) == (int(order["id"]), total)
        entry = (await s.scalars(select(JournalEntry).where(JournalEntry.kind == "refund"))).one()
        amounts = sorted(
            await s.scalars(select(Posting.amount_minor).where(Posting.entry_id == entry.id))
        )
        assert amounts == [-total, total]
        pkg_row = (await s.scalars(select(Package))).one()
        assert pkg_row.status == "CANCELLED"
        assert pkg_row.cancelled_at == at("2026-01-15T05:00:00+00:00")
        assert (await s.get(OrderFulfilment, int(order["id"]))).closed_at is not None  # type: ignore[union-attr]
        statuses = (
            await s.scalars(
                select(OrderHistory.to_status)
                .where(OrderHistory.order_id == int(order["id"]))
                .order_by(OrderHistory.id)
            )
        ).all()
        assert list(statuses) == [
            "UNPAID",
            "ON_HOLD",
            "AWAITING_SHIPMENT",
            "AWAITING_COLLECTION",
            "CANCELLED",
        ]
        assert await payments.check_ledger(s) == []
        assert await inventory.check_consistency(s) == []
    assert (await sim.parcel(number))["state"] == "CANCELLED"  # the label was voided

    # The sweep does not come back to a closed order.
    clock.advance(timedelta(days=1))
    assert await runner.run_until_idle() == 0
    async with rt.db.read_session() as s:
        assert len((await s.scalars(select(Refund))).all()) == 1


async def test_a_scan_after_the_deadline_is_late_and_one_before_is_not(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    sim: SimClient,
) -> None:
    await network(rt)
    listing = await make_listing(client, rt, runner, stock=5)
    seller, shop_id = listing.seller, listing.shop_id
    buyer = await signup(client)
    first = await paid_order(client, runner, clock, buyer, listing, 1)
    second = await paid_order(client, runner, clock, buyer, listing, 1)
    by_order = {p["order_id"]: p["id"] for p in (await packages(client, seller, shop_id))["items"]}

    # the first parcel is shipped and picked up on Monday: on time
    await sim.set_clock(clock.now())
    assert (await ship(client, seller, shop_id, by_order[first["id"]])).status_code == 200
    await sim.run(clock, timedelta(hours=6))
    on_time = await clock_row(rt, first["id"])
    assert on_time.dispatched_at == at("2026-01-05T16:00:00+00:00")
    assert on_time.late_dispatch is False

    # the second is only shipped on Thursday, after its deadline (end of Wednesday)
    clock.set(at("2026-01-08T14:00:00+00:00"))
    await runner.run_until_idle()
    assert (await clock_row(rt, second["id"])).late_dispatch is True
    await sim.set_clock(clock.now())
    assert (await ship(client, seller, shop_id, by_order[second["id"]])).status_code == 200
    await sim.run(clock, timedelta(hours=6))
    late = await clock_row(rt, second["id"])
    assert late.dispatched_at == at("2026-01-08T19:00:00+00:00")
    assert late.late_dispatch is True

    clock.set(at("2026-01-09T12:00:00+00:00"))
    r = await client.get(f"/api/v1/seller/shops/{shop_id}/performance", headers=seller.headers)
    figures = r.json()
    assert figures["late_dispatch"]["due"] == 2
    assert figures["late_dispatch"]["hits"] == 1
    assert figures["late_dispatch"]["rate"] == "0.5000"
    assert figures["valid_tracking"]["rate"] == "1.0000"
    assert figures["valid_tracking"]["meets_threshold"] is True
