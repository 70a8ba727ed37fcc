"""Empty and short boxes: held at the acceptance scan, reviewed by operators, decided."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from hawker.inventory import service as inventory
from hawker.kit.clock import FrozenClock
from hawker.models import AuditLog, JournalEntry, Order, Package, Refund, Stock, WeightReview
from hawker.outbox.runner import JobRunner
from hawker.payments import service as payments
from hawker.runtime import Runtime
from tests.factories.accounts import Actor, make_operator, signup
from tests.factories.fulfillment import SimClient, network, packages, paid_order, ship, tracking
from tests.factories.orders import Listing, make_listing


async def stock_of(rt: Runtime, sku_id: str) -> tuple[int, int]:
    async with rt.db.read_session() as s:
        row = (await s.scalars(select(Stock).where(Stock.sku_id == int(sku_id)))).one()
        return row.on_hand, row.reserved


async def shipped_short(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    sim: SimClient,
    measured_g: int,
) -> tuple[Listing, Actor, dict[str, Any], str]:
    """A 2 × 250 g order shipped with a platform label whose acceptance scan weighs
    `measured_g`; returns the listing, buyer, order and tracking number."""
    await network(rt)
    listing = await make_listing(client, rt, runner, stock=10)
    buyer = await signup(client)
    order = await paid_order(client, runner, clock, buyer, listing, 2)
    (pkg,) = (await packages(client, listing.seller, listing.shop_id))["items"]
    await sim.set_clock(clock.now())
    r = await ship(client, listing.seller, listing.shop_id, pkg["id"])
    assert r.status_code == 200, r.text
    number = r.json()["tracking_number"]
    await sim.script(number, measured_weight_g=measured_g)
    (batch,) = await sim.run(clock, timedelta(hours=6))
    assert [e["code"] for e in batch["events"]] == ["LABEL_CREATED", "PICKED_UP"]
    await runner.run_until_idle()  # the carrier is asked to hold the parcel
    return listing, buyer, order, number


async def review_row(rt: Runtime) -> WeightReview:
    async with rt.db.read_session() as s:
        return (await s.scalars(select(WeightReview))).one()


async def test_an_empty_box_is_held_and_confirmed_short_refunds_the_buyer(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    sim: SimClient,
) -> None:
    listing, buyer, order, number = await shipped_short(client, rt, runner, clock, sim, 0)

    # held: not moved on, stock still reserved, the order still awaits collection
    track = await tracking(client, buyer, order["id"])
    assert track["order_status"] == "AWAITING_COLLECTION"
    (tp,) = track["packages"]
    assert tp["status"] == "PROCESSING"
    assert tp["being_checked"] is True
    assert tp["tracking_status"] == "ACCEPTED"
    assert tp["estimated_delivery"] is None
    notices = [(e["code"], e["title"]) for e in tp["timeline"] if e["kind"] == "NOTICE"]
    assert ("PARCEL_CHECK", "Your parcel is being checked") in notices
    assert "measured_weight_g" not in tp
    assert await stock_of(rt, listing.sku_id) == (10, 2)
    assert (await sim.parcel(number))["held"] is True
    assert await sim.run(clock, timedelta(days=2)) == []  # a held parcel does not move

    operator = await make_operator(rt)
    r = await client.get(
        "/api/v1/operator/weight-reviews", params={"status": "OPEN"}, headers=operator.headers
    )
    assert r.status_code == 200
    (case,) = r.json()["items"]
    assert case["order_id"] == order["id"]
    assert case["shop_id"] == listing.shop_id
    assert (case["expected_weight_g"], case["measured_weight_g"]) == (500, 0)
    assert (case["shortfall_g"], case["shortfall_pct"]) == (500, "100.0")
    assert case["status"] == "OPEN"
    r = await client.get(f"/api/v1/operator/weight-reviews/{case['id']}", headers=operator.headers)
    detail = r.json()
    assert detail["package"]["tracking_number"] == number
    assert detail["package"]["held"] is True
    assert detail["shop_history"]["weight_reviews"] == {
        "OPEN": 1,
        "CONFIRMED_SHORT": 0,
        "CLEARED": 0,
    }
    assert detail["shop_history"]["late_dispatch_due"] == 0

    # only operators decide; a seller or a buyer is refused and nothing changes
    for who in (listing.seller, buyer):
        r = await client.post(
            f"/api/v1/operator/weight-reviews/{case['id']}/decision",
            json={"decision": "CLEARED"},
            headers=who.headers,
        )
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "permission_denied"
    client.cookies.clear()  # nobody logged in
    r = await client.get("/api/v1/operator/weight-reviews")
    assert r.status_code == 401
    assert (await review_row(rt)).status == "OPEN"

    r = await client.post(
        f"/api/v1/operator/weight-reviews/{case['id']}/decision",
        json={"decision": "CONFIRMED_SHORT", "notes": "Scale photo shows an empty box."},
        headers=operator.headers,
    )
    assert r.status_code == 200, r.text
    decided = r.json()
    assert decided["status"] == "CONFIRMED_SHORT"
    assert decided["decided_by"] == str(operator.user_id)
    assert decided["notes"] == "Scale photo shows an empty box."
    assert decided["shop_history"]["weight_reviews"]["CONFIRMED_SHORT"] == 1

    r = await client.get(f"/api/v1/orders/{order['id']}", headers=buyer.headers)
    detail = r.json()
    assert detail["status"] == "CANCELLED"
    assert detail["cancelled_by"] == "OPERATOR"
    assert detail["cancel_reason"] == "short or empty box confirmed by the weight review"
    async with rt.db.read_session() as s:
        refund = (await s.scalars(select(Refund))).one()
        assert refund.order_id == int(order["id"])
        assert refund.amount_minor == order["payment"]["total_amount"]["amount_minor"]
        entry = (await s.scalars(select(JournalEntry).where(JournalEntry.kind == "refund"))).one()
        assert entry.ref_id == refund.id
        pkg = (await s.scalars(select(Package))).one()
        assert pkg.status == "CANCELLED"
        actions = (await s.scalars(select(AuditLog.action))).all()
        assert "weight_review.decide" in actions
        assert await payments.check_ledger(s) == []
        assert await inventory.check_consistency(s) == []
    assert await stock_of(rt, listing.sku_id) == (10, 0)
    await runner.run_until_idle()  # the carrier returns the parcel to the seller
    assert (await sim.parcel(number))["state"] == "RETURNING"
    track = await tracking(client, buyer, order["id"])
    assert track["packages"][0]["timeline"][-2]["code"] == "PARCEL_CHECK_FAILED"
    assert track["packages"][0]["timeline"][-1]["code"] == "CANCELLED"

    # decided once: a second decision is refused and changes nothing
    r = await client.post(
        f"/api/v1/operator/weight-reviews/{case['id']}/decision",
        json={"decision": "CLEARED"},
        headers=operator.headers,
    )
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "review_already_decided"
    assert (await review_row(rt)).status == "CONFIRMED_SHORT"

    r = await client.get(
        f"/api/v1/seller/shops/{listing.shop_id}/performance", headers=listing.seller.headers
    )
    assert r.json()["short_boxes_confirmed"] == 1
    assert r.json()["weight_reviews_open"] == 0


async def test_a_cleared_box_continues_its_journey(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    sim: SimClient,
) -> None:
    # 300 g of an expected 500 g: 200 g short, over max(30 g, 125 g)
    listing, buyer, order, number = await shipped_short(client, rt, runner, clock, sim, 300)
    review = await review_row(rt)
    assert (review.expected_weight_g, review.measured_weight_g) == (500, 300)
    operator = await make_operator(rt)
    r = await client.post(
        f"/api/v1/operator/weight-reviews/{review.id}/decision",
        json={"decision": "CLEARED", "notes": "Lighter packaging than declared."},
        headers=operator.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["package"]["held"] is False
    track = await tracking(client, buyer, order["id"])
    assert track["order_status"] == "IN_TRANSIT"
    assert track["packages"][0]["status"] == "FULFILLING"
    assert track["packages"][0]["being_checked"] is False
    assert track["packages"][0]["timeline"][-1]["code"] == "PARCEL_CHECK_PASSED"
    assert await stock_of(rt, listing.sku_id) == (8, 0)
    await runner.run_until_idle()  # the carrier releases the parcel
    assert (await sim.parcel(number))["held"] is False
    (batch,) = await sim.run(clock, timedelta(days=3))
    assert [e["code"] for e in batch["events"]][-1] == "DELIVERED"
    assert (await tracking(client, buyer, order["id"]))["order_status"] == "DELIVERED"
    async with rt.db.read_session() as s:
        db_order = await s.get(Order, int(order["id"]))
        assert db_order is not None and db_order.status == "DELIVERED"
        assert (await s.scalars(select(Refund))).first() is None


async def test_a_box_within_the_tolerance_is_not_held(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    sim: SimClient,
) -> None:
    # 375 g of 500 g: exactly 25 % short, which is allowed
    listing, buyer, order, _ = await shipped_short(client, rt, runner, clock, sim, 375)
    track = await tracking(client, buyer, order["id"])
    assert track["order_status"] == "IN_TRANSIT"
    assert track["packages"][0]["being_checked"] is False
    async with rt.db.read_session() as s:
        assert (await s.scalars(select(WeightReview))).first() is None
    assert await stock_of(rt, listing.sku_id) == (8, 0)
