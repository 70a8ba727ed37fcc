from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

import redis.asyncio as aioredis

# Atomically raise a counter to a value (a high-water mark such as a room's peak viewers).
_MAX_SCRIPT = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local value = tonumber(ARGV[1])
if value > current then
  redis.call('SET', KEYS[1], value)
  return value
end
return current
"""


class RedisSubscription:
    def __init__(self, pubsub: Any) -> None:
        self._pubsub = pubsub

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._iter()

    async def _iter(self) -> AsyncIterator[bytes]:
        async for message in self._pubsub.listen():
            if message.get("type") == "message":
                data = message["data"]
                yield data if isinstance(data, bytes) else str(data).encode()

    async def close(self) -> None:
        await self._pubsub.unsubscribe()
        await self._pubsub.aclose()


class RedisBroker:
    """Redis-backed broker: pub/sub across processes, counters shared by all of them."""

    name = "redis"

    def __init__(self, url: str, *, max_connections: int = 64, prefix: str = "hawker:") -> None:
        self.prefix = prefix
        self._redis = aioredis.Redis.from_url(url, max_connections=max_connections)
        # Each subscription holds a connection for as long as it lives (one per live room with
        # local viewers): they come from their own pool, so they never starve the commands.
        self._subscriber = aioredis.Redis.from_url(url)
        # redis-py's pool raises when exhausted; bound concurrency towards Redis ourselves.
        self._gate = asyncio.Semaphore(max_connections - 8)

    def _k(self, key: str) -> str:
        return self.prefix + key

    async def publish(self, channel: str, message: bytes) -> None:
        async with self._gate:
            await self._redis.publish(self._k(channel), message)

    async def publish_many(self, messages: Sequence[tuple[str, bytes]]) -> None:
        if not messages:
            return
        async with self._gate:
            pipe = self._redis.pipeline(transaction=False)
            for channel, message in messages:
                pipe.publish(self._k(channel), message)
            await pipe.execute()

    async def subscribe(self, channel: str) -> RedisSubscription:
        pubsub = self._subscriber.pubsub()
        await pubsub.subscribe(self._k(channel))
        return RedisSubscription(pubsub)

    async def hit(self, key: str, window_seconds: int) -> int:
        window = int(time.time()) // window_seconds
        full = self._k(f"{key}:{window}")
        async with self._gate:
            pipe = self._redis.pipeline(transaction=True)
            pipe.incr(full)
            pipe.expire(full, window_seconds + 1)
            value, _ = await pipe.execute()
        return int(value)

    async def incr(self, key: str, amount: int = 1) -> int:
        async with self._gate:
            return int(await self._redis.incrby(self._k(key), amount))

    async def get_int(self, key: str) -> int:
        async with self._gate:
            value = await self._redis.get(self._k(key))
        return int(value) if value is not None else 0

    async def max_int(self, key: str, value: int) -> int:
        async with self._gate:
            result = await self._redis.eval(_MAX_SCRIPT, 1, self._k(key), value)
        return int(result)

    async def set_if_absent(self, key: str, value: str, ttl_seconds: int) -> bool:
        async with self._gate:
            return bool(await self._redis.set(self._k(key), value, nx=True, ex=ttl_seconds))

    async def delete(self, key: str) -> None:
        async with self._gate:
            await self._redis.delete(self._k(key))

    async def close(self) -> None:
        await self._redis.aclose()
        await self._subscriber.aclose()
