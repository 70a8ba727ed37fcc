"""From a paid order to the buyer's door, through the API and the real carrier simulator."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from hawker.inventory import service as inventory
from hawker.kit.clock import FrozenClock
from hawker.models import Order, OrderHistory, Stock, StockMovement
from hawker.outbox.runner import JobRunner
from hawker.payments import service as payments
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.fulfillment import SimClient, network, packages, paid_order, ship, tracking
from tests.factories.orders import make_listing


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def stock_of(rt: Runtime, sku_id: str) -> tuple[int, int]:
    async with rt.db.read_session() as s:
        row = (await s.scalars(select(Stock).where(Stock.sku_id == int(sku_id)))).one()
        return row.on_hand, row.reserved


async def history(rt: Runtime, order_id: str) -> list[tuple[str, str]]:
    async with rt.db.read_session() as s:
        rows = await s.scalars(
            select(OrderHistory)
            .where(OrderHistory.order_id == int(order_id))
            .order_by(OrderHistory.id)
        )
        return [(h.to_status, h.actor_role) for h in rows]


async def healthy(rt: Runtime) -> None:
    async with rt.db.read_session() as s:
        assert await payments.check_ledger(s) == []
        assert await inventory.check_consistency(s) == []


def codes(track: dict[str, Any]) -> list[tuple[str, str]]:
    (package,) = track["packages"]
    return [(e["kind"], e["code"]) for e in package["timeline"]]


async def test_paid_order_is_allocated_shipped_tracked_and_delivered(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    sim: SimClient,
) -> None:
    await network(rt)
    listing = await make_listing(client, rt, runner, stock=10)
    seller, shop_id = listing.seller, listing.shop_id
    buyer = await signup(client)
    start = clock.now()  # Monday 2026-01-05 09:00 UTC (04:00 in New York)
    order = await paid_order(client, runner, clock, buyer, listing, 2)

    # The remorse window ended at 10:00: one package from the shop's only warehouse.
    page = await packages(client, seller, shop_id)
    (pkg,) = page["items"]
    assert pkg["order_id"] == order["id"]
    assert pkg["status"] == "TO_FULFILL"
    assert pkg["warehouse_id"] == listing.warehouse_id
    assert pkg["expected_weight_g"] == 500  # 2 × 250 g
    assert pkg["dimensions"] == {"length_cm": 30, "width_cm": 20, "height_cm": 10}
    assert pkg["chargeable_weight_g"] == 1200  # 30×20×10 / 5000 kg beats 0.5 kg
    assert pkg["zone"] == 2  # New York to the 1xxxx area: 189 km
    assert pkg["shipping_cost"]["amount_minor"] == 691  # 2 kg bracket, zone 2
    # 2 business days after Monday: the end of Wednesday in New York
    assert when(pkg["dispatch_deadline"]) == datetime.fromisoformat("2026-01-08T05:00:00+00:00")
    assert pkg["due"] == "later"
    assert [(i["quantity"], i["unit_weight_g"]) for i in pkg["items"]] == [(2, 250)]
    assert await stock_of(rt, listing.sku_id) == (10, 2)

    # The seller arranges shipment: Hawker buys the label from the carrier.
    await sim.set_clock(clock.now())
    r = await ship(client, seller, shop_id, pkg["id"])
    assert r.status_code == 200, r.text
    shipped = r.json()
    number = shipped["tracking_number"]
    assert re.fullmatch(r"SW[0-9]{10}", number)
    assert shipped["status"] == "PROCESSING"
    assert shipped["shipping_type"] == "TIKTOK"
    assert shipped["carrier"] == {"code": "SWIFT", "name": "Swift Parcel (simulated)"}
    assert shipped["label"]["barcode"] == {"symbology": "code128", "value": number}
    assert shipped["label"]["recipient"]["postal_code"] == "12345"
    assert shipped["label"]["order_id"] == order["id"]
    assert shipped["label_cost"]["amount_minor"] == 500
    assert (await tracking(client, buyer, order["id"]))["order_status"] == "AWAITING_COLLECTION"
    assert await stock_of(rt, listing.sku_id) == (10, 2)  # nothing leaves before the scan

    # The carrier sends its acceptance scan twice, and will send one hub scan late.
    await sim.script(number, duplicate=["PICKED_UP"], late=["ARRIVED_FACILITY"])
    (batch,) = await sim.run(clock, timedelta(hours=6))  # Monday 16:00
    assert [e["code"] for e in batch["events"]] == ["LABEL_CREATED", "PICKED_UP", "PICKED_UP"]
    assert (batch["accepted"], batch["duplicates"], batch["unknown"]) == (2, 1, [])
    weight = batch["events"][1]["weight_g"]
    assert 497 <= weight <= 503
    track = await tracking(client, buyer, order["id"])
    assert track["order_status"] == "IN_TRANSIT"
    (tp,) = track["packages"]
    assert tp["status"] == "FULFILLING"
    assert tp["tracking_status"] == "ACCEPTED"
    assert when(tp["accepted_at"]) == start + timedelta(hours=6)  # scanned at 15:00
    # accepted Monday; zone 2 standard transit 2-3 business days
    assert tp["estimated_delivery"] == {
        "handover": "2026-01-05",
        "earliest": "2026-01-07",
        "latest": "2026-01-08",
    }
    assert await stock_of(rt, listing.sku_id) == (8, 0)

    await sim.run(clock, timedelta(hours=12))  # Tuesday 04:00: left the origin hub
    assert await sim.run(clock, timedelta(hours=24)) == []  # the hub scan is held back
    (batch,) = await sim.run(clock, timedelta(hours=10))  # Wednesday 14:00
    assert [e["code"] for e in batch["events"]] == ["OUT_FOR_DELIVERY", "ARRIVED_FACILITY"]
    track = await tracking(client, buyer, order["id"])
    assert track["packages"][0]["tracking_status"] == "OUT_FOR_DELIVERY"  # not moved back

    (batch,) = await sim.run(clock, timedelta(hours=5))  # Wednesday 19:00
    assert [e["code"] for e in batch["events"]] == ["DELIVERED"]
    track = await tracking(client, buyer, order["id"])
    assert track["order_status"] == "DELIVERED"
    (tp,) = track["packages"]
    assert tp["status"] == "COMPLETED"
    assert tp["tracking_status"] == "DELIVERED"
    assert when(tp["delivered_at"]) == datetime.fromisoformat("2026-01-07T18:00:00+00:00")
    assert tp["estimated_delivery"] is None
    assert track["delivery_due_date"] == "2026-01-12"  # Wednesday + 3 business days
    assert codes(track) == [
        ("NOTICE", "PREPARING"),
        ("NOTICE", "SHIPMENT_ARRANGED"),
        ("CARRIER", "INFO_RECEIVED"),
        ("CARRIER", "ACCEPTED"),
        ("CARRIER", "IN_TRANSIT"),
        ("CARRIER", "IN_TRANSIT"),
        ("CARRIER", "OUT_FOR_DELIVERY"),
        ("CARRIER", "DELIVERED"),
    ]
    assert "weight" not in str(track["packages"][0].keys())

    assert await history(rt, order["id"]) == [
        ("UNPAID", "BUYER"),
        ("ON_HOLD", "BUYER"),
        ("AWAITING_SHIPMENT", "SYSTEM"),
        ("AWAITING_COLLECTION", "SELLER"),
        ("IN_TRANSIT", "SYSTEM"),
        ("DELIVERED", "SYSTEM"),
    ]
    async with rt.db.read_session() as s:
        kinds = (
            await s.scalars(
                select(StockMovement.kind)
                .where(StockMovement.ref_id == int(order["id"]))
                .order_by(StockMovement.id)
            )
        ).all()
        assert list(kinds) == ["RESERVATION", "SHIPMENT"]
        db_order = await s.get(Order, int(order["id"]))
        assert db_order is not None and db_order.status == "DELIVERED"
    await healthy(rt)

    # The seller sees the same parcel with its weights; its figures count it once due.
    r = await client.get(
        f"/api/v1/seller/shops/{shop_id}/orders/{order['id']}/tracking", headers=seller.headers
    )
    staff = r.json()
    assert staff["packages"][0]["measured_weight_g"] == weight
    assert staff["packages"][0]["expected_weight_g"] == 500
    assert staff["late_dispatch"] is False
    clock.set(datetime.fromisoformat("2026-01-08T06:00:00+00:00"))
    r = await client.get(f"/api/v1/seller/shops/{shop_id}/performance", headers=seller.headers)
    figures = r.json()
    assert figures["late_dispatch"] == {
        "due": 1,
        "hits": 0,
        "rate": "0.0000",
        "threshold": "0.04",
        "meets_threshold": True,
    }
    assert figures["valid_tracking"]["due"] == 1
    assert figures["valid_tracking"]["hits"] == 1
    assert figures["valid_tracking"]["rate"] == "1.0000"
    assert figures["to_ship"] == 0
