"""The host shows a bag product's units left: read from inventory, carried by room frames."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.inventory import receive_via_api
from tests.factories.live import live_counts, make_studio
from tests.factories.shops import make_warehouse
from tests.live.wsclient import AsgiSocket


async def test_the_host_shows_units_left_and_every_viewer_sees_them(
    app: FastAPI, client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner)
    shirt, hat = studio.products
    warehouse = await make_warehouse(client, studio.host, studio.shop_id, is_default=True)
    stock = {"sku_id": str(shirt["skus"][0]["id"]), "warehouse_id": str(warehouse["id"])}
    await receive_via_api(client, studio.host, studio.shop_id, **stock, quantity=7)
    url = f"/api/v1/live/sessions/{studio.live_id}/stock"
    async with AsgiSocket(app, studio.live_id) as viewer:
        snap = await viewer.recv()
        assert snap["stock"] == {}

        r = await client.post(url, json={"product_id": shirt["id"]}, headers=studio.host.headers)
        assert r.status_code == 200, r.text
        assert r.json() == {"product_id": shirt["id"], "available": 7}
        frame = await viewer.expect_frame("stock")
        assert frame["stock"] == {shirt["id"]: 7}
        assert frame["at"] == "2026-01-05T09:00:00Z"  # when the room published it

        await receive_via_api(client, studio.host, studio.shop_id, **stock, quantity=3)
        r = await client.post(url, json={"product_id": shirt["id"]}, headers=studio.host.headers)
        assert r.json() == {"product_id": shirt["id"], "available": 10}
        r = await client.post(url, json={"product_id": hat["id"]}, headers=studio.host.headers)
        assert r.json() == {"product_id": hat["id"], "available": 0}
        seen: dict[str, int] = {}
        while seen != {shirt["id"]: 10, hat["id"]: 0}:
            seen.update((await viewer.expect_frame("stock"))["stock"])

        async with AsgiSocket(app, studio.live_id) as late:
            snap = await late.recv()
            assert snap["stock"] == {shirt["id"]: 10, hat["id"]: 0}


async def test_only_the_host_shows_stock_of_a_bag_product_while_live(
    app: FastAPI, client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner)
    scheduled = await make_studio(client, rt, runner, start=False)
    shirt = studio.products[0]
    other = await signup(client, display_name="Not The Host")
    url = f"/api/v1/live/sessions/{studio.live_id}/stock"
    before = await live_counts(rt)
    async with AsgiSocket(app, studio.live_id) as viewer:
        await viewer.recv()
        cases = [
            (url, {"product_id": shirt["id"]}, other.headers, 404, "live_not_found"),
            (url, {"product_id": shirt["id"]}, {}, 401, "not_authenticated"),
            (
                url,
                {"product_id": scheduled.products[0]["id"]},
                studio.host.headers,
                400,
                "product_not_in_bag",
            ),
            (
                f"/api/v1/live/sessions/{scheduled.live_id}/stock",
                {"product_id": scheduled.products[0]["id"]},
                scheduled.host.headers,
                409,
                "live_invalid_state",
            ),
            (
                "/api/v1/live/sessions/999/stock",
                {"product_id": shirt["id"]},
                studio.host.headers,
                404,
                "live_not_found",
            ),
        ]
        for path, body, headers, status, code in cases:
            client.cookies.clear()
            r = await client.post(path, json=body, headers=headers)
            assert (r.status_code, r.json()["error"]["code"]) == (status, code), path
        assert [m for m in await viewer.collect(0.2) if "stock" in m] == []
    assert await live_counts(rt) == before
