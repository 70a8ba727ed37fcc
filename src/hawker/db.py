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
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any, TypeVar, cast

from sqlalchemy import BigInteger, MetaData, Table, create_engine, event, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session

T = TypeVar("T")

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
        if len(rows[0]) != len(names) or any(n not in rows[0] for n in names):
            return False
        pairs = list(zip(names, procs, strict=True))
        params = [tuple(row[n] if p is None else p(row[n]) for n, p in pairs) for row in rows]
        conn.exec_driver_sql(sql, params)
        return True


# table name -> (INSERT statement, column names, bind processors), for BlockingSession
_INSERT_PLANS: dict[str, tuple[str, list[str], list[Any]]] = {}


async def insert_rows(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Many rows into one table in one statement (each row carries every column)."""
    if not rows:
        return
    fast = getattr(session, "insert_rows_now", None)
    if fast is not None and fast(table, rows):
        return
    await session.execute(insert(table), list(rows))


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
        self._writer_engine: Engine | None = None
        self._writer_thread: ThreadPoolExecutor | None = None
        if self.is_sqlite and ":memory:" not in url and "mode=memory" not in url:
            self._writer_engine = create_engine(
                url.replace("+aiosqlite", "+pysqlite", 1),
                connect_args={"timeout": 30, "check_same_thread": False},
                pool_size=1,
                max_overflow=0,
            )
            _sqlite_setup(self._writer_engine, immediate=True, synchronous=sqlite_synchronous)
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

        On a SQLite file the whole transaction runs at once on a synchronous connection, so
        `fn` may await only the session: here in the event loop when the database's write
        lock is free (a batch takes a few milliseconds, one turn of the loop instead of one
        per statement), or on the writer thread when another process holds it. Elsewhere it
        runs in an ordinary write session."""
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
        for hook in self.after_commit:
            hook()
        return result

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
        if self._writer_thread is not None:
            self._writer_thread.shutdown(wait=True)
            self._writer_thread = None
        if self._writer_engine is not None:
            self._writer_engine.dispose()
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()
