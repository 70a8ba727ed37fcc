"""The carrier simulator on its own: compressed time, random faults, webhooks pushed over
HTTP to a Hawker served on a local port. The only test here that waits (bounded) for real
HTTP round trips."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import select

from hawker.config import Settings
from hawker.kit.clock import FrozenClock
from hawker.logistics.simulator.app import SimConfig, create_simulator_app
from hawker.logistics.simulator.engine import Faults
from hawker.logistics.simulator.server import ThreadedServer
from hawker.models import TrackingEvent
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.fulfillment import network, packages, paid_order, ship, tracking
from tests.factories.orders import make_listing

WAIT_SECONDS = 30.0


@pytest.fixture
async def served_hawker(app: FastAPI) -> AsyncIterator[str]:
    """The test's Hawker app served by uvicorn in this event loop (no lifespan: the test
    drives the job runner itself)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "Hawker did not start"
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def test_a_compressed_journey_with_faults_reaches_the_buyer(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    settings: Settings,
    served_hawker: str,
) -> None:
    config = SimConfig(
        webhook_url=served_hawker,
        default_secret=settings.carrier_sim_secret,
        delay_scale=0.000005,  # the 56-hour standard journey in about a second
        auto=True,
        tick_seconds=0.05,
        faults=Faults(
            weight_jitter_g=3, failed_attempt_rate=1.0, duplicate_rate=0.5, out_of_order_rate=0.5
        ),
        seed=11,
    )
    sim_app = create_simulator_app(config)
    sim_server = ThreadedServer(sim_app)
    settings.carrier_sim_url = sim_server.start()
    try:
        async with httpx.AsyncClient(base_url=settings.carrier_sim_url) as sim:
            r = await sim.post(
                "/_sim/clock", json={"now": clock.now().isoformat(), "frozen": False}
            )
            assert r.status_code == 200
        await network(rt)
        listing = await make_listing(client, rt, runner, stock=3)
        buyer = await signup(client)
        order = await paid_order(client, runner, clock, buyer, listing)
        (pkg,) = (await packages(client, listing.seller, listing.shop_id))["items"]
        r = await ship(client, listing.seller, listing.shop_id, pkg["id"])
        assert r.status_code == 200, r.text

        deadline = time.monotonic() + WAIT_SECONDS
        track = await tracking(client, buyer, order["id"])
        while track["order_status"] != "DELIVERED":
            assert time.monotonic() < deadline, track
            await asyncio.sleep(0.1)
            track = await tracking(client, buyer, order["id"])
        (tp,) = track["packages"]
        steps = [e["code"] for e in tp["timeline"] if e["kind"] == "CARRIER"]
        assert steps[0] == "INFO_RECEIVED" and steps[1] == "ACCEPTED"
        assert "FAILED_ATTEMPT" in steps
        assert steps[-1] == "DELIVERED"
        assert tp["tracking_status"] == "DELIVERED"

        # every event the carrier sent is kept exactly once (an event sent before Hawker
        # knew the tracking number is sent again until it is)
        log = sim_app.state.simulator.log

        async def compare() -> tuple[list[str], list[str]]:
            sent = [e["event_id"] for d in list(log) for e in json.loads(d.body)["events"]]
            async with rt.db.read_session() as s:
                kept = list((await s.scalars(select(TrackingEvent.carrier_event_id))).all())
            return sent, kept

        sent, kept = await compare()
        while sorted(kept) != sorted(set(sent)):
            assert time.monotonic() < deadline, (sent, kept)
            await asyncio.sleep(0.1)
            sent, kept = await compare()
        assert all(d.status == 200 for d in log)
        assert len(sent) > len(kept)  # some came twice
    finally:
        sim_server.stop()
