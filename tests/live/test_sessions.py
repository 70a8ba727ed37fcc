"""Live sessions through the host console: scheduling, the bag, tenancy, pins, going live."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from hawker.models import LivePin, OutboxEvent
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.catalog import make_product
from tests.factories.live import live_counts, live_row, make_live, make_studio
from tests.factories.shops import make_shop


async def test_a_shop_member_schedules_a_live_with_a_bag(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner, start=False)
    live = studio.live
    assert live["status"] == "SCHEDULED"
    assert live["title"] == "Linen week"
    assert live["host"] == {"id": str(studio.host.user_id), "display_name": "Hana Host"}
    assert live["shop"] == {"id": studio.shop_id, "name": studio.shop["name"]}
    assert [p["title"] for p in live["bag"]] == ["Linen Shirt", "Straw Hat"]
    assert live["bag"][1]["price_from"]["formatted"] == "$15.00"
    assert live["playback"] is None
    assert live["pinned"] is None
    assert live["scheduled_at"] == "2026-01-05T09:00:00Z"

    r = await client.get(
        f"/api/v1/live/sessions/{studio.live_id}/ingest", headers=studio.host.headers
    )
    assert r.status_code == 200, r.text
    ingest = r.json()
    key = ingest["stream_key"]
    assert len(key) == 32
    assert ingest["server_url"] == "rtmp://127.0.0.1:1935/live"
    assert ingest["rtmp_url"] == f"rtmp://127.0.0.1:1935/live/{key}"

    r = await client.post(
        f"/api/v1/live/sessions/{studio.live_id}/start", headers=studio.host.headers
    )
    assert r.status_code == 200, r.text
    client.cookies.clear()
    public = await client.get(f"/api/v1/live/sessions/{studio.live_id}")
    body = public.json()
    assert body["status"] == "LIVE"
    assert body["started_at"] == "2026-01-05T09:00:00Z"
    playback = body["playback"]
    assert playback["kind"] == "hls"
    assert playback["loop"] is False
    assert playback["url"].startswith("http://127.0.0.1:8080/hls/")
    assert playback["url"].endswith(".m3u8")
    # viewers never see the secret key, anywhere
    assert key not in public.text
    listed = await client.get("/api/v1/live/sessions?status=LIVE")
    assert [x["id"] for x in listed.json()["items"]] == [studio.live_id]
    assert key not in listed.text


async def test_bag_rules(client: httpx.AsyncClient, rt: Runtime, runner: JobRunner) -> None:
    seller = await signup(client)
    shop = await make_shop(client, rt, seller)
    shop_id = str(shop["id"])
    own = await make_product(client, runner, seller, shop_id)
    draft = await make_product(client, runner, seller, shop_id, title="Paused Product")
    r = await client.post(
        f"/api/v1/seller/shops/{shop_id}/products/{draft['id']}/deactivate", headers=seller.headers
    )
    assert r.status_code == 200, r.text
    other = await signup(client)
    other_shop = await make_shop(client, rt, other)
    foreign = await make_product(client, runner, other, str(other_shop["id"]))
    gb = await signup(client, market_code="GB")
    gb_shop = await make_shop(client, rt, gb, market_code="GB")
    pounds = await make_product(client, runner, gb, str(gb_shop["id"]))
    before = await live_counts(rt)

    async def create(actor: object, **body: object) -> httpx.Response:
        return await client.post(
            "/api/v1/live/sessions",
            json={"title": "Sale", **body},
            headers=actor.headers,  # type: ignore[attr-defined]
        )

    for body, status, code in (
        ({"shop_id": shop_id, "product_ids": [foreign["id"]]}, 400, "product_not_in_shop"),
        ({"shop_id": shop_id, "product_ids": [draft["id"]]}, 400, "product_not_available"),
        ({"shop_id": shop_id, "product_ids": [own["id"], own["id"]]}, 400, "duplicate_product"),
        ({"shop_id": str(other_shop["id"]), "product_ids": []}, 404, "shop_not_found"),
        ({"product_ids": [own["id"]]}, 403, "not_a_creator"),
    ):
        r = await create(seller, **body)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), r.text
    creator = await signup(client, role="creator")
    r = await create(creator, product_ids=[pounds["id"]])
    assert (r.status_code, r.json()["error"]["code"]) == (400, "currency_mismatch")
    homeless = await signup(client, role="creator", market_code=None)
    r = await create(homeless, product_ids=[])
    assert (r.status_code, r.json()["error"]["code"]) == (400, "market_required")
    rt.settings.live_max_bag_items = 1
    r = await create(creator, product_ids=[own["id"], foreign["id"]])
    assert (r.status_code, r.json()["error"]["code"]) == (400, "bag_too_large")
    assert await live_counts(rt) == before

    # a creator may bag any live product of its market
    rt.settings.live_max_bag_items = 50
    live = await make_live(client, creator, product_ids=[own["id"], foreign["id"]])
    assert [p["id"] for p in live["bag"]] == [own["id"], foreign["id"]]
    assert live["shop"] is None


async def test_another_user_controls_nothing_in_a_room(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner, start=False)
    intruder = await signup(client)
    url = f"/api/v1/live/sessions/{studio.live_id}"
    shirt = studio.products[0]
    before = await live_counts(rt)
    attempts = [
        ("post", "/start", None),
        ("post", "/end", None),
        ("post", "/cancel", None),
        ("post", "/pin", {"product_id": shirt["id"]}),
        ("post", "/unpin", None),
        ("put", "/bag", {"product_ids": []}),
        ("get", "/ingest", None),
        ("get", "/stats", None),
        ("post", "/mutes", {"user_id": str(intruder.user_id)}),
    ]
    for method, path, body in attempts:
        kwargs = {"json": body} if body is not None else {}
        r = await client.request(method, url + path, headers=intruder.headers, **kwargs)
        assert r.status_code == 404, (path, r.text)
        assert r.json()["error"] == {
            "code": "live_not_found",
            "message": f"There is no live {studio.live_id}.",
            "details": None,
        }
    assert await live_counts(rt) == before
    row = await live_row(rt, studio.live_id)
    assert (row.status, row.pinned_product_id, row.started_at) == ("SCHEDULED", None, None)
    mine = await client.get("/api/v1/me/live/sessions", headers=intruder.headers)
    assert mine.json()["items"] == []


async def test_shop_staff_may_host_the_shops_live(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner, start=False)
    staff = await signup(client)
    r = await client.post(
        f"/api/v1/seller/shops/{studio.shop_id}/members",
        json={"email": staff.email},
        headers=studio.host.headers,
    )
    assert r.status_code in (200, 201), r.text
    r = await client.post(f"/api/v1/live/sessions/{studio.live_id}/start", headers=staff.headers)
    assert r.status_code == 200, r.text
    mine = await client.get("/api/v1/me/live/sessions", headers=staff.headers)
    assert [x["id"] for x in mine.json()["items"]] == [studio.live_id]


async def test_lifecycle_and_its_guards(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner, start=False)
    url = f"/api/v1/live/sessions/{studio.live_id}"
    h = studio.host.headers
    r = await client.post(url + "/end", headers=h)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "live_invalid_state")
    assert (await client.post(url + "/start", headers=h)).json()["status"] == "LIVE"
    r = await client.post(url + "/start", headers=h)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "live_invalid_state")
    r = await client.post(url + "/cancel", headers=h)
    assert r.status_code == 409
    ended = (await client.post(url + "/end", headers=h)).json()
    assert ended["status"] == "ENDED"
    assert ended["ended_at"] == "2026-01-05T09:00:00Z"
    assert ended["playback"] is None
    r = await client.put(url + "/bag", json={"product_ids": []}, headers=h)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "live_invalid_state")

    other = await make_live(client, studio.host, shop_id=studio.shop_id)
    r = await client.post(f"/api/v1/live/sessions/{other['id']}/cancel", headers=h)
    assert r.json()["status"] == "CANCELLED"
    async with rt.db.read_session() as s:
        q = (
            select(OutboxEvent.payload)
            .where(OutboxEvent.topic == "live.status_changed")
            .order_by(OutboxEvent.id)
        )
        changes = [(p["status"], p["previous_status"]) for p in (await s.scalars(q)).all()]
    assert changes == [("LIVE", "SCHEDULED"), ("ENDED", "LIVE"), ("CANCELLED", "SCHEDULED")]
    public = await client.get("/api/v1/live/sessions")
    assert [x["status"] for x in public.json()["items"]] == ["ENDED"]


async def test_pins_are_recorded_as_moments(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: object
) -> None:
    from datetime import timedelta

    studio = await make_studio(client, rt, runner)
    shirt, hat = studio.products
    url = f"/api/v1/live/sessions/{studio.live_id}"
    h = studio.host.headers
    r = await client.post(url + "/pin", json={"product_id": "42"}, headers=h)
    assert (r.status_code, r.json()["error"]["code"]) == (400, "product_not_in_bag")
    assert (await client.post(url + "/pin", json={"product_id": shirt["id"]}, headers=h)).json()[
        "pinned"
    ]["id"] == shirt["id"]
    clock.advance(timedelta(seconds=5))  # type: ignore[attr-defined]
    # pinning the pinned product again is not a new moment
    await client.post(url + "/pin", json={"product_id": shirt["id"]}, headers=h)
    r = await client.post(url + "/pin", json={"product_id": hat["id"]}, headers=h)
    assert r.json()["pinned"]["id"] == hat["id"]
    clock.advance(timedelta(seconds=3))  # type: ignore[attr-defined]
    r = await client.post(url + "/unpin", headers=h)
    assert r.json()["pinned"] is None
    async with rt.db.read_session() as s:
        pins = (await s.scalars(select(LivePin).order_by(LivePin.pinned_at))).all()
    start = clock.now() - timedelta(seconds=8)  # type: ignore[attr-defined]
    assert [
        (p.product_id, p.pinned_at - start, p.unpinned_at - start if p.unpinned_at else None)
        for p in pins
    ] == [
        (int(shirt["id"]), timedelta(0), timedelta(seconds=5)),
        (int(hat["id"]), timedelta(seconds=5), timedelta(seconds=8)),
    ]
