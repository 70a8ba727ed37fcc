"""Creating, starting, ending and cancelling deals through the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import httpx
from sqlalchemy import select

from hawker.flash.engine import FlashEngine
from hawker.inventory import service as inventory
from hawker.kit.clock import FrozenClock
from hawker.models import StockMovement
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.flash import (
    buy,
    deal_row,
    flash_counts,
    make_deal,
    make_deal_world,
    post_deal,
    stock_row,
)


async def test_host_creates_a_deal_and_its_units_are_set_aside(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    world = await make_deal_world(client, rt, runner, stock=100)
    deal = await make_deal(client, world, stock_cap=30, per_buyer_limit=2, countdown_seconds=60)
    assert deal["status"] == "COUNTDOWN"
    assert (deal["stock_cap"], deal["remaining"], deal["sold"]) == (30, 30, 0)
    assert deal["price"]["amount_minor"] == 999
    assert deal["lowest_price_30d"]["amount_minor"] == 1999
    assert deal["starts_at"] == "2026-01-05T09:01:00Z"
    assert deal["ends_at"] == "2026-01-05T09:06:00Z"
    assert await stock_row(rt, world) == (100, 30)
    async with rt.db.read_session() as s:
        moved = (
            await s.scalars(select(StockMovement).where(StockMovement.ref_type == "flash_deal"))
        ).all()
        assert [(m.kind, m.reserved_delta, m.ref_id) for m in moved] == [
            ("RESERVATION", 30, int(deal["id"]))
        ]
        assert await inventory.check_consistency(s) == []
    r = await client.get(f"/api/v1/flash/deals/{deal['id']}")
    assert r.status_code == 200 and r.json()["id"] == deal["id"]
    r = await client.get(f"/api/v1/flash/sessions/{world.live_id}/deals")
    assert [d["id"] for d in r.json()["items"]] == [deal["id"]]


REFUSED = [
    ({"countdown_seconds": 5}, 400, "countdown_out_of_range"),
    ({"duration_minutes": 30}, 400, "duration_out_of_range"),
    ({"price_minor": 1999}, 400, "price_not_below_lowest"),
    ({"per_buyer_limit": 11}, 400, "invalid_buyer_limit"),
    ({"currency": "EUR"}, 400, "currency_mismatch"),
    ({"stock_cap": 101}, 409, "insufficient_stock"),
    ({"sku_id": "999999"}, 404, "sku_not_found"),
]


async def test_refused_deals_change_nothing(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    world = await make_deal_world(client, rt, runner, stock=100)
    before = await flash_counts(rt)
    for changes, status, code in REFUSED:
        r = await post_deal(client, world, **cast(dict[str, Any], changes))
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), r.text
    assert await flash_counts(rt) == before
    assert await stock_row(rt, world) == (100, 0)


async def test_only_the_host_or_the_shop_may_run_deals(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    world = await make_deal_world(client, rt, runner)
    stranger = await signup(client)
    before = await flash_counts(rt)
    r = await post_deal(client, world, stranger)
    assert (r.status_code, r.json()["error"]["code"]) == (404, "live_not_found")
    r = await client.post(
        f"/api/v1/flash/sessions/{world.live_id}/deals", json={"sku_id": world.sku_id}
    )
    assert r.status_code in (401, 422)
    assert await flash_counts(rt) == before
    deal = await make_deal(client, world)
    r = await client.post(f"/api/v1/flash/deals/{deal['id']}/cancel", headers=stranger.headers)
    assert (r.status_code, r.json()["error"]["code"]) == (404, "deal_not_found")
    assert (await deal_row(rt, deal["id"])).status == "COUNTDOWN"


async def test_one_deal_at_a_time_and_only_on_air_and_only_bag_products(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    world = await make_deal_world(client, rt, runner)
    await make_deal(client, world)
    r = await post_deal(client, world)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "deal_already_running")
    # a product outside the bag
    r = await client.put(
        f"/api/v1/live/sessions/{world.live_id}/bag",
        json={"product_ids": [world.studio.products[1]["id"]]},
        headers=world.host.headers,
    )
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/live/sessions/{world.live_id}/end", headers=world.host.headers)
    assert r.status_code == 200, r.text
    r = await post_deal(client, world)
    assert (r.status_code, r.json()["error"]["code"]) == (400, "product_not_in_bag")


async def test_countdown_start_time_up_and_leftover_back_to_the_warehouse(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    engine: FlashEngine,
) -> None:
    world = await make_deal_world(client, rt, runner, stock=50)
    deal = await make_deal(client, world, stock_cap=10, countdown_seconds=10, duration_minutes=1)
    buyer = await signup(client)
    clock.advance(timedelta(seconds=10))
    await runner.run_until_idle()
    assert (await deal_row(rt, deal["id"])).status == "LIVE"
    r = await buy(client, buyer, deal["id"])
    assert r.status_code == 201, r.text
    clock.advance(timedelta(minutes=1))
    await runner.run_until_idle()
    row = await deal_row(rt, deal["id"])
    assert (row.status, row.end_reason, row.stock_remaining, row.units_sold) == (
        "ENDED",
        "TIME_UP",
        0,
        1,
    )
    assert row.units_returned == 9
    assert await stock_row(rt, world) == (50, 1)  # the order's unit stays reserved
    r = await buy(client, buyer, deal["id"])
    assert r.json()["error"]["code"] == "ended"
    async with rt.db.read_session() as s:
        assert await inventory.check_consistency(s) == []


async def test_host_cancels_a_deal_and_ending_the_live_ends_its_deal(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    world = await make_deal_world(client, rt, runner, stock=20)
    deal = await make_deal(client, world, stock_cap=5)
    r = await client.post(f"/api/v1/flash/deals/{deal['id']}/cancel", headers=world.host.headers)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["end_reason"]) == ("CANCELLED", "CANCELLED")
    assert await stock_row(rt, world) == (20, 0)
    r = await client.post(f"/api/v1/flash/deals/{deal['id']}/cancel", headers=world.host.headers)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "deal_closed")

    second = await make_deal(client, world, stock_cap=5)
    assert await stock_row(rt, world) == (20, 5)
    r = await client.post(f"/api/v1/live/sessions/{world.live_id}/end", headers=world.host.headers)
    assert r.status_code == 200, r.text
    await runner.run_until_idle()
    row = await deal_row(rt, second["id"])
    assert (row.status, row.end_reason, row.units_returned) == ("CANCELLED", "LIVE_ENDED", 5)
    assert await stock_row(rt, world) == (20, 0)
    async with rt.db.read_session() as s:
        assert await inventory.check_consistency(s) == []
