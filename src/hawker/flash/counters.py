"""The hot counters of live flash deals: units left, units per buyer, idempotency keys.

One interface, two implementations chosen by configuration:

- `MemoryCounters` (the embedded default, one process): plain dictionaries; each call runs
  without an `await` in between, so it is atomic on the event loop.
- `RedisCounters` (several processes): one Lua script per call, so reserving a whole batch of
  buy presses is ONE atomic step and one round trip; scripts are registered once and called
  with EVALSHA; concurrency towards Redis is bounded by a semaphore.

The counters are a fast filter, never the truth: the database is (see writer.py). They are
loaded from the database when a deal opens and after a restart, and units of cancelled orders
are given back idempotently (per purchase id), so a retry never adds twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

OK = "ok"
DUPLICATE = "dup"
SOLD_OUT = "sold_out"
LIMIT = "limit"
UNLOADED = "unloaded"


@dataclass(slots=True)
class Ask:
    """One buy press: `order_id` is generated before asking, and kept if it is accepted."""

    buyer_id: int
    quantity: int
    key: str | None
    order_id: int


Outcome = tuple[str, int]  # (OK, order id) | (DUPLICATE, first order id) | (SOLD_OUT|LIMIT, 0)


@dataclass
class Figures:
    """What the database says about a deal, to load the counters from."""

    stock: int
    limit: int
    bought: dict[int, int] = field(default_factory=dict)  # units held per buyer
    keys: dict[tuple[int, str], int] = field(default_factory=dict)  # (buyer, key) -> order
    returned: set[int] = field(default_factory=set)  # purchase ids already given back


class Counters(Protocol):
    name: str

    async def load(self, deal_id: int, figures: Figures) -> None:
        """Replace the deal's counters with these figures."""

    async def is_loaded(self, deal_id: int) -> bool: ...

    async def reserve(self, deal_id: int, limit: int, asks: Sequence[Ask]) -> list[Outcome]:
        """Take units for each ask in order, atomically for the whole list."""

    async def undo(self, deal_id: int, asks: Sequence[Ask]) -> None:
        """Give back reservations that were not written (the database refused them)."""

    async def give_back(self, deal_id: int, returns: Sequence[tuple[int, int, int]]) -> int:
        """Units of cancelled purchases (purchase id, buyer id, quantity) back on sale;
        each purchase at most once. Returns how many purchases were new."""

    async def stock(self, deal_id: int) -> int | None:
        """Units left (None when the deal is not loaded)."""

    async def forget(self, deal_id: int) -> None: ...

    async def close(self) -> None: ...


# --- in-process -------------------------------------------------------------------------


@dataclass
class _Deal:
    stock: int
    bought: dict[int, int]
    keys: dict[tuple[int, str], int]
    returned: set[int]


class MemoryCounters:
    """Counters of one process (the embedded default)."""

    name = "memory"

    def __init__(self) -> None:
        self._deals: dict[int, _Deal] = {}

    async def load(self, deal_id: int, figures: Figures) -> None:
        self._deals[deal_id] = _Deal(
            figures.stock, dict(figures.bought), dict(figures.keys), set(figures.returned)
        )

    async def is_loaded(self, deal_id: int) -> bool:
        return deal_id in self._deals

    def reserve_now(self, deal_id: int, limit: int, asks: Sequence[Ask]) -> list[Outcome]:
        deal = self._deals.get(deal_id)
        if deal is None:
            return [(UNLOADED, 0)] * len(asks)
        out: list[Outcome] = []
        for ask in asks:
            if ask.key is not None:
                first = deal.keys.get((ask.buyer_id, ask.key))
                if first is not None:
                    out.append((DUPLICATE, first))
                    continue
            had = deal.bought.get(ask.buyer_id, 0)
            if had + ask.quantity > limit:
                out.append((LIMIT, 0))
            elif deal.stock < ask.quantity:
                out.append((SOLD_OUT, 0))
            else:
                deal.stock -= ask.quantity
                deal.bought[ask.buyer_id] = had + ask.quantity
                if ask.key is not None:
                    deal.keys[(ask.buyer_id, ask.key)] = ask.order_id
                out.append((OK, ask.order_id))
        return out

    async def reserve(self, deal_id: int, limit: int, asks: Sequence[Ask]) -> list[Outcome]:
        return self.reserve_now(deal_id, limit, asks)

    async def undo(self, deal_id: int, asks: Sequence[Ask]) -> None:
        deal = self._deals.get(deal_id)
        if deal is None:
            return
        for ask in asks:
            deal.stock += ask.quantity
            deal.bought[ask.buyer_id] = max(0, deal.bought.get(ask.buyer_id, 0) - ask.quantity)
            if ask.key is not None and deal.keys.get((ask.buyer_id, ask.key)) == ask.order_id:
                del deal.keys[(ask.buyer_id, ask.key)]

    async def give_back(self, deal_id: int, returns: Sequence[tuple[int, int, int]]) -> int:
        deal = self._deals.get(deal_id)
        if deal is None:
            return 0
        new = 0
        for purchase_id, buyer_id, quantity in returns:
            if purchase_id in deal.returned:
                continue
            deal.returned.add(purchase_id)
            deal.stock += quantity
            deal.bought[buyer_id] = max(0, deal.bought.get(buyer_id, 0) - quantity)
            new += 1
        return new

    async def stock(self, deal_id: int) -> int | None:
        deal = self._deals.get(deal_id)
        return None if deal is None else deal.stock

    async def forget(self, deal_id: int) -> None:
        self._deals.pop(deal_id, None)

    async def close(self) -> None:
        self._deals.clear()


# --- Redis ------------------------------------------------------------------------------

# KEYS: stock, buyers (hash), keys (hash). ARGV: limit, then (buyer, quantity, key, order)*.
# Returns one string per ask: "K" taken, "D<order id>" duplicate, "L" limit, "S" sold out;
# or the single string "U" when the deal is not loaded.
_RESERVE = """
local stock = redis.call('GET', KEYS[1])
if not stock then return {'U'} end
stock = tonumber(stock)
local limit = tonumber(ARGV[1])
local out = {}
for i = 2, #ARGV, 4 do
  local buyer, qty, key, order = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3]
  local res = nil
  if key ~= '' then
    local first = redis.call('HGET', KEYS[3], buyer .. ':' .. key)
    if first then res = 'D' .. first end
  end
  if not res then
    local had = tonumber(redis.call('HGET', KEYS[2], buyer) or '0')
    if had + qty > limit then
      res = 'L'
    elseif stock < qty then
      res = 'S'
    else
      stock = stock - qty
      redis.call('HSET', KEYS[2], buyer, had + qty)
      if key ~= '' then redis.call('HSET', KEYS[3], buyer .. ':' .. key, order) end
      res = 'K'
    end
  end
  out[#out + 1] = res
end
redis.call('SET', KEYS[1], stock)
return out
"""

# KEYS: stock, buyers, keys. ARGV: (buyer, quantity, key, order)*.
_UNDO = """
if not redis.call('GET', KEYS[1]) then return 0 end
for i = 1, #ARGV, 4 do
  local buyer, qty, key, order = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3]
  redis.call('INCRBY', KEYS[1], qty)
  local had = tonumber(redis.call('HGET', KEYS[2], buyer) or '0')
  redis.call('HSET', KEYS[2], buyer, math.max(0, had - qty))
  if key ~= '' and redis.call('HGET', KEYS[3], buyer .. ':' .. key) == order then
    redis.call('HDEL', KEYS[3], buyer .. ':' .. key)
  end
end
return 1
"""

# KEYS: stock, buyers, returned (set). ARGV: (purchase, buyer, quantity)*.
_GIVE_BACK = """
if not redis.call('GET', KEYS[1]) then return 0 end
local new = 0
for i = 1, #ARGV, 3 do
  if redis.call('SADD', KEYS[3], ARGV[i]) == 1 then
    local qty = tonumber(ARGV[i + 2])
    redis.call('INCRBY', KEYS[1], qty)
    local had = tonumber(redis.call('HGET', KEYS[2], ARGV[i + 1]) or '0')
    redis.call('HSET', KEYS[2], ARGV[i + 1], math.max(0, had - qty))
    new = new + 1
  end
end
return new
"""

LOAD_CHUNK = 2000


class RedisCounters:
    """Counters shared by every process, in Redis (keys hash-tagged per deal)."""

    name = "redis"

    def __init__(self, url: str, *, prefix: str = "hawker:", max_connections: int = 32) -> None:
        import redis.asyncio as aioredis

        self.prefix = prefix
        self._redis: Any = aioredis.Redis.from_url(url, max_connections=max_connections)
        # redis-py's pool raises when exhausted: never ask for more connections than it has.
        self._gate = asyncio.Semaphore(max(1, max_connections - 2))
        self._shas: dict[str, str] = {}

    def _keys(self, deal_id: int) -> tuple[str, str, str, str]:
        base = f"{self.prefix}flash:{{{deal_id}}}:"
        return base + "stock", base + "buyers", base + "keys", base + "returned"

    async def _script(self, source: str, keys: Sequence[str], args: Sequence[Any]) -> Any:
        from redis.exceptions import NoScriptError

        sha = self._shas.get(source)
        async with self._gate:
            if sha is None:
                sha = str(await self._redis.script_load(source))
                self._shas[source] = sha
            try:
                return await self._redis.evalsha(sha, len(keys), *keys, *args)
            except NoScriptError:  # Redis restarted: register again
                sha = str(await self._redis.script_load(source))
                self._shas[source] = sha
                return await self._redis.evalsha(sha, len(keys), *keys, *args)

    async def load(self, deal_id: int, figures: Figures) -> None:
        stock, buyers, keys, returned = self._keys(deal_id)
        async with self._gate:
            pipe = self._redis.pipeline(transaction=True)
            pipe.delete(stock, buyers, keys, returned)
            items = [(str(b), str(n)) for b, n in figures.bought.items() if n]
            for i in range(0, len(items), LOAD_CHUNK):
                pipe.hset(buyers, mapping=dict(items[i : i + LOAD_CHUNK]))
            pairs = [(f"{b}:{k}", str(o)) for (b, k), o in figures.keys.items()]
            for i in range(0, len(pairs), LOAD_CHUNK):
                pipe.hset(keys, mapping=dict(pairs[i : i + LOAD_CHUNK]))
            done = [str(p) for p in figures.returned]
            for i in range(0, len(done), LOAD_CHUNK):
                pipe.sadd(returned, *done[i : i + LOAD_CHUNK])
            pipe.set(stock, figures.stock)  # last: the deal counts as loaded from here on
            await pipe.execute()

    async def is_loaded(self, deal_id: int) -> bool:
        async with self._gate:
            return bool(await self._redis.exists(self._keys(deal_id)[0]))

    async def reserve(self, deal_id: int, limit: int, asks: Sequence[Ask]) -> list[Outcome]:
        stock, buyers, keys, _ = self._keys(deal_id)
        args: list[Any] = [limit]
        for a in asks:
            args += [a.buyer_id, a.quantity, a.key or "", a.order_id]
        raw = await self._script(_RESERVE, (stock, buyers, keys), args)
        codes = [r.decode() if isinstance(r, bytes) else str(r) for r in raw]
        if codes == ["U"]:
            return [(UNLOADED, 0)] * len(asks)
        out: list[Outcome] = []
        for ask, code in zip(asks, codes, strict=True):
            if code == "K":
                out.append((OK, ask.order_id))
            elif code == "L":
                out.append((LIMIT, 0))
            elif code == "S":
                out.append((SOLD_OUT, 0))
            else:
                out.append((DUPLICATE, int(code[1:])))
        return out

    async def undo(self, deal_id: int, asks: Sequence[Ask]) -> None:
        if not asks:
            return
        stock, buyers, keys, _ = self._keys(deal_id)
        args: list[Any] = []
        for a in asks:
            args += [a.buyer_id, a.quantity, a.key or "", a.order_id]
        await self._script(_UNDO, (stock, buyers, keys), args)

    async def give_back(self, deal_id: int, returns: Sequence[tuple[int, int, int]]) -> int:
        if not returns:
            return 0
        stock, buyers, _, returned = self._keys(deal_id)
        args: list[Any] = []
        for purchase_id, buyer_id, quantity in returns:
            args += [purchase_id, buyer_id, quantity]
        return int(await self._script(_GIVE_BACK, (stock, buyers, returned), args))

    async def stock(self, deal_id: int) -> int | None:
        async with self._gate:
            value = await self._redis.get(self._keys(deal_id)[0])
        return None if value is None else int(value)

    async def forget(self, deal_id: int) -> None:
        async with self._gate:
            await self._redis.delete(*self._keys(deal_id))

    async def close(self) -> None:
        await self._redis.aclose()


def create_counters(redis_url: str | None, prefix: str) -> Counters:
    if redis_url:
        return RedisCounters(redis_url, prefix=prefix)
    return MemoryCounters()
