"""The live pages: the home feed, the live list, the room (rendered for readers without
scripts, with its data for live.js), replays, shoppable videos, and buying from a room."""

from __future__ import annotations

import json
import re

import httpx
from sqlalchemy import select

from hawker.models import LiveOrderAttribution
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.flash import make_deal_world
from tests.factories.live import make_live, make_studio
from tests.factories.media import make_video
from tests.factories.orders import add_to_cart, make_listing, place_ok
from tests.web.pages import as_guest, get, log_in, post, text_of

SCRIPT = "<script>alert('pwned')</script>"


def _room_data(page: httpx.Response) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="room-data">(.*?)</script>', page.text)
    assert found is not None
    data: dict[str, object] = json.loads(found.group(1))
    return data


async def test_home_shows_lives_on_air_starting_soon_and_videos(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner)
    await make_live(client, studio.host, shop_id=studio.shop_id, title="Hat parade")
    video = await make_video(
        client, runner, studio.host, shop_id=studio.shop_id, title="Spring haul"
    )
    as_guest(client)
    page = await get(client, "/")
    assert page.status_code == 200
    text = text_of(page)
    assert "No one is live right now" not in text
    assert "No videos yet" not in text
    assert f'href="/live/{studio.live_id}"' in page.text
    assert "Starting soon" in text and "Hat parade" in text
    assert f'href="/videos/{video["id"]}"' in page.text
    lives = await get(client, "/live")
    assert lives.status_code == 200
    assert "Linen week" in text_of(lives) and "Hat parade" in text_of(lives)


async def test_room_renders_the_live_for_everyone_with_its_socket(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner)
    product = studio.products[0]
    r = await client.post(
        f"/api/v1/live/sessions/{studio.live_id}/pin",
        json={"product_id": product["id"]},
        headers=studio.host.headers,
    )
    assert r.status_code == 200, r.text
    as_guest(client)
    page = await get(client, f"/live/{studio.live_id}")
    assert page.status_code == 200
    text = text_of(page)
    assert "Linen week" in text
    assert "Linen Shirt" in text and "Straw Hat" in text
    assert 'id="room-pinned"' in page.text and "Pinned" in text
    assert "Log in to chat, like and buy." in text
    # HLS from the media server: its origin may serve video to this page, nothing else
    assert 'data-hls="http://127.0.0.1:8080/hls/' in page.text
    csp = page.headers["content-security-policy"]
    assert "media-src 'self' blob: http://127.0.0.1:8080;" in csp
    assert "script-src 'self';" in csp
    data = _room_data(page)
    assert data["socket"] == f"/api/v1/live/sessions/{studio.live_id}/ws"
    assert data["status"] == "LIVE"
    assert data["logged_in"] is False
    assert data["address"] is None


async def test_comments_and_titles_are_text_never_markup(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner)
    viewer = await signup(client, display_name=SCRIPT)
    async with client.stream("GET", "/"):
        pass
    from hawker.live import moderation

    async with rt.db.session() as s:
        from hawker.accounts import service as accounts

        user = await accounts.user_for_token(s, viewer.token, now=rt.clock.now())
        assert user is not None
        await moderation.post_comment(
            s,
            rt.broker,
            live_id=int(studio.live_id),
            user=user,
            text=SCRIPT,
            settings=rt.settings,
            now=rt.clock.now(),
        )
    log_in(client, viewer)
    page = await get(client, f"/live/{studio.live_id}")
    assert page.status_code == 200
    assert SCRIPT not in page.text
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in page.text
    data = _room_data(page)
    assert data["logged_in"] is True


async def test_a_missing_live_or_video_is_a_friendly_404(client: httpx.AsyncClient) -> None:
    for path in ("/live/123", "/live/abc", "/live/123/replay", "/videos/123", "/videos/x"):
        page = await get(client, path)
        assert page.status_code == 404, path
        assert "We couldn" in page.text or "not" in text_of(page).lower()


async def test_ended_live_offers_its_replay_with_product_moments(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner, start=False)
    host = studio.host
    video = await make_video(client, runner, host, shop_id=studio.shop_id, title="Loop")
    live = await make_live(
        client,
        host,
        shop_id=studio.shop_id,
        product_ids=[p["id"] for p in studio.products],
        title="Looping",
        loop_video_id=video["id"],
    )
    r = await client.post(f"/api/v1/live/sessions/{live['id']}/start", headers=host.headers)
    assert r.status_code == 200, r.text
    r = await client.post(
        f"/api/v1/live/sessions/{live['id']}/pin",
        json={"product_id": studio.products[1]["id"]},
        headers=host.headers,
    )
    assert r.status_code == 200, r.text
    as_guest(client)
    page = await get(client, f"/live/{live['id']}")
    assert f'src="{video["mp4_url"]}"' in page.text
    assert "media-src 'self' blob:;" in page.headers["content-security-policy"]
    r = await client.post(f"/api/v1/live/sessions/{live['id']}/end", headers=host.headers)
    assert r.status_code == 200, r.text
    page = await get(client, f"/live/{live['id']}")
    assert "This live has ended" in text_of(page)
    assert f'href="/live/{live["id"]}/replay"' in page.text
    replay = await get(client, f"/live/{live['id']}/replay")
    assert replay.status_code == 200
    text = text_of(replay)
    assert "Product moments" in text and "Straw Hat" in text
    assert 'data-seek="0"' in replay.text


async def test_video_page_lists_its_products_at_their_moments(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner, start=False)
    video = await make_video(client, runner, studio.host, shop_id=studio.shop_id, title="Haul")
    r = await client.put(
        f"/api/v1/videos/{video['id']}/tags",
        json={
            "tags": [
                {"product_id": studio.products[0]["id"], "at_ms": 500},
                {"product_id": studio.products[1]["id"]},
            ]
        },
        headers=studio.host.headers,
    )
    assert r.status_code == 200, r.text
    as_guest(client)
    page = await get(client, f"/videos/{video['id']}")
    assert page.status_code == 200
    assert re.findall(r'data-at="(\d*)"', page.text) == ["", "500"]
    assert "Shop this video" in text_of(page)


ADDRESS = {
    "address-name": "Bo Buyer",
    "address-phone": "+1 555 0100",
    "address-line1": "1 Market Street",
    "address-city": "Springfield",
    "address-region": "IL",
    "address-postal_code": "62701",
}
CARD = {
    "card-number": "4242 4242 4242 4242",
    "card-exp_month": "12",
    "card-exp_year": "30",
    "card-cvc": "123",
    "card-holder_name": "Bo Buyer",
}


async def test_buying_from_the_room_goes_through_checkout_and_back(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_listing(client, rt, runner, title="Linen Shirt", price_minor=2000)
    seller = listing.seller
    live = await make_live(
        client, seller, shop_id=str(listing.shop["id"]), product_ids=[listing.product["id"]]
    )
    r = await client.post(f"/api/v1/live/sessions/{live['id']}/start", headers=seller.headers)
    assert r.status_code == 200, r.text
    buyer = await signup(client, display_name="Bo Buyer")
    log_in(client, buyer)
    room = f"/live/{live['id']}"

    # "Add to cart" from the room's sheet goes back to the room
    added = await post(
        client,
        "/cart/items",
        {
            "product_id": listing.product["id"],
            "back": room,
            "live": live["id"],
            "action": "cart",
            "option-0": "M",
        },
        token_from=room,
    )
    assert added.status_code == 303
    assert added.headers["location"] == room

    # "Buy now" goes to checkout, which knows the live and goes back to it once paid
    bought = await post(
        client,
        "/cart/items",
        {
            "product_id": listing.product["id"],
            "back": room,
            "live": live["id"],
            "action": "buy",
            "option-0": "M",
        },
        token_from=room,
    )
    assert bought.status_code == 303
    assert bought.headers["location"] == f"/checkout?live={live['id']}"
    page = await get(client, bought.headers["location"])
    assert f'name="live" value="{live["id"]}"' in page.text
    assert "Back to the live" in text_of(page)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    assert key is not None
    paid = await post(
        client,
        "/checkout",
        {**ADDRESS, **CARD, "idempotency_key": key.group(1), "live": live["id"]},
        token_from=f"/checkout?live={live['id']}",
    )
    assert paid.status_code == 303
    assert paid.headers["location"] == room
    after = await get(client, room)
    assert "Thank you! Your order is paid." in text_of(after)

    # the live counts the order (two units of the shirt) once it is paid
    await runner.run_until_idle()
    stats = await client.get(f"/api/v1/live/sessions/{live['id']}/stats", headers=seller.headers)
    assert stats.json()["orders"] == 1
    assert stats.json()["gmv"]["amount_minor"] == orders_total(
        await client.get("/api/v1/orders", headers=buyer.headers)
    )
    orders = await client.get("/api/v1/orders", headers=buyer.headers)
    assert len(orders.json()["items"]) == 1
    assert orders.json()["items"][0]["status"] == "ON_HOLD"


async def test_a_room_purchase_counts_only_the_orders_with_the_lives_products(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_listing(client, rt, runner, title="Linen Shirt", price_minor=2000)
    other = await make_listing(client, rt, runner, title="Clay Mug", price_minor=1200)
    live = await make_live(
        client, listing.seller, shop_id=listing.shop_id, product_ids=[listing.product["id"]]
    )
    r = await client.post(
        f"/api/v1/live/sessions/{live['id']}/start", headers=listing.seller.headers
    )
    assert r.status_code == 200, r.text
    buyer = await signup(client, display_name="Bo Buyer")
    for sku_id in (listing.sku_id, other.sku_id):
        assert (await add_to_cart(client, buyer, sku_id, 1)).status_code == 200
    log_in(client, buyer)
    checkout = f"/checkout?live={live['id']}"
    page = await get(client, checkout)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    assert key is not None
    paid = await post(
        client,
        "/checkout",
        {**ADDRESS, **CARD, "idempotency_key": key.group(1), "live": live["id"]},
        token_from=checkout,
    )
    assert paid.status_code == 303
    assert paid.headers["location"] == f"/live/{live['id']}"
    await runner.run_until_idle()

    # two paid orders, one per shop: only the one with the live's shirt is the live's
    orders = (await client.get("/api/v1/orders", headers=buyer.headers)).json()["items"]
    by_shop = {o["shop_id"]: o for o in orders}
    assert sorted(by_shop) == sorted([listing.shop_id, other.shop_id])
    assert {o["status"] for o in orders} == {"ON_HOLD"}
    from_live = by_shop[listing.shop_id]
    async with rt.db.read_session() as s:
        attributed = (await s.scalars(select(LiveOrderAttribution))).all()
    assert [(str(a.order_id), str(a.session_id)) for a in attributed] == [
        (from_live["id"], live["id"])
    ]
    stats = await client.get(
        f"/api/v1/live/sessions/{live['id']}/stats", headers=listing.seller.headers
    )
    assert stats.json()["orders"] == 1
    assert stats.json()["gmv"]["amount_minor"] == int(
        from_live["payment"]["total_amount"]["amount_minor"]
    )


def orders_total(page: httpx.Response) -> int:
    return sum(int(o["payment"]["total_amount"]["amount_minor"]) for o in page.json()["items"])


async def test_pay_page_goes_back_where_it_was_asked_to(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_listing(client, rt, runner)
    buyer = await signup(client, display_name="Bo Buyer")
    sku_id = str(listing.product["skus"][0]["id"])
    placed = await place_ok(client, buyer, items=[(sku_id, 1)])
    order = {"checkout_id": placed["checkout_id"]}
    log_in(client, buyer)
    page = await get(client, f"/checkout/{order['checkout_id']}/pay?back=/live/42")
    assert 'name="back" value="/live/42"' in page.text
    outside = await get(client, f"/checkout/{order['checkout_id']}/pay?back=//evil.example/")
    assert 'name="back" value="/"' in outside.text
    paid = await post(
        client,
        f"/checkout/{order['checkout_id']}/pay",
        {**CARD, "idempotency_key": "k-1", "back": "/live/42"},
        token_from=f"/checkout/{order['checkout_id']}/pay",
    )
    assert paid.status_code == 303
    assert paid.headers["location"] == "/live/42"


async def test_console_schedules_starts_pins_and_ends_a_live(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner, start=False)
    log_in(client, studio.host)
    base = f"/seller/shops/{studio.shop_id}/live"
    page = await get(client, base)
    assert page.status_code == 200
    assert "Schedule a live" in text_of(page)
    created = await post(
        client,
        base,
        [
            ("title", "Hat parade"),
            ("scheduled_at", ""),
            ("product_ids", studio.products[0]["id"]),
            ("product_ids", studio.products[1]["id"]),
            ("loop_video_id", ""),
        ],
        token_from=base,
    )
    assert created.status_code == 303, created.text
    console = created.headers["location"]
    live_id = console.rsplit("/", 1)[1]
    page = await get(client, console)
    text = text_of(page)
    assert "Hat parade" in text and "Scheduled" in text and "Go live" in text
    assert "Show key" in text
    started = await post(client, f"{console}/start", {}, token_from=console)
    assert started.status_code == 303
    pinned = await post(
        client, f"{console}/pin", {"product_id": studio.products[1]["id"]}, token_from=console
    )
    assert pinned.status_code == 303
    page = await get(client, console)
    assert "Pinned to the top of the room." in text_of(page)
    assert f'data-socket="/api/v1/live/sessions/{live_id}/ws"' in page.text
    assert "Start flash deal" in text_of(page)
    assert page.text.count('method="post"') == page.text.count('name="csrf_token"') >= 6
    room = await get(client, f"/live/{live_id}")
    assert room.text.count('method="post"') == room.text.count('name="csrf_token"') == 3
    r = await client.get(f"/api/v1/live/sessions/{live_id}")
    assert r.json()["status"] == "LIVE"
    assert r.json()["pinned"]["id"] == studio.products[1]["id"]
    ended = await post(client, f"{console}/end", {}, token_from=console)
    assert ended.status_code == 303
    r = await client.get(f"/api/v1/live/sessions/{live_id}")
    assert r.json()["status"] == "ENDED"


async def test_another_shops_console_is_404_and_its_posts_change_nothing(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner)
    other = await make_studio(client, rt, runner, start=False)
    log_in(client, other.host)
    mine = f"/seller/shops/{other.shop_id}/live"
    page = await get(client, f"{mine}/{studio.live_id}")
    assert page.status_code == 404
    theirs = await get(client, f"/seller/shops/{studio.shop_id}/live")
    assert theirs.status_code == 404
    ended = await post(client, f"{mine}/{studio.live_id}/end", {}, token_from=mine)
    assert ended.status_code == 404
    r = await client.get(f"/api/v1/live/sessions/{studio.live_id}")
    assert r.json()["status"] == "LIVE"


async def test_console_starts_and_stops_a_flash_deal(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    world = await make_deal_world(client, rt, runner, stock=20)
    log_in(client, world.host)
    console = f"/seller/shops/{world.studio.shop_id}/live/{world.live_id}"
    page = await get(client, console)
    assert f'<option value="{world.sku_id}">' in page.text
    refused = await post(
        client,
        f"{console}/deals",
        {
            "sku_id": world.sku_id,
            "price": "99999",
            "stock_cap": "5",
            "per_buyer_limit": "1",
            "countdown_seconds": "10",
            "duration_minutes": "5",
        },
        token_from=console,
    )
    assert refused.status_code == 409
    assert 'role="alert"' in refused.text
    assert (await client.get(f"/api/v1/flash/sessions/{world.live_id}/deals")).json()["items"] == []
    started = await post(
        client,
        f"{console}/deals",
        {
            "sku_id": world.sku_id,
            "price": "9.99",
            "stock_cap": "5",
            "per_buyer_limit": "1",
            "countdown_seconds": "10",
            "duration_minutes": "5",
        },
        token_from=console,
    )
    assert started.status_code == 303, started.text
    page = await get(client, console)
    assert "Flash deal announced: it opens in 10 seconds." in text_of(page)
    assert "Stop the deal" in text_of(page)
    deals = (await client.get(f"/api/v1/flash/sessions/{world.live_id}/deals")).json()["items"]
    assert [(d["price"]["amount_minor"], d["stock_cap"]) for d in deals] == [(999, 5)]
    stopped = await post(client, f"{console}/deals/{deals[0]['id']}/cancel", {}, token_from=console)
    assert stopped.status_code == 303
    deal = (await client.get(f"/api/v1/flash/deals/{deals[0]['id']}")).json()
    assert deal["status"] == "CANCELLED"
