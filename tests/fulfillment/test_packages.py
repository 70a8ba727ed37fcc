"""The seller's packages: lists and filters, seller shipping, tenancy on every endpoint."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import select

from hawker.kit.clock import FrozenClock
from hawker.logistics.carrier_protocol import SIGNATURE_HEADER
from hawker.models import OutboxEvent, Package, TrackingEvent
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import make_operator, signup
from tests.factories.fulfillment import SimClient, network, packages, paid_order, ship, tracking
from tests.factories.orders import make_listing
from tests.factories.shops import make_warehouse


async def package_rows(rt: Runtime) -> list[tuple[Any, ...]]:
    """Everything a refused request must leave as it was."""
    async with rt.db.read_session() as s:
        rows = await s.scalars(select(Package).order_by(Package.id))
        return [
            (p.id, p.status, p.tracking_number, p.carrier_id, p.version, p.arranged_at)
            for p in rows
        ]


async def event_count(rt: Runtime) -> int:
    async with rt.db.read_session() as s:
        return len((await s.scalars(select(OutboxEvent.id))).all())


async def test_seller_shipping_validates_the_number_and_the_carrier_follows_it(
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
    first = await paid_order(client, runner, clock, buyer, listing)
    second = await paid_order(client, runner, clock, buyer, listing)
    by_order = {p["order_id"]: p["id"] for p in (await packages(client, seller, shop_id))["items"]}
    pkg = by_order[first["id"]]
    before, events = await package_rows(rt), await event_count(rt)

    refused = [
        (
            {"shipping_type": "SELLER", "carrier_code": "SWIFT", "tracking_number": "SW12"},
            400,
            "invalid_tracking_number",
        ),
        (
            {"shipping_type": "SELLER", "carrier_code": "NOPE", "tracking_number": "SW0123456789"},
            400,
            "unknown_carrier",
        ),
        ({"shipping_type": "SELLER", "carrier_code": "SWIFT"}, 400, "shipping_details_required"),
        ({"shipping_type": "BARTER"}, 422, "validation_error"),
    ]
    for body, status, code in refused:
        r = await ship(client, seller, shop_id, pkg, body)
        assert r.status_code == status, r.text
        assert r.json()["error"]["code"] == code
    assert await package_rows(rt) == before
    assert await event_count(rt) == events

    r = await ship(
        client,
        seller,
        shop_id,
        pkg,
        {"shipping_type": "SELLER", "carrier_code": "swift", "tracking_number": " sw0123456789 "},
    )
    assert r.status_code == 200, r.text
    shipped = r.json()
    assert shipped["shipping_type"] == "SELLER"
    assert shipped["tracking_number"] == "SW0123456789"
    assert shipped["carrier"]["code"] == "SWIFT"
    assert shipped["label"] is None
    assert shipped["status"] == "PROCESSING"
    parcel = await sim.parcel("SW0123456789")
    assert parcel["reference"] == pkg
    assert parcel["pending"][0] == "PICKED_UP"  # no platform label

    # the same number cannot serve a second package, nor can a package ship twice
    before = await package_rows(rt)
    r = await ship(
        client,
        seller,
        shop_id,
        by_order[second["id"]],
        {"shipping_type": "SELLER", "carrier_code": "SWIFT", "tracking_number": "SW0123456789"},
    )
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "tracking_number_in_use"
    r = await ship(client, seller, shop_id, pkg)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "package_not_to_fulfill"
    assert await package_rows(rt) == before

    # the carrier's own scans move it, exactly as with a platform label
    await sim.set_clock(clock.now())
    await sim.push_along("SW0123456789", "PICKED_UP")
    (answer,) = await sim.deliver()
    assert answer["accepted"] == 1
    track = await tracking(client, buyer, first["id"])
    assert track["order_status"] == "IN_TRANSIT"
    timeline = track["packages"][0]["timeline"]
    assert timeline[1]["title"] == "The seller shipped with Swift Parcel (simulated)"


async def test_lists_filter_by_deadline_warehouse_and_text_and_paginate(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    await network(rt)
    listing = await make_listing(client, rt, runner, stock=10)
    seller, shop_id = listing.seller, listing.shop_id
    buyer = await signup(client)
    orders = [await paid_order(client, runner, clock, buyer, listing) for _ in range(3)]

    page = await packages(client, seller, shop_id, limit=2)
    assert [p["order_id"] for p in page["items"]] == [orders[2]["id"], orders[1]["id"]]
    rest = await packages(client, seller, shop_id, limit=2, cursor=page["next_cursor"])
    assert [p["order_id"] for p in rest["items"]] == [orders[0]["id"]]
    assert rest["next_cursor"] is None
    assert [p["due"] for p in page["items"]] == ["later", "later"]
    assert len((await packages(client, seller, shop_id, due="later"))["items"]) == 3
    assert (await packages(client, seller, shop_id, due="overdue"))["items"] == []
    hit = await packages(client, seller, shop_id, q=orders[1]["id"])
    assert [p["order_id"] for p in hit["items"]] == [orders[1]["id"]]
    wh = listing.warehouse_id
    assert len((await packages(client, seller, shop_id, warehouse_id=wh))["items"]) == 3
    empty = await make_warehouse(client, seller, shop_id, name="Spare")
    assert (await packages(client, seller, shop_id, warehouse_id=empty["id"]))["items"] == []
    assert (await packages(client, seller, shop_id, status="COMPLETED"))["items"] == []

    r = await client.get(
        f"/api/v1/seller/shops/{shop_id}/packages",
        params={"cursor": "not-a-cursor"},
        headers=seller.headers,
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_cursor"
    r = await client.get(
        f"/api/v1/seller/shops/{shop_id}/packages",
        params={"due": "someday"},
        headers=seller.headers,
    )
    assert r.status_code == 422

    other = await make_listing(client, rt, runner, stock=1)
    r = await client.get(
        f"/api/v1/seller/shops/{shop_id}/packages",
        params={"warehouse_id": other.warehouse_id},
        headers=seller.headers,
    )
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "warehouse_not_found"


async def test_another_shops_packages_and_orders_answer_404_and_stay_unchanged(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    await network(rt)
    mine = await make_listing(client, rt, runner, stock=3)
    theirs = await make_listing(client, rt, runner, stock=3)
    buyer = await signup(client)
    order = await paid_order(client, runner, clock, buyer, theirs)
    (pkg,) = (await packages(client, theirs.seller, theirs.shop_id))["items"]
    before, events = await package_rows(rt), await event_count(rt)
    me = mine.seller

    # through their shop's URLs: not a member, so the shop is not found
    for method, url, body in [
        ("GET", f"/api/v1/seller/shops/{theirs.shop_id}/packages", None),
        ("GET", f"/api/v1/seller/shops/{theirs.shop_id}/packages/{pkg['id']}", None),
        ("POST", f"/api/v1/seller/shops/{theirs.shop_id}/packages/{pkg['id']}/ship", {}),
        ("GET", f"/api/v1/seller/shops/{theirs.shop_id}/performance", None),
        ("GET", f"/api/v1/seller/shops/{theirs.shop_id}/orders/{order['id']}/tracking", None),
        ("GET", f"/api/v1/seller/shops/{theirs.shop_id}/logistics/warehouses", None),
    ]:
        r = await client.request(method, url, json=body, headers=me.headers)
        assert r.status_code == 404, (url, r.text)
        assert r.json()["error"]["code"] == "shop_not_found"
    # through my shop's URLs: their package and order do not exist here
    for method, url, body, code in [
        (
            "GET",
            f"/api/v1/seller/shops/{mine.shop_id}/packages/{pkg['id']}",
            None,
            "package_not_found",
        ),
        (
            "POST",
            f"/api/v1/seller/shops/{mine.shop_id}/packages/{pkg['id']}/ship",
            {"shipping_type": "TIKTOK"},
            "package_not_found",
        ),
        (
            "GET",
            f"/api/v1/seller/shops/{mine.shop_id}/orders/{order['id']}/tracking",
            None,
            "order_not_found",
        ),
    ]:
        r = await client.request(method, url, json=body, headers=me.headers)
        assert r.status_code == 404, (url, r.text)
        assert r.json()["error"]["code"] == code
    assert (await packages(client, me, mine.shop_id))["items"] == []

    # another buyer cannot track the order; operator views are for operators
    stranger = await signup(client)
    r = await client.get(f"/api/v1/orders/{order['id']}/tracking", headers=stranger.headers)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "order_not_found"
    r = await client.get(f"/api/v1/operator/orders/{order['id']}/tracking", headers=me.headers)
    assert r.status_code == 403
    assert await package_rows(rt) == before
    assert await event_count(rt) == events

    operator = await make_operator(rt)
    r = await client.get(
        f"/api/v1/operator/orders/{order['id']}/tracking", headers=operator.headers
    )
    assert r.status_code == 200
    body = r.json()
    assert body["order_status"] == "AWAITING_SHIPMENT"
    assert body["dispatch_deadline"] == "2026-01-08T05:00:00Z"
    assert body["auto_cancel_at"] == "2026-01-15T05:00:00Z"
    assert body["packages"][0]["id"] == pkg["id"]
    # waiting for the seller: handed over Tuesday, zone 2 standard transit 2-3 days
    assert body["estimated_delivery"] == {
        "handover": "2026-01-06",
        "earliest": "2026-01-08",
        "latest": "2026-01-09",
    }
    assert body["delivery_due_date"] == "2026-01-12"


async def test_racing_requests_buy_one_label_and_store_each_event_once(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    sim: SimClient,
) -> None:
    await network(rt)
    listing = await make_listing(client, rt, runner, stock=3)
    buyer = await signup(client)
    order = await paid_order(client, runner, clock, buyer, listing)
    (pkg,) = (await packages(client, listing.seller, listing.shop_id))["items"]
    await sim.set_clock(clock.now())
    answers = await asyncio.gather(
        *(ship(client, listing.seller, listing.shop_id, pkg["id"]) for _ in range(4))
    )
    assert sorted(r.status_code for r in answers) == [200, 409, 409, 409]
    (parcel,) = (await sim.hook("GET", "/parcels"))["items"]  # one label bought
    number = parcel["tracking_number"]
    assert [p[2] for p in await package_rows(rt)] == [number]

    await sim.push_along(number, "PICKED_UP")
    (batch,) = await sim.drain()
    body = batch["body"].encode()
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: batch["signature"]}
    results = await asyncio.gather(
        *(
            client.post("/api/v1/logistics/carriers/SWIFT/events", content=body, headers=headers)
            for _ in range(3)
        )
    )
    assert [r.status_code for r in results] == [200, 200, 200]
    assert sorted(r.json()["accepted"] for r in results) == [0, 0, 2]
    async with rt.db.read_session() as s:
        assert len((await s.scalars(select(TrackingEvent.id))).all()) == 2
    track = await tracking(client, buyer, order["id"])
    assert track["order_status"] == "IN_TRANSIT"
