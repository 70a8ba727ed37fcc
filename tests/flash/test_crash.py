"""Nothing lost: a real `hawker serve` is killed (SIGKILL) in the middle of a rush.

Buyers press buy with their own Idempotency-Key; the server is killed after the first
acknowledgements; it is started again, and every buyer without an answer presses again with
the same key. Then the database must hold exactly the purchases acknowledged to buyers, no
duplicates, and no unit beyond the cap.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select, update

from hawker.accounts import service as accounts
from hawker.config import Settings
from hawker.inventory import service as inventory
from hawker.models import FlashDeal, FlashPurchase, Order, User, UserRole
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.flash import make_deal, make_deal_world
from tests.factories.orders import address

BUYERS = 240
CAP = 90
KILL_AFTER = 25  # acknowledgements


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(settings: Settings, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HAWKER_DATABASE_URL": settings.database_url,
        "HAWKER_MEDIA_DIR": str(settings.media_dir),
        "HAWKER_REDIS_PREFIX": settings.redis_prefix,
        "HAWKER_SQLITE_SYNCHRONOUS": "FULL",
    }
    env.pop("HAWKER_REDIS_URL", None)
    if settings.redis_url:
        env["HAWKER_REDIS_URL"] = settings.redis_url
    out = open(log, "ab")  # noqa: SIM115
    cmd = [sys.executable, "-m", "hawker.cli", "serve", "--port", str(port)]
    return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)


async def _wait_up(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(base_url=base, timeout=1) as c:
        while time.monotonic() < deadline:
            assert proc.poll() is None, "the server exited"
            try:
                if (await c.get("/api/v1/markets")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the server did not start")


async def _buyers(rt: Runtime, n: int) -> list[tuple[int, str]]:
    now = datetime.now(UTC)
    out: list[tuple[int, str]] = []
    async with rt.db.session() as s:
        users = [
            User(
                email=f"crash-buyer-{i}-{time.time_ns()}@example.com",
                password_hash="not-a-real-hash",
                display_name=f"Crash Buyer {i}",
                role=UserRole.BUYER,
                market_code="US",
                created_at=now,
            )
            for i in range(n)
        ]
        s.add_all(users)
        await s.flush()
        for user in users:
            token = await accounts.issue_token(s, user, now=now, ttl=timedelta(hours=1))
            out.append((user.id, token))
    return out


async def test_sigkill_in_a_rush_loses_no_acknowledged_purchase(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    settings: Settings,
    tmp_path: Path,
) -> None:
    world = await make_deal_world(client, rt, runner, stock=CAP + 10)
    deal = await make_deal(client, world, stock_cap=CAP, per_buyer_limit=1, duration_minutes=20)
    real_now = datetime.now(UTC)
    async with rt.db.session() as s:  # the server runs on the real clock: open the deal now
        await s.execute(
            update(FlashDeal)
            .where(FlashDeal.id == int(deal["id"]))
            .values(
                status="LIVE",
                starts_at=real_now - timedelta(seconds=1),
                ends_at=real_now + timedelta(minutes=20),
            )
        )
    buyers = await _buyers(rt, BUYERS)
    port = _port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    proc = _serve(settings, port, log)
    answers: dict[int, tuple[int, str]] = {}  # buyer -> (status, order id or error code)
    acked: list[str] = []
    killed = asyncio.Event()
    try:
        await _wait_up(base, proc)
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        async with httpx.AsyncClient(base_url=base, timeout=10, limits=limits) as c:

            async def press(buyer_id: int, token: str) -> None:
                r = await c.post(
                    f"/api/v1/flash/deals/{deal['id']}/buy",
                    json={"address": address()},
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Idempotency-Key": f"crash-{buyer_id}",
                    },
                )
                if r.status_code == 201:
                    answers[buyer_id] = (201, r.json()["order_id"])
                    acked.append(r.json()["order_id"])
                    if len(acked) >= KILL_AFTER and not killed.is_set():
                        killed.set()
                        proc.send_signal(signal.SIGKILL)
                elif r.status_code in (401, 409):
                    answers[buyer_id] = (r.status_code, r.json()["error"]["code"])

            async def paced(i: int, buyer_id: int, token: str) -> None:
                await asyncio.sleep(i * 0.004)  # the rush: arrivals spread over ~1 s
                with contextlib.suppress(httpx.HTTPError):  # the server died under it
                    await press(buyer_id, token)

            await asyncio.gather(*(paced(i, b, t) for i, (b, t) in enumerate(buyers)))
        assert killed.is_set(), "the rush ended before the kill"
        proc.wait(timeout=10)
        acked_before_restart = len(acked)
        assert acked_before_restart >= KILL_AFTER
        unanswered = [(b, t) for b, t in buyers if b not in answers]
        assert unanswered, "every buyer had an answer before the kill"

        port = _port()  # a fresh port: the killed server's may not be free yet
        base = f"http://127.0.0.1:{port}"
        proc = _serve(settings, port, log)
        await _wait_up(base, proc)
        async with httpx.AsyncClient(base_url=base, timeout=10) as c:
            for _ in range(20):  # a buyer without an answer presses again, same key
                pending = [(b, t) for b, t in buyers if b not in answers]
                if not pending:
                    break
                await asyncio.gather(*(press(b, t) for b, t in pending))
        assert len(answers) == BUYERS
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=15)

    async with rt.db.read_session() as s:
        purchases = (
            await s.execute(
                select(
                    FlashPurchase.buyer_id, FlashPurchase.idempotency_key, FlashPurchase.order_id
                )
            )
        ).all()
        orders = int(await s.scalar(select(func.count()).select_from(Order)) or 0)
        row = (await s.scalars(select(FlashDeal))).one()
        problems = await inventory.check_consistency(s)
    ok = {order for status, order in answers.values() if status == 201}
    assert len(ok) == len(acked_set := set(acked)) == len(acked_set)
    assert {str(o) for _, _, o in purchases} == ok  # orders in the database == acknowledged
    assert orders == len(ok)
    assert len({(b, k) for b, k, _ in purchases}) == len(purchases)  # no duplicates
    assert len({b for b, _, _ in purchases}) == len(purchases)  # one per buyer (limit 1)
    assert row.units_sold == len(ok) <= CAP  # nothing oversold
    assert row.stock_remaining + row.units_sold == CAP
    assert {code for status, code in answers.values() if status != 201} <= {"sold_out"}
    assert problems == []
