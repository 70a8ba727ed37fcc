"""The buyer's pages: sign up and log in, the market switcher, home, search, product pages,
escaping of what sellers type, and the back links."""

from __future__ import annotations

import re

import httpx
import pytest

from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.catalog import make_product
from tests.factories.orders import make_listing, receive
from tests.web.pages import HTML, as_guest, get, log_in, post, text_of

SCRIPT = "<script>alert('pwned')</script>"


# Accounts -----------------------------------------------------------------------------------


async def test_sign_up_sets_the_api_session_cookie(client: httpx.AsyncClient) -> None:
    r = await post(
        client,
        "/signup",
        {
            "display_name": "Ada",
            "email": "Ada@Example.com",
            "password": "correct horse battery",
            "market_code": "GB",
            "next": "/orders",
        },
        token_from="/signup",
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/orders"
    token = r.cookies["hawker_session"]
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["email"] == "ada@example.com"
    assert me.json()["market_code"] == "GB"
    page = await get(client, "/orders")
    assert "Welcome to Hawker, Ada!" in page.text
    assert "GB · GBP" in page.text


async def test_sign_up_errors_sit_next_to_fields_and_keep_the_input(
    client: httpx.AsyncClient,
) -> None:
    r = await post(
        client,
        "/signup",
        {"display_name": "Ada <b>", "email": "not-an-email", "password": "short", "next": ""},
        token_from="/signup",
    )
    assert r.status_code == 400
    assert 'id="e-email"' in r.text
    assert 'id="e-password"' in r.text
    assert "String should have at least 8 characters" in r.text
    assert 'value="Ada &lt;b&gt;"' in r.text
    assert "short" not in re.findall(r'value="([^"]*)"', r.text)
    assert "hawker_session" not in r.cookies

    await signup(client, email="taken@example.com")
    as_guest(client)
    taken = await post(
        client,
        "/signup",
        {"display_name": "B", "email": "TAKEN@example.com", "password": "long enough pw"},
        token_from="/signup",
    )
    assert taken.status_code == 409
    assert "An account with this email already exists." in taken.text


async def test_log_in_wrong_password_then_right_then_log_out(client: httpx.AsyncClient) -> None:
    await signup(client, email="eve@example.com", display_name="Eve")
    as_guest(client)
    wrong = await post(
        client, "/login", {"email": "eve@example.com", "password": "nope"}, token_from="/login"
    )
    assert wrong.status_code == 401
    assert "That email and password don&#39;t match an account." in wrong.text
    assert 'value="eve@example.com"' in wrong.text
    right = await post(
        client,
        "/login",
        {"email": "eve@example.com", "password": "correct horse battery", "next": "//evil.example"},
        token_from="/login",
    )
    assert right.status_code == 303
    assert right.headers["location"] == "/"
    token = right.cookies["hawker_session"]
    out = await post(client, "/logout", {}, token_from="/account")
    assert out.status_code == 303
    gone = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert gone.status_code == 401
    assert "hawker_session" not in client.cookies


async def test_market_switcher_uses_the_profile_or_a_cookie(client: httpx.AsyncClient) -> None:
    guest = await post(client, "/market", {"market_code": "DE", "next": "/search"})
    assert guest.status_code == 303
    assert guest.headers["location"] == "/search"
    assert guest.cookies["hawker_market"] == "DE"
    page = await get(client, "/search")
    assert "Germany · prices in EUR" in text_of(page)

    buyer = await signup(client, market_code="US")
    as_guest(client)
    log_in(client, buyer)
    r = await post(client, "/market", {"market_code": "jp", "next": "https://evil.example/"})
    assert r.status_code == 303
    assert r.headers["location"] == "/"
    me = await client.get("/api/v1/me", headers=buyer.headers)
    assert me.json()["market_code"] == "JP"
    bad = await post(client, "/market", {"market_code": "XX"})
    assert bad.status_code == 303
    me = await client.get("/api/v1/me", headers=buyer.headers)
    assert me.json()["market_code"] == "JP"


# Browsing -----------------------------------------------------------------------------------


async def test_home_shows_the_markets_products_in_its_currency(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    us = await make_listing(client, rt, runner, title="Denim Jacket", price_minor=6500)
    gb = await make_listing(
        client, rt, runner, market_code="GB", title="Wool Scarf", price_minor=2450
    )
    as_guest(client)
    home = text_of(await get(client, "/"))
    assert "Denim Jacket $65.00" in home
    assert "Wool Scarf" not in home
    assert "No one is live right now" in home
    assert "No videos yet" in home
    client.cookies.set("hawker_market", "GB")
    home = text_of(await get(client, "/"))
    assert "Wool Scarf £24.50" in home
    assert "Denim Jacket" not in home
    assert us.shop["name"] not in home
    assert gb.shop["name"] in home


async def test_seller_text_is_escaped_everywhere(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_listing(client, rt, runner, title=f"Lamp {SCRIPT}")
    as_guest(client)
    product_id = listing.product["id"]
    for path in ("/", "/search?q=lamp", f"/products/{product_id}", f"/shops/{listing.shop_id}"):
        page = await get(client, path)
        assert page.status_code == 200, path
        assert SCRIPT not in page.text, path
        assert "Lamp &lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in page.text, path
    search = await get(client, f"/search?q={SCRIPT}")
    assert SCRIPT not in search.text
    assert "&lt;script&gt;" in search.text


async def test_search_filters_sort_and_pages(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hawker.web import pages_buyer

    listing = await make_listing(client, rt, runner, title="Cotton Tee", price_minor=1500)
    for title, price in (("Cotton Hoodie", 4500), ("Cotton Socks", 900)):
        await make_product(
            client, runner, listing.seller, listing.shop_id, title=title, price_minor=price
        )
    cheap_first = text_of(await get(client, "/search?q=cotton&sort=price_asc"))
    assert cheap_first.index("Cotton Socks") < cheap_first.index("Cotton Tee")
    assert cheap_first.index("Cotton Tee") < cheap_first.index("Cotton Hoodie")
    ranged = text_of(await get(client, "/search?q=cotton&min=10&max=20"))
    assert "Cotton Tee $15.00" in ranged
    assert "Cotton Hoodie" not in ranged
    assert "Cotton Socks" not in ranged
    wrong = await get(client, "/search?min=abc&max=1.999")
    assert wrong.status_code == 400
    assert "Enter a price as a number, like 19.99." in wrong.text
    assert "USD prices have 2 decimal places at most." in wrong.text
    shirts = text_of(await get(client, "/search?category=2"))  # Menswear and below
    assert "Cotton Hoodie" in shirts
    none = await get(client, "/search?category=3")
    assert "No products found" in none.text

    monkeypatch.setattr(pages_buyer, "PAGE_SIZE", 2)
    first = await get(client, "/search?q=cotton&sort=price_desc")
    found = re.search(r'href="(/search\?[^"]*cursor=[^"]+)" rel="next"', first.text)
    assert found is not None
    assert "Cotton Socks" not in text_of(first)
    second = await get(client, found.group(1).replace("&amp;", "&"))
    assert "Cotton Socks" in text_of(second)
    assert "First page" in second.text
    assert 'rel="next"' not in second.text


async def test_product_page_variants_stock_and_back_link(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_listing(client, rt, runner, stock=0)
    product = await make_product(
        client,
        runner,
        listing.seller,
        listing.shop_id,
        title="Rain Jacket",
        skus=[
            {
                "seller_sku": "RJ-RED-M",
                "sales_attributes": [
                    {"name": "Colour", "value_name": "Red"},
                    {"name": "Size", "value_name": "M"},
                ],
                "price_minor": 8000,
            },
            {
                "seller_sku": "RJ-BLUE-L",
                "sales_attributes": [
                    {"name": "Colour", "value_name": "Blue"},
                    {"name": "Size", "value_name": "L"},
                ],
                "price_minor": 8500,
            },
        ],
    )
    listing.product = product
    await receive(client, listing, 3)  # the first SKU (Red / M)
    back = "/search?q=jacket&sort=price_asc"
    page = await get(client, f"/products/{product['id']}?back={back.replace('&', '%26')}")
    text = text_of(page)
    assert "Rain Jacket $80.00 – $85.00" in text
    assert "Colour Red Blue Size M L" in text
    assert "Red / M $80.00 3 left" in text
    assert "Blue / L $85.00 Sold out" in text
    assert f'href="{back.replace("&", "&amp;")}"' in page.text
    assert listing.shop["name"] in text
    evil = await get(client, f"/products/{product['id']}?back=//evil.example/")
    assert 'class="back-link" href="/"' in evil.text


async def test_shop_page_lists_its_products(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_listing(client, rt, runner, title="Clay Vase")
    page = await get(client, f"/shops/{listing.shop_id}")
    assert page.status_code == 200
    assert "Clay Vase" in text_of(page)
    missing = await get(client, "/shops/12345")
    assert missing.status_code == 404


async def test_pages_send_security_headers(client: httpx.AsyncClient) -> None:
    r = await client.get("/", headers=HTML)
    assert r.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    css = await client.get("/static/hawker.css")
    assert css.status_code == 200
    assert "--color-accent" in css.text
    assert (await client.get("/static/nope.css")).status_code == 404
