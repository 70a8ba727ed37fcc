"""Database.write_blocking: a hot batch writer's whole transaction at once."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from typing import Any, cast

import pytest
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.db import insert_rows
from hawker.kit.ids import new_id
from hawker.models import OutboxEvent
from hawker.runtime import Runtime

TABLE = cast(Table, OutboxEvent.__table__)


def _event(rt: Runtime, n: int, payload: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "topic": "test.blocking",
        "aggregate_type": "test",
        "aggregate_id": n,
        "payload": payload,
        "created_at": rt.clock.now() + timedelta(seconds=n),
        "dispatched_at": None,
    }


async def _read(rt: Runtime, ids: list[int]) -> dict[int, tuple[Any, Any, Any]]:
    async with rt.db.read_session() as s:
        rows = (await s.scalars(select(OutboxEvent).where(OutboxEvent.id.in_(ids)))).all()
    return {r.id: (r.payload, r.created_at, r.dispatched_at) for r in rows}


async def test_rows_written_at_once_read_back_like_rows_written_by_the_orm(rt: Runtime) -> None:
    payloads: list[Any] = [{"a": 1, "text": "naïve ✓"}, [1, 2, 3], None, {"nested": {"x": None}}]
    fast = [_event(rt, n, p) for n, p in enumerate(payloads)]
    slow = [_event(rt, n, p) for n, p in enumerate(payloads)]

    async def write(s: AsyncSession) -> int:
        await insert_rows(s, TABLE, fast)
        return len(fast)

    assert await rt.db.write_blocking(write) == 4
    async with rt.db.session() as s:
        await s.execute(TABLE.insert(), slow)
    got_fast = await _read(rt, [r["id"] for r in fast])
    got_slow = await _read(rt, [r["id"] for r in slow])
    assert [got_fast[r["id"]] for r in fast] == [got_slow[r["id"]] for r in slow]
    assert got_fast[fast[0]["id"]][0] == payloads[0]
    assert got_fast[fast[1]["id"]][1] == fast[1]["created_at"]  # aware UTC, as written


async def test_a_writer_that_raises_leaves_nothing_behind(rt: Runtime) -> None:
    rows = [_event(rt, 1, {"n": 1})]

    async def write(s: AsyncSession) -> None:
        await insert_rows(s, TABLE, rows)
        raise ValueError("refused after writing")

    with pytest.raises(ValueError):
        await rt.db.write_blocking(write)
    assert await _read(rt, [rows[0]["id"]]) == {}


async def test_waits_for_another_process_writing_without_blocking_the_loop(rt: Runtime) -> None:
    rows = [_event(rt, 1, {"n": 1})]

    async def write(s: AsyncSession) -> None:
        await insert_rows(s, TABLE, rows)

    path = rt.settings.sqlite_path()
    if path is None:  # PostgreSQL: an ordinary write session, row locks instead of one writer
        await rt.db.write_blocking(write)
        assert list(await _read(rt, [rows[0]["id"]])) == [rows[0]["id"]]
        return
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    task = asyncio.create_task(rt.db.write_blocking(write))
    ticks = 0
    for _ in range(20):  # the loop keeps turning while the writer waits on its thread
        await asyncio.sleep(0.01)
        ticks += 1
    assert not task.done() and ticks == 20
    other.execute("COMMIT")
    other.close()
    await asyncio.wait_for(task, timeout=10)
    assert list(await _read(rt, [rows[0]["id"]])) == [rows[0]["id"]]
