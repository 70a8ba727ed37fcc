"""Benchmark plumbing: a Hawker server in a subprocess, a seeded market, latency statistics."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
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


def raise_fd_limit() -> int:
    """Raise this process's open-file limit to the hard limit (`ulimit -n`); returns it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


@contextlib.contextmanager
def server(
    db: Database,
    *,
    workers: int = 1,
    app_server: str = "hawker",
    env: dict[str, str] | None = None,
    procs: list[subprocess.Popen[bytes]] | None = None,
) -> Iterator[str]:
    """Hawker in a subprocess; yields its base URL once it answers.

    `app_server`: "hawker" (`hawker serve`), "uvicorn" (the same app and protocols under
    uvicorn without its access log, with uvloop) or "granian" (the same app under granian).
    The server may open as many files as the machine allows (`ulimit -n` raised to the hard
    limit: one per WebSocket). `procs`, when given, receives the server's process.
    """
    port = free_port()
    factory = "hawker.cli:app_factory"
    if app_server == "uvicorn":
        cmd = [sys.executable, "-m", "uvicorn", factory, "--factory", "--port", str(port)]
        cmd += ["--workers", str(workers), "--no-access-log", "--log-level", "warning"]
        cmd += ["--loop", "uvloop", "--http", "hawker.flash.lane:FlashLaneProtocol"]
        cmd += ["--ws", "hawker.live.uvicorn_protocol:RoomWebSocketProtocol", "--backlog", "4096"]
    elif app_server == "granian":
        cmd = [sys.executable, "-m", "granian", "--interface", "asgi", "--factory"]
        cmd += ["--port", str(port), "--workers", str(workers), "--loop", "uvloop"]
        cmd += ["--backlog", "4096", factory]
    else:
        cmd = [sys.executable, "-m", "hawker.cli", "serve", "--port", str(port)]
        cmd += ["--workers", str(workers)]
    log = open(db.workdir / f"server-{port}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        cmd,
        env={**db.env(), **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=raise_fd_limit,
    )
    if procs is not None:
        procs.append(proc)
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


# --- open-loop load ------------------------------------------------------------------------
#
# Requests leave on a fixed schedule whatever the answers do (open loop), so queueing in the
# server shows up as latency instead of slowing the load down: latency is measured from the
# time a request was SCHEDULED to leave, and a request that left more than LATE_MS after its
# time (every connection busy, or the load process itself behind) is counted as late.
# Only 127.0.0.1 is ever a target; the run ends by itself after the last answer or timeout.

LATE_MS = 5.0


@dataclass
class Shot:
    latency: float  # seconds from the scheduled send time to the full answer
    late: bool
    status: int  # 0: no answer (connection error or timeout)
    body: bytes


def http_post(path: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return status, await reader.readexactly(length) if length else b""


async def open_loop(
    port: int,
    requests: list[bytes],
    *,
    rate: float,
    start_at: float,
    connections: int = 256,
    answer_seconds: float = 30.0,
) -> list[Shot]:
    """Send `requests` to 127.0.0.1:port at `rate` per second from wall time `start_at`."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()
    shots: list[Shot | None] = [None] * len(requests)
    late_s = LATE_MS / 1000

    async def connection() -> None:
        reader: asyncio.StreamReader | None = None
        writer: asyncio.StreamWriter | None = None
        with contextlib.suppress(OSError):  # keep-alive clients: connected before the schedule
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while True:
            job = await queue.get()
            if job is None:
                break
            i, scheduled = job
            late = loop.time() - scheduled > late_s
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                assert reader is not None
                writer.write(requests[i])
                status, body = await asyncio.wait_for(_read_answer(reader), answer_seconds)
                shots[i] = Shot(loop.time() - scheduled, late, status, body)
            except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError):
                shots[i] = Shot(loop.time() - scheduled, late, 0, b"")
                if writer is not None:
                    writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    workers = [asyncio.create_task(connection()) for _ in range(connections)]
    await asyncio.sleep(0)  # let them connect while waiting for the start
    t0 = loop.time() + max(0.0, start_at - time.time())
    interval = 1.0 / rate
    for i in range(len(requests)):
        when = t0 + i * interval
        delay = when - loop.time()
        if delay > 0.0005:
            await asyncio.sleep(delay)
        queue.put_nowait((i, when))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    return [s or Shot(0.0, True, 0, b"") for s in shots]


def open_loop_process(
    port: int, requests: list[bytes], rate: float, start_at: float, connections: int, out: Any
) -> None:
    """multiprocessing entry: run `open_loop` and put (latency, late, status, body) tuples."""
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover
        pass
    shots = asyncio.run(
        open_loop(port, requests, rate=rate, start_at=start_at, connections=connections)
    )
    out.put([(s.latency, s.late, s.status, s.body) for s in shots])


def run_open_loop(
    port: int,
    requests: list[bytes],
    *,
    rate: float,
    processes: int = 1,
    connections: int = 256,
) -> list[Shot]:
    """Split the schedule over `processes` load processes (interleaved), gather the shots."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    start_at = time.time() + 1.5 + 0.3 * processes  # time for the load processes to start
    procs = [
        ctx.Process(
            target=open_loop_process,
            args=(
                port,
                requests[k::processes],
                rate / processes,
                start_at + k / rate,  # interleaved: together they keep the one schedule
                max(1, connections // processes),
                out,
            ),
        )
        for k in range(processes)
    ]
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    return [Shot(*t) for r in results for t in r]
