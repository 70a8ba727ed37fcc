"""Shipping pages: the seller's packages and labels, the buyer's tracking timeline on the
order page, and the operator's weight-check cases."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from hawker.fulfillment.demo import progress_demo_orders
from hawker.kit.clock import FrozenClock
from hawker.models import Package, WeightReview
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import make_operator, signup
from tests.factories.fulfillment import paid_order
from tests.factories.orders import make_listing
from tests.web.pages import get, log_in, post, text_of


async def test_shipping_pages_for_sellers_buyers_and_operators(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    listing = await make_listing(client, rt, runner, stock=20)
    buyer = await signup(client, display_name="Bo Buyer")
    orders = [await paid_order(client, runner, clock, buyer, listing) for _ in range(3)]
    progress = await progress_demo_orders(
        rt, client, runner, clock, {listing.shop_id: listing.seller.headers}, markets=["US"]
    )
    assert progress.shipped["SHORT"] == 1
    async with rt.db.read_session() as s:
        review = (await s.scalars(select(WeightReview))).one()
        packages = {p.order_id: p for p in await s.scalars(select(Package))}

    # the seller: packages to ship and shipped, a package with its label and timeline
    log_in(client, listing.seller)
    base = f"/seller/shops/{listing.shop_id}/packages"
    page = await get(client, base)
    assert page.status_code == 200
    assert "Shipping" in text_of(page)
    shipped = await get(client, f"{base}?due=shipped")
    assert shipped.status_code == 200
    delivered = [p for p in packages.values() if p.status == "COMPLETED"]
    package = delivered[0]
    detail = await get(client, f"{base}/{package.id}")
    assert detail.status_code == 200
    assert "Print label" in text_of(detail)
    assert "Delivered" in text_of(detail)
    label = await get(client, f"{base}/{package.id}/label")
    assert label.status_code == 200
    assert package.tracking_number is not None and package.tracking_number in label.text

    # the buyer: the order's tracking timeline with its delivery estimate
    log_in(client, buyer)
    order_page = await get(client, f"/orders/{package.order_id}")
    assert order_page.status_code == 200
    text = text_of(order_page)
    assert "Tracking" in text and package.tracking_number in text
    assert "Delivered" in text

    # the operator: the held box waits for a decision; clearing it sends it on
    operator = await make_operator(rt)
    log_in(client, operator)
    cases = await get(client, "/operator/weight-reviews")
    assert cases.status_code == 200
    assert f'href="/operator/weight-reviews/{review.id}"' in cases.text
    case = await get(client, f"/operator/weight-reviews/{review.id}")
    assert "Record decision" in text_of(case)
    refused = await post(
        client,
        f"/operator/weight-reviews/{review.id}/decision",
        {"decision": "", "notes": ""},
        token_from=f"/operator/weight-reviews/{review.id}",
    )
    assert refused.status_code == 400
    assert "Choose a decision." in text_of(refused)
    decided = await post(
        client,
        f"/operator/weight-reviews/{review.id}/decision",
        {"decision": "CLEARED", "notes": "Light packaging, contents confirmed by photo."},
        token_from=f"/operator/weight-reviews/{review.id}",
    )
    assert decided.status_code == 303
    async with rt.db.read_session() as s:
        row = await s.get(WeightReview, review.id)
        assert row is not None and row.status == "CLEARED"
        assert row.notes == "Light packaging, contents confirmed by photo."
    again = await get(client, f"/operator/weight-reviews/{review.id}")
    assert "Cleared: the parcel goes on to the buyer." in text_of(again)
    assert len(orders) == 3


async def test_shipping_pages_keep_shops_and_the_console_apart(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    listing = await make_listing(client, rt, runner, stock=5)
    other = await make_listing(client, rt, runner, stock=5, title="Wool Socks")
    buyer = await signup(client)
    await paid_order(client, runner, clock, buyer, listing)
    log_in(client, other.seller)
    mine = await get(client, f"/seller/shops/{other.shop_id}/packages")
    assert mine.status_code == 200
    assert "Nothing to ship here" in text_of(mine)
    theirs = await get(client, f"/seller/shops/{listing.shop_id}/packages")
    assert theirs.status_code == 404
    async with rt.db.read_session() as s:
        (package,) = list(await s.scalars(select(Package)))
    page = await get(client, f"/seller/shops/{other.shop_id}/packages/{package.id}")
    assert page.status_code == 404
    shipped = await post(
        client,
        f"/seller/shops/{other.shop_id}/packages/{package.id}/ship",
        {"shipping_type": "TIKTOK"},
        token_from=f"/seller/shops/{other.shop_id}/packages",
    )
    assert shipped.status_code == 404
    async with rt.db.read_session() as s:
        again = await s.get(Package, package.id)
        assert again is not None and again.status == package.status
        assert again.tracking_number is None
    console = await get(client, "/operator/weight-reviews")
    assert console.status_code == 403
    assert re.search(r"Not allowed|not allowed", console.text)
