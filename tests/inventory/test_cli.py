"""`hawker inventory check` against the test database: exit 0 when all holds, 1 otherwise."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from hawker.cli import app
from hawker.config import Settings
from hawker.inventory import service as inventory
from hawker.runtime import Runtime
from tests.factories.inventory import StockWorld, make_stock_world


@pytest.fixture
async def world(rt: Runtime) -> StockWorld:
    now = rt.clock.now()
    async with rt.db.session() as s:
        w = await make_stock_world(s, now=now)
        await inventory.receive(
            s, sku_id=w.sku_id, warehouse_id=w.warehouses[0], quantity=5, now=now, actor_id=None
        )
    return w


def _execute(url: str, statement: str) -> None:
    async def run() -> None:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as conn:
                await conn.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(run())


def _flat(output: str) -> str:
    return " ".join(output.split())


def test_inventory_check(
    world: StockWorld,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("HAWKER_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("HAWKER_MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.delenv("HAWKER_REDIS_URL", raising=False)
    cli = CliRunner()

    ok = cli.invoke(app, ["inventory", "check"])
    assert ok.exit_code == 0, ok.output
    out = _flat(ok.output)
    assert "stock rows (SKU x warehouse) │ 1" in out
    assert "stock movements │ 1" in out
    assert "Every stock invariant holds." in out

    _execute(settings.database_url, "UPDATE stock SET on_hand = on_hand + 2")
    bad = cli.invoke(app, ["inventory", "check"])
    assert bad.exit_code == 1, bad.output
    out = _flat(bad.output)
    assert "1 problem(s) found in the stock:" in out
    assert (
        f"SKU {world.sku_id} in warehouse {world.warehouses[0]}: on_hand 7, reserved 0, "
        "but its movements sum to on_hand 5, reserved 0"
    ) in out
