"""Group work that arrives together into one call: one commit, one Redis round trip, one query.

A `Batcher` takes items one at a time and hands them to its `run` function in lists: after
the first item of an idle spell it waits `window` seconds for more (or until `max_items`
are queued), and items that arrive while a batch is running go in the next one without
waiting. At most `parallel` batches run at once. Every submitter gets its own result (or
the batch's exception).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Batcher(Generic[T, R]):
    def __init__(
        self,
        run: Callable[[list[T]], Awaitable[Sequence[R]]],
        *,
        window: float,
        max_items: int,
        parallel: int = 1,
    ) -> None:
        self._run = run
        self.window = window
        self.max_items = max_items
        self._slots = asyncio.Semaphore(parallel)
        self._items: list[tuple[T, asyncio.Future[R]]] = []
        self._wake = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()
        self._stopped = False
        self.batches = 0

    def submit(self, item: T) -> asyncio.Future[R]:
        if self._stopped:
            raise RuntimeError("the batcher is stopped")
        fut: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._items.append((item, fut))
        self._wake.set()
        if self._loop_task is None:
            self._loop_task = asyncio.create_task(self._loop())
        return fut

    async def _loop(self) -> None:
        idle = True
        while True:
            if not self._items:
                if self._stopped:
                    return
                self._wake.clear()
                await self._wake.wait()
                idle = True
            if idle and self.window > 0 and len(self._items) < self.max_items:
                await asyncio.sleep(self.window)
            idle = False
            await self._slots.acquire()
            batch, self._items = self._items[: self.max_items], self._items[self.max_items :]
            if not batch:
                self._slots.release()
                continue
            task = asyncio.create_task(self._one(batch))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _one(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            self.batches += 1
            results = await self._run([item for item, _ in batch])
        except BaseException as exc:  # every submitter learns the batch failed
            for _, fut in batch:
                if not fut.done():
                    fut.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
        else:
            for (_, fut), result in zip(batch, results, strict=True):
                if not fut.done():
                    fut.set_result(result)
        finally:
            self._slots.release()

    async def drain(self) -> None:
        """Run what is queued, wait for the running batches, then stop taking items."""
        self._stopped = True
        self._wake.set()
        if self._loop_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
