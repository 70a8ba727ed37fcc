"""The hot path of live flash deals inside one server process.

    buy press -> login (cache) -> deal (cache) -> counters (one atomic step) -> group commit
              -> answer after the commit

- Logins: bearer tokens resolve through a bounded in-process cache with a TTL; misses that
  arrive together are looked up in one query.
- Deals: what buying needs (price, quotes, times, limit) is read once per process; the
  status is refreshed by a ticker every `TICK_SECONDS`.
- Counters (counters.py): in-process, or Redis with reservations of one moment grouped into
  one script call per deal.
- Writer: a `Batcher` that collects purchases for up to `WRITE_WINDOW_SECONDS` (or
  `WRITE_MAX_ITEMS`) and writes them in one transaction (purchases.py); every purchase of the
  batch is answered after the commit, so an acknowledged purchase is always durable.
- Ticker: deal statuses, units of cancelled orders back into the counters, the remaining
  units published to the live room (coalesced).

The counters are loaded from the database the first time a process sees an open deal
(always, in-process; in Redis when nobody has loaded them) and, in Redis, for every open deal
when the process starts, so a restart resumes from what was committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.service import token_hash
from hawker.flash import purchases, rules, service
from hawker.flash.batching import Batcher
from hawker.flash.counters import (
    DUPLICATE,
    LIMIT,
    OK,
    SOLD_OUT,
    UNLOADED,
    Ask,
    Counters,
    MemoryCounters,
    Outcome,
    create_counters,
)
from hawker.kit.ids import new_id
from hawker.live import events as room_events
from hawker.models import FlashDealStatus
from hawker.orders.service import Address
from hawker.runtime import Runtime
from hawker.schemas import MoneyOut

log = logging.getLogger("hawker.flash")

TICK_SECONDS = 0.2
WRITE_WINDOW_SECONDS = 0.004
WRITE_MAX_ITEMS = 400
RESERVE_MAX_ITEMS = 400
RESERVE_PARALLEL = 4
LOGIN_TTL_SECONDS = 30.0
LOGIN_MISS_TTL_SECONDS = 5.0
LOGIN_CACHE_SIZE = 200_000
ADDRESS_CACHE_SIZE = 50_000
REPLAY_WAIT_SECONDS = 3.0


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    replayed: bool = False


def _refusal(error: type[rules.Refusal], message: str) -> Answer:
    body = {"error": {"code": error.code, "message": message, "details": None}}
    return Answer(error.status_code, json.dumps(body, separators=(",", ":")).encode())


SOLD_OUT_ANSWER = _refusal(rules.SoldOut, "Sold out.")
LIMIT_ANSWER = _refusal(
    rules.LimitReached, "You already bought as many as this deal allows per buyer."
)
NOT_STARTED_ANSWER = _refusal(rules.NotStarted, "The deal has not started yet.")
ENDED_ANSWER = _refusal(rules.Ended, "The deal has ended.")
NOT_LOGGED_IN_ANSWER = _refusal(rules.NotLoggedIn, "Log in to buy.")
TRY_AGAIN_ANSWER = Answer(
    503, b'{"error":{"code":"try_again","message":"Try again.","details":null}}'
)


def iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


@dataclass
class DealState:
    facts: service.DealFacts
    status: str
    totals: tuple[bytes, ...]  # pre-serialised MoneyOut per quantity
    end_reason: str | None = None
    loaded: bool = False
    remaining: int | None = None
    published_remaining: int | None = None
    load_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def id(self) -> int:
        return self.facts.deal.id

    def phase(self, now: datetime) -> rules.Phase:
        d = self.facts.deal
        return rules.phase(self.status, starts_at=d.starts_at, ends_at=d.ends_at, now=now)

    def created(self, order_id: int, quantity: int, pay_by: datetime) -> bytes:
        """The 201 body; the same bytes for a replay of the same purchase."""
        return b"".join(
            (
                b'{"order_id":"',
                str(order_id).encode(),
                b'","deal_id":"',
                str(self.id).encode(),
                b'","status":"UNPAID","quantity":',
                str(quantity).encode(),
                b',"pay_by":"',
                iso(pay_by).encode(),
                b'","total":',
                self.totals[quantity - 1],
                b',"pay_url":"/api/v1/orders/',
                str(order_id).encode(),
                b'/pay"}',
            )
        )


@dataclass(slots=True)
class _Pending:
    deal: DealState
    ask: Ask
    at: datetime
    address: Address
    result: asyncio.Future[Outcome] | None = None

    @property
    def in_flight(self) -> bool:
        return self.result is None or not self.result.done()


@dataclass
class _Login:
    user_id: int | None
    until: float


class Logins:
    """Bearer token -> user id, through a bounded in-process cache in front of the table."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._cache: OrderedDict[str, _Login] = OrderedDict()
        self._batcher: Batcher[str, int | None] = Batcher(
            self._lookup, window=0.001, max_items=500, parallel=2
        )
        self.misses = 0

    async def user_id(self, token: str) -> int | None:
        hit = self._cache.get(token)
        if hit is not None and hit.until > time.monotonic():
            return hit.user_id
        self.misses += 1
        return await self._batcher.submit(token)

    def forget(self, token: str) -> None:
        self._cache.pop(token, None)

    async def _lookup(self, tokens: list[str]) -> list[int | None]:
        hashes = {t: token_hash(t) for t in tokens}
        now = self.rt.clock.now()
        wanted = list(set(hashes.values()))

        async def read(s: AsyncSession) -> dict[str, tuple[int, datetime]]:
            return await service.logins(s, wanted, now)

        found = await self.rt.db.read_blocking(read)
        mono = time.monotonic()
        out: list[int | None] = []
        for token in tokens:
            login = found.get(hashes[token])
            if login is None:
                entry = _Login(None, mono + LOGIN_MISS_TTL_SECONDS)
            else:
                left = (login[1] - now).total_seconds()
                entry = _Login(login[0], mono + max(0.0, min(LOGIN_TTL_SECONDS, left)))
            self._cache[token] = entry
            out.append(entry.user_id)
        while len(self._cache) > LOGIN_CACHE_SIZE:
            self._cache.popitem(last=False)
        return out

    async def stop(self) -> None:
        await self._batcher.drain()


@dataclass
class FlashEngine:
    rt: Runtime
    counters: Counters = field(init=False)
    logins: Logins = field(init=False)

    def __post_init__(self) -> None:
        s = self.rt.settings
        self.counters = create_counters(s.redis_url, s.redis_prefix)
        self.logins = Logins(self.rt)
        self.deals: dict[int, DealState | None] = {}
        self._deal_locks: dict[int, asyncio.Lock] = {}
        self._addresses: OrderedDict[int, Address | None] = OrderedDict()
        self._pending: dict[int, _Pending] = {}
        self._writer: Batcher[_Pending, Outcome] = Batcher(
            self._write, window=WRITE_WINDOW_SECONDS, max_items=WRITE_MAX_ITEMS
        )
        self._reserver: Batcher[tuple[DealState, Ask], Outcome] | None = None
        if not isinstance(self.counters, MemoryCounters):
            self._reserver = Batcher(
                self._reserve_batch,
                window=0,
                max_items=RESERVE_MAX_ITEMS,
                parallel=RESERVE_PARALLEL,
            )
        self._ticker: asyncio.Task[None] | None = None
        self._tick_lock = asyncio.Lock()
        self.stats: dict[str, int] = {"accepted": 0, "refused_at_commit": 0, "batches": 0}

    # lifecycle ---------------------------------------------------------------------------

    async def start(self, *, ticker: bool = True) -> None:
        """Reload the counters of every open deal from the database (a restart resumes
        from what was committed), then keep them in step."""
        async with self.rt.db.read_session() as s:
            open_ids = [d.id for d in await service.open_deals(s)]
        for deal_id in open_ids:
            state = await self.deal(deal_id)
            if state is not None:
                await self._load_counters(state, force=True)
        if ticker and self._ticker is None:
            self._ticker = asyncio.create_task(self._tick_forever())

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        if self._reserver is not None:
            await self._reserver.drain()
        await self._writer.drain()
        await self.logins.stop()
        await self.counters.close()
        if _engines.get(id(self.rt)) is self:
            del _engines[id(self.rt)]

    # deals -------------------------------------------------------------------------------

    async def deal(self, deal_id: int) -> DealState | None:
        if deal_id in self.deals:
            return self.deals[deal_id]
        lock = self._deal_locks.setdefault(deal_id, asyncio.Lock())
        async with lock:
            if deal_id in self.deals:
                return self.deals[deal_id]
            async with self.rt.db.read_session() as s:
                facts = await service.facts(s, deal_id)
            state = None
            if facts is not None:
                totals = tuple(
                    json.dumps(
                        MoneyOut.of(q.total_minor, q.currency, facts.locale).model_dump(
                            mode="json"
                        ),
                        separators=(",", ":"),
                        ensure_ascii=False,
                    ).encode()
                    for q in facts.quotes
                )
                state = DealState(
                    facts=facts,
                    status=facts.deal.status,
                    totals=totals,
                    end_reason=facts.deal.end_reason,
                )
            if len(self.deals) > 10_000:
                self.deals.clear()
            self.deals[deal_id] = state
            self._deal_locks.pop(deal_id, None)
            return state

    async def _load_counters(self, state: DealState, *, force: bool = False) -> None:
        """The deal's counters from the database, less nothing: purchases this process has
        in flight are added back, so they are not sold twice."""
        lock = state.load_lock
        async with lock:
            if state.loaded and not force:
                return
            await self._load_counters_now(state, force=force)

    async def _load_counters_now(self, state: DealState, *, force: bool) -> None:
        if not force and await self.counters.is_loaded(state.id):
            state.loaded = True
            return
        async with self.rt.db.read_session() as s:
            figures = await service.figures(s, state.id)
        if figures is None:
            return
        for p in self._pending.values():
            if p.deal.id == state.id and p.in_flight:
                figures.stock = max(0, figures.stock - p.ask.quantity)
                figures.bought[p.ask.buyer_id] = (
                    figures.bought.get(p.ask.buyer_id, 0) + p.ask.quantity
                )
                if p.ask.key is not None:
                    figures.keys[(p.ask.buyer_id, p.ask.key)] = p.ask.order_id
        await self.counters.load(state.id, figures)
        state.loaded = True
        state.remaining = figures.stock

    # buying ------------------------------------------------------------------------------

    async def address_of(self, buyer_id: int) -> Address | None:
        """The shipping address of the buyer's latest order (cached)."""
        if buyer_id in self._addresses:
            return self._addresses[buyer_id]
        async with self.rt.db.read_session() as s:
            order = await service.last_order(s, buyer_id)
        address = None
        if order is not None:
            address = Address(
                name=order.recipient_name,
                phone=order.recipient_phone,
                line1=order.address_line1,
                line2=order.address_line2,
                city=order.city,
                region=order.region,
                postal_code=order.postal_code,
                country_code=order.country_code,
            )
            self._addresses[buyer_id] = address
            while len(self._addresses) > ADDRESS_CACHE_SIZE:
                self._addresses.popitem(last=False)
        return address

    @staticmethod
    def refusal(state: DealState, now: datetime, *, countdown: bool = True) -> Answer | None:
        """The answer to any press while the deal is not on: over (sold out or ended), or
        counting down (unless `countdown` is False)."""
        phase = state.phase(now)
        if phase == rules.Phase.COUNTDOWN and countdown:
            return NOT_STARTED_ANSWER
        if phase == rules.Phase.ENDED:
            return SOLD_OUT_ANSWER if state.end_reason == "SOLD_OUT" else ENDED_ANSWER
        return None

    async def buy(
        self,
        state: DealState,
        *,
        buyer_id: int,
        quantity: int,
        key: str | None,
        address: Address,
        now: datetime,
    ) -> Answer:
        closed = self.refusal(state, now)
        if closed is not None:
            return closed
        if not state.loaded:
            await self._load_counters(state)
        ask = Ask(buyer_id=buyer_id, quantity=quantity, key=key, order_id=new_id())
        code, order_id = await self._reserve(state, ask)
        if code == UNLOADED:
            await self._load_counters(state)
            code, order_id = await self._reserve(state, ask)
        if code == DUPLICATE:
            return await self._replay(state, order_id, quantity)
        if code == LIMIT:
            return LIMIT_ANSWER
        if code != OK:
            return SOLD_OUT_ANSWER
        pending = _Pending(state, ask, now, address)
        self._pending[ask.order_id] = pending
        try:
            pending.result = self._writer.submit(pending)
            code, order_id = await asyncio.shield(pending.result)
        except Exception:
            log.exception("writing a flash purchase failed")
            return TRY_AGAIN_ANSWER
        finally:
            self._pending.pop(ask.order_id, None)
        if code == OK:
            pay_by = purchases.pay_by(now, self.rt.settings.flash_payment_window_minutes)
            return Answer(201, state.created(order_id, quantity, pay_by))
        if code == DUPLICATE:
            return await self._replay(state, order_id, quantity)
        if code == LIMIT:
            return LIMIT_ANSWER
        if code == purchases.ENDED:
            return ENDED_ANSWER
        return SOLD_OUT_ANSWER

    async def _reserve(self, state: DealState, ask: Ask) -> Outcome:
        limit = state.facts.deal.per_buyer_limit
        if isinstance(self.counters, MemoryCounters):
            return self.counters.reserve_now(state.id, limit, [ask])[0]
        assert self._reserver is not None
        return await self._reserver.submit((state, ask))

    async def _reserve_batch(self, asks: list[tuple[DealState, Ask]]) -> list[Outcome]:
        by_deal: dict[int, list[int]] = {}
        for i, (state, _) in enumerate(asks):
            by_deal.setdefault(state.id, []).append(i)
        out: list[Outcome] = [(SOLD_OUT, 0)] * len(asks)
        for indexes in by_deal.values():
            state = asks[indexes[0]][0]
            outcomes = await self.counters.reserve(
                state.id, state.facts.deal.per_buyer_limit, [asks[i][1] for i in indexes]
            )
            for i, outcome in zip(indexes, outcomes, strict=True):
                out[i] = outcome
        return out

    async def _write(self, batch: list[_Pending]) -> list[Outcome]:
        items = [purchases.Item(p.deal.facts, p.ask, p.address, p.at) for p in batch]
        now = self.rt.clock.now()
        window = self.rt.settings.flash_payment_window_minutes

        async def write(s: AsyncSession) -> tuple[list[Outcome], dict[int, int]]:
            return await purchases.write_batch(s, items, now=now, window_minutes=window)

        try:
            # the whole batch in one transaction, at once (one turn of this busy loop
            # instead of one per statement)
            outcomes, remaining = await self.rt.db.write_blocking(write)
        except Exception:
            await self._undo(batch)
            raise
        self.stats["batches"] += 1
        refused = [p for p, (code, _) in zip(batch, outcomes, strict=True) if code != OK]
        self.stats["accepted"] += len(batch) - len(refused)
        if refused:
            self.stats["refused_at_commit"] += len(refused)
            await self._undo(refused)
        for deal_id, left in remaining.items():
            state = self.deals.get(deal_id)
            if state is not None:
                state.remaining = left
                if left == 0:
                    state.status, state.end_reason = FlashDealStatus.ENDED, "SOLD_OUT"
        return outcomes

    async def _undo(self, batch: list[_Pending]) -> None:
        by_deal: dict[int, list[Ask]] = {}
        for p in batch:
            by_deal.setdefault(p.deal.id, []).append(p.ask)
        for deal_id, asks in by_deal.items():
            try:
                await self.counters.undo(deal_id, asks)
            except Exception:  # the next load from the database puts them right
                log.exception("giving back reservations of deal %s failed", deal_id)

    async def _replay(self, state: DealState, order_id: int, quantity: int) -> Answer:
        """The same key again: the first purchase's answer, once it is committed."""
        pending = self._pending.get(order_id)
        if pending is not None and pending.result is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(pending.result)
        deadline = time.monotonic() + REPLAY_WAIT_SECONDS
        while True:
            async with self.rt.db.read_session() as s:
                purchase = await service.purchase_of_order(s, order_id)
            if purchase is not None or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        if purchase is None:
            body = (
                b'{"error":{"code":"purchase_pending","message":"That purchase is still being '
                b'written; try again in a moment.","details":null}}'
            )
            return Answer(409, body)
        if purchase.quantity != quantity:
            body = (
                b'{"error":{"code":"idempotency_key_reused","message":"That Idempotency-Key '
                b'was used for a different request.","details":null}}'
            )
            return Answer(422, body)
        pay_by = purchases.pay_by(purchase.created_at, 0)
        async with self.rt.db.read_session() as s:
            order = await service.order_of(s, order_id)
        if order is not None and order.pay_by is not None:
            pay_by = order.pay_by
        return Answer(201, state.created(order_id, purchase.quantity, pay_by), replayed=True)

    # the ticker --------------------------------------------------------------------------

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            try:
                await self.sync()
            except Exception:
                log.exception("flash ticker failed")

    async def sync(self) -> None:
        """One round: deal statuses, units of cancelled orders back into the counters, the
        remaining units published to the rooms. The ticker runs this; tests call it."""
        async with self._tick_lock:
            known = [i for i, st in self.deals.items() if st is not None]
            async with self.rt.db.read_session() as s:
                open_deals = await service.open_deals(s)
                statuses = await service.statuses(s, known)
                returns = await service.returning(s)
            for deal in open_deals:
                statuses[deal.id] = (deal.status, deal.end_reason)
            for deal_id, (status, reason) in statuses.items():
                state = self.deals.get(deal_id)
                if state is not None:
                    state.status, state.end_reason = status, reason
            for deal in open_deals:
                state = await self.deal(deal.id)
                if state is not None and not state.loaded:
                    await self._load_counters(state)
            await self._take_back(returns)
            await self._publish_remaining()

    async def _take_back(self, returns: list[tuple[int, int, int, int]]) -> None:
        if not returns:
            return
        by_deal: dict[int, list[tuple[int, int, int]]] = {}
        for purchase_id, deal_id, buyer_id, quantity in returns:
            by_deal.setdefault(deal_id, []).append((purchase_id, buyer_id, quantity))
        done: list[int] = []
        for deal_id, items in by_deal.items():
            state = await self.deal(deal_id)
            if state is not None and state.loaded:
                await self.counters.give_back(deal_id, items)
                done += [p for p, _, _ in items]
            elif state is None or state.status not in rules.OPEN_STATUSES:
                done += [p for p, _, _ in items]  # nothing to give back to
        if done:
            async with self.rt.db.session() as s:
                await service.mark_returned(s, done)

    async def _publish_remaining(self) -> None:
        for state in list(self.deals.values()):
            if state is None or state.status not in rules.OPEN_STATUSES:
                continue
            left = await self.counters.stock(state.id) if state.loaded else None
            if left is None or left == state.published_remaining:
                continue
            state.published_remaining = left
            await room_events.publish(
                self.rt.broker,
                state.facts.deal.session_id,
                [room_events.deal_remaining(state.id, left)],
            )


_engines: dict[int, FlashEngine] = {}  # one engine per Runtime (per process, in practice)


def engine_for(rt: Runtime) -> FlashEngine:
    """The engine of this runtime (made on first use): the app's buy route and the demo's
    simulated buyers share it, and so its counters."""
    engine = _engines.get(id(rt))
    if engine is None or engine.rt is not rt:
        engine = FlashEngine(rt)
        _engines[id(rt)] = engine
    return engine


def engine_of(app: Any) -> FlashEngine:
    """The engine of an application's runtime."""
    engine: FlashEngine | None = getattr(app.state, "flash", None)
    if engine is None:
        engine = engine_for(app.state.runtime)
        app.state.flash = engine
    return engine


async def start(app: Any) -> None:
    await engine_of(app).start()


async def stop(app: Any) -> None:
    engine: FlashEngine | None = getattr(app.state, "flash", None)
    if engine is not None:
        await engine.stop()
