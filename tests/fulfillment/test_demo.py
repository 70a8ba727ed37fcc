"""The demo helper leaves orders in every shipping status and one held short box."""

from __future__ import annotations

from collections import Counter

import httpx
from sqlalchemy import select

from hawker.fulfillment.demo import progress_demo_orders
from hawker.inventory import service as inventory
from hawker.kit.clock import FrozenClock
from hawker.models import Order, WeightReview
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.fulfillment import paid_order
from tests.factories.orders import make_listing


async def test_progress_demo_orders(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    first = await make_listing(client, rt, runner, stock=20)
    second = await make_listing(client, rt, runner, stock=20, title="Wool Socks")
    buyer = await signup(client)
    for i in range(12):
        await paid_order(client, runner, clock, buyer, first if i % 2 else second)
    saved = rt.settings.carrier_sim_url

    progress = await progress_demo_orders(
        rt,
        client,
        runner,
        clock,
        {first.shop_id: first.seller.headers, second.shop_id: second.seller.headers},
        markets=["US"],
    )
    assert progress.markets == ["US"]
    assert progress.shipped == {
        "SHORT": 1,
        "DELIVERED": 5,
        "COLLECTION": 2,
        "IN_TRANSIT": 3,
        "LEAVE": 1,
    }
    assert rt.settings.carrier_sim_url == saved
    async with rt.db.read_session() as s:
        statuses = Counter((await s.scalars(select(Order.status))).all())
        review = (await s.scalars(select(WeightReview))).one()
        assert await inventory.check_consistency(s) == []
    assert statuses == {
        "DELIVERED": 5,
        "IN_TRANSIT": 3,
        "AWAITING_COLLECTION": 3,  # two waiting for pickup, one held for review
        "AWAITING_SHIPMENT": 1,
    }
    assert (review.status, review.measured_weight_g, review.expected_weight_g) == ("OPEN", 0, 250)
