"""The live room sees the deal; the counters behave the same in-process and in Redis."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import httpx

from hawker.config import Settings
from hawker.flash.counters import (
    DUPLICATE,
    LIMIT,
    OK,
    SOLD_OUT,
    UNLOADED,
    Ask,
    Figures,
    create_counters,
)
from hawker.flash.engine import FlashEngine
from hawker.kit.clock import FrozenClock
from hawker.live import deal_hook, events
from hawker.live.room import Room
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.flash import buy, make_deal, make_deal_world


async def _drain(sub: object, n: int) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []

    async def take() -> None:
        async for raw in sub:  # type: ignore[attr-defined]
            out.append(json.loads(raw))
            if len(out) >= n:
                return

    await asyncio.wait_for(take(), timeout=5)
    return out


async def test_the_room_sees_countdown_start_remaining_and_end(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    engine: FlashEngine,
) -> None:
    world = await make_deal_world(client, rt, runner)
    await runner.run_until_idle()
    sub = await rt.broker.subscribe(events.channel(int(world.live_id)))
    try:
        deal = await make_deal(client, world, stock_cap=3, countdown_seconds=10)
        async with rt.db.read_session() as s:
            snapshot = await deal_hook.current_deal(s, int(world.live_id))
        assert snapshot is not None
        assert (snapshot["id"], snapshot["status"], snapshot["remaining"]) == (
            deal["id"],
            "COUNTDOWN",
            3,
        )
        await runner.run_until_idle()
        clock.advance(timedelta(seconds=10))
        await runner.run_until_idle()
        buyer = await signup(client)
        assert (await buy(client, buyer, str(deal["id"]))).status_code == 201
        await engine.sync()
        r = await client.post(
            f"/api/v1/flash/deals/{deal['id']}/cancel", headers=world.host.headers
        )
        assert r.status_code == 200
        await runner.run_until_idle()
        got = await _drain(sub, 4)
    finally:
        await sub.close()
    seen: list[tuple[Any, Any]] = []
    for e in got:
        if e["k"] == "deal":
            card: dict[str, Any] = e["deal"]  # type: ignore[assignment]
            seen.append(("deal", card["status"]))
        elif e["k"] == "deal_remaining":
            seen.append(("deal_remaining", e["remaining"]))
    assert seen == [
        ("deal", "COUNTDOWN"),
        ("deal", "LIVE"),
        ("deal_remaining", 2),
        ("deal", "CANCELLED"),
    ]
    async with rt.db.read_session() as s:
        assert await deal_hook.current_deal(s, int(world.live_id)) is None


def test_the_room_folds_deal_events_into_its_frames() -> None:
    room = Room.__new__(Room)
    room.state = type("S", (), {"deal": None})()
    room._deal_changed = False
    card = {"id": "7", "status": "LIVE", "remaining": 5}
    assert room.apply_deal(events.deal(card)) is True
    assert room.apply_deal(events.deal_remaining(7, 4)) is True
    assert room.state.deal == {"id": "7", "status": "LIVE", "remaining": 4}
    assert room.apply_deal(events.deal_remaining(7, 4)) is False  # nothing new
    assert room.apply_deal(events.deal_remaining(8, 1)) is False  # another deal


async def test_counters_reserve_undo_and_give_back(settings: Settings) -> None:
    counters = create_counters(settings.redis_url, settings.redis_prefix)
    try:
        assert await counters.reserve(1, 2, [Ask(10, 1, None, 100)]) == [(UNLOADED, 0)]
        await counters.load(1, Figures(stock=3, limit=2, bought={10: 1}, keys={(10, "a"): 99}))
        asks = [
            Ask(10, 1, "a", 101),  # same key as a purchase in the database
            Ask(10, 1, "b", 102),
            Ask(10, 1, "c", 103),  # over the limit of 2
            Ask(11, 2, None, 104),
            Ask(12, 1, None, 105),  # nothing left
        ]
        assert await counters.reserve(1, 2, asks) == [
            (DUPLICATE, 99),
            (OK, 102),
            (LIMIT, 0),
            (OK, 104),
            (SOLD_OUT, 0),
        ]
        assert await counters.stock(1) == 0
        await counters.undo(1, [asks[3]])
        assert await counters.stock(1) == 2
        assert await counters.give_back(1, [(500, 10, 1), (500, 10, 1)]) == 1
        assert await counters.give_back(1, [(500, 10, 1)]) == 0  # each purchase once
        assert await counters.stock(1) == 3
        assert await counters.reserve(1, 2, [Ask(10, 1, "d", 106)]) == [(OK, 106)]
        await counters.forget(1)
        assert await counters.stock(1) is None
    finally:
        await counters.close()
