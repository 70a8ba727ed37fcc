"""`hawker demo` seeds a realistic market on the embedded default, once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from hawker.cli import app as cli
from hawker.config import Settings
from hawker.models import (
    FlashDeal,
    LiveSession,
    Market,
    Order,
    Product,
    ProductImage,
    Shop,
    Sku,
    User,
    UserRole,
    Video,
)
from hawker.runtime import Runtime


def test_demo_seeds_every_part_of_the_market(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    media = tmp_path / "media"
    monkeypatch.setenv("HAWKER_DATABASE_URL", url)
    monkeypatch.setenv("HAWKER_MEDIA_DIR", str(media))
    runner = CliRunner()
    # fewer checkouts than the real demo keeps the test quick; every fate still occurs
    first = runner.invoke(cli, ["demo", "--no-serve", "--orders", "60"])
    assert first.exit_code == 0, first.output
    assert "Seeded 9 shops, 80 products, 200 buyers" in first.output
    assert "operator@hawker-demo.com" in first.output

    images = asyncio.run(_check_database(url, media))
    for uri in images[:5]:
        assert (media / uri.removeprefix("/media/")).is_file()

    for check in (["inventory", "check"], ["ledger", "check"]):
        result = runner.invoke(cli, check)
        assert result.exit_code == 0, result.output

    deal = asyncio.run(_simulation_announces_a_deal(url, media))
    assert deal.status == "COUNTDOWN" and deal.stock_cap >= 4
    assert deal.price_minor < deal.lowest_30d_minor

    again = runner.invoke(cli, ["demo", "--no-serve"])
    assert again.exit_code == 0, again.output
    assert "already seeded" in again.output


async def _simulation_announces_a_deal(url: str, media: Path) -> FlashDeal:
    """While the demo serves, its first live room announces a flash deal at once."""
    from hawker.demo.simulation import DemoSimulation

    rt = Runtime.build(Settings(database_url=url, media_dir=media, _env_file=None))  # type: ignore[call-arg]
    simulation = DemoSimulation(rt)
    try:
        await simulation.start()
        for _ in range(100):
            async with rt.db.read_session() as s:
                deal = await s.scalar(select(FlashDeal))
                on_air = None if deal is None else await s.get(LiveSession, deal.session_id)
            if deal is not None:
                assert on_air is not None and on_air.status == "LIVE"
                return deal
            await asyncio.sleep(0.1)
        raise AssertionError("the demo announced no flash deal in 10 s")
    finally:
        await simulation.close()
        await rt.close()


async def _check_database(url: str, media: Path) -> list[str]:
    rt = Runtime.build(Settings(database_url=url, media_dir=media, _env_file=None))  # type: ignore[call-arg]
    try:
        async with rt.db.read_session() as s:
            active_shops = (
                await s.execute(
                    select(Shop.market_code, func.count())
                    .where(Shop.status == "ACTIVE")
                    .group_by(Shop.market_code)
                )
            ).all()
            assert sum(n for _, n in active_shops) >= 8
            assert len(active_shops) >= 3
            assert await s.scalar(select(func.count()).select_from(Market)) == 16
            live = await s.scalar(
                select(func.count()).select_from(Product).where(Product.status == "ACTIVATE")
            )
            assert live is not None and live >= 80
            with_variants = await s.scalar(
                select(func.count()).select_from(
                    select(Sku.product_id)
                    .group_by(Sku.product_id)
                    .having(func.count() > 1)
                    .subquery()
                )
            )
            assert with_variants is not None and with_variants >= 60
            buyers = await s.scalar(
                select(func.count()).select_from(User).where(User.role == UserRole.BUYER)
            )
            assert buyers is not None and buyers >= 200
            statuses = set((await s.scalars(select(Order.status).distinct())).all())
            assert {
                "UNPAID",
                "ON_HOLD",
                "AWAITING_SHIPMENT",
                "AWAITING_COLLECTION",
                "IN_TRANSIT",
                "DELIVERED",
                "CANCELLED",
            } <= statuses
            lives = dict(
                (
                    await s.execute(
                        select(LiveSession.status, func.count()).group_by(LiveSession.status)
                    )
                ).all()
            )
            assert lives.get("LIVE", 0) >= 1
            assert lives.get("SCHEDULED", 0) >= 1
            assert lives.get("ENDED", 0) >= 1
            on_air = (
                await s.scalars(select(LiveSession).where(LiveSession.status == "LIVE"))
            ).all()
            assert all(x.loop_video_id is not None and x.pinned_product_id for x in on_air)
            ended = (
                await s.scalars(select(LiveSession).where(LiveSession.status == "ENDED"))
            ).all()
            assert all(x.replay_video_id is not None for x in ended)
            ready = await s.scalar(
                select(func.count()).select_from(Video).where(Video.status == "READY")
            )
            assert ready is not None and ready >= 8
            images = list((await s.scalars(select(ProductImage.uri))).all())
            assert len(images) >= 80
            return images
    finally:
        await rt.close()
