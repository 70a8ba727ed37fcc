"""The ordinary checkout, end to end: cart, quote, order, payment with a test card.

    python -m bench.checkout [--seconds 15] [--concurrency 32] [--modes sqlite,postgres+redis]

Starts `hawker serve` (once on the embedded default, once on PostgreSQL + Redis), seeds a
shop with one product, then load processes run closed-loop virtual buyers: each adds the
product to the cart, asks for a quote, places the order and pays it. Every completed checkout
is counted against the database afterwards (paid orders, stock movements). Results go to
bench/results/checkout.json and are printed as a table.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import multiprocessing as mp
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from rich.console import Console
from rich.table import Table

from bench.harness import database, latency_summary, make_buyers, server, write_results
from hawker.accounts import service as accounts
from hawker.config import Settings
from hawker.models import UserRole
from hawker.runtime import Runtime

console = Console()
CARD = {
    "number": "4242424242424242",
    "exp_month": 12,
    "exp_year": 2035,
    "cvc": "123",
    "holder_name": "Bench Buyer",
}
ADDRESS = {
    "name": "Bench Buyer",
    "phone": "+1 212 555 0100",
    "line1": "1 Main St",
    "city": "New York",
    "region": "NY",
    "postal_code": "10001",
    "country_code": "US",
}


async def seed_shop(base: str, db_url: str, media: Path) -> str:
    """An active US shop with one product of plenty of stock; returns the SKU id."""
    settings = Settings(database_url=db_url, media_dir=media, _env_file=None)  # type: ignore[call-arg]
    rt = Runtime.build(settings)
    try:
        async with rt.db.session() as s:
            op = await accounts.create_user(
                s,
                email=f"op-{uuid.uuid4().hex[:6]}@example.com",
                password="bench operator",
                display_name="Op",
                role=UserRole.OPERATOR,
                now=rt.clock.now(),
                hash_profile="fast",
            )
            from datetime import timedelta

            op_token = await accounts.issue_token(s, op, now=rt.clock.now(), ttl=timedelta(days=1))
    finally:
        await rt.close()
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        seller = (
            await c.post(
                "/api/v1/auth/signup",
                json={
                    "email": f"seller-{uuid.uuid4().hex[:6]}@example.com",
                    "password": "bench seller pw",
                    "display_name": "Bench Seller",
                    "market_code": "US",
                },
            )
        ).json()
        h = {"Authorization": f"Bearer {seller['token']}"}
        shop = (
            await c.post(
                "/api/v1/shops",
                headers=h,
                json={
                    "name": f"Bench Shop {uuid.uuid4().hex[:6]}",
                    "market_code": "US",
                    "seller_type": "LOCAL",
                    "contact_email": "bench@example.com",
                    "business_name": "Bench Ltd",
                    "business_registration_number": "B-1",
                },
            )
        ).json()
        await c.post(
            f"/api/v1/operator/shops/{shop['id']}/approve",
            headers={"Authorization": f"Bearer {op_token}"},
        )
        wh = (
            await c.post(
                f"/api/v1/seller/shops/{shop['id']}/warehouses",
                headers=h,
                json={
                    "type": "SALES_WAREHOUSE",
                    "name": "Main",
                    "address_line1": "1 Dock Rd",
                    "city": "Newark",
                    "postal_code": "07102",
                    "country_code": "US",
                    "latitude": "40.7357",
                    "longitude": "-74.1724",
                    "is_default": True,
                },
            )
        ).json()
        buf = io.BytesIO()
        Image.new("RGB", (64, 64), (200, 60, 60)).save(buf, format="PNG")
        img = (
            await c.post(
                f"/api/v1/seller/shops/{shop['id']}/images",
                headers=h,
                files={"file": ("p.png", buf.getvalue(), "image/png")},
            )
        ).json()
        product = (
            await c.post(
                f"/api/v1/seller/shops/{shop['id']}/products",
                headers=h,
                json={
                    "title": "Benchmark Tee",
                    "description": "A plain tee.",
                    "category_id": "202",
                    "package_weight_g": 200,
                    "package_length_cm": 30,
                    "package_width_cm": 20,
                    "package_height_cm": 3,
                    "origin_country": "US",
                    "image_ids": [img["id"]],
                    "skus": [{"seller_sku": "BT-1", "sales_attributes": [], "price_minor": 1999}],
                },
            )
        ).json()
        for _ in range(100):
            p = (
                await c.get(
                    f"/api/v1/seller/shops/{shop['id']}/products/{product['id']}", headers=h
                )
            ).json()
            if p["status"] == "ACTIVATE":
                break
            await asyncio.sleep(0.1)
        else:
            raise RuntimeError(f"product not activated: {p['status']} {p.get('audit_reasons')}")
        sku_id = p["skus"][0]["id"]
        r = await c.post(
            f"/api/v1/seller/shops/{shop['id']}/stock/receipts",
            headers=h,
            json={"sku_id": sku_id, "warehouse_id": wh["id"], "quantity": 1_000_000},
        )
        r.raise_for_status()
        return str(sku_id)


async def _virtual_buyers(
    base: str, tokens: list[str], sku_id: str, seconds: float
) -> dict[str, Any]:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    stop_at = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=len(tokens), max_keepalive_connections=len(tokens))
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as c:

        async def buyer(token: str) -> None:
            h = {"Authorization": f"Bearer {token}"}
            while time.monotonic() < stop_at:
                t0 = time.perf_counter()
                try:
                    steps = [
                        await c.post(
                            "/api/v1/cart/items", headers=h, json={"sku_id": sku_id, "quantity": 1}
                        ),
                        await c.get("/api/v1/cart/quote", headers=h),
                    ]
                    placed = await c.post(
                        "/api/v1/checkout/orders",
                        headers={**h, "Idempotency-Key": uuid.uuid4().hex},
                        json={"shipping_address": ADDRESS},
                    )
                    steps.append(placed)
                    if placed.status_code == 201:
                        steps.append(
                            await c.post(
                                f"/api/v1/checkout/{placed.json()['checkout_id']}/pay",
                                headers={**h, "Idempotency-Key": uuid.uuid4().hex},
                                json={"card": CARD},
                            )
                        )
                    bad = [r for r in steps if r.status_code >= 300]
                    if bad:
                        key = f"{bad[0].request.url.path.split('/')[3]}:{bad[0].status_code}"
                        errors[key] = errors.get(key, 0) + 1
                    else:
                        latencies.append(time.perf_counter() - t0)
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1

        await asyncio.gather(*(buyer(t) for t in tokens))
    return {"latencies": latencies, "errors": errors}


def _load_process(base: str, tokens: list[str], sku_id: str, seconds: float, out: Any) -> None:
    out.put(asyncio.run(_virtual_buyers(base, tokens, sku_id, seconds)))


async def _count_paid(db_url: str, media: Path) -> dict[str, int]:
    from sqlalchemy import func, select

    from hawker.inventory import service as inventory
    from hawker.models import Order

    rt = Runtime.build(Settings(database_url=db_url, media_dir=media, _env_file=None))  # type: ignore[call-arg]
    try:
        async with rt.db.read_session() as s:
            rows = (
                await s.execute(select(Order.status, func.count()).group_by(Order.status))
            ).all()
            problems = await inventory.check_consistency(s)
    finally:
        await rt.close()
    return {**{str(k): int(v) for k, v in rows}, "inventory_problems": len(problems)}


def run_mode(mode: str, seconds: float, concurrency: int, processes: int) -> dict[str, Any]:
    workdir = Path("/tmp") / f"hawker-bench-checkout-{mode.replace('+', '-')}"
    with database(mode, workdir) as db, server(db) as base:
        console.print(f"[bold]{mode}[/bold]: server at {base}; seeding ...")
        sku_id = asyncio.run(seed_shop(base, db.url, workdir / "media"))
        tokens = asyncio.run(make_buyers(db, concurrency))
        console.print(
            f"  {concurrency} virtual buyers in {processes} load processes for {seconds:.0f} s ..."
        )
        ctx = mp.get_context("spawn")
        out = ctx.Queue()
        share = [tokens[i::processes] for i in range(processes)]
        procs = [
            ctx.Process(target=_load_process, args=(base, part, sku_id, seconds, out))
            for part in share
        ]
        started = time.monotonic()
        for p in procs:
            p.start()
        results = [out.get() for _ in procs]
        for p in procs:
            p.join()
        elapsed = time.monotonic() - started
        latencies = [x for r in results for x in r["latencies"]]
        errors: dict[str, int] = {}
        for r in results:
            for k, v in r["errors"].items():
                errors[k] = errors.get(k, 0) + v
        counts = asyncio.run(_count_paid(db.url, workdir / "media"))
    return {
        "mode": mode,
        "concurrency": concurrency,
        "seconds": round(elapsed, 2),
        "checkouts": len(latencies),
        "throughput_per_s": round(len(latencies) / elapsed, 1),
        "latency_ms": latency_summary(latencies),
        "errors": errors,
        "paid_orders_in_db": counts.get("ON_HOLD", 0) + counts.get("AWAITING_SHIPMENT", 0),
        "inventory_problems": counts["inventory_problems"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--modes", default="sqlite,postgres+redis")
    args = parser.parse_args()
    runs = [
        run_mode(m, args.seconds, args.concurrency, args.processes) for m in args.modes.split(",")
    ]
    path = write_results("checkout", {"benchmark": "checkout", "runs": runs})
    table = Table(title="Checkout (cart + quote + order + payment), closed loop")
    for col in (
        "mode",
        "virtual buyers",
        "checkouts/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "paid orders in db",
    ):
        table.add_column(col)
    for r in runs:
        table.add_row(
            r["mode"],
            str(r["concurrency"]),
            str(r["throughput_per_s"]),
            str(r["latency_ms"]["p50"]),
            str(r["latency_ms"]["p95"]),
            str(r["latency_ms"]["p99"]),
            str(sum(r["errors"].values())),
            f"{r['paid_orders_in_db']} (of {r['checkouts']} acknowledged)",
        )
    console.print(table)
    console.print(f"written to {path}")


if __name__ == "__main__":
    main()
