"""Test harness: a real database (SQLite file, or PostgreSQL when configured), migrated once.

Environment:
  HAWKER_TEST_DATABASE_URL  a PostgreSQL server URL (postgresql+asyncpg://user@host:port/db);
                            the suite creates its own database there and drops it at the end.
                            Unset: a fresh SQLite file.
  HAWKER_TEST_REDIS_URL     a Redis URL; the broker then runs on Redis under a unique prefix.
  HAWKER_TEST_STRICT=1      any skipped test fails the run (CI sets this).

Tests go through the real HTTP entrypoints, which commit; after each test every table but the
reference data (markets) is emptied.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

import hawker.models  # noqa: F401
from hawker.app import create_app
from hawker.config import Settings
from hawker.db import Base
from hawker.kit.clock import FrozenClock
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from hawker.schema import upgrade

KEEP_TABLES = {"markets", "alembic_version"}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = os.environ.get("HAWKER_TEST_DATABASE_URL")
    if not server:
        path = tmp_path_factory.mktemp("db") / "hawker-test.db"
        url = f"sqlite+aiosqlite:///{path}"
        upgrade(url)
        yield url
        return
    base = make_url(server)
    name = f"hawker_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = base.set(database=base.database or "postgres")
    asyncio.run(_pg_admin(admin.render_as_string(hide_password=False), f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.run(
            _pg_admin(
                admin.render_as_string(hide_password=False),
                f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
            )
        )


async def _pg_admin(url: str, statement: str) -> None:
    import asyncpg

    u = make_url(url)
    conn = await asyncpg.connect(
        user=u.username, password=u.password, host=u.host, port=u.port, database=u.database
    )
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def redis_url() -> str | None:
    return os.environ.get("HAWKER_TEST_REDIS_URL") or None


@pytest.fixture
def settings(database_url: str, redis_url: str | None, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=f"hawker-test:{uuid.uuid4().hex[:8]}:",
        media_dir=tmp_path / "media",
        password_hash_profile="fast",
        run_jobs_in_process=False,
        sqlite_synchronous="NORMAL",
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
async def rt(settings: Settings, clock: FrozenClock) -> AsyncIterator[Runtime]:
    runtime = Runtime.build(settings, clock)
    try:
        yield runtime
    finally:
        await runtime.close()
        await _empty_tables(settings.database_url)


async def _empty_tables(url: str) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name not in KEEP_TABLES]
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                await conn.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
            else:
                for name in tables:
                    await conn.execute(text(f"DELETE FROM {name}"))
    finally:
        await engine.dispose()


@pytest.fixture
def app(rt: Runtime) -> FastAPI:
    return create_app(rt, check_migrations=False)


@pytest.fixture
def runner(app: FastAPI) -> JobRunner:
    r: JobRunner = app.state.runner
    return r


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("HAWKER_TEST_STRICT") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        print(f"\nHAWKER_TEST_STRICT: {len(skipped)} test(s) skipped; a skip is a failure here.")
        session.exitstatus = 1
