"""Engine, sessions and the declarative Base.

SQLite (the embedded default) allows one writer at a time. Hawker gives it two engines on
the same file: readers use deferred transactions and never wait; writers start with
`BEGIN IMMEDIATE` and queue on an in-process lock, so concurrent requests in one process
never spin on `database is locked`. PostgreSQL uses one engine for both.

Hot batch writers (live flash deals' group commit) may run a whole transaction on a
synchronous connection instead (`Database.write_blocking`): on SQLite each statement through the
async driver costs a round trip between threads and a turn of a busy event loop, so a batch
of a dozen statements waited for a dozen turns; written at once it takes one.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Coroutine, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any, TypeVar, cast

from sqlalchemy import (
    ARRAY,
    BigInteger,
    MetaData,
    String,
    Table,
    any_,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session

T = TypeVar("T")
log = logging.getLogger("hawker.db")

# The batch writer's log is copied back into the SQLite file past this size. SQLite's own
# automatic checkpoint comes at 1,000 pages (about 4 MB); a rush rewrites the same pages (the
# ends of the indexes, the deal's row) again and again, and a longer log copies each of them
# once for many commits (measured: 12% less CPU per purchase at 4,000 purchases/s).
WAL_CHECKPOINT_BYTES = 32 * 1024 * 1024

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Every integer is 64-bit: money in minor units of IDR or VND outgrows 32 bits quickly.
    type_annotation_map = {int: BigInteger}


def _sqlite_engine(url: str, *, immediate: bool, synchronous: str) -> AsyncEngine:
    engine = create_async_engine(url, connect_args={"timeout": 30})
    _sqlite_setup(engine.sync_engine, immediate=immediate, synchronous=synchronous)
    return engine


def _sync_sqlite_engine(url: str, *, immediate: bool, synchronous: str) -> Engine:
    """One synchronous connection to the same file, for work run at once in the loop."""
    engine = create_engine(
        url.replace("+aiosqlite", "+pysqlite", 1),
        connect_args={"timeout": 30, "check_same_thread": False},
        pool_size=1,
        max_overflow=0,
    )
    _sqlite_setup(engine, immediate=immediate, synchronous=synchronous)
    return engine


def _sqlite_setup(engine: Engine, *, immediate: bool, synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class BlockingSession:
    """An AsyncSession look-alike over a synchronous Session (`Database.write_blocking`): its
    awaitables complete without suspending, so an async function written for AsyncSession
    runs from start to end in one go (`_drive`). Only what batch writers use."""

    def __init__(self, session: Session) -> None:
        self.sync_session = session

    @property
    def info(self) -> dict[Any, Any]:
        return self.sync_session.info

    def get_bind(self) -> Any:
        return self.sync_session.get_bind()

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        return self.sync_session.execute(*args, **kwargs)

    async def scalars(self, *args: Any, **kwargs: Any) -> Any:
        return self.sync_session.scalars(*args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        return self.sync_session.scalar(*args, **kwargs)

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        return self.sync_session.get(*args, **kwargs)

    async def flush(self) -> None:
        self.sync_session.flush()

    def add(self, instance: object) -> None:
        self.sync_session.add(instance)

    def add_all(self, instances: Any) -> None:
        self.sync_session.add_all(instances)

    def insert_rows_now(self, table: Table, rows: Sequence[dict[str, Any]]) -> bool:
        """Rows that carry every column of `table`, through the driver's executemany with
        each column's own bind processing (SQLAlchemy's per-row statement machinery costs
        several times more than the insert); False when the rows do not fit the plan."""
        conn = self.sync_session.connection()
        dialect = conn.dialect
        if dialect.paramstyle != "qmark":
            return False
        plan = _INSERT_PLANS.get(table.name)
        if plan is None:
            prep = dialect.identifier_preparer
            names = [c.name for c in table.columns]
            sql = "INSERT INTO {} ({}) VALUES ({})".format(
                prep.format_table(table),
                ", ".join(prep.quote(n) for n in names),
                ", ".join("?" for _ in names),
            )
            procs = [c.type.bind_processor(dialect) for c in table.columns]
            plan = _INSERT_PLANS[table.name] = (sql, names, procs)
        sql, names, procs = plan
        if not _has_every_column(table, rows):
            return False
        columns = [_bound([row[n] for row in rows], p) for n, p in zip(names, procs, strict=True)]
        conn.exec_driver_sql(sql, list(zip(*columns, strict=True)))
        return True


def _bound(values: list[Any], process: Any) -> list[Any]:
    """One column's values through its bind processor, each distinct value once (a batch's
    rows share their timestamps, statuses and currencies)."""
    if process is None:
        return values
    seen: dict[Any, Any] = {}
    try:
        return [seen[v] if v in seen else seen.setdefault(v, process(v)) for v in values]
    except TypeError:  # unhashable values (JSON documents)
        return [process(v) for v in values]


# table name -> (INSERT statement, column names, bind processors), for BlockingSession
_INSERT_PLANS: dict[str, tuple[str, list[str], list[Any]]] = {}


_TOGETHER = "hawker.inserts_together"


def one_of(session: AsyncSession, column: Any, values: Collection[Any]) -> Any:
    """`column IN values` as ONE bound value, so the statement is the same whatever the
    number of values (SQLAlchemy rewrites an IN list for every call, which costs more than
    the query on a hot path): `= ANY(array)` on PostgreSQL, `IN (SELECT value FROM
    json_each(?))` on SQLite."""
    dialect = session.get_bind().dialect.name
    return one_of_param(dialect, column, None, one_of_value(dialect, values))


def one_of_param(dialect: str, column: Any, name: str | None, value: Any = None) -> Any:
    """`one_of` over the bound parameter `name`, for a statement built once: bind
    `one_of_value(dialect, values)` to it at each execution."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, value, type_=ARRAY(column.type)))
    if dialect == "sqlite":
        listed = bindparam(name, value, type_=String())
        return column.in_(select(literal_column("value")).select_from(func.json_each(listed)))
    return column.in_(bindparam(name, value, expanding=True))


def one_of_value(dialect: str, values: Collection[Any]) -> Any:
    return json.dumps(list(values)) if dialect == "sqlite" else list(values)


async def insert_rows(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Many rows into one table in one statement (each row carries every column). Inside
    `inserts_together` they are written when that block ends."""
    if not rows:
        return
    pending: list[tuple[Table, Sequence[dict[str, Any]]]] | None = session.info.get(_TOGETHER)
    if pending is not None:
        pending.append((table, rows))
        return
    await _insert_now(session, table, rows)


async def _insert_now(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    fast = getattr(session, "insert_rows_now", None)
    if fast is not None and fast(table, rows):
        return
    await session.execute(insert(table), list(rows))


@asynccontextmanager
async def inserts_together(session: AsyncSession) -> AsyncIterator[None]:
    """`insert_rows` calls inside the block are written, in their order, when it ends
    normally (nothing is written if it raises): on PostgreSQL in ONE statement whatever the
    number of tables (a data-modifying WITH per table over unnest()ed column arrays), one
    round trip where a batch of purchases took seven. The block must not read what it
    inserts."""
    pending: list[tuple[Table, Sequence[dict[str, Any]]]] = []
    session.info[_TOGETHER] = pending
    try:
        yield
    finally:
        del session.info[_TOGETHER]
    if not pending:
        return
    bind = session.get_bind()
    if bind.dialect.name == "postgresql" and all(_has_every_column(t, r) for t, r in pending):
        sql, params = _unnest_statement(bind.dialect, pending)
        conn = await session.connection()
        await conn.exec_driver_sql(sql, params)
        return
    for table, rows in pending:
        await _insert_now(session, table, rows)


def _has_every_column(table: Table, rows: Sequence[dict[str, Any]]) -> bool:
    """Every row has exactly the table's columns (the plans of `insert_rows` need them)."""
    names = set(table.columns.keys())
    return all(row.keys() == names for row in rows)


# (dialect name, table names) -> (statement, per table: column names and bind processors)
_UNNEST_PLANS: dict[tuple[str, ...], tuple[str, list[list[tuple[str, Any]]]]] = {}


def _unnest_statement(
    dialect: Any, pending: Sequence[tuple[Table, Sequence[dict[str, Any]]]]
) -> tuple[str, tuple[Any, ...]]:
    key = (dialect.name, *(t.name for t, _ in pending))
    plan = _UNNEST_PLANS.get(key)
    if plan is None:
        prep = dialect.identifier_preparer
        parts: list[str] = []
        columns: list[list[tuple[str, Any]]] = []
        n = 0
        for i, (table, _) in enumerate(pending):
            arrays = []
            for c in table.columns:
                n += 1
                arrays.append(f"${n}::{c.type.compile(dialect=dialect)}[]")
            parts.append(
                "t{} AS (INSERT INTO {} ({}) SELECT * FROM unnest({}))".format(
                    i,
                    prep.format_table(table),
                    ", ".join(prep.quote(c.name) for c in table.columns),
                    ", ".join(arrays),
                )
            )
            columns.append([(c.name, c.type.bind_processor(dialect)) for c in table.columns])
        plan = _UNNEST_PLANS[key] = ("WITH " + ", ".join(parts) + " SELECT 1", columns)
    sql, columns = plan
    params: list[Any] = []
    for (_, rows), cols in zip(pending, columns, strict=True):
        for name, process in cols:
            params.append(_bound([row[name] for row in rows], process))
    return sql, tuple(params)


def _drive(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends (it awaits only BlockingSession) to its end."""
    try:
        coro.send(None)
    except StopIteration as done:
        return cast(T, done.value)
    coro.close()
    raise RuntimeError("a blocking writer waited on something other than the database")


class Database:
    """Owns the engines and hands out sessions. Only entrypoints commit."""

    def __init__(
        self,
        url: str,
        *,
        sqlite_synchronous: str = "FULL",
        pool_size: int = 10,
        max_overflow: int = 20,
        echo: bool = False,
    ) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._write_lock: asyncio.Lock | None = None
        if self.is_sqlite:
            self.engine = _sqlite_engine(url, immediate=True, synchronous=sqlite_synchronous)
            self.read_engine = _sqlite_engine(url, immediate=False, synchronous=sqlite_synchronous)
            self._write_lock = asyncio.Lock()
        else:
            self.engine = create_async_engine(
                url,
                pool_size=pool_size,
                max_overflow=max_overflow,
                echo=echo,
                pool_pre_ping=True,
            )
            self.read_engine = self.engine
        # PostgreSQL: hot batch writers get their own few connections without the pre-ping
        # (a round trip per batch); a dropped connection fails one batch, which its buyers
        # retry with their keys, and the pool replaces it.
        self._batch_maker: async_sessionmaker[AsyncSession] | None = None
        if not self.is_sqlite:
            self._batch_engine = create_async_engine(url, pool_size=2, max_overflow=2)
            self._batch_maker = async_sessionmaker(self._batch_engine, expire_on_commit=False)
        self._writer_engine: Engine | None = None
        self._writer_thread: ThreadPoolExecutor | None = None
        if self.is_sqlite and ":memory:" not in url and "mode=memory" not in url:
            self._writer_engine = _sync_sqlite_engine(
                url, immediate=True, synchronous=sqlite_synchronous
            )

            @event.listens_for(self._writer_engine, "connect")
            def _no_checkpoint(dbapi_conn: Any, _record: Any) -> None:
                # the batch writer runs in the event loop: it never copies the log back into
                # the database itself (that takes tens of milliseconds); `_checkpoint` does,
                # on its own thread
                dbapi_conn.execute("PRAGMA wal_autocheckpoint=0")

            self._reader_engine = _sync_sqlite_engine(
                url, immediate=False, synchronous=sqlite_synchronous
            )
            self._db_path = str(make_url(url).database)
            self._checkpointer: ThreadPoolExecutor | None = None
            self._checkpointing: Future[None] | None = None  # the checkpoint under way
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self.read_sessionmaker = async_sessionmaker(self.read_engine, expire_on_commit=False)
        self.after_commit: list[Callable[[], None]] = []

    @property
    def sync_engine(self) -> Engine:
        return self.engine.sync_engine

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A write session: committed when the block ends normally, rolled back otherwise."""
        if self._write_lock is not None:
            async with self._write_lock, self._session(self.sessionmaker) as s:
                yield s
        else:
            async with self._session(self.sessionmaker) as s:
                yield s
        for hook in self.after_commit:
            hook()

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        # Closing ends the transaction without expiring what was loaded, so the objects
        # stay readable after the block (a rollback would expire them).
        async with self.read_sessionmaker() as s:
            yield s

    @staticmethod
    @asynccontextmanager
    async def _session(maker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
        async with maker() as s:
            try:
                yield s
            except BaseException:
                await s.rollback()
                raise
            else:
                await s.commit()

    async def write_blocking(self, fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """`fn(session)` in one write transaction, committed when it returns (rolled back if
        it raises), like `session()`, for hot batch writers.

        On PostgreSQL it runs on the batch writers' own connections (no pre-ping).

        On a SQLite file the whole transaction runs at once on a synchronous connection, so
        `fn` may await only the session: here in the event loop when the database's write
        lock is free (a batch takes a few milliseconds, one turn of the loop instead of one
        per statement), or on the writer thread when another process holds it. Elsewhere it
        runs in an ordinary write session."""
        if self._batch_maker is not None:
            async with self._session(self._batch_maker) as s:
                result = await fn(s)
            for hook in self.after_commit:
                hook()
            return result
        if self._writer_engine is None:
            async with self.session() as s:
                return await fn(s)
        assert self._write_lock is not None
        async with self._write_lock:
            try:
                result = self._write_sync(fn, wait=False)
            except OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                # another process is writing: wait for it on the writer thread, not here
                if self._writer_thread is None:
                    self._writer_thread = ThreadPoolExecutor(1, thread_name_prefix="hawker-writer")
                loop = asyncio.get_running_loop()
                result = await loop.run_in_executor(
                    self._writer_thread, functools.partial(self._write_sync, fn, wait=True)
                )
        self._maybe_checkpoint()
        for hook in self.after_commit:
            hook()
        return result

    async def read_blocking(self, fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """`fn(session)` in a read transaction, for small hot reads (a batch of logins).

        On a SQLite file it runs at once on a synchronous connection in the event loop (a
        WAL reader never waits for a writer; an indexed read takes microseconds, the round
        trip to the driver's thread and back a millisecond), so `fn` may await only the
        session. Elsewhere it runs in an ordinary read session."""
        if self._writer_engine is None:
            async with self.read_session() as s:
                return await fn(s)
        with self._reader_engine.connect() as conn, Session(bind=conn) as s:
            try:
                return _drive(
                    cast(Coroutine[Any, Any, T], fn(cast(AsyncSession, BlockingSession(s))))
                )
            finally:
                s.rollback()

    def _maybe_checkpoint(self) -> None:
        """Past WAL_CHECKPOINT_BYTES of write-ahead log, copy it back into the database file
        on the checkpoint thread (PASSIVE: it never blocks a writer or a reader)."""
        if self._checkpointing is not None and not self._checkpointing.done():
            return
        try:
            size = os.stat(self._db_path + "-wal").st_size
        except OSError:
            return
        if size < WAL_CHECKPOINT_BYTES:
            return
        if self._checkpointer is None:
            self._checkpointer = ThreadPoolExecutor(1, thread_name_prefix="hawker-checkpoint")
        self._checkpointing = self._checkpointer.submit(self._checkpoint)

    def _checkpoint(self) -> None:
        try:
            conn = sqlite3.connect(self._db_path, timeout=30)
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            finally:
                conn.close()
        except sqlite3.Error:
            log.exception("checkpointing the SQLite log failed")

    def _write_sync(self, fn: Callable[[AsyncSession], Awaitable[T]], *, wait: bool) -> T:
        assert self._writer_engine is not None
        with self._writer_engine.connect() as conn:
            # not waiting: BEGIN IMMEDIATE fails at once when another process writes
            raw = conn.connection.driver_connection  # outside SQLAlchemy's transaction
            assert raw is not None
            raw.execute(f"PRAGMA busy_timeout={30000 if wait else 0}")
            with Session(bind=conn, expire_on_commit=False) as s, s.begin():
                s.connection()  # BEGIN IMMEDIATE now: a busy database fails before `fn` runs
                awaitable = fn(cast(AsyncSession, BlockingSession(s)))
                return _drive(cast(Coroutine[Any, Any, T], awaitable))

    async def dispose(self) -> None:
        checkpointer = getattr(self, "_checkpointer", None)
        if checkpointer is not None:
            checkpointer.shutdown(wait=True)
            self._checkpointer = None
        if self._writer_thread is not None:
            self._writer_thread.shutdown(wait=True)
            self._writer_thread = None
        if self._writer_engine is not None:
            self._writer_engine.dispose()
            self._reader_engine.dispose()
        if self._batch_maker is not None:
            await self._batch_engine.dispose()
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()
