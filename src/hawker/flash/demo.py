"""The demo's recurring flash deals, with simulated buyers, so a newcomer can join a rush.

`run_demo_deals(rt, session_id, stop_event)` runs until `stop_event` is set: every few
minutes it announces a deal on a product of the live's bag (a short countdown, a couple of
minutes, a price below the 30-day low), and while the deal runs simulated buyers (the demo's
buyer accounts) press buy through the same engine as real buyers, taking about two thirds
of the units, so there is always something left to grab.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from dataclasses import dataclass

from hawker.catalog import service as catalog
from hawker.errors import HawkerError
from hawker.flash import rules, service
from hawker.flash.engine import FlashEngine, engine_for
from hawker.inventory import service as inventory
from hawker.live import service as live
from hawker.models import LiveStatus, User
from hawker.orders.service import Address
from hawker.runtime import Runtime

log = logging.getLogger("hawker.flash.demo")


@dataclass(frozen=True)
class DemoTerms:
    every_seconds: float = 180.0
    countdown_seconds: int = 15
    duration_minutes: int = 2
    max_units: int = 30
    buyers: int = 25
    share_for_simulated: float = 0.66
    press_window_seconds: float = 45.0  # simulated presses spread over this much of the deal
    start_delay_seconds: float = 0.5


async def _sleep(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep unless stopped; True when stopped."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=max(0.0, seconds))
    return stop.is_set()


async def announce(rt: Runtime, session_id: int, terms: DemoTerms) -> int | None:
    """A deal on the bag product with the most free stock; None when there is nothing to
    sell (no stock, the live is not on air, a deal is already running)."""
    async with rt.db.session() as s:
        live_session = await live.get_live(s, session_id)
        if live_session.status != LiveStatus.LIVE:
            return None
        if await service.room_deal(s, session_id) is not None:
            return None
        host = await s.get(User, live_session.host_id)
        if host is None:
            return None
        found = await catalog.skus_for_sale(s, await service.bag_sku_ids(s, session_id))
        skus = [sku for sku in found.values() if sku.is_sellable]
        free = await inventory.available_by_sku(s, [sku.sku_id for sku in skus])
        candidates = sorted(skus, key=lambda k: free.get(k.sku_id, 0), reverse=True)
        if not candidates or free.get(candidates[0].sku_id, 0) < 4:
            return None
        sku = candidates[0]
        lowest = await catalog.lowest_price_since(
            s, sku.sku_id, rules.lowest_price_window(rt.clock.now())
        )
        lowest = min(lowest or sku.price_minor, sku.price_minor)
        units = min(terms.max_units, free[sku.sku_id] // 2)
        try:
            deal = await service.create_deal(
                s,
                host,
                session_id,
                service.NewDeal(
                    sku_id=sku.sku_id,
                    price_minor=max(1, min(lowest - 1, lowest * 7 // 10)),
                    currency=sku.currency,
                    stock_cap=units,
                    per_buyer_limit=1,
                    countdown_seconds=terms.countdown_seconds,
                    duration_minutes=terms.duration_minutes,
                ),
                now=rt.clock.now(),
            )
        except HawkerError as exc:  # e.g. the stock sat in several warehouses
            log.info("demo deal not announced: %s", exc.message)
            return None
        return deal.id


async def simulate(
    rt: Runtime, engine: FlashEngine, deal_id: int, terms: DemoTerms, stop: asyncio.Event
) -> int:
    """Simulated buyers press buy while the deal runs; returns their purchases."""
    state = await engine.deal(deal_id)
    if state is None:
        return 0
    deal = state.facts.deal
    async with rt.db.read_session() as s:
        buyer_ids = await service.buyer_ids(s, deal.market_code, terms.buyers)
    if not buyer_ids:
        return 0
    wait = (deal.starts_at - rt.clock.now()).total_seconds()
    if await _sleep(stop, wait + terms.start_delay_seconds):
        return 0
    wanted = max(1, int(deal.stock_cap * terms.share_for_simulated))
    window = min(deal.duration_seconds * 0.6, terms.press_window_seconds)
    rng = random.Random(deal_id)
    presses = sorted(rng.uniform(0, window) for _ in range(min(wanted, len(buyer_ids))))
    address = Address(
        name="Demo Buyer",
        phone="+1 555 0100",
        line1="1 Demo Street",
        city="Springfield",
        postal_code="12345",
        country_code=deal.market_code,
    )
    bought = 0
    started = asyncio.get_running_loop().time()
    for buyer_id, at in zip(rng.sample(buyer_ids, len(presses)), presses, strict=False):
        if await _sleep(stop, at - (asyncio.get_running_loop().time() - started)):
            break
        answer = await engine.buy(
            state,
            buyer_id=buyer_id,
            quantity=1,
            key=f"demo-{deal_id}-{buyer_id}",
            address=address,
            now=rt.clock.now(),
        )
        bought += int(answer.status == 201)
    return bought


async def run_demo_deals(
    rt: Runtime,
    session_id: int,
    stop_event: asyncio.Event,
    terms: DemoTerms | None = None,
) -> None:
    """Announce a deal every `terms.every_seconds` on the live, with simulated buyers."""
    terms = terms or DemoTerms()
    engine = engine_for(rt)
    while not stop_event.is_set():
        began = asyncio.get_running_loop().time()
        try:
            deal_id = await announce(rt, session_id, terms)
            if deal_id is not None:
                n = await simulate(rt, engine, deal_id, terms, stop_event)
                log.info("demo deal %s: %s simulated purchases", deal_id, n)
        except Exception:  # the demo goes on
            log.exception("demo flash deal failed")
        elapsed = asyncio.get_running_loop().time() - began
        if await _sleep(stop_event, terms.every_seconds - elapsed):
            return
