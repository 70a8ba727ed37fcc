"""Live room fan-out: N viewers in one busy room, from separate load processes.

    python -m bench.live_fanout [--viewers 1000,5000,10000] [--server-processes 1]
                                [--mode postgres+redis|sqlite] [--load-processes 4]
                                [--seconds 20] [--ramp 500] [--profile DIR]

For each N it starts Hawker (`hawker serve`, bench/harness.py) on a fresh database
(PostgreSQL with Redis as the broker by default, as a room this size runs; `--mode sqlite`
for the embedded default, whose single writer falls behind 100 comments a second once the
server is busy fanning out), seeds a shop with a bag of products and a live on air, and
connects N viewers to the room from separate load processes (bench/live_viewers.py),
ramping at `--ramp` connections a second. A tenth of the viewers (at least 300), spread
through the arrivals, are logged in. Then the room carries a busy room's traffic for a
warm-up and a measured window:

- the host pins a bag product every 2 s (`POST .../pin`);
- ten times a second, on a fixed schedule (open loop: at most 20 waiting for answers), the
  till sells a unit (a stock adjustment of -1) and the host shows the product's units left
  (`POST .../stock`, read from inventory); the figure only goes down, so a figure identifies
  the update that first showed it;
- logged-in viewers send 100 comments and 1,000 likes a second in total, over their sockets.

The server coalesces all of it into at most one frame per room every 200 ms. Measured over
the window (clocks are the same machine's):

- `latency_ms`: from the room publishing a frame (the frame's `at`) to a viewer receiving it,
  over every frame and viewer: the fan-out;
- `update_latency_ms`: from the server publishing a host's stock update (it answers the host
  right after publishing) to a viewer receiving the frame that carries it: adds the wait for
  the next frame, up to 200 ms by design; `host_to_viewer_ms` adds the host's request too;
- `delivered_per_s`: room frames delivered per second over all viewers;
- `dropped`: viewers closed with 4008 ("lagging"), disconnected, or never connected.

Results go to bench/results/live_fanout.json and are printed as a table. Only 127.0.0.1 is
ever a target; every run stops by itself. The load processes share the machine with the
server, and the load average is recorded with each run: figures taken while other work runs
are pessimistic.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import itertools
import json
import multiprocessing as mp
import os
import random
import subprocess
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from bench import checkout, live_viewers
from bench.harness import (
    RESULTS,
    Database,
    database,
    make_buyers,
    raise_fd_limit,
    server,
    write_results,
)
from bench.live_viewers import FIELDS, STOP, TRAFFIC_START, WINDOW_END, WINDOW_START
from hawker.accounts import service as accounts
from hawker.config import Settings
from hawker.models import Product, ShopMember, Sku, Stock, User
from hawker.runtime import Runtime

console = Console()
if not console.is_terminal:
    console = Console(width=150)

PIN_EVERY_S = 2.0
STOCK_UPDATES_PER_S = 10
MAX_UPDATES_IN_FLIGHT = 20
COMMENTS_PER_S = 100
LIKES_PER_S = 1000
WARMUP_S = 3.0
TARGET_P99_MS = 250.0
BAG = (
    ("Linen Shirt", (200, 60, 60)),
    ("Straw Hat", (220, 190, 90)),
    ("Canvas Tote Bag", (60, 120, 200)),
    ("Silk Scarf", (150, 70, 160)),
)


@dataclass
class Room:
    live_id: str
    host_token: str
    shop_id: str
    warehouse_id: str
    products: list[str]
    stock_product: str
    stock_sku: str


# --- seeding -----------------------------------------------------------------------------------


async def _add_product(c: httpx.AsyncClient, shop_id: str, title: str, rgb: tuple[int, ...]) -> Any:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), rgb).save(buf, format="PNG")
    img = (
        await c.post(
            f"/api/v1/seller/shops/{shop_id}/images",
            files={"file": ("p.png", buf.getvalue(), "image/png")},
        )
    ).json()
    r = await c.post(
        f"/api/v1/seller/shops/{shop_id}/products",
        json={
            "title": title,
            "description": f"{title}, as shown on the live.",
            "category_id": "202",
            "package_weight_g": 200,
            "package_length_cm": 30,
            "package_width_cm": 20,
            "package_height_cm": 3,
            "origin_country": "US",
            "image_ids": [img["id"]],
            "skus": [
                {"seller_sku": title[:8].upper(), "sales_attributes": [], "price_minor": 2499}
            ],
        },
    )
    r.raise_for_status()
    return r.json()


async def seed_room(base: str, db: Database) -> Room:
    """A shop (bench/checkout.py's) with a bag of products in stock, and its live on air."""
    first_sku = int(await checkout.seed_shop(base, db.url, db.workdir / "media"))
    settings = Settings(database_url=db.url, media_dir=db.workdir / "media")
    rt = Runtime.build(settings)
    try:
        async with rt.db.session() as s:
            sku = await s.get(Sku, first_sku)
            assert sku is not None
            product = await s.get(Product, sku.product_id)
            assert product is not None
            owner_id = (
                await s.scalars(
                    select(ShopMember.user_id).where(ShopMember.shop_id == product.shop_id)
                )
            ).first()
            owner = await s.get(User, owner_id)
            assert owner is not None
            token = await accounts.issue_token(s, owner, now=rt.clock.now(), ttl=timedelta(days=1))
            warehouse_id = (
                await s.scalars(select(Stock.warehouse_id).where(Stock.sku_id == first_sku))
            ).first()
    finally:
        await rt.close()
    shop_id = str(product.shop_id)
    h = {"Authorization": f"Bearer {token}"}
    products = [str(product.id)]
    async with httpx.AsyncClient(base_url=base, timeout=30, headers=h) as c:
        created = [await _add_product(c, shop_id, title, rgb) for title, rgb in BAG]
        for p in created:
            for _ in range(100):
                got = (await c.get(f"/api/v1/seller/shops/{shop_id}/products/{p['id']}")).json()
                if got["status"] == "ACTIVATE":
                    await c.post(
                        f"/api/v1/seller/shops/{shop_id}/stock/receipts",
                        json={
                            "sku_id": got["skus"][0]["id"],
                            "warehouse_id": str(warehouse_id),
                            "quantity": 1000,
                        },
                    )
                    products.append(str(p["id"]))
                    break
                await asyncio.sleep(0.1)
        r = await c.post(
            "/api/v1/live/sessions",
            json={"title": "Fan-out bench live", "shop_id": shop_id, "product_ids": products},
        )
        r.raise_for_status()
        live_id = str(r.json()["id"])
        (await c.post(f"/api/v1/live/sessions/{live_id}/start")).raise_for_status()
    return Room(
        live_id=live_id,
        host_token=token,
        shop_id=shop_id,
        warehouse_id=str(warehouse_id),
        products=products,
        stock_product=products[0],
        stock_sku=str(first_sku),
    )


# --- the host -----------------------------------------------------------------------------------


@dataclass
class HostLog:
    sent: dict[int, tuple[float, float]]  # stock figure -> (host sent it, server published it)
    pins: int = 0
    updates: int = 0
    failures: int = 0
    skipped: int = 0  # scheduled updates not sent: too many already waiting for answers


async def host(base: str, room: Room, start: float, end: float, log: HostLog) -> None:
    """Pins every 2 s; 10 times a second a unit sold and the units left shown, in order."""
    h = {"Authorization": f"Bearer {room.host_token}"}
    live = f"/api/v1/live/sessions/{room.live_id}"

    async def at(when: float) -> None:
        await asyncio.sleep(max(0.0, when - time.time()))

    async with httpx.AsyncClient(base_url=base, timeout=30, headers=h) as c:

        async def pins() -> None:
            k = 0
            while time.time() < end:
                k = max(k, int((time.time() - start) / PIN_EVERY_S))  # late pins are skipped
                await at(start + k * PIN_EVERY_S)
                product = room.products[k % len(room.products)]
                try:
                    r = await c.post(f"{live}/pin", json={"product_id": product})
                    log.pins += r.status_code == 200
                    log.failures += r.status_code != 200
                except httpx.HTTPError:
                    log.failures += 1
                k += 1

        async def update() -> None:
            try:
                sold = await c.post(
                    f"/api/v1/seller/shops/{room.shop_id}/stock/adjustments",
                    json={
                        "sku_id": room.stock_sku,
                        "warehouse_id": room.warehouse_id,
                        "delta": -1,
                        "note": "sold at the till",
                    },
                )
                sent_at = time.time()
                r = await c.post(f"{live}/stock", json={"product_id": room.stock_product})
                # the server publishes the update to the room right after committing and
                # answers at once: the answer's arrival is the publish time (same machine)
                published_at = time.time()
            except httpx.HTTPError:
                log.failures += 1
                return
            if sold.status_code == 201 and r.status_code == 200:
                log.sent.setdefault(int(r.json()["available"]), (sent_at, published_at))
                log.updates += 1
            else:
                log.failures += 1

        async def stock() -> None:
            # on a fixed schedule, ten a second, whether or not earlier ones were answered
            # (open loop: a slow server shows as slow requests, not as fewer of them); at
            # most MAX_UPDATES_IN_FLIGHT wait at once, later ticks are skipped beyond that
            in_flight: set[asyncio.Task[None]] = set()
            k = 0
            while time.time() < end:
                await at(start + k / STOCK_UPDATES_PER_S)
                k += 1
                if len(in_flight) >= MAX_UPDATES_IN_FLIGHT:
                    log.skipped += 1
                    continue
                task = asyncio.create_task(update())
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
            if in_flight:
                await asyncio.wait(in_flight, timeout=30)

        await asyncio.gather(pins(), stock())


# --- measuring ------------------------------------------------------------------------------------


def percentiles(hist: Mapping[Any, int], ps: tuple[float, ...] = (50, 99)) -> dict[str, float]:
    """Percentiles of a histogram {value: count} (nearest rank)."""
    total = sum(hist.values())
    out: dict[str, float] = {}
    if not total:
        return {f"p{p:g}": 0.0 for p in ps}
    ordered = sorted(hist.items())
    for p in ps:
        rank = max(1, round(p / 100 * total))
        seen = 0
        for value, count in ordered:
            seen += count
            if seen >= rank:
                out[f"p{p:g}"] = round(value, 1)
                break
    return out


def _tree_pids(pid: int) -> list[int]:
    pids = [pid]
    for p in pids:
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    pids += [int(x) for x in f.read().split()]
        except OSError:
            continue
    return pids


def server_usage(pid: int) -> tuple[float, float]:
    """(CPU seconds, resident MB) of a server process and its children."""
    tick = os.sysconf("SC_CLK_TCK")
    cpu = rss = 0.0
    for p in _tree_pids(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / tick
            with open(f"/proc/{p}/statm") as f:
                rss += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        except OSError:
            continue
    return cpu, rss


def _sum(counters: Any, loads: int, name: str) -> int:
    i = FIELDS.index(name)
    return sum(counters[k * len(FIELDS) + i] for k in range(loads))


async def _drive(
    base: str,
    room: Room,
    viewers: int,
    loads: int,
    counters: Any,
    phases: Any,
    seconds: float,
    pid: int,
    profile: Path | None,
    load_pids: list[int],
) -> tuple[HostLog, dict[str, float]]:
    """Wait for the ramp (with progress), run the traffic, stop; the host runs here."""
    began = time.time()
    last_progress, last_change, last_seen = 0.0, time.time(), -1
    while True:
        await asyncio.sleep(0.25)
        connected = _sum(counters, loads, "connected")
        settled = connected + _sum(counters, loads, "failed")
        if settled != last_seen:
            last_seen, last_change = settled, time.time()
        if time.time() - last_progress >= 1 or settled >= viewers:
            last_progress = time.time()
            _, rss = server_usage(pid)
            console.print(
                f"  connecting: {connected:>6}/{viewers} connected, "
                f"{_sum(counters, loads, 'failed')} failed, "
                f"{_sum(counters, loads, 'lagging') + _sum(counters, loads, 'lost')} closed, "
                f"{time.time() - began:5.1f} s, server {rss:.0f} MB"
            )
        if settled >= viewers or time.time() - last_change > 60:
            break
    _, rss_connected = server_usage(pid)
    start = time.time() + 0.5
    window_start, window_end = start + WARMUP_S, start + WARMUP_S + seconds
    phases[WINDOW_START], phases[WINDOW_END] = window_start, window_end
    phases[TRAFFIC_START] = start
    log = HostLog(sent={})
    host_task = asyncio.create_task(host(base, room, start, window_end, log))
    cpu0 = wall0 = load0 = load_rate = 0.0
    cpu_rate: float | None = None
    frames0 = 0
    while time.time() < window_end + live_viewers.GRACE_SECONDS:
        await asyncio.sleep(1.0)
        now = time.time()
        if cpu0 == 0.0 and now >= window_start:
            cpu0, _ = server_usage(pid)
            load0 = sum(server_usage(p)[0] for p in load_pids)
            wall0 = now
            if profile is not None:
                out = profile / f"live_fanout_{viewers}.txt"
                spy = await asyncio.create_subprocess_exec(
                    *("py-spy", "record", "--pid", str(pid), "--duration", str(int(seconds))),
                    *("--rate", "250", "--nonblocking", "--format", "raw", "--output", str(out)),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.STDOUT,
                )
        frames = _sum(counters, loads, "frames")
        if now <= window_end + 1:
            console.print(
                f"  {'warm-up' if now < window_start else 'measuring'}: "
                f"{now - start:5.1f} s, frames {frames - frames0:>7}/s, "
                f"viewer messages sent {_sum(counters, loads, 'sent')}, "
                f"stock updates {log.updates}, pins {log.pins}, "
                f"dropped {_sum(counters, loads, 'lagging') + _sum(counters, loads, 'lost')}, "
                f"errors {_sum(counters, loads, 'errors')}"
            )
        frames0 = frames
        if cpu_rate is None and wall0 and now >= window_end:
            cpu_rate = (server_usage(pid)[0] - cpu0) / (now - wall0)
            load_rate = (sum(server_usage(p)[0] for p in load_pids) - load0) / (now - wall0)
    host_task.cancel()  # a request still in flight after the window does not count
    with contextlib.suppress(asyncio.CancelledError):
        await host_task
    phases[STOP] = time.time()
    if profile is not None and "spy" in locals():
        await asyncio.wait_for(spy.wait(), 60)
        console.print(f"  server profile (py-spy, collapsed stacks) in {profile}")
    usage = {
        "server_cpu": round(cpu_rate or 0.0, 2),
        "server_rss_mb": round(rss_connected),
        "load_processes_cpu": round(load_rate, 2) if cpu_rate is not None else 0.0,
    }
    return log, usage


def run(
    viewers: int,
    *,
    mode: str,
    server_processes: int,
    loads: int,
    seconds: float,
    ramp: float,
    app_server: str,
    profile: Path | None = None,
) -> dict[str, Any]:
    workdir = Path("/tmp") / f"hawker-bench-live-{mode.replace('+', '-')}"
    load_before = os.getloadavg()
    procs: list[subprocess.Popen[bytes]] = []
    with (
        database(mode, workdir) as db,
        server(db, workers=server_processes, app_server=app_server, procs=procs) as base,
    ):
        console.print(
            f"[bold]{viewers} viewers[/bold], {server_processes} server process(es), {mode}: "
            f"server at {base}; seeding ..."
        )
        room = asyncio.run(seed_room(base, db))
        logged_in = min(viewers, max(300, viewers // 10))
        buyers = asyncio.run(make_buyers(db, logged_in))
        # logged-in viewers spread through the arrivals and the load processes
        tokens: list[str | None] = [*buyers, *([None] * (viewers - logged_in))]
        random.Random(viewers).shuffle(tokens)
        port = int(base.rsplit(":", 1)[1])
        ctx = mp.get_context("spawn")
        counters = ctx.RawArray("q", loads * len(FIELDS))
        phases = ctx.RawArray("d", 4)
        pipes, workers = [], []
        for k in range(loads):
            receiver, sender = ctx.Pipe(duplex=False)
            cfg = {
                "index": k,
                "port": port,
                "path": f"/api/v1/live/sessions/{room.live_id}/ws",
                "rate": ramp / loads,
                "stock_product": room.stock_product.encode(),
                "comments_per_s": COMMENTS_PER_S / loads,
                "likes_per_s": LIKES_PER_S / loads,
            }
            worker = ctx.Process(
                target=live_viewers.main,
                args=(cfg, tokens[k::loads], counters, phases, sender),
                daemon=True,
            )
            worker.start()
            sender.close()
            pipes.append(receiver)
            workers.append(worker)
        while _sum(counters, loads, "ready") < loads:
            time.sleep(0.1)
        console.print(f"  {loads} load processes ready; ramping at {ramp:.0f} connections/s")
        log, usage = asyncio.run(
            _drive(
                base,
                room,
                viewers,
                loads,
                counters,
                phases,
                seconds,
                procs[0].pid,
                profile,
                [w.pid for w in workers if w.pid is not None],
            )
        )
        results = [p.recv() for p in pipes]
        for w in workers:
            w.join(timeout=30)
    return summarise(
        viewers,
        server_processes,
        mode,
        app_server,
        seconds,
        phases,
        log,
        results,
        usage,
        counters,
        loads,
        load_before,
    )


def summarise(
    viewers: int,
    server_processes: int,
    mode: str,
    app_server: str,
    seconds: float,
    phases: Any,
    log: HostLog,
    results: list[dict[str, Any]],
    usage: dict[str, float],
    counters: Any,
    loads: int,
    load_before: tuple[float, float, float],
) -> dict[str, Any]:
    window_start, window_end = phases[WINDOW_START], phases[WINDOW_END]
    latency: Counter[float] = Counter()  # frames, from the room's publish (`at`)
    update: Counter[float] = Counter()  # stock updates, from the server's publish
    end_to_end: Counter[float] = Counter()  # stock updates, from the host's send
    published: dict[int, float] = {}
    errors: Counter[str] = Counter()
    for r in results:
        latency.update(r["latency"])
        for (figure, ms), n in r["stock"].items():
            times = log.sent.get(figure)
            if times is not None and window_start <= times[0] < window_end:
                update[round(max(0.0, ms + 0.5 - times[1] * 1000))] += n
                end_to_end[round(max(0.0, ms + 0.5 - times[0] * 1000))] += n
        published.update(r["published"])
        errors.update(r["errors"])
    ats = [published[seq] for seq in sorted(published)]
    gaps = Counter(round((b - a) * 1000) for a, b in itertools.pairwise(ats))
    frames = sum(r["frames"] for r in results)
    lagging = _sum(counters, loads, "lagging")
    lost = _sum(counters, loads, "lost")
    failed = _sum(counters, loads, "failed")
    handshakes: Counter[float] = Counter()
    for r in results:
        handshakes.update(round(ms) for ms in r["handshake_ms"])
    in_window = [t for t in log.sent.values() if window_start <= t[0] < window_end]
    requests = Counter(round((published - sent) * 1000) for sent, published in in_window)
    return {
        "viewers": viewers,
        "server_processes": server_processes,
        "latency_ms": percentiles(latency),
        "delivered_per_s": round(frames / seconds, 1),
        "dropped": lagging + lost + failed,
        "mode": mode,
        "app_server": app_server,
        "update_latency_ms": percentiles(update),
        "host_to_viewer_ms": percentiles(end_to_end),
        "frame_gap_ms": {**percentiles(gaps, (50, 99)), "max": max(gaps, default=0)},
        "frames_per_viewer_per_s": round(frames / seconds / max(1, viewers - failed), 2),
        "delivered_mb_per_s": round(sum(r["bytes"] for r in results) / seconds / 2**20, 1),
        "dropped_detail": {
            "lagging_4008": lagging,
            "disconnected": lost,
            "never_connected": failed,
        },
        "still_connected_at_end": sum(r["alive"] for r in results),
        "seq_errors": sum(r["seq_errors"] for r in results),
        "host": {
            "stock_updates_per_s": round(len(in_window) / seconds, 1),
            "request_ms": percentiles(requests),
            "pins": log.pins,
            "failed_requests": log.failures,
            "skipped_updates": log.skipped,
        },
        "latency_samples": sum(latency.values()),
        "handshake_ms": percentiles(handshakes),
        "viewer_errors": dict(errors),
        **usage,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--viewers", default="1000,5000,10000")
    parser.add_argument("--server-processes", type=int, default=1)
    parser.add_argument(
        "--mode",
        default="postgres+redis",
        choices=("postgres+redis", "sqlite"),
        help="the database (and broker) behind the server; SQLite is the embedded default",
    )
    parser.add_argument("--app-server", default="hawker", choices=("hawker", "granian"))
    parser.add_argument("--load-processes", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--ramp", type=float, default=500, help="connections a second")
    parser.add_argument("--out", default="live_fanout", help="results file name (no .json)")
    parser.add_argument(
        "--append", action="store_true", help="add these runs to the results file's runs"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="record the server with py-spy (on PATH) during each window into this folder",
    )
    args = parser.parse_args()
    if args.server_processes > 1 and args.mode == "sqlite":
        parser.error("several server processes need --mode postgres+redis")
    raise_fd_limit()
    runs: list[dict[str, Any]] = []
    earlier = RESULTS / f"{args.out}.json"
    if args.append and earlier.exists():
        runs = json.loads(earlier.read_text())["runs"]
    for n in (int(x) for x in args.viewers.split(",")):
        runs.append(
            run(
                n,
                mode=args.mode,
                server_processes=args.server_processes,
                loads=args.load_processes,
                seconds=args.seconds,
                ramp=args.ramp,
                app_server=args.app_server,
                profile=args.profile,
            )
        )
        write_results(args.out, {"benchmark": "live_fanout", "runs": runs})
    table = Table(title=f"Live room fan-out (target: p99 < {TARGET_P99_MS:.0f} ms, none dropped)")
    for col in (
        "viewers",
        "server procs",
        "p50 ms",
        "p99 ms",
        "update p99 ms",
        "frames/s delivered",
        "per viewer/s",
        "dropped",
        "server CPU",
        "server MB",
        "load avg",
    ):
        table.add_column(col)
    for r in runs:
        table.add_row(
            str(r["viewers"]),
            str(r["server_processes"]),
            str(r["latency_ms"]["p50"]),
            str(r["latency_ms"]["p99"]),
            str(r["update_latency_ms"]["p99"]),
            f"{r['delivered_per_s']:,.0f}",
            str(r["frames_per_viewer_per_s"]),
            str(r["dropped"]),
            str(r["server_cpu"]),
            f"{r['server_rss_mb']:.0f}",
            str(r["load_average_before"][0]),
        )
    console.print(table)
    console.print(f"written to bench/results/{args.out}.json")


if __name__ == "__main__":
    main()
