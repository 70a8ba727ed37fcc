"""Operator console pages: shop review, the product audit queue and the audit log."""

from __future__ import annotations

import httpx

from hawker.models import AuditLog, Shop
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import make_operator, signup
from tests.factories.catalog import make_product
from tests.factories.orders import count_rows, make_listing
from tests.factories.shops import make_shop
from tests.web.pages import as_guest, get, log_in, post, text_of


async def test_review_a_shop_application(client: httpx.AsyncClient, rt: Runtime) -> None:
    seller = await signup(client)
    pending = await make_shop(client, rt, seller, name="Harbour <Tea> Co", active=False)
    operator = await make_operator(rt)
    as_guest(client)
    log_in(client, operator)

    console = text_of(await get(client, "/operator"))
    assert "1 Shop applications" in console
    listing = await get(client, "/operator/shops")
    assert "Harbour &lt;Tea&gt; Co" in listing.text
    url = f"/operator/shops/{pending['id']}"
    page = await get(client, url)
    assert "Approve shop" in page.text
    assert "Reject shop" in page.text
    assert "Suspend shop" not in page.text

    no_reason = await post(client, f"{url}/reject", {"reject-reason": ""}, token_from=url)
    assert no_reason.status_code == 400
    assert "Say why the shop is rejected; the seller sees it." in no_reason.text
    assert (
        await client.get(f"/api/v1/seller/shops/{pending['id']}", headers=seller.headers)
    ).json()["status"] == "PENDING_REVIEW"

    approved = await post(client, f"{url}/approve", {}, token_from=url)
    assert approved.status_code == 303
    page = text_of(await get(client, url))
    assert "Harbour <Tea> Co is approved." in page
    assert "shop.approve" in page
    twice = await post(client, f"{url}/approve", {}, token_from="/operator")
    assert twice.status_code == 409
    assert "A shop that is ACTIVE cannot be approved." in twice.text

    suspended = await post(
        client, f"{url}/suspend", {"suspend-reason": "Counterfeit reports"}, token_from=url
    )
    assert suspended.status_code == 303
    page = text_of(await get(client, url))
    assert "Reason given Counterfeit reports" in page
    reinstated = await post(client, f"{url}/reinstate", {}, token_from=url)
    assert reinstated.status_code == 303
    status = (
        await client.get(f"/api/v1/seller/shops/{pending['id']}", headers=seller.headers)
    ).json()
    assert status["status"] == "ACTIVE"
    unknown = await post(client, f"{url}/explode", {}, token_from=url)
    assert unknown.status_code == 404
    assert await count_rows(rt, Shop) == 1


async def test_take_a_product_down_and_reinstate_it(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_listing(client, rt, runner, title="Glow Desk Lamp")
    failing = await make_product(
        client,
        runner,
        listing.seller,
        listing.shop_id,
        title="Replica watch",
        activate=False,
    )
    await runner.run_until_idle()
    operator = await make_operator(rt)
    as_guest(client)
    log_in(client, operator)

    failed = text_of(await get(client, "/operator/audits?status=FAILED"))
    assert "Replica watch" in failed
    assert 'The title contains the prohibited term "replica".' in failed
    passed = await get(client, "/operator/audits?status=ACTIVATE")
    assert "Glow Desk Lamp" in passed.text
    product_id = listing.product["id"]

    audits_before = await count_rows(rt, AuditLog)
    empty = await post(
        client,
        f"/operator/products/{product_id}/deactivate",
        {"reason-" + product_id: "", "status": "ACTIVATE"},
        token_from="/operator/audits?status=ACTIVATE",
    )
    assert empty.status_code == 400
    assert "Say why the product is taken down; the seller sees it." in empty.text
    assert await count_rows(rt, AuditLog) == audits_before

    down = await post(
        client,
        f"/operator/products/{product_id}/deactivate",
        {"reason-" + product_id: "Shows <another> brand's logo", "status": "ACTIVATE"},
        token_from="/operator/audits?status=ACTIVATE",
    )
    assert down.status_code == 303
    assert down.headers["location"] == "/operator/audits?status=ACTIVATE"
    assert "Glow Desk Lamp is taken down." in (await get(client, down.headers["location"])).text
    assert (await get(client, f"/products/{product_id}")).status_code == 404
    taken = await get(client, "/operator/audits?status=PLATFORM_DEACTIVATED")
    assert "Shows &lt;another&gt; brand&#39;s logo" in taken.text
    seller_view = await client.get(
        f"/api/v1/seller/shops/{listing.shop_id}/products/{product_id}",
        headers=listing.seller.headers,
    )
    assert seller_view.json()["status"] == "PLATFORM_DEACTIVATED"

    back = await post(
        client,
        f"/operator/products/{product_id}/reinstate",
        {"status": "PLATFORM_DEACTIVATED"},
        token_from="/operator/audits?status=PLATFORM_DEACTIVATED",
    )
    assert back.status_code == 303
    assert (await get(client, f"/products/{product_id}")).status_code == 200
    log = text_of(await get(client, "/operator/audit-log?target_type=product"))
    assert "product.platform_deactivate" in log
    assert "product.reinstate" in log
    assert failing["id"] not in log


async def test_audit_log_filters(client: httpx.AsyncClient, rt: Runtime) -> None:
    seller = await signup(client)
    shop = await make_shop(client, rt, seller)
    operator = await make_operator(rt)
    as_guest(client)
    log_in(client, operator)
    page = text_of(
        await get(client, f"/operator/audit-log?target_type=shop&target_id={shop['id']}")
    )
    assert "shop.approve" in page
    none = await get(client, "/operator/audit-log?action=nothing.like.this")
    assert "No entries" in none.text
