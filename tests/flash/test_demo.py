"""The demo's recurring deals: announced on the live's bag, bought by simulated buyers."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from hawker.flash import demo
from hawker.flash.engine import FlashEngine, engine_for
from hawker.kit.clock import FrozenClock
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.flash import buy, deal_row, make_deal_world

FAST = demo.DemoTerms(
    every_seconds=0.0,
    countdown_seconds=10,
    duration_minutes=2,
    max_units=9,
    buyers=10,
    press_window_seconds=0.2,
    start_delay_seconds=0.0,
)


async def test_a_demo_deal_is_announced_and_simulated_buyers_leave_some_for_newcomers(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    engine: FlashEngine,
) -> None:
    world = await make_deal_world(client, rt, runner, stock=40)
    for _ in range(8):
        await signup(client)
    deal_id = await demo.announce(rt, int(world.live_id), FAST)
    assert deal_id is not None
    row = await deal_row(rt, str(deal_id))
    assert (row.status, row.stock_cap, row.per_buyer_limit) == ("COUNTDOWN", 9, 1)
    assert row.price_minor < row.lowest_30d_minor
    assert await demo.announce(rt, int(world.live_id), FAST) is None  # one at a time
    clock.advance(timedelta(seconds=10))
    assert engine_for(rt) is engine
    bought = await demo.simulate(rt, engine, deal_id, FAST, asyncio.Event())
    assert bought == 5  # two thirds of the 9 units, rounded down
    row = await deal_row(rt, str(deal_id))
    assert (row.units_sold, row.stock_remaining) == (5, 4)
    newcomer = await signup(client)
    assert (await buy(client, newcomer, str(deal_id))).status_code == 201


async def test_run_demo_deals_stops_when_told(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, engine: FlashEngine
) -> None:
    world = await make_deal_world(client, rt, runner, stock=0)  # nothing to sell: no deal
    stop = asyncio.Event()
    task = asyncio.create_task(
        demo.run_demo_deals(rt, int(world.live_id), stop, demo.DemoTerms(every_seconds=0.05))
    )
    await asyncio.sleep(0.2)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert task.done() and task.exception() is None
