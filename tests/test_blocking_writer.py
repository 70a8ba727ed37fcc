"""Database.write_blocking: a hot batch writer's whole transaction at once."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from typing import Any, cast

import pytest
from sqlalchemy import Table, event, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker import db as db_module
from hawker.db import insert_rows, inserts_together, one_of
from hawker.kit.ids import new_id
from hawker.models import Job, OutboxEvent
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


async def test_inserts_together_write_every_table_at_the_end_in_one_statement_on_postgresql(
    rt: Runtime,
) -> None:
    """Rows of several tables, JSON documents, NULLs and timestamps, read back as written;
    on PostgreSQL the block's inserts are one statement."""
    events = [_event(rt, n, p) for n, p in enumerate([{"a": 1}, None, [1, "two"]])]
    jobs = [
        {
            "id": new_id(),
            "name": f"test.job{n}",
            "payload": {"n": n},
            "status": "PENDING",
            "run_at": rt.clock.now(),
            "attempts": 0,
            "locked_by": None,
            "locked_until": None,
            "last_error": None,
            "event_id": events[n]["id"],
            "created_at": rt.clock.now(),
            "finished_at": None,
        }
        for n in range(3)
    ]
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sync_engine = rt.db.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", seen)
    try:
        async with rt.db.session() as s:
            async with inserts_together(s):
                await insert_rows(s, TABLE, events)
                await insert_rows(s, cast(Table, Job.__table__), jobs)
                assert statements == []  # nothing written inside the block
            inserts = [x for x in statements if "INSERT" in x]
    finally:
        event.remove(sync_engine, "before_cursor_execute", seen)
    if rt.db.sync_engine.dialect.name == "postgresql":
        assert len(inserts) == 1 and inserts[0].startswith("WITH t0 AS (INSERT INTO outbox_events")
    got = await _read(rt, [r["id"] for r in events])
    assert [got[r["id"]][0] for r in events] == [{"a": 1}, None, [1, "two"]]
    assert got[events[2]["id"]][1] == events[2]["created_at"]
    async with rt.db.read_session() as s:
        written = (await s.execute(select(Job.name, Job.payload).order_by(Job.name))).all()
    assert [(n, p) for n, p in written] == [(f"test.job{n}", {"n": n}) for n in range(3)]


async def test_inserts_together_write_nothing_when_the_block_raises(rt: Runtime) -> None:
    rows = [_event(rt, 1, {"n": 1})]
    with pytest.raises(RuntimeError):
        async with rt.db.session() as s, inserts_together(s):
            await insert_rows(s, TABLE, rows)
            raise RuntimeError("changed my mind")
    assert await _read(rt, [rows[0]["id"]]) == {}


@pytest.mark.parametrize("values", [[], [1], [3, 1, 2, 3]])
async def test_one_of_matches_like_in_with_one_bound_value(rt: Runtime, values: list[int]) -> None:
    rows = [_event(rt, n, None) for n in range(4)]
    async with rt.db.session() as s:
        await s.execute(TABLE.insert(), rows)
    wanted_ids = [rows[v]["id"] for v in values]
    names = {f"name-{v}" for v in values}
    async with rt.db.read_session() as s:
        by_id = (
            await s.scalars(
                select(OutboxEvent.aggregate_id).where(one_of(s, OutboxEvent.id, wanted_ids))
            )
        ).all()
        by_text = (
            await s.scalars(
                select(OutboxEvent.id).where(
                    one_of(s, OutboxEvent.topic, names | {"test.blocking"} if values else names)
                )
            )
        ).all()
    assert sorted(by_id) == sorted(set(values))
    assert len(by_text) == (4 if values else 0)


async def test_the_batch_writers_log_is_checkpointed_off_the_event_loop(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite the batch writer never checkpoints in the loop; past a log size the
    checkpoint thread copies the log back into the database file."""
    if not rt.db.is_sqlite:  # PostgreSQL: the batch writer has its own connections
        async with rt.db.session() as s:
            await insert_rows(s, TABLE, [_event(rt, 1, None)])
        assert await rt.db.write_blocking(lambda s: _count_events(s)) == 1
        return
    monkeypatch.setattr(db_module, "WAL_CHECKPOINT_BYTES", 1)
    rows = [_event(rt, n, {"n": n, "pad": "x" * 2000}) for n in range(200)]

    async def write(s: AsyncSession) -> int:
        await insert_rows(s, TABLE, rows)
        return len(rows)

    assert await rt.db.write_blocking(write) == 200
    checkpoint = rt.db._checkpointing
    assert checkpoint is not None  # the log outgrew the limit: a checkpoint was started
    await asyncio.wrap_future(checkpoint)
    path = rt.db._db_path
    conn = sqlite3.connect(path)
    try:
        busy, log_frames, done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        conn.close()
    assert busy == 0 and log_frames == done  # nothing was left to copy
    assert len(await _read(rt, [r["id"] for r in rows])) == 200


async def _count_events(s: AsyncSession) -> int:
    return len((await s.scalars(select(OutboxEvent.id))).all())
