"""`hawker ledger check` against the test database: exit 0 when all holds, 1 otherwise."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from hawker.cli import app
from hawker.config import Settings
from hawker.payments import service as payments
from hawker.payments.service import CardDetails, OrderShare
from hawker.runtime import Runtime
from tests.factories.inventory import insert_order, insert_shop, insert_user


@pytest.fixture
async def paid(rt: Runtime) -> int:
    """One paid order; returns the payment id."""
    now = rt.clock.now()
    async with rt.db.session() as s:
        buyer = await insert_user(s, now=now)
        shop = await insert_shop(s, now=now)
        order, _ = await insert_order(s, buyer_id=buyer.id, shop_id=shop.id, now=now)
        payment = await payments.charge(
            s,
            buyer_id=buyer.id,
            currency="USD",
            shares=[OrderShare(order.id, shop.id, 4200)],
            card=CardDetails("4242424242424242", 12, 2030, "123", "Ada Buyer"),
            now=now,
        )
        return payment.id


def _execute(url: str, statement: str) -> None:
    async def run() -> None:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as conn:
                await conn.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(run())


def test_ledger_check(
    paid: int, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HAWKER_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("HAWKER_MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.delenv("HAWKER_REDIS_URL", raising=False)
    cli = CliRunner()

    ok = cli.invoke(app, ["ledger", "check"])
    assert ok.exit_code == 0, ok.output
    out = " ".join(ok.output.split())
    assert "journal entries │ 1" in out
    assert "postings │ 2" in out
    assert "accounts │ 2" in out
    assert "USD │ 4200 │ -4200 │ 0 │ 0 │ 0 │ 0" in out
    assert "Every ledger invariant holds." in out

    _execute(
        settings.database_url,
        "UPDATE postings SET amount_minor = 4000 WHERE amount_minor = 4200",
    )
    bad = cli.invoke(app, ["ledger", "check"])
    assert bad.exit_code == 1, bad.output
    out = " ".join(bad.output.split())
    assert "2 problem(s) found in the ledger:" in out
    assert "does not balance: postings sum to -200" in out
    assert "USD: the balances of all accounts sum to -200, not 0" in out
    assert "USD │ 4000 │ -4200 │ 0 │ 0 │ 0 │ -200" in out
