"""Batcher: presses of one moment share a batch; every submitter gets its own answer."""

from __future__ import annotations

import asyncio

from hawker.flash.batching import Batcher


async def test_items_of_one_window_share_a_batch_and_each_gets_its_own_result() -> None:
    sizes: list[int] = []

    async def run(items: list[int]) -> list[int]:
        sizes.append(len(items))
        await asyncio.sleep(0.001)
        return [i * 10 for i in items]

    batcher: Batcher[int, int] = Batcher(run, window=0.05, max_items=4)
    first = [batcher.submit(i) for i in range(6)]  # more than max_items at once
    results = list(await asyncio.gather(*first))
    later = await batcher.submit(6)  # after an idle spell: a batch of its own
    await batcher.drain()
    assert results == [i * 10 for i in range(6)] and later == 60
    assert sizes == [4, 2, 1]
    assert batcher.batches == 3


async def test_a_failed_batch_fails_each_of_its_submitters() -> None:
    async def run(items: list[int]) -> list[int]:
        raise RuntimeError("the database is gone")

    batcher: Batcher[int, int] = Batcher(run, window=0.001, max_items=10)
    futures = [batcher.submit(i) for i in range(3)]
    outcomes = await asyncio.gather(*futures, return_exceptions=True)
    await batcher.drain()
    assert all(isinstance(o, RuntimeError) for o in outcomes) and len(outcomes) == 3
