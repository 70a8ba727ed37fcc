"""Live statistics (real time for the host, kept after the end) and orders from the room."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from hawker.kit.clock import FrozenClock
from hawker.live import service as live_service
from hawker.live import statistics
from hawker.models import LiveOrderAttribution
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.live import live_row, make_live, make_studio
from tests.factories.orders import make_listing, pay, place_ok
from tests.live.wsclient import AsgiSocket


async def _poll(predicate: Any, what: str, within: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def test_statistics_in_real_time_for_the_host_and_kept_after_the_end(
    app: FastAPI,
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
) -> None:
    studio = await make_studio(client, rt, runner)
    shirt = studio.products[0]
    bo = await signup(client, display_name="Bo")
    url = f"/api/v1/live/sessions/{studio.live_id}/stats"
    async with AsgiSocket(app, studio.live_id, token=studio.host.token) as host:
        await host.recv()
        viewers = [
            AsgiSocket(app, studio.live_id, token=bo.token),
            AsgiSocket(app, studio.live_id, token=bo.token),  # the same viewer twice
            AsgiSocket(app, studio.live_id),  # a guest
        ]
        for v in viewers:
            await v.__aenter__()
            await v.recv()
        bo_ws = viewers[0]
        await bo_ws.send({"type": "comment", "text": "love it"})
        await bo_ws.expect_type("ack")
        for _ in range(2):
            await bo_ws.send({"type": "like", "count": 5})
        for _ in range(3):
            await bo_ws.send({"type": "click", "product_id": shirt["id"]})
        stats = await host.expect(
            lambda m: (
                m["type"] == "stats"
                and m["viewers"] == 4
                and m["likes"] == 10
                and m["product_clicks"] == 3
                and m["comments"] == 1
            )
        )
        assert stats["unique_viewers"] == 3
        assert stats["peak_viewers"] == 4
        assert stats["orders"] == 0
        assert stats["gmv"]["formatted"] == "$0.00"
        assert stats["conversion"] == "0.0000"

        clock.advance(timedelta(seconds=30))
        for v in viewers:
            assert all(m.get("type") != "stats" for m in v.drain())  # for the host only
            await v.disconnect()
        stats = await host.expect(lambda m: m["type"] == "stats" and m["viewers"] == 1)
        # three viewers watched 30 s each; the host has been watching 30 s so far
        assert stats["watch_time_ms"] == 120_000
        assert stats["peak_viewers"] == 4

        async def flushed() -> bool:
            r = await client.get(url, headers=studio.host.headers)
            return bool(r.json()["watch_time_ms"] == 90_000)

        await _poll(flushed, "the counters to reach the broker")
        got = (await client.get(url, headers=studio.host.headers)).json()
        assert {k: got[k] for k in ("viewers", "peak_viewers", "unique_viewers", "likes")} == {
            "viewers": 1,
            "peak_viewers": 4,
            "unique_viewers": 3,
            "likes": 10,
        }
        r = await client.post(
            f"/api/v1/live/sessions/{studio.live_id}/end", headers=studio.host.headers
        )
        assert r.status_code == 200
        assert await host.closed() == (1000, "ended")

    row = await live_row(rt, studio.live_id)
    assert (row.peak_viewers, row.unique_viewers, row.like_count) == (4, 3, 10)
    assert (row.comment_count, row.product_clicks) == (1, 3)
    assert row.watch_time_ms >= 90_000

    async def host_watch_counted() -> bool:
        key = statistics.key(int(studio.live_id), "watch_ms")
        return await rt.broker.get_int(key) == 120_000

    await _poll(host_watch_counted, "the host's watch time")
    clock.advance(timedelta(seconds=rt.settings.live_stats_settle_seconds))
    await runner.run_until_idle()
    row = await live_row(rt, studio.live_id)
    assert row.watch_time_ms == 120_000
    assert await rt.broker.get_int(statistics.key(int(studio.live_id), "likes")) == 0
    kept = (await client.get(url, headers=studio.host.headers)).json()
    assert kept["status"] == "ENDED"
    assert (kept["viewers"], kept["peak_viewers"], kept["likes"], kept["watch_time_ms"]) == (
        0,
        4,
        10,
        120_000,
    )


async def test_a_paid_order_from_the_room_is_counted_once_and_announced(
    app: FastAPI, client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_listing(client, rt, runner, title="Linen Shirt", price_minor=2500)
    live = await make_live(
        client, listing.seller, shop_id=listing.shop_id, product_ids=[listing.product["id"]]
    )
    live_id = int(live["id"])
    r = await client.post(f"/api/v1/live/sessions/{live_id}/start", headers=listing.seller.headers)
    assert r.status_code == 200
    buyer = await signup(client, display_name="Ada Lovelace")
    other = await signup(client)
    async with AsgiSocket(app, str(live_id), token=buyer.token) as viewer:
        await viewer.recv()
        placed = await place_ok(client, buyer, items=[(listing.sku_id, 2)])
        order_id = int(placed["orders"][0]["id"])
        total = placed["orders"][0]["payment"]["total_amount"]["amount_minor"]
        outside = await place_ok(client, other, items=[(listing.sku_id, 1)])
        async with rt.db.session() as s:
            for _ in range(2):  # attributing twice keeps one attribution
                await live_service.attribute_order(
                    s, order_id=order_id, session_id=live_id, now=rt.clock.now()
                )
        assert (await pay(client, buyer, placed["checkout_id"])).status_code == 200
        assert (await pay(client, other, outside["checkout_id"])).status_code == 200
        await runner.run_until_idle()
        frame = await viewer.expect_frame("bought")
        assert frame["bought"] == [
            {"buyer": "Ad***", "product": "Linen Shirt", "product_id": listing.product["id"]}
        ]
    await runner.run_until_idle()
    stats = (
        await client.get(f"/api/v1/live/sessions/{live_id}/stats", headers=listing.seller.headers)
    ).json()
    assert stats["orders"] == 1
    assert stats["gmv"]["amount_minor"] == total
    assert stats["unique_viewers"] == 1
    assert stats["conversion"] == "1.0000"
    async with rt.db.read_session() as s:
        count = await s.scalar(select(func.count()).select_from(LiveOrderAttribution))
    assert count == 1

    with pytest.raises(live_service.LiveNotFound):
        async with rt.db.session() as s:
            await live_service.attribute_order(s, order_id=1, session_id=999, now=rt.clock.now())


def test_conversion_and_names_are_plain_rules() -> None:
    assert str(statistics.conversion(0, 0)) == "0.0000"
    assert str(statistics.conversion(1, 3)) == "0.3333"
    assert str(statistics.conversion(2, 3)) == "0.6667"
    assert live_service.shorten_name("Ada Lovelace") == "Ad***"
    assert live_service.shorten_name("  ") == "Someone"
