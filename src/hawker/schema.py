"""Migrations at run time: upgrade, and refuse to start on an unmigrated database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import create_async_engine

from hawker.errors import HawkerError

ROOT = Path(__file__).resolve().parents[2]


class DatabaseNotMigrated(HawkerError):
    status_code = 503
    code = "database_not_migrated"


def alembic_config(database_url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["database_url"] = database_url
    return cfg


def head_revision(database_url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


async def current_revision(database_url: str) -> str | None:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda c: MigrationContext.configure(c).get_current_revision()
            )
    finally:
        await engine.dispose()


def upgrade(database_url: str, revision: str = "head") -> None:
    """Run from synchronous code (the CLI), never inside a running event loop."""
    command.upgrade(alembic_config(database_url), revision)


async def ensure_migrated(database_url: str) -> None:
    head = head_revision(database_url)
    current = await current_revision(database_url)
    if current != head:
        raise DatabaseNotMigrated(
            f"The database at {redact(database_url)} is at migration {current or 'none'}, "
            f"but this Hawker needs {head}. Run `hawker migrate` (or `make migrate`) first."
        )


def redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
