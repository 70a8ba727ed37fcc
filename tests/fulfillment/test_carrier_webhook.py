"""The carriers' webhook: signatures, payloads, unknown parcels and codes, repeats."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from hawker.config import Settings
from hawker.kit.clock import FrozenClock
from hawker.logistics.carrier_protocol import SIGNATURE_HEADER, sign
from hawker.models import TrackingEvent
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.fulfillment import (
    SimClient,
    network,
    packages,
    paid_order,
    post_events,
    ship,
    tracking,
)
from tests.factories.orders import make_listing


def event(n: int, number: str, code: str, at: str, weight: int | None = None) -> dict[str, Any]:
    return {
        "event_id": f"T-{n}",
        "tracking_number": number,
        "code": code,
        "description": code.title(),
        "location": "Testville",
        "occurred_at": at,
        "weight_g": weight,
    }


async def stored(rt: Runtime) -> int:
    async with rt.db.read_session() as s:
        return int(await s.scalar(select(func.count()).select_from(TrackingEvent)) or 0)


async def test_signed_batches_are_checked_deduplicated_and_ordered(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    sim: SimClient,
    settings: Settings,
) -> None:
    await network(rt)
    secret = settings.carrier_sim_secret
    listing = await make_listing(client, rt, runner, stock=3)
    buyer = await signup(client)
    order = await paid_order(client, runner, clock, buyer, listing)
    (pkg,) = (await packages(client, listing.seller, listing.shop_id))["items"]
    number = (await ship(client, listing.seller, listing.shop_id, pkg["id"])).json()[
        "tracking_number"
    ]
    pickup = event(1, number, "PICKED_UP", "2026-01-05T15:00:00Z", 251)

    # a wrong, a missing and a foreign signature change nothing
    for signature in ("sha256=" + "0" * 64, ""):
        r = await post_events(client, "SWIFT", [pickup], secret=secret, signature=signature)
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "invalid_signature"
    r = await post_events(client, "SWIFT", [pickup], secret="not the carrier's key")
    assert r.status_code == 401
    r = await post_events(client, "NOBODY", [pickup], secret=secret)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "carrier_not_found"
    bad = b'{"carrier": "SWIFT", "events": [{"event_id": 1}]}'
    r = await client.post(
        "/api/v1/logistics/carriers/SWIFT/events",
        content=bad,
        headers={SIGNATURE_HEADER: sign(secret, bad)},
    )
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "validation_error"
    r = await post_events(client, "ECOPOST", [pickup], secret=secret)
    assert r.json()["unknown"] == ["T-1"]  # that number is SWIFT's, not ECOPOST's
    assert await stored(rt) == 0
    assert (await tracking(client, buyer, order["id"]))["order_status"] == "AWAITING_COLLECTION"

    # one batch: the pickup twice, a code Hawker does not know, an unknown parcel
    r = await post_events(
        client,
        "SWIFT",
        [
            pickup,
            pickup,
            event(2, number, "SORTED_BY_ROBOT", "2026-01-05T16:00:00Z"),
            event(3, "SW9999999999", "PICKED_UP", "2026-01-05T15:00:00Z"),
        ],
        secret=secret,
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"accepted": 1, "duplicates": 1, "unknown": ["T-3"], "ignored": ["T-2"]}
    assert await stored(rt) == 1
    # the same event again in a later batch is a repeat too
    r = await post_events(client, "SWIFT", [pickup], secret=secret)
    assert r.json()["duplicates"] == 1
    # newer then older: the newer status stands
    await post_events(
        client,
        "SWIFT",
        [event(5, number, "OUT_FOR_DELIVERY", "2026-01-06T13:00:00Z")],
        secret=secret,
    )
    await post_events(
        client,
        "SWIFT",
        [event(4, number, "ARRIVED_FACILITY", "2026-01-06T03:00:00Z")],
        secret=secret,
    )
    track = await tracking(client, buyer, order["id"])
    (tp,) = track["packages"]
    assert track["order_status"] == "IN_TRANSIT"
    assert tp["tracking_status"] == "OUT_FOR_DELIVERY"
    carrier_steps = [e["code"] for e in tp["timeline"] if e["kind"] == "CARRIER"]
    assert carrier_steps == ["ACCEPTED", "IN_TRANSIT", "OUT_FOR_DELIVERY"]
    # a failed attempt after the delivery is older news than the delivery
    await post_events(
        client,
        "SWIFT",
        [
            event(7, number, "DELIVERED", "2026-01-07T10:00:00Z"),
            event(6, number, "DELIVERY_ATTEMPTED", "2026-01-06T17:00:00Z"),
        ],
        secret=secret,
    )
    track = await tracking(client, buyer, order["id"])
    assert track["order_status"] == "DELIVERED"
    assert track["packages"][0]["tracking_status"] == "DELIVERED"
