"""The broker contract, run against the in-process broker and (when configured) Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from hawker.broker import Broker, MemoryBroker
from hawker.broker.redis import RedisBroker


@pytest.fixture(params=["memory", "redis"])
async def broker(request: pytest.FixtureRequest, redis_url: str | None) -> AsyncIterator[Broker]:
    if request.param == "memory":
        b: Broker = MemoryBroker()
    else:
        if not redis_url:
            # Without a Redis URL the [redis] cases are deselected (see conftest.py).
            raise RuntimeError("redis broker requested without HAWKER_TEST_REDIS_URL")
        b = RedisBroker(redis_url, prefix=f"hawker-test:{uuid.uuid4().hex[:8]}:")
    try:
        yield b
    finally:
        await b.close()


async def test_publish_reaches_every_subscriber(broker: Broker) -> None:
    a = await broker.subscribe("room.1")
    b = await broker.subscribe("room.1")
    other = await broker.subscribe("room.2")
    await asyncio.sleep(0.05)  # Redis subscriptions become active asynchronously
    await broker.publish("room.1", b"hello")

    async def first(sub: object) -> bytes:
        async for msg in sub:  # type: ignore[attr-defined]
            return bytes(msg)
        raise AssertionError("subscription ended")

    assert await asyncio.wait_for(first(a), 2) == b"hello"
    assert await asyncio.wait_for(first(b), 2) == b"hello"
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(first(other), 0.2)
    for sub in (a, b, other):
        await sub.close()


async def test_counters_and_windows(broker: Broker) -> None:
    assert await broker.get_int("c") == 0
    assert await broker.incr("c") == 1
    assert await broker.incr("c", 5) == 6
    assert await broker.get_int("c") == 6
    hits = [await broker.hit("login:x", 60) for _ in range(3)]
    assert hits == [1, 2, 3]
    await broker.delete("c")
    assert await broker.get_int("c") == 0


async def test_max_int_keeps_the_high_water_mark(broker: Broker) -> None:
    assert await broker.max_int("peak", 5) == 5
    assert await broker.max_int("peak", 3) == 5
    assert await broker.max_int("peak", 9) == 9
    assert await broker.get_int("peak") == 9
    assert await broker.incr("peak", -2) == 7


async def test_set_if_absent(broker: Broker) -> None:
    assert await broker.set_if_absent("lock", "a", 30) is True
    assert await broker.set_if_absent("lock", "b", 30) is False
    await broker.delete("lock")
    assert await broker.set_if_absent("lock", "c", 30) is True
