"""Error pages for people, JSON errors for the API, and the CSRF check on every form post."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from hawker.web import csrf
from tests.factories.accounts import make_operator, signup
from tests.factories.orders import buy, make_listing
from tests.web.pages import HTML, csrf_token, get, log_in, post, text_of


@pytest.fixture
async def crash_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client that gets the app's 500 answer instead of the exception."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


# Error pages --------------------------------------------------------------------------------


async def test_unknown_page_is_a_friendly_html_404(client: httpx.AsyncClient) -> None:
    r = await get(client, "/no/such/page")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert '<h1 class="error-page__title">Page not found</h1>' in r.text
    assert 'href="/">Go to the home page</a>' in r.text
    assert "Traceback" not in r.text


async def test_the_api_keeps_json_errors(client: httpx.AsyncClient) -> None:
    api = await client.get("/api/v1/products/123", headers=HTML)
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "product_not_found"
    unknown = await client.get("/api/v1/nope", headers=HTML)
    assert unknown.status_code == 404
    assert unknown.json() == {
        "error": {"code": "not_found", "message": "Not Found", "details": None}
    }
    script = await client.get("/no/such/page", headers={"Accept": "application/json"})
    assert script.status_code == 404
    assert script.json()["error"]["code"] == "not_found"


async def test_missing_and_malformed_product_pages_are_404(client: httpx.AsyncClient) -> None:
    for path in ("/products/123456", "/products/not-a-number", "/products/99999999999999999999"):
        r = await get(client, path)
        assert r.status_code == 404, path
        assert "Page not found" in r.text


async def test_error_page_offers_a_way_back_to_where_the_visitor_came_from(
    client: httpx.AsyncClient,
) -> None:
    r = await client.get(
        "/products/42", headers={**HTML, "Referer": "http://testserver/search?q=lamp"}
    )
    assert r.status_code == 404
    assert 'href="/search?q=lamp"' in r.text
    foreign = await client.get(
        "/products/42", headers={**HTML, "Referer": "https://elsewhere.example/x"}
    )
    assert "elsewhere.example" not in foreign.text
    assert "Go back" not in foreign.text


async def test_a_crash_shows_a_500_page_without_details(
    crash_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hawker.web import pages_buyer

    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("secret internals: db password is hunter2")

    monkeypatch.setattr(pages_buyer.catalog, "category_tree", broken)
    r = await crash_client.get("/", headers=HTML)
    assert r.status_code == 500
    assert "Something went wrong" in r.text
    assert "hunter2" not in r.text
    assert "RuntimeError" not in r.text
    assert "Traceback" not in r.text
    api = await crash_client.get("/api/v1/categories", headers=HTML)
    assert api.status_code == 500
    assert api.json()["error"]["code"] == "internal_error"
    assert "hunter2" not in api.text


async def test_pages_that_need_a_login_send_guests_to_log_in(client: httpx.AsyncClient) -> None:
    for path, target in (
        ("/orders?status=unpaid", "/login?next=%2Forders%3Fstatus%3Dunpaid"),
        ("/cart", "/login?next=%2Fcart"),
        ("/seller", "/login?next=%2Fseller"),
        ("/operator/shops", "/login?next=%2Foperator%2Fshops"),
    ):
        r = await get(client, path)
        assert r.status_code == 303, path
        assert r.headers["location"] == target


async def test_operator_console_is_403_for_everyone_else(client: httpx.AsyncClient) -> None:
    buyer = await signup(client)
    log_in(client, buyer)
    for path in ("/operator", "/operator/shops", "/operator/audits", "/operator/audit-log"):
        r = await get(client, path)
        assert r.status_code == 403, path
        assert "Only platform operators may open the console." in r.text


# CSRF ---------------------------------------------------------------------------------------


async def test_a_post_without_a_token_is_refused_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    buyer = await signup(client, market_code="US")
    log_in(client, buyer)
    r = await client.post("/market", data={"market_code": "GB", "next": "/"}, headers=HTML)
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("text/html")
    assert "This form has expired or did not come from a Hawker page." in r.text
    me = await client.get("/api/v1/me", headers=buyer.headers)
    assert me.json()["market_code"] == "US"


async def test_a_token_for_another_visitor_or_tampered_is_refused(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    page = await get(client, "/login")
    token = csrf_token(page)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        await get(other, "/login")  # another visitor, with their own pre-session cookie
        stolen = await other.post(
            "/market", data={"market_code": "GB", "csrf_token": token}, headers=HTML
        )
        assert stolen.status_code == 403
        assert "hawker_market" not in stolen.cookies
    tampered = await client.post(
        "/market", data={"market_code": "GB", "csrf_token": token[:-2] + "xx"}, headers=HTML
    )
    assert tampered.status_code == 403
    ok = await client.post("/market", data={"market_code": "GB", "csrf_token": token}, headers=HTML)
    assert ok.status_code == 303
    assert ok.cookies["hawker_market"] == "GB"


async def test_an_old_token_is_refused(
    client: httpx.AsyncClient, rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    await get(client, "/login")
    presession = client.cookies[csrf.PRESESSION_COOKIE]
    serializer = URLSafeTimedSerializer(rt.settings.secret_key, salt="hawker.web.csrf")
    fresh = serializer.dumps(csrf._digest(presession))
    r = await client.post("/market", data={"market_code": "GB", "csrf_token": fresh}, headers=HTML)
    assert r.status_code == 303
    now = int(time.time())
    with monkeypatch.context() as m:
        m.setattr(TimestampSigner, "get_timestamp", lambda self: now - 13 * 3600)
        old = serializer.dumps(csrf._digest(presession))
    expired = await client.post(
        "/market", data={"market_code": "IE", "csrf_token": old}, headers=HTML
    )
    assert expired.status_code == 403
    assert "hawker_market" not in expired.cookies


async def test_login_and_cancel_without_a_token_change_nothing(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    buyer = await signup(client, email="nocsrf@example.com")
    login = await client.post(
        "/login",
        data={"email": "nocsrf@example.com", "password": "correct horse battery"},
        headers=HTML,
    )
    assert login.status_code == 403
    assert "hawker_session" not in login.cookies

    listing = await make_listing(client, rt, runner)
    order = await buy(client, buyer, listing)
    log_in(client, buyer)
    r = await client.post(
        f"/orders/{order['id']}/cancel", data={"reason": "Changed my mind"}, headers=HTML
    )
    assert r.status_code == 403
    after = await client.get(f"/api/v1/orders/{order['id']}", headers=buyer.headers)
    assert after.json()["status"] == "ON_HOLD"
    page = await post(
        client,
        f"/orders/{order['id']}/cancel",
        {"reason": "Changed my mind"},
        token_from=f"/orders/{order['id']}",
    )
    assert page.status_code == 303
    after = await client.get(f"/api/v1/orders/{order['id']}", headers=buyer.headers)
    assert after.json()["status"] == "CANCELLED"


async def test_every_form_on_a_page_carries_the_token(
    client: httpx.AsyncClient, rt: Runtime
) -> None:
    operator = await make_operator(rt)
    log_in(client, operator)
    for path in ("/", "/account", "/operator/shops"):
        page = await get(client, path)
        forms = page.text.count('method="post"')
        assert forms >= 1, path
        assert page.text.count('name="csrf_token"') == forms, path
    assert "Log out" in text_of(page)
