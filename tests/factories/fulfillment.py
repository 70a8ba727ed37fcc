"""The logistics network, paid orders past their remorse window, and the carrier simulator."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from hawker.kit.clock import FrozenClock
from hawker.logistics import service as logistics
from hawker.logistics.carrier_protocol import SIGNATURE_HEADER, sign
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import Actor
from tests.factories.orders import Listing, buy


async def network(rt: Runtime, market_code: str = "US") -> logistics.NetworkSeeded:
    """The market's default logistics network (carriers, services, rates, postal areas)."""
    async with rt.db.session() as s:
        return await logistics.ensure_default_network(
            s, market_code, now=rt.clock.now(), settings=rt.settings
        )


async def paid_order(
    client: httpx.AsyncClient,
    runner: JobRunner,
    clock: FrozenClock,
    buyer: Actor,
    listing: Listing,
    quantity: int = 1,
) -> dict[str, Any]:
    """An order paid now whose remorse window has just ended (so it is allocated)."""
    order = await buy(client, buyer, listing, quantity)
    clock.advance(timedelta(hours=1))
    await runner.run_until_idle()
    return order


async def packages(client: httpx.AsyncClient, seller: Actor, shop_id: str, **params: Any) -> Any:
    r = await client.get(
        f"/api/v1/seller/shops/{shop_id}/packages", params=params, headers=seller.headers
    )
    assert r.status_code == 200, r.text
    return r.json()


async def ship(
    client: httpx.AsyncClient,
    seller: Actor,
    shop_id: str,
    package_id: str,
    body: dict[str, Any] | None = None,
) -> httpx.Response:
    return await client.post(
        f"/api/v1/seller/shops/{shop_id}/packages/{package_id}/ship",
        json=body if body is not None else {"shipping_type": "TIKTOK"},
        headers=seller.headers,
    )


async def tracking(client: httpx.AsyncClient, buyer: Actor, order_id: str) -> Any:
    r = await client.get(f"/api/v1/orders/{order_id}/tracking", headers=buyer.headers)
    assert r.status_code == 200, r.text
    return r.json()


@dataclass
class SimClient:
    """Drives the carrier simulator through its test hooks and hands its signed webhook
    batches, byte for byte, to Hawker."""

    url: str
    hawker: httpx.AsyncClient

    async def hook(self, method: str, path: str, **kwargs: Any) -> Any:
        async with httpx.AsyncClient(base_url=self.url, timeout=10) as c:
            r = await c.request(method, f"/_sim{path}", **kwargs)
        assert r.status_code == 200, r.text
        return r.json()

    async def reset(self, now: datetime) -> None:
        await self.hook("POST", "/reset")
        await self.hook(
            "POST",
            "/config",
            json={
                "webhook_url": None,
                "delay_scale": 1.0,
                "weight_jitter_g": 3,
                "failed_attempt_rate": 0,
                "duplicate_rate": 0,
                "out_of_order_rate": 0,
            },
        )
        await self.set_clock(now)

    async def set_clock(self, now: datetime) -> None:
        await self.hook("POST", "/clock", json={"now": now.isoformat(), "frozen": True})

    async def advance(self, delta: timedelta) -> int:
        """Move the simulator's clock and emit what fell due; returns the events emitted."""
        await self.hook("POST", "/clock", json={"advance_seconds": delta.total_seconds()})
        emitted: int = (await self.hook("POST", "/tick"))["emitted"]
        return emitted

    async def run(self, clock: FrozenClock, delta: timedelta) -> list[dict[str, Any]]:
        """Let `delta` pass for Hawker and the carrier alike; deliver what the carrier sent."""
        clock.advance(delta)
        await self.set_clock(clock.now())
        await self.hook("POST", "/tick")
        return await self.deliver()

    async def script(self, tracking_number: str, **script: Any) -> Any:
        return await self.hook("POST", f"/parcels/{tracking_number}/script", json=script)

    async def parcel(self, tracking_number: str) -> Any:
        return await self.hook("GET", f"/parcels/{tracking_number}")

    async def push_along(self, tracking_number: str, through: str) -> None:
        await self.hook("POST", f"/parcels/{tracking_number}/advance", json={"through": through})

    async def drain(self) -> list[dict[str, Any]]:
        deliveries: list[dict[str, Any]] = (await self.hook("POST", "/drain"))["deliveries"]
        return deliveries

    async def deliver(self) -> list[dict[str, Any]]:
        """Post every waiting webhook batch to Hawker exactly as signed; Hawker's answers."""
        answers = []
        for d in await self.drain():
            r = await self.hawker.post(
                f"/api/v1/logistics/carriers/{d['carrier']}/events",
                content=d["body"].encode(),
                headers={"Content-Type": "application/json", SIGNATURE_HEADER: d["signature"]},
            )
            assert r.status_code == 200, r.text
            answers.append({"events": json.loads(d["body"])["events"], **r.json()})
        return answers


async def post_events(
    client: httpx.AsyncClient,
    carrier: str,
    events: list[dict[str, Any]],
    *,
    secret: str,
    signature: str | None = None,
) -> httpx.Response:
    """A carrier webhook built by the test, signed with `secret` (or the given signature)."""
    body = json.dumps({"carrier": carrier, "events": events}).encode()
    return await client.post(
        f"/api/v1/logistics/carriers/{carrier}/events",
        content=body,
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature if signature is not None else sign(secret, body),
        },
    )
