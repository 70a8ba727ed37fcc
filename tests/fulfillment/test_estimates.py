"""Delivery estimates in the cart quote and the checkout answer, with exact dates."""

from __future__ import annotations

from datetime import datetime

import httpx

from hawker.kit.clock import FrozenClock
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.fulfillment import network
from tests.factories.orders import add_to_cart, make_listing, place_ok


async def test_quote_and_checkout_show_when_parcels_arrive(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    listing = await make_listing(client, rt, runner, stock=5)
    buyer = await signup(client)
    assert (await add_to_cart(client, buyer, listing.sku_id, 1)).status_code == 200

    # no logistics network in the market yet: no promise
    quote = (await client.get("/api/v1/cart/quote", headers=buyer.headers)).json()
    assert quote["shops"][0]["delivery_estimate"] is None

    await network(rt)
    # Monday 04:00 in New York, before the 14:00 cut-off: handed over Tuesday (1 handling
    # day); without an address the parcel goes to the middle of the country (zone 4, 3-5 days)
    quote = (await client.get("/api/v1/cart/quote", headers=buyer.headers)).json()
    assert quote["shops"][0]["delivery_estimate"] == {
        "level": "STANDARD",
        "handover_date": "2026-01-06",
        "earliest_date": "2026-01-09",
        "latest_date": "2026-01-13",
        "packages": 1,
    }
    cart = (await client.get("/api/v1/cart", headers=buyer.headers)).json()
    assert cart["shops"] == quote["shops"]

    # at checkout the address is known: the 1xxxx area is zone 2 (2-3 days)
    placed = await place_ok(client, buyer)
    (estimate,) = placed["delivery_estimates"]
    assert estimate["order_id"] == placed["orders"][0]["id"]
    assert estimate["shop_id"] == listing.shop_id
    assert estimate["estimate"] == {
        "level": "STANDARD",
        "handover_date": "2026-01-06",
        "earliest_date": "2026-01-08",
        "latest_date": "2026-01-09",
        "packages": 1,
    }


async def test_estimates_skip_weekends_and_public_holidays(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    # Thursday 2 July 2026, 15:00 in New York: after the cut-off, and Friday 3 July is
    # Independence Day (observed) -> handling starts Monday 6, handover Tuesday 7 July
    clock.set(datetime.fromisoformat("2026-07-02T19:00:00+00:00"))
    await network(rt)
    listing = await make_listing(client, rt, runner, stock=5)
    buyer = await signup(client)
    placed = await place_ok(client, buyer, items=[(listing.sku_id, 1)])
    assert placed["delivery_estimates"][0]["estimate"] == {
        "level": "STANDARD",
        "handover_date": "2026-07-07",
        "earliest_date": "2026-07-09",
        "latest_date": "2026-07-10",
        "packages": 1,
    }
    # two hours earlier, before the cut-off: handling starts Thursday, handover Monday 6
    clock.set(datetime.fromisoformat("2026-07-02T17:00:00+00:00"))
    placed = await place_ok(client, buyer, items=[(listing.sku_id, 1)])
    assert placed["delivery_estimates"][0]["estimate"]["handover_date"] == "2026-07-06"
    assert placed["delivery_estimates"][0]["estimate"]["latest_date"] == "2026-07-09"

    # a seller who needs three handling days promises later
    r = await client.put(
        f"/api/v1/seller/shops/{listing.shop_id}/logistics/warehouses/{listing.warehouse_id}",
        json={"handling_days": 3},
        headers=listing.seller.headers,
    )
    assert r.status_code == 200, r.text
    placed = await place_ok(client, buyer, items=[(listing.sku_id, 1)])
    assert placed["delivery_estimates"][0]["estimate"]["handover_date"] == "2026-07-08"
    assert placed["delivery_estimates"][0]["estimate"]["latest_date"] == "2026-07-13"
