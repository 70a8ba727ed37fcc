"""Push seeded demo orders through shipment and delivery, for `hawker demo`.

`progress_demo_orders` is for the demo seeder: after its orders have left the remorse window
(so they are allocated), it seeds each market's logistics network, starts a carrier
simulator for the duration of the call, and through the seller API ships most packages
with platform labels. The simulator's signed webhooks are handed to the app, so the demo
shows orders AWAITING_COLLECTION, IN_TRANSIT and DELIVERED, and one suspected empty box
held for review in the operator console. Some packages are left to ship.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from hawker.kit.clock import Clock
from hawker.logistics import service as logistics
from hawker.logistics.carrier_protocol import SIGNATURE_HEADER
from hawker.logistics.simulator.app import SimConfig, create_simulator_app
from hawker.logistics.simulator.engine import Faults
from hawker.logistics.simulator.server import ThreadedServer
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime

log = logging.getLogger("hawker.demo")

# Of every ten packages to ship: 4 delivered, 3 in transit, 2 awaiting collection, 1 left.
PLAN = (
    "DELIVERED",
    "IN_TRANSIT",
    "DELIVERED",
    "COLLECTION",
    "IN_TRANSIT",
    "DELIVERED",
    "COLLECTION",
    "IN_TRANSIT",
    "DELIVERED",
    "LEAVE",
)
THROUGH = {"DELIVERED": "DELIVERED", "IN_TRANSIT": "ARRIVED_FACILITY", "SHORT": "PICKED_UP"}


@dataclass
class DemoProgress:
    markets: list[str] = field(default_factory=list)
    shipped: dict[str, int] = field(default_factory=dict)  # outcome -> packages
    short_box_tracking_number: str | None = None


def _check(r: httpx.Response) -> Any:
    if r.status_code >= 400:
        raise RuntimeError(f"{r.request.method} {r.request.url.path} -> {r.status_code}: {r.text}")
    return r.json()


async def progress_demo_orders(
    rt: Runtime,
    client: httpx.AsyncClient,
    runner: JobRunner,
    clock: Clock,
    sellers: Mapping[str, Mapping[str, str]],
    *,
    markets: list[str],
    seed: int = 20261125,
) -> DemoProgress:
    """Ship and move the demo's allocated packages.

    `client` talks to the app in-process; `sellers` maps shop id -> the owner's auth
    headers; `markets` are the markets to seed a logistics network in.
    """
    out = DemoProgress()
    async with rt.db.session() as s:
        for code in markets:
            await logistics.ensure_default_network(s, code, now=clock.now(), settings=rt.settings)
            out.markets.append(code)
    await runner.run_until_idle()
    sim_app = create_simulator_app(
        SimConfig(
            webhook_url=None,
            default_secret=rt.settings.carrier_sim_secret,
            auto=False,
            faults=Faults(3, 0.0, 0.0, 0.0),
            seed=seed,
        )
    )
    server = ThreadedServer(sim_app)
    saved_url = rt.settings.carrier_sim_url
    rt.settings.carrier_sim_url = server.start()
    try:
        async with httpx.AsyncClient(base_url=rt.settings.carrier_sim_url, timeout=30) as sim:
            _check(await sim.post("/_sim/clock", json={"now": clock.now().isoformat()}))
            n = 0
            for shop_id, headers in sellers.items():
                page = _check(
                    await client.get(
                        f"/api/v1/seller/shops/{shop_id}/packages",
                        params={"limit": 100, "status": "TO_FULFILL"},
                        headers=dict(headers),
                    )
                )
                for pkg in reversed(page["items"]):  # oldest first
                    outcome = PLAN[n % len(PLAN)]
                    if out.short_box_tracking_number is None and outcome == "IN_TRANSIT":
                        outcome = "SHORT"
                    n += 1
                    if outcome == "LEAVE":
                        out.shipped[outcome] = out.shipped.get(outcome, 0) + 1
                        continue
                    r = await client.post(
                        f"/api/v1/seller/shops/{shop_id}/packages/{pkg['id']}/ship",
                        json={"shipping_type": "TIKTOK"},
                        headers=dict(headers),
                    )
                    if r.status_code != 200:
                        log.warning("demo package %s not shipped: %s", pkg["id"], r.text)
                        continue
                    number = r.json()["tracking_number"]
                    if outcome == "SHORT":
                        out.short_box_tracking_number = number
                        _check(
                            await sim.post(
                                f"/_sim/parcels/{number}/script", json={"measured_weight_g": 0}
                            )
                        )
                    if outcome in THROUGH:
                        _check(
                            await sim.post(
                                f"/_sim/parcels/{number}/advance",
                                json={"through": THROUGH[outcome]},
                            )
                        )
                    out.shipped[outcome] = out.shipped.get(outcome, 0) + 1
            deliveries = _check(await sim.post("/_sim/drain"))["deliveries"]
        for d in deliveries:
            _check(
                await client.post(
                    f"/api/v1/logistics/carriers/{d['carrier']}/events",
                    content=d["body"].encode(),
                    headers={"Content-Type": "application/json", SIGNATURE_HEADER: d["signature"]},
                )
            )
            log.info("demo carrier batch: %d events", len(json.loads(d["body"])["events"]))
        await runner.run_until_idle()  # carrier instructions (the held parcel)
    finally:
        server.stop()
        rt.settings.carrier_sim_url = saved_url
    return out
