"""The carrier simulator: its journeys and faults as plain objects, and its HTTP protocol."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from hawker.logistics import carrier_protocol as wire
from hawker.logistics import network_data
from hawker.logistics.carriers import CarrierRejected, CarrierUnavailable, HttpCarrier
from hawker.logistics.simulator.app import SimConfig, create_simulator_app
from hawker.logistics.simulator.engine import (
    Faults,
    Script,
    ShipmentClosed,
    SimClock,
    UnknownShipment,
    World,
)
from hawker.logistics.simulator.server import ThreadedServer

T0 = datetime(2026, 1, 5, 10, tzinfo=UTC)
QUIET = Faults(weight_jitter_g=0, failed_attempt_rate=0, duplicate_rate=0, out_of_order_rate=0)


def world(**faults: float) -> World:
    clock = SimClock()
    clock.set(T0, frozen=True)
    return World(faults=Faults(**{**vars(QUIET), **faults}), seed=5, clock=clock)


def parcel(w: World, service: str = "US_STANDARD", weight: int = 500) -> str:
    p, created = w.create_shipment(
        carrier="SWIFT",
        reference=f"ref-{len(w.parcels)}",
        service_code=service,
        weight_g=weight,
        origin_city="New York",
        destination_city="Albany",
        destination_country="US",
    )
    assert created
    return p.tracking_number


def sent(w: World) -> list[tuple[str, str]]:
    return [(e["code"], e["occurred_at"][11:16]) for e in w.take_outbox().get("SWIFT", [])]


def test_a_standard_journey_with_its_timings() -> None:
    w = world()
    number = parcel(w)
    w.clock.advance(timedelta(days=3).total_seconds())
    assert w.due() == 6
    assert sent(w) == [
        ("LABEL_CREATED", "10:00"),
        ("PICKED_UP", "15:00"),
        ("DEPARTED_FACILITY", "21:00"),
        ("ARRIVED_FACILITY", "03:00"),
        ("OUT_FOR_DELIVERY", "13:00"),
        ("DELIVERED", "18:00"),
    ]
    view = w.find(number).view()
    assert view["state"] == "DELIVERED"
    assert view["events"][1]["weight_g"] == 500
    assert view["pending"] == []


def test_express_is_faster_and_delays_scale() -> None:
    w = world()
    w.delay_scale = 0.5
    parcel(w, "US_EXPRESS")
    w.clock.advance(timedelta(hours=15).total_seconds())
    assert w.due() == 6  # 30 nominal hours at half scale
    assert sent(w)[-1] == ("DELIVERED", "01:00")


def test_tracking_numbers_have_the_carriers_formats() -> None:
    w = world()
    patterns = {c.code: c.tracking_pattern for c in network_data.CARRIERS}
    for _ in range(20):
        assert re.fullmatch(patterns["SWIFT"], w.tracking_number("SWIFT", "US"))
        assert re.fullmatch(patterns["ECOPOST"], w.tracking_number("ECOPOST", "GB"))


def test_creating_a_shipment_is_idempotent_per_reference() -> None:
    w = world()
    first, created = w.create_shipment(
        carrier="SWIFT",
        reference="pkg-1",
        service_code="X",
        weight_g=1,
        origin_city="",
        destination_city="",
        destination_country="US",
    )
    again, created_again = w.create_shipment(
        carrier="SWIFT",
        reference="pkg-1",
        service_code="X",
        weight_g=1,
        origin_city="",
        destination_city="",
        destination_country="US",
    )
    assert created and not created_again and again is first
    with pytest.raises(ShipmentClosed):
        w.create_shipment(
            carrier="SWIFT",
            reference="pkg-2",
            service_code="X",
            weight_g=1,
            origin_city="",
            destination_city="",
            destination_country="US",
            tracking_number=first.tracking_number,
        )


def test_scripted_short_box_duplicates_late_events_and_failed_attempts() -> None:
    w = world()
    number = parcel(w)
    w.set_script(
        number,
        Script(
            measured_weight_g=0, failed_attempts=1, duplicate={"PICKED_UP"}, late={"LABEL_CREATED"}
        ),
    )
    w.clock.advance(timedelta(days=5).total_seconds())
    w.due()
    events = w.take_outbox()["SWIFT"]
    codes = [e["code"] for e in events]
    # the label event comes after the pickup, the pickup twice, one failed attempt
    assert codes == [
        "PICKED_UP",
        "LABEL_CREATED",
        "PICKED_UP",
        "DEPARTED_FACILITY",
        "ARRIVED_FACILITY",
        "OUT_FOR_DELIVERY",
        "DELIVERY_ATTEMPTED",
        "OUT_FOR_DELIVERY",
        "DELIVERED",
    ]
    assert events[0]["weight_g"] == 0
    assert events[0]["event_id"] == events[2]["event_id"]


def test_random_faults_are_seeded() -> None:
    def run() -> list[str]:
        w = world(
            weight_jitter_g=3, failed_attempt_rate=0.5, duplicate_rate=0.3, out_of_order_rate=0.3
        )
        for _ in range(5):
            parcel(w)
        w.clock.advance(timedelta(days=6).total_seconds())
        w.due()
        return [f"{e['tracking_number']}:{e['code']}:{e['weight_g']}" for e in w.outbox]

    first, second = run(), run()
    assert first == second
    assert len(first) > 5 * 6  # duplicates and failed attempts add events
    weights = {int(x.rsplit(":", 1)[1]) for x in first if ":PICKED_UP:" in x}
    assert weights <= set(range(497, 504))


def test_hold_release_and_cancel() -> None:
    w = world()
    number = parcel(w)
    w.clock.advance(timedelta(hours=6).total_seconds())
    w.due()
    w.hold("SWIFT", number)
    w.clock.advance(timedelta(days=3).total_seconds())
    assert w.due() == 0
    w.release("SWIFT", number)
    w.clock.advance(timedelta(hours=6).total_seconds())
    assert w.due() == 1  # the next step counts from the release
    returned = w.cancel("SWIFT", number)
    assert returned.state == "RETURNING"
    w.clock.advance(timedelta(days=3).total_seconds())
    w.due()
    assert [e["code"] for e in w.find(number).events][-2:] == [
        "RETURN_TO_SENDER",
        "RETURNED_TO_SENDER",
    ]
    with pytest.raises(ShipmentClosed):
        w.cancel("SWIFT", number)
    early = parcel(w)
    assert w.cancel("SWIFT", early).state == "CANCELLED"
    assert w.find(early).view()["pending"] == []
    with pytest.raises(UnknownShipment):
        w.hold("SWIFT", "SW0000000000")


@pytest.fixture(scope="module")
def sim_url() -> Iterator[str]:
    server = ThreadedServer(
        create_simulator_app(SimConfig(auto=False, faults=QUIET, default_secret="k" * 20))
    )
    url = server.start()
    try:
        yield url
    finally:
        server.stop()


async def test_the_http_protocol_and_the_adapter(sim_url: str) -> None:
    carrier = HttpCarrier("SWIFT", sim_url)
    here = wire.Address(name="Shop", line1="1 Test St", city="Testville", country_code="US")
    there = wire.Address(name="Ada", city="Albany", postal_code="12345", country_code="US")
    quote = await carrier.quote(
        wire.QuoteRequest(
            service_code="US_STANDARD",
            origin=here,
            destination=there,
            weight_g=1200,
            length_cm=30,
            width_cm=20,
            height_cm=10,
        )
    )
    assert (quote.price_minor, quote.currency, quote.transit_days) == (500 + 2 * 150, "USD", 3)
    shipment = await carrier.create_shipment(
        wire.ShipmentRequest(
            reference="pkg-9",
            service_code="US_STANDARD",
            sender=here,
            recipient=there,
            weight_g=500,
            length_cm=30,
            width_cm=20,
            height_cm=10,
        )
    )
    assert shipment.label["tracking_number"] == shipment.tracking_number
    assert shipment.label["routing_code"] == "US-123"
    again = await carrier.create_shipment(
        wire.ShipmentRequest(
            reference="pkg-9",
            service_code="US_STANDARD",
            sender=here,
            recipient=there,
            weight_g=500,
            length_cm=1,
            width_cm=1,
            height_cm=1,
        )
    )
    assert again.tracking_number == shipment.tracking_number
    assert (await carrier.hold(shipment.tracking_number)).status == "CREATED"
    assert (await carrier.cancel_shipment(shipment.tracking_number)).status == "CANCELLED"
    with pytest.raises(CarrierRejected) as refused:
        await carrier.cancel_shipment(shipment.tracking_number)
    assert refused.value.code == "carrier_rejected"
    with pytest.raises(CarrierRejected):
        await carrier.release("SW0000000000")
    follow = wire.TrackerRequest(
        tracking_number="SW1111111111", reference="pkg-a", weight_g=300, recipient=there
    )
    assert (await carrier.register_tracking(follow)).status == "CREATED"
    assert (await carrier.register_tracking(follow)).status == "CREATED"  # idempotent
    with pytest.raises(CarrierRejected):  # the number belongs to another parcel
        await carrier.register_tracking(follow.model_copy(update={"reference": "pkg-b"}))
    assert carrier.normalise("picked_up") == "ACCEPTED"
    assert carrier.normalise("TELEPORTED") is None
    with pytest.raises(CarrierUnavailable):
        await HttpCarrier("SWIFT", "http://127.0.0.1:9", timeout=1).hold("SW1")

    async with httpx.AsyncClient(base_url=sim_url) as c:
        r = await c.post("/v1/carriers/SWIFT/shipments", json={"reference": ""})
        assert r.status_code == 422
        await c.post("/_sim/clock", json={"now": "2026-01-05T10:00:00Z"})
        await c.post("/_sim/parcels/SW1111111111/advance", json={"through": "PICKED_UP"})
        (delivery,) = (await c.post("/_sim/drain")).json()["deliveries"]
    assert wire.verify("k" * 20, delivery["body"].encode(), delivery["signature"])
    assert not wire.verify("k" * 19, delivery["body"].encode(), delivery["signature"])
    events = json.loads(delivery["body"])["events"]
    assert [(e["code"], e["weight_g"]) for e in events] == [("PICKED_UP", 300)]
    assert wire.CarrierWebhook.model_validate_json(delivery["body"]).carrier == "SWIFT"


async def test_hawker_carrier_sim_serves_the_simulator(tmp_path: Path) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hawker.cli",
        "carrier-sim",
        "--port",
        str(port),
        "--delay-scale",
        "0.001",
        "--no-faults",
        "--seed",
        "3",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        env={**os.environ, "HAWKER_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"},
    )
    try:
        deadline = time.monotonic() + 20
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as c:
            while True:
                try:
                    r = await c.get("/health")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "the simulator did not start"
                    await asyncio.sleep(0.1)
            assert r.json()["ok"] is True
            r = await c.post("/_sim/config", json={})
            assert r.json()["delay_scale"] == 0.001
            assert r.json()["faults"]["duplicate_rate"] == 0.0
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), timeout=10)
