"""Journeys in a real browser (Debian's Chromium through Playwright) against `hawker serve`.

Each journey fails on any script error, console error, failed request or unexpected HTTP
error on its pages, and saves screenshots (phone and desktop) under docs/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from hawker.demo.images import product_image
from hawker.runtime import Runtime
from tests.factories.catalog import ensure_categories
from tests.factories.media import video_bytes
from tests.web import seed
from tests.web.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LiveServer,
    Watch,
    new_phone,
    snap,
    start_server,
)
from tests.web.seed import sku


@pytest.fixture(scope="module")
def live_server(
    database_url: str, redis_url: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    yield from start_server(
        database_url=database_url, redis_url=redis_url, workdir=tmp_path_factory.mktemp("live")
    )


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    playwright = await async_playwright().start()
    chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        await chromium.close()
        await playwright.stop()


@pytest.fixture
async def http(live_server: LiveServer, rt: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """The live server's API. Depends on `rt`, which empties the tables after the test."""
    await ensure_categories(rt)
    async with httpx.AsyncClient(base_url=live_server.url, timeout=15) as client:
        yield client


async def _operator(rt: Runtime, http: httpx.AsyncClient) -> tuple[str, str]:
    email = f"{seed.unique('olu')}@hawker.example"
    await seed.create_operator(rt, email=email)
    return email, await seed.login(http, email=email)


async def _log_in(page: Page, email: str) -> None:
    await page.goto("/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(seed.PASSWORD)
    await page.get_by_role("button", name="Log in").click()


# 1. A new buyer signs up, finds a shirt, picks a variant, pays and cancels while on hold.


async def test_buyer_signs_up_buys_and_cancels(
    browser: Browser, http: httpx.AsyncClient, rt: Runtime, live_server: LiveServer
) -> None:
    _, operator = await _operator(rt, http)
    seller = await seed.signup(http, email=f"{seed.unique('mara')}@shop.example", name="Mara")
    shop = await seed.shop(
        http, seller, name=seed.unique("Northwind Threads "), approve_with=operator
    )
    warehouse = await seed.warehouse(http, seller, shop["id"])
    shirt = await seed.product(
        http,
        seller,
        shop["id"],
        title="Linen Overshirt",
        shape="shirt",
        color=(96, 128, 88),
        skus=[
            sku("LO-SAND-M", 4800, Colour="Sand", Size="M"),
            sku("LO-SAND-L", 4800, Colour="Sand", Size="L"),
            sku("LO-OLIVE-M", 5200, Colour="Olive", Size="M"),
            sku("LO-OLIVE-L", 5200, Colour="Olive", Size="L"),
        ],
    )
    for s in shirt["skus"]:
        await seed.stock(http, seller, shop["id"], warehouse["id"], s["id"], 8)
    for title, shape, color, price, category in (
        ("Stoneware Mug", "mug", (66, 110, 170), 1800, "501"),
        ("Canvas Tote Bag", "bag", (200, 150, 70), 2600, "1005"),
        ("Trail Sneakers", "shoe", (210, 70, 70), 8900, "604"),
    ):
        await seed.product(
            http,
            seller,
            shop["id"],
            title=title,
            shape=shape,
            color=color,
            skus=[sku(seed.unique("SKU-"), price)],
            category_id=category,
        )

    watch = Watch(live_server.url)
    context, page = await new_phone(browser, watch)
    await page.goto("/")
    await expect(page.get_by_role("heading", name="Just in")).to_be_visible()
    await expect(page.get_by_text("No one is live right now")).to_be_visible()
    await snap(browser, page, watch, "buyer-home")

    # sign up
    await page.get_by_role("link", name="Log in").first.click()
    await page.get_by_role("link", name="Create an account").click()
    await page.get_by_label("Your name").fill("Ada Buyer")
    await page.get_by_label("Email").fill(f"{seed.unique('ada')}@example.com")
    await page.get_by_label("Password").fill(seed.PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_text("Welcome to Hawker, Ada Buyer!")).to_be_visible()

    # search and open the product
    await page.get_by_label("Search products").fill("overshirt")
    await page.get_by_label("Search products").press("Enter")
    await expect(page.get_by_role("heading", name="Results for “overshirt”")).to_be_visible()
    await snap(browser, page, watch, "buyer-search")
    await page.get_by_role("link", name=re.compile("Linen Overshirt")).click()
    await expect(page.get_by_role("heading", name="Linen Overshirt")).to_be_visible()

    # pick a variant: the price and stock follow the choice
    await page.locator("label", has_text="Olive").click()
    await page.locator("label", has_text=re.compile("^L$")).click()
    await expect(page.locator("#variant-price")).to_have_text("$52.00")
    await expect(page.locator("#variant-stock")).to_have_text("8 in stock")
    await snap(browser, page, watch, "buyer-product")
    await page.get_by_role("button", name="Add to cart").click()

    await expect(page.get_by_role("heading", name="Your cart")).to_be_visible()
    await expect(page.get_by_text("Olive / L", exact=True)).to_be_visible()
    await snap(browser, page, watch, "buyer-cart")
    await page.get_by_role("link", name="Check out").click()

    # checkout with the test card
    await expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    await page.get_by_label("Phone").fill("+1 555 0100")
    await page.get_by_label("Address", exact=True).fill("1 Market Street")
    await page.get_by_label("City").fill("Springfield")
    await page.get_by_label("State / region").fill("IL")
    await page.get_by_label("Postal code").fill("62701")
    await page.get_by_label("Card number").fill("4242 4242 4242 4242")
    await page.get_by_label("Expiry month").fill("12")
    await page.get_by_label("Expiry year").fill("30")
    await page.get_by_label("Security code").fill("123")
    await snap(browser, page, watch, "buyer-checkout")
    await page.get_by_role("button", name=re.compile(r"^Pay \$")).click()

    # the order, with its timeline
    await expect(page.get_by_text("Thank you! Your order is paid.")).to_be_visible()
    await expect(page.locator(".page-head .badge")).to_have_text("On hold")
    await expect(page.locator(".timeline__step--done")).to_have_count(1)
    await expect(page.locator(".timeline__step--current")).to_contain_text("Paid")
    await snap(browser, page, watch, "buyer-order")

    # cancel during the hold
    await page.get_by_label("Why are you cancelling?").select_option("Changed my mind")
    await page.get_by_role("button", name="Cancel order").click()
    await expect(page.get_by_text("Your order is cancelled.")).to_be_visible()
    await expect(page.locator(".page-head .badge")).to_have_text("Cancelled")
    await expect(page.locator(".timeline__step--cancelled")).to_contain_text(
        "Cancelled by you: Changed my mind"
    )
    await page.get_by_role("link", name="My orders").first.click()
    await expect(page.locator(".order-card")).to_have_count(1)
    await snap(browser, page, watch, "buyer-orders", desktop=False)
    await context.close()
    watch.check()


# 2. A seller applies for a shop, an operator approves it, the seller lists a product with
#    a picture and two variants, receives stock and sees it go live after the audit.


async def test_seller_opens_a_shop_and_lists_a_product(
    browser: Browser,
    http: httpx.AsyncClient,
    rt: Runtime,
    live_server: LiveServer,
    tmp_path: Path,
) -> None:
    operator_email, _ = await _operator(rt, http)
    shop_name = seed.unique("Lantern Goods ")
    watch = Watch(live_server.url)
    seller_context, page = await new_phone(browser, watch)

    await page.goto("/signup")
    await page.get_by_label("Your name").fill("Sam Seller")
    await page.get_by_label("Email").fill(f"{seed.unique('sam')}@lantern.example")
    await page.get_by_label("Password").fill(seed.PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await page.goto("/seller")
    await page.get_by_role("link", name="Apply for a shop").first.click()
    await page.get_by_label("Shop name").fill(shop_name)
    await page.get_by_label("About your shop").fill("Lamps, lanterns and warm light.")
    await page.get_by_label("Registered business name").fill("Lantern Goods LLC")
    await page.get_by_label("Business registration number").fill("US-778812")
    await page.get_by_role("button", name="Send application").click()
    await expect(page.get_by_text("Application sent!")).to_be_visible()
    await expect(page.locator(".page-head .badge")).to_have_text("Pending review")
    shop_url = page.url

    # an operator approves the application
    operator_context, console = await new_phone(browser, watch)
    await _log_in(console, operator_email)
    await expect(console.get_by_role("heading", name=re.compile("Good to see you"))).to_be_visible()
    await console.get_by_role("link", name="Shops").click()
    await expect(console.get_by_role("link", name=shop_name)).to_be_visible()
    await snap(browser, console, watch, "operator-shops")
    await console.get_by_role("link", name=shop_name).click()
    await console.get_by_role("button", name="Approve shop").click()
    await expect(console.get_by_text(f"{shop_name} is approved.")).to_be_visible()
    await operator_context.close()

    # the seller adds a warehouse
    await page.goto(shop_url)
    await expect(page.locator(".page-head .badge")).to_have_text("Active")
    await page.get_by_role("link", name="Warehouses").first.click()
    await page.get_by_label("Name", exact=True).fill("Riverside warehouse")
    await page.get_by_label("Address", exact=True).fill("12 River Road")
    await page.get_by_label("City").fill("Portland")
    await page.get_by_label("Postal code").fill("97201")
    await page.get_by_label("Latitude").fill("45.5152")
    await page.get_by_label("Longitude").fill("-122.6784")
    await page.get_by_role("button", name="Add warehouse").click()
    await expect(page.get_by_text("Warehouse Riverside warehouse added.")).to_be_visible()

    # ... creates a product with a picture and two variants
    picture = tmp_path / "lantern.png"
    picture.write_bytes(product_image("Brass Lantern", shape="bottle", color=(190, 140, 60)))
    await page.get_by_role("link", name="Products").first.click()
    await page.get_by_role("link", name="New product").first.click()
    await page.get_by_label("Title").fill("Brass Table Lantern")
    await page.get_by_label("Description").fill("Hand-finished brass with a frosted glass shade.")
    await page.get_by_label("Category").select_option(label="Home Decor")
    await page.get_by_label("Add pictures").set_input_files(str(picture))
    await page.get_by_label("Option 1 name").fill("Finish")
    await page.get_by_label("SKU code").nth(0).fill("LANTERN-BRASS")
    await page.locator("#f-sku-0-value-0").fill("Brass")
    await page.locator("#f-sku-0-price").fill("64.00")
    await page.get_by_label("SKU code").nth(1).fill("LANTERN-BLACK")
    await page.locator("#f-sku-1-value-0").fill("Matte black")
    await page.locator("#f-sku-1-price").fill("59.50")
    await page.get_by_label("Weight (g)").fill("900")
    await page.get_by_label("Length (cm)").fill("20")
    await page.get_by_label("Width (cm)").fill("20")
    await page.get_by_label("Height (cm)").fill("32")
    await page.get_by_role("button", name="Submit for review").click()
    await expect(page.get_by_text("Product submitted.")).to_be_visible()
    product_url = page.url

    # ... receives stock for the black one
    await page.get_by_role("link", name="Receive stock").nth(1).click()
    await expect(page.get_by_label("Variant").first).to_have_value(re.compile(r"^\d+$"))
    await page.get_by_label("Units received").fill("25")
    await page.get_by_role("button", name="Receive").click()
    await expect(page.get_by_text("Received 25 units")).to_be_visible()
    await expect(page.locator("table")).to_contain_text("Brass Table Lantern")
    await snap(browser, page, watch, "seller-stock")

    # ... and sees it go live once the audit has run
    await page.goto(product_url)
    for _ in range(50):
        if await page.locator(".page-head .badge").inner_text() == "Live":
            break
        await page.wait_for_timeout(200)
        await page.reload()
    await expect(page.locator(".page-head .badge")).to_have_text("Live")
    await snap(browser, page, watch, "seller-product")
    await page.get_by_role("link", name="Products").first.click()
    await expect(page.locator("table")).to_contain_text("Live")
    await snap(browser, page, watch, "seller-products")
    await page.goto(product_url)
    await page.get_by_role("link", name="See it as buyers do").click()
    await expect(page.get_by_role("heading", name="Brass Table Lantern")).to_be_visible()
    await expect(page.locator("#variant-stock")).to_have_text("In stock — choose an option")
    await seller_context.close()
    watch.check()


# 3. An operator approves a shop and takes a product down.


async def test_operator_approves_a_shop_and_takes_a_product_down(
    browser: Browser, http: httpx.AsyncClient, rt: Runtime, live_server: LiveServer
) -> None:
    operator_email, operator = await _operator(rt, http)
    seller = await seed.signup(http, email=f"{seed.unique('kim')}@shop.example", name="Kim")
    live_shop = await seed.shop(
        http, seller, name=seed.unique("Bright Bazaar "), approve_with=operator
    )
    product = await seed.product(
        http,
        seller,
        live_shop["id"],
        title="Glow Desk Lamp",
        shape="box",
        color=(230, 180, 40),
        skus=[sku("LAMP-1", 3900)],
        category_id="504",
    )
    applicant = await seed.signup(http, email=f"{seed.unique('lee')}@shop.example", name="Lee")
    pending_name = seed.unique("Harbour Tea Co ")
    await seed.shop(http, applicant, name=pending_name, approve_with=None)

    watch = Watch(live_server.url)
    context, page = await new_phone(browser, watch)
    await _log_in(page, operator_email)
    await expect(page.get_by_role("heading", name=re.compile("Good to see you"))).to_be_visible()
    await snap(browser, page, watch, "operator-console")

    await page.get_by_role("link", name="Shops").click()
    await page.get_by_role("link", name=pending_name).click()
    await snap(browser, page, watch, "operator-shop")
    await page.get_by_role("button", name="Approve shop").click()
    await expect(page.get_by_text(f"{pending_name} is approved.")).to_be_visible()
    await expect(page.locator(".page-head .badge")).to_have_text("Active")

    await page.get_by_role("link", name="Product audits").click()
    await page.get_by_role("link", name="Passed").click()
    entry = page.locator(".audit", has_text="Glow Desk Lamp")
    await entry.locator("summary", has_text="Take down").click()
    await entry.get_by_label("Reason (the seller sees it)").fill(
        "Listing shows another brand's logo."
    )
    await entry.get_by_role("button", name="Take down product").click()
    await expect(page.get_by_text("Glow Desk Lamp is taken down.")).to_be_visible()
    await page.get_by_role("link", name="Taken down").click()
    await expect(page.locator(".audit", has_text="Glow Desk Lamp")).to_contain_text(
        "Listing shows another brand's logo."
    )
    await snap(browser, page, watch, "operator-audits")
    await page.get_by_role("link", name="Audit log").click()
    await expect(page.locator("table")).to_contain_text("product.platform_deactivate")
    await snap(browser, page, watch, "operator-audit-log", desktop=False)
    await context.close()
    watch.check()

    gone = await http.get(f"/api/v1/products/{product['id']}")
    assert gone.status_code == 404


# 4. A new buyer signs up, opens a live room looping a video, sees the pinned product,
#    chats and likes, buys in a flash deal without leaving the room, pays with a test card
#    and finds the order with its timeline.


async def test_buyer_watches_a_live_and_buys_in_a_flash_deal(
    browser: Browser, http: httpx.AsyncClient, rt: Runtime, live_server: LiveServer
) -> None:
    _, operator = await _operator(rt, http)
    seller = await seed.signup(http, email=f"{seed.unique('nia')}@shop.example", name="Nia")
    shop = await seed.shop(http, seller, name=seed.unique("Linen & Light "), approve_with=operator)
    warehouse = await seed.warehouse(http, seller, shop["id"])
    shirt = await seed.product(
        http,
        seller,
        shop["id"],
        title="Linen Overshirt",
        shape="shirt",
        color=(96, 128, 88),
        skus=[
            sku("LIVE-SAND-M", 4800, Colour="Sand", Size="M"),
            sku("LIVE-SAND-L", 4800, Colour="Sand", Size="L"),
        ],
    )
    hat = await seed.product(
        http,
        seller,
        shop["id"],
        title="Straw Sun Hat",
        shape="box",
        color=(210, 170, 90),
        skus=[sku("LIVE-HAT", 2600)],
        category_id="1005",
    )
    for s in [*shirt["skus"], *hat["skus"]]:
        await seed.stock(http, seller, shop["id"], warehouse["id"], s["id"], 8)
    clip = await seed.video(
        http,
        seller,
        shop["id"],
        title="Linen week teaser",
        data=video_bytes(seconds=2.0, size=(180, 320)),
    )
    r = await http.put(
        f"/api/v1/videos/{clip['id']}/tags",
        json={"tags": [{"product_id": shirt["id"], "at_ms": 0}, {"product_id": hat["id"]}]},
        headers=seed.bearer(seller),
    )
    assert r.status_code == 200, r.text
    room = await seed.live(
        http,
        seller,
        shop["id"],
        title="Linen week: live try-on",
        product_ids=[shirt["id"], hat["id"]],
        loop_video_id=clip["id"],
        pin=shirt["id"],
    )
    await seed.deal(
        http,
        seller,
        room["id"],
        shirt["skus"][0]["id"],
        price_minor=2900,
        stock_cap=5,
        warehouse_id=warehouse["id"],
    )

    watch = Watch(live_server.url)
    context, page = await new_phone(browser, watch)
    await page.goto("/signup")
    await page.get_by_label("Your name").fill("Ada Viewer")
    await page.get_by_label("Email").fill(f"{seed.unique('adav')}@example.com")
    await page.get_by_label("Password").fill(seed.PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_text("Welcome to Hawker, Ada Viewer!")).to_be_visible()

    # the home feed shows the live; the room opens with the pinned product and the deal
    await page.goto("/")
    live_card = page.locator(".lcard", has_text="Linen week: live try-on")
    await expect(live_card).to_be_visible()
    await expect(page.locator("#videos .lcard", has_text="Linen week teaser")).to_be_visible()
    await snap(browser, page, watch, "buyer-home-live")

    # a shoppable video: its product cards show over the picture at their moment
    await page.locator("#videos .lcard", has_text="Linen week teaser").click()
    await expect(page.locator("#watch-cards")).to_contain_text("Linen Overshirt")
    await expect(page.locator("#watch-cards")).to_contain_text("Straw Sun Hat")
    await snap(browser, page, watch, "video")
    await page.goto("/")
    await live_card.click()
    await expect(page.locator("#room-pinned")).to_contain_text("Linen Overshirt")
    deal = page.locator("#room-deal")
    await expect(deal).to_contain_text("$29.00")
    await expect(deal).to_contain_text("5 of 5 left")
    await expect(page.locator("#room-video")).to_have_js_property("paused", False)

    # chat: what a viewer types is shown as text; likes burst and count
    await page.get_by_label("Say something").fill("Is it soft? <b>really</b>")
    await page.get_by_label("Say something").press("Enter")
    await expect(page.locator("#room-comments .comment__text").last).to_have_text(
        "Is it soft? <b>really</b>"
    )
    await page.locator("#room-like").click()
    await page.locator("#room-like").click()
    await expect(page.locator("#room-likes")).to_have_text("2")

    # the bag: a product's options in a sheet, without leaving the room
    await page.locator("#room-bag-open").click()
    await page.locator("#room-bag [data-buy]", has_text="Buy").last.click()
    sheet = page.locator("#buy-sheet")
    await expect(sheet.get_by_role("heading", name="Straw Sun Hat")).to_be_visible()
    await expect(sheet.locator("#buy-price")).to_have_text("$26.00")
    await sheet.get_by_role("button", name="Close").click()
    await snap(browser, page, watch, "live-room")

    # the deal opens (its countdown was 10 s): two taps and an address, then pay in the sheet
    buy = deal.get_by_role("button", name="Buy now")
    await expect(buy).to_be_enabled(timeout=20_000)
    await buy.click()
    sheet = page.locator("#deal-sheet")
    await sheet.get_by_label("Phone").fill("+1 555 0100")
    await sheet.get_by_label("Address", exact=True).fill("1 Market Street")
    await sheet.get_by_label("City").fill("Springfield")
    await sheet.get_by_label("State / region").fill("IL")
    await sheet.get_by_label("Postal code").fill("62701")
    await sheet.get_by_role("button", name="Buy now").click()
    await expect(sheet.get_by_role("heading", name="It's yours — now pay")).to_be_visible()
    await sheet.get_by_label("Card number").fill("4242 4242 4242 4242")
    await sheet.get_by_label("Expiry month").fill("12")
    await sheet.get_by_label("Expiry year").fill("30")
    await sheet.get_by_label("Security code").fill("123")
    await sheet.get_by_role("button", name=re.compile(r"^Pay \$")).click()
    await expect(page.get_by_text("Thank you! Payment received.")).to_be_visible()
    await expect(page.locator("#room-deal")).to_contain_text("4 of 5 left")

    # the order, with its timeline
    await page.goto("/orders")
    await page.locator(".order-card").first.get_by_role("link").first.click()
    await expect(page.locator(".page-head .badge")).to_have_text("On hold")
    await expect(page.locator(".timeline__step--current")).to_contain_text("Paid")
    await expect(page.get_by_text("Linen Overshirt")).to_be_visible()
    await snap(browser, page, watch, "buyer-order-live", desktop=False)

    # the host ends the live: the room offers the replay, whose moments jump to the product
    r = await http.post(f"/api/v1/live/sessions/{room['id']}/end", headers=seed.bearer(seller))
    assert r.status_code == 200, r.text
    await page.goto(f"/live/{room['id']}")
    await page.get_by_role("link", name="Watch the replay").click()
    await expect(page.get_by_role("heading", name="Product moments")).to_be_visible()
    await page.get_by_role("button", name="Jump to Linen Overshirt").click()
    await expect(page.locator("#watch-cards")).to_contain_text("Linen Overshirt")
    await snap(browser, page, watch, "live-replay")
    await context.close()
    watch.check()


# 5. A host creates a product, schedules a live with it, goes live, pins it and starts a
#    flash deal, watching the statistics update in real time.


async def test_host_runs_a_live_from_the_console(
    browser: Browser,
    http: httpx.AsyncClient,
    rt: Runtime,
    live_server: LiveServer,
    tmp_path: Path,
) -> None:
    _, operator = await _operator(rt, http)
    email = f"{seed.unique('hana')}@shop.example"
    seller = await seed.signup(http, email=email, name="Hana Host")
    shop = await seed.shop(http, seller, name=seed.unique("Hana's Hats "), approve_with=operator)
    warehouse = await seed.warehouse(http, seller, shop["id"])

    watch = Watch(live_server.url)
    context, page = await new_phone(browser, watch)
    await _log_in(page, email)
    await page.goto(f"/seller/shops/{shop['id']}/products/new")
    await page.get_by_label("Title").fill("Wide Brim Straw Hat")
    await page.get_by_label("Description").fill("Hand-woven straw with a cotton band.")
    await page.get_by_label("Category").select_option(label="Home Decor")
    picture = tmp_path / "hat.png"
    picture.write_bytes(product_image("Straw Hat", shape="box", color=(210, 170, 90)))
    await page.get_by_label("Add pictures").set_input_files(str(picture))
    await page.get_by_label("SKU code").nth(0).fill("HAT-WIDE")
    await page.locator("#f-sku-0-price").fill("38.00")
    await page.get_by_label("Weight (g)").fill("250")
    await page.get_by_label("Length (cm)").fill("40")
    await page.get_by_label("Width (cm)").fill("40")
    await page.get_by_label("Height (cm)").fill("12")
    await page.get_by_role("button", name="Submit for review").click()
    await expect(page.get_by_text("Product submitted.")).to_be_visible()
    product_id = page.url.rstrip("/").rsplit("/", 1)[1]
    listed = await seed.wait_for_status(http, seller, shop["id"], product_id, "ACTIVATE")
    await seed.stock(http, seller, shop["id"], warehouse["id"], listed["skus"][0]["id"], 30)

    # schedule a live with the hat in its bag, go live, pin the hat
    await page.get_by_role("link", name="Live console").first.click()
    await page.get_by_label("Title").fill("Summer hats, live")
    await page.get_by_label("Wide Brim Straw Hat").check()
    await page.get_by_role("button", name="Schedule live").click()
    await expect(page.get_by_text("Live “Summer hats, live” scheduled.")).to_be_visible()
    await page.locator("details.secret summary").click()
    await expect(page.locator("#stream-key")).to_be_visible()
    await page.get_by_role("button", name="Go live").click()
    await expect(page.get_by_text("You're live!")).to_be_visible()
    await page.get_by_role("button", name="Pin Wide Brim Straw Hat").click()
    await expect(page.get_by_text("Pinned to the top of the room.")).to_be_visible()
    await expect(page.locator(".bag-row.is-pinned")).to_contain_text("Wide Brim Straw Hat")

    # a flash deal on the hat
    await page.get_by_label("Product", exact=True).select_option(index=1)
    await page.get_by_label("Deal price (USD)").fill("19.00")
    await page.get_by_label("Units for the deal").fill("10")
    await page.get_by_label("Countdown (s)").fill("10")
    await page.get_by_role("button", name="Start flash deal").click()
    await expect(page.get_by_text("Flash deal announced")).to_be_visible()
    await expect(page.locator(".deal--console")).to_contain_text("$19.00")

    # the statistics come over the room's socket: the host watching counts
    await expect(page.locator('[data-stat="viewers"]').first).to_have_text("1", timeout=10_000)
    await snap(browser, page, watch, "live-console")
    await context.close()
    watch.check()


# 6. The room's script on its own: how it folds server messages into the room, and how it
#    reconnects (at once after 4008 "lagging", to a fresh snapshot).

FAKE_SOCKET = """
window.__sockets = [];
window.WebSocket = class {
  constructor(url) {
    this.url = url; this.readyState = 1; this.sent = []; window.__sockets.push(this);
  }
  send(data) { this.sent.push(data); }
  close(code, reason) { this.readyState = 3; }
  serve(msg) { this.onmessage({ data: JSON.stringify(msg) }); }
  drop(code, reason) { this.readyState = 3; this.onclose({ code: code, reason: reason }); }
};
"""


async def test_room_script_folds_frames_and_reconnects(
    browser: Browser, live_server: LiveServer
) -> None:
    watch = Watch(live_server.url)
    context, page = await new_phone(browser, watch)
    await page.add_init_script(FAKE_SOCKET)
    await page.goto("/login")
    await page.add_script_tag(url="/static/live.js")
    folded = await page.evaluate(
        """() => {
        const L = window.HawkerLive;
        let s = L.newState();
        s = L.apply(s, {type: "snapshot", seq: 5, session: {status: "LIVE"}, pinned: null, bag: [],
            deal: null, stock: {}, viewers: 3, likes: 10,
            comments: [{id: "1", user: {name: "Bo"}, text: "hi"}], you: null}).state;
        const next = L.apply(s, {type: "frame", seq: 7, viewers: 4,
            comments: [{id: "1", user: {name: "Bo"}, text: "hi"},
                       {id: "2", user: {name: "Cy"}, text: "<b>x</b>"}],
            removed: ["1"], stock: {"9": 2}, pinned: {id: "9", title: "Hat"},
            bought: [{buyer: "Ad***", product: "Hat"}]});
        const stale = L.apply(next.state, {type: "frame", seq: 7, likes: 99});
        const ended = L.apply(next.state, {type: "frame", seq: 8, status: "ENDED", playback: null});
        return {
          viewers: next.state.viewers, comments: next.state.comments.map(c => c.id),
          stock: next.state.stock, pinned: next.state.pinned.id, bought: next.bought.length,
          stale: stale.reconnect, staleLikes: stale.state.likes,
          endedStatus: ended.state.session.status, endedPinned: ended.state.pinned,
          phase: [L.dealPhase({status: "LIVE", remaining: 3, starts_at: "2000-01-01T00:00:00Z",
                               ends_at: "2999-01-01T00:00:00Z"}, Date.now()),
                  L.dealPhase({status: "LIVE", remaining: 0, starts_at: "2000-01-01T00:00:00Z",
                               ends_at: "2999-01-01T00:00:00Z"}, Date.now()),
                  L.dealPhase({status: "COUNTDOWN", remaining: 3, starts_at: "2999-01-01T00:00:00Z",
                               ends_at: "2999-01-02T00:00:00Z"}, Date.now())],
          clock: L.clock(65_000), compact: [L.compact(999), L.compact(3400), L.compact(12500)],
        };
    }"""
    )
    assert folded == {
        "viewers": 4,
        "comments": ["2"],
        "stock": {"9": 2},
        "pinned": "9",
        "bought": 1,
        "stale": True,
        "staleLikes": 10,
        "endedStatus": "ENDED",
        "endedPinned": None,
        "phase": ["LIVE", "ENDED", "COUNTDOWN"],
        "clock": "1:05",
        "compact": ["999", "3400", "12.5K"],
    }
    reconnected = await page.evaluate(
        """async () => {
        const got = [];
        const path = "/api/v1/live/sessions/1/ws";
        window.HawkerLive.connect(path, m => got.push(m.seq), null);
        const first = window.__sockets[0];
        first.serve({type: "snapshot", seq: 1});
        first.drop(4008, "lagging");
        await new Promise(r => setTimeout(r, 400));
        const second = window.__sockets[1];
        second.serve({type: "snapshot", seq: 40});
        second.drop(1000, "ended");
        await new Promise(r => setTimeout(r, 700));
        return {sockets: window.__sockets.length, seqs: got, url: first.url.endsWith(path)};
    }"""
    )
    assert reconnected == {"sockets": 2, "seqs": [1, 40], "url": True}
    await context.close()
    watch.check()
