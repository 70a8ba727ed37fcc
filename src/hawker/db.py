"""Engine, sessions and the declarative Base.

SQLite (the embedded default) allows one writer at a time. Hawker gives it two engines on
the same file: readers use deferred transactions and never wait; writers start with
`BEGIN IMMEDIATE` and queue on an in-process lock, so concurrent requests in one process
never spin on `database is locked`. PostgreSQL uses one engine for both.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import BigInteger, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

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

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


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

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()
