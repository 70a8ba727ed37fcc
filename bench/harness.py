"""Benchmark plumbing: a Hawker server in a subprocess, a seeded market, latency statistics."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from hawker.accounts import service as accounts
from hawker.accounts.passwords import hash_password
from hawker.config import Settings
from hawker.models import User, UserRole
from hawker.runtime import Runtime
from hawker.schema import upgrade

RESULTS = Path(__file__).parent / "results"
PG_SERVER = os.environ.get(
    "HAWKER_BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
REDIS = os.environ.get("HAWKER_BENCH_REDIS", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def latency_summary(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {k: round(percentile(ms, p), 2) for k, p in (("p50", 50), ("p95", 95), ("p99", 99))}


@dataclass
class Database:
    mode: str  # "sqlite" | "postgres+redis"
    url: str
    redis_url: str | None
    workdir: Path

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "HAWKER_DATABASE_URL": self.url,
            "HAWKER_MEDIA_DIR": str(self.workdir / "media"),
            "HAWKER_PASSWORD_HASH_PROFILE": "fast",
        }
        if self.redis_url:
            env["HAWKER_REDIS_URL"] = self.redis_url
            env["HAWKER_REDIS_PREFIX"] = f"hawker-bench:{uuid.uuid4().hex[:6]}:"
        return env


@contextlib.contextmanager
def database(mode: str, workdir: Path) -> Iterator[Database]:
    workdir.mkdir(parents=True, exist_ok=True)
    if mode == "sqlite":
        path = workdir / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        db = Database(mode, f"sqlite+aiosqlite:///{path}", None, workdir)
        upgrade(db.url)
        yield db
        return
    from sqlalchemy.engine import make_url

    base = make_url(PG_SERVER)
    name = f"hawker_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_pg(base.render_as_string(hide_password=False), f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield Database(mode, url, REDIS, workdir)
    finally:
        asyncio.run(
            _pg(
                base.render_as_string(hide_password=False),
                f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
            )
        )


async def _pg(url: str, statement: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    conn = await asyncpg.connect(
        user=u.username, password=u.password, host=u.host, port=u.port, database=u.database
    )
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@contextlib.contextmanager
def server(db: Database, *, workers: int = 1) -> Iterator[str]:
    """`hawker serve` in a subprocess; yields its base URL once it answers."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "hawker.cli",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    log = open(db.workdir / f"server-{port}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(cmd, env=db.env(), stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: see {log.name}")
            try:
                if httpx.get(f"{base}/api/v1/markets", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not start in 60 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


async def make_buyers(db: Database, n: int) -> list[str]:
    """n buyers with bearer tokens, inserted directly (a benchmark needs no sign-up storm)."""
    settings = Settings(database_url=db.url, media_dir=db.workdir / "media", _env_file=None)  # type: ignore[call-arg]
    rt = Runtime.build(settings)
    tokens: list[str] = []
    shared = hash_password("bench buyer", "fast")
    try:
        async with rt.db.session() as s:
            now = rt.clock.now()
            users = [
                User(
                    email=f"bench{i}-{uuid.uuid4().hex[:6]}@example.com",
                    password_hash=shared,
                    display_name=f"Bench {i}",
                    role=UserRole.BUYER,
                    market_code="US",
                    created_at=now,
                )
                for i in range(n)
            ]
            s.add_all(users)
            await s.flush()
            for user in users:
                tokens.append(await accounts.issue_token(s, user, now=now, ttl=timedelta(days=1)))
    finally:
        await rt.close()
    return tokens


def write_results(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path
