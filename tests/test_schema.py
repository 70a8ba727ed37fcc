"""Migrations: they match the models, and Hawker refuses to run on an unmigrated database."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from hawker.app import create_app
from hawker.cli import app as cli
from hawker.config import Settings
from hawker.db import Base
from hawker.runtime import Runtime
from hawker.schema import DatabaseNotMigrated, current_revision, ensure_migrated, head_revision


async def test_migrated_database_matches_the_models(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata)
            )
    finally:
        await engine.dispose()
    assert diff == []
    assert await current_revision(database_url) == head_revision(database_url)


async def test_unmigrated_database_is_refused(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(DatabaseNotMigrated) as err:
        await ensure_migrated(url)
    assert "hawker migrate" in err.value.message

    rt = Runtime.build(Settings(database_url=url, media_dir=tmp_path / "m", _env_file=None))  # type: ignore[call-arg]
    app = create_app(rt)
    with pytest.raises(DatabaseNotMigrated):
        async with app.router.lifespan_context(app):
            pass


def test_cli_serve_refuses_then_migrate_fixes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("HAWKER_DATABASE_URL", url)
    monkeypatch.setenv("HAWKER_MEDIA_DIR", str(tmp_path / "media"))
    runner = CliRunner()
    refused = runner.invoke(cli, ["serve", "--port", "1"])
    assert refused.exit_code == 1
    assert "hawker migrate" in refused.output
    done = runner.invoke(cli, ["migrate"])
    assert done.exit_code == 0, done.output
    assert "up to date" in done.output


def test_cli_creates_an_operator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ops.db'}"
    monkeypatch.setenv("HAWKER_DATABASE_URL", url)
    monkeypatch.setenv("HAWKER_MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.setenv("HAWKER_PASSWORD_HASH_PROFILE", "fast")
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    args = ["users", "create", "--email", "ops@example.com", "--password", "long enough pw"]
    made = runner.invoke(cli, args)
    assert made.exit_code == 0, made.output
    assert "Created operator ops@example.com" in made.output
    again = runner.invoke(cli, args)
    assert again.exit_code == 1
    assert "already exists" in again.output
    short = runner.invoke(
        cli, ["users", "create", "--email", "x@example.com", "--password", "short"]
    )
    assert short.exit_code == 2
