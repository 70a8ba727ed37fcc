from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence


class MemorySubscription:
    def __init__(self, broker: MemoryBroker, channel: str, maxsize: int = 1024) -> None:
        self._broker = broker
        self._channel = channel
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=maxsize)

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._iter()

    async def _iter(self) -> AsyncIterator[bytes]:
        while True:
            item = await self.queue.get()
            if item is None:
                return
            yield item

    async def close(self) -> None:
        self._broker._subscribers[self._channel].discard(self)
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)


class MemoryBroker:
    """In-process broker for the embedded default."""

    name = "memory"

    def __init__(self) -> None:
        self._subscribers: dict[str, set[MemorySubscription]] = defaultdict(set)
        self._counters: dict[str, int] = {}
        self._expiry: dict[str, float] = {}
        self._values: dict[str, str] = {}

    async def publish(self, channel: str, message: bytes) -> None:
        for sub in list(self._subscribers.get(channel, ())):
            # a subscriber that does not keep up loses messages, never blocks the others
            with contextlib.suppress(asyncio.QueueFull):
                sub.queue.put_nowait(message)

    async def publish_many(self, messages: Sequence[tuple[str, bytes]]) -> None:
        for channel, message in messages:
            await self.publish(channel, message)

    async def subscribe(self, channel: str) -> MemorySubscription:
        sub = MemorySubscription(self, channel)
        self._subscribers[channel].add(sub)
        return sub

    def _expired(self, key: str) -> bool:
        deadline = self._expiry.get(key)
        if deadline is not None and deadline <= time.monotonic():
            self._expiry.pop(key, None)
            self._counters.pop(key, None)
            self._values.pop(key, None)
            return True
        return False

    async def hit(self, key: str, window_seconds: int) -> int:
        window = int(time.time()) // window_seconds
        full = f"{key}:{window}"
        self._expired(full)
        value = self._counters.get(full, 0) + 1
        self._counters[full] = value
        self._expiry.setdefault(full, time.monotonic() + window_seconds)
        return value

    async def incr(self, key: str, amount: int = 1) -> int:
        self._expired(key)
        value = self._counters.get(key, 0) + amount
        self._counters[key] = value
        return value

    async def get_int(self, key: str) -> int:
        self._expired(key)
        return self._counters.get(key, 0)

    async def max_int(self, key: str, value: int) -> int:
        self._expired(key)
        current = max(self._counters.get(key, 0), value)
        self._counters[key] = current
        return current

    async def set_if_absent(self, key: str, value: str, ttl_seconds: int) -> bool:
        self._expired(key)
        if key in self._values:
            return False
        self._values[key] = value
        self._expiry[key] = time.monotonic() + ttl_seconds
        return True

    async def delete(self, key: str) -> None:
        self._counters.pop(key, None)
        self._values.pop(key, None)
        self._expiry.pop(key, None)

    async def close(self) -> None:
        for subs in list(self._subscribers.values()):
            for sub in list(subs):
                await sub.close()
