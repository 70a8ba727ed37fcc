"""Customs through the API: declarations, duty mode, duty tables, and the landed cost at
checkout for cross-border shops."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from hawker.models import AuditLog, OrderCustoms, Payment, StockMovement
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import make_operator, signup
from tests.factories.customs import (
    buy_abroad,
    customs_counts,
    declare,
    make_cross_border_listing,
    place_abroad,
    set_duty_mode,
)
from tests.factories.orders import add_to_cart, count_rows, make_listing


async def quote(client: httpx.AsyncClient, buyer: Any) -> dict[str, Any]:
    r = await client.get("/api/v1/cart/quote", headers=buyer.headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_sellers_declare_their_goods_and_bad_declarations_change_nothing(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_cross_border_listing(client, rt, runner)
    product_id = listing.product["id"]
    base = f"/api/v1/seller/shops/{listing.shop_id}"

    r = await client.get(f"{base}/products/{product_id}/customs", headers=listing.seller.headers)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "customs_profile_not_found"
    r = await client.get(f"{base}/customs/products?missing=true", headers=listing.seller.headers)
    assert [p["product_id"] for p in r.json()["items"]] == [product_id]
    assert r.json()["items"][0]["customs"] is None

    before = await customs_counts(rt)
    refused = [
        ({"hs_code": "61091"}, 400, "invalid_hs_code"),
        ({"hs_code": "9900.00"}, 400, "invalid_hs_code"),
        ({"declared_currency": "CAD"}, 400, "declared_currency_unsupported"),
        ({"declared_value_minor": 0}, 422, "validation_error"),
        ({"description_en": "棉质T恤"}, 422, "validation_error"),
        ({"origin_country": "China"}, 422, "validation_error"),
    ]
    for body, status, code in refused:
        r = await declare(client, listing, **body)
        assert r.status_code == status, (body, r.text)
        assert r.json()["error"]["code"] == code
    assert r.status_code == 422
    details = (await declare(client, listing, declared_currency="CAD")).json()["error"]["details"]
    assert details["allowed"] == ["CNY", "EUR", "GBP", "JPY", "USD"]
    assert await customs_counts(rt) == before

    r = await declare(client, listing)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["customs"] == {
        "product_id": product_id,
        "hs_code": "61091000",
        "hs_chapter": "61",
        "declared_value": {
            "amount_minor": 1500,
            "currency": "USD",
            "amount": "15.00",
            "formatted": "US$15.00",
        },
        "origin_country": "CN",
        "description_en": "Cotton T-shirt",
        "updated_at": body["customs"]["updated_at"],
    }
    # replacing keeps one declaration; the origin defaults to the product's
    r = await declare(client, listing, origin_country=None, declared_value_minor=1800)
    assert r.json()["customs"]["origin_country"] == "US"
    assert r.json()["customs"]["declared_value"]["amount_minor"] == 1800
    assert await count_rows(rt, OrderCustoms) == 0
    r = await client.get(f"{base}/customs/products?missing=true", headers=listing.seller.headers)
    assert r.json()["items"] == []

    # another seller, a local shop
    stranger = await signup(client, market_code="GB")
    r = await client.put(
        f"{base}/products/{product_id}/customs",
        json={
            "hs_code": "610910",
            "declared_value_minor": 1,
            "declared_currency": "GBP",
            "description_en": "Shirt",
        },
        headers=stranger.headers,
    )
    assert r.status_code == 404 and r.json()["error"]["code"] == "shop_not_found"
    local = await make_listing(client, rt, runner)
    r = await client.put(
        f"/api/v1/seller/shops/{local.shop_id}/products/{local.product['id']}/customs",
        json={
            "hs_code": "610910",
            "declared_value_minor": 1,
            "declared_currency": "USD",
            "description_en": "Shirt",
        },
        headers=local.seller.headers,
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "shop_not_cross_border"
    r = await client.delete(f"{base}/products/{product_id}/customs", headers=stranger.headers)
    assert r.status_code == 404
    r = await client.get(f"{base}/products/{product_id}/customs", headers=listing.seller.headers)
    assert r.json()["customs"]["declared_value"]["amount_minor"] == 1800

    r = await client.delete(f"{base}/products/{product_id}/customs", headers=listing.seller.headers)
    assert r.status_code == 204
    r = await client.delete(f"{base}/products/{product_id}/customs", headers=listing.seller.headers)
    assert r.status_code == 404


async def test_checkout_charges_the_landed_cost_for_ddp_and_shows_ddu_duties(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_cross_border_listing(client, rt, runner, price_minor=1999, stock=30)
    buyer = await signup(client, market_code="GB")
    r = await add_to_cart(client, buyer, listing.sku_id, 12)
    assert r.status_code == 200, r.text

    # not declared yet: the quote says so and the order is refused, nothing reserved
    (shop,) = (await quote(client, buyer))["shops"]
    assert shop["duties"]["missing_customs_profiles"] == [listing.product["id"]]
    assert shop["duties"]["total"] is None
    assert shop["total"]["amount_minor"] == 23988
    movements = await count_rows(rt, StockMovement)
    r = await place_abroad(client, buyer, listing, 12)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "customs_profile_required"
    assert r.json()["error"]["details"]["product_ids"] == [listing.product["id"]]
    counts = await customs_counts(rt)
    assert (counts["orders"], counts["order_customs"], counts["customs_profiles"]) == (0, 0, 0)
    assert await count_rows(rt, StockMovement) == movements

    # declared at USD 15.00 a unit: 12 × 15.00 × 0.79 = GBP 142.20, above GBP 135
    assert (await declare(client, listing)).status_code == 200
    (shop,) = (await quote(client, buyer))["shops"]
    duties = shop["duties"]
    assert duties["duty_mode"] == "DDP"
    assert duties["customs_value"]["amount_minor"] == 14220
    assert duties["de_minimis"]["amount_minor"] == 13500
    assert duties["below_de_minimis"] is False
    assert duties["duty"]["amount_minor"] == 1706  # 12 % of 142.20
    assert duties["import_tax"]["amount_minor"] == 341  # 20 % VAT on the duty
    assert duties["total"]["amount_minor"] == 2047
    assert duties["charged"]["formatted"] == "£20.47"
    assert duties["payable_on_delivery"] is None
    assert duties["lines"][0]["rate"] == "0.12"
    assert shop["subtotal"]["amount_minor"] == 23988
    assert shop["tax"]["amount_minor"] == 3998 and shop["tax_included"] is True
    assert shop["total"]["amount_minor"] == 26035

    placed = await buy_abroad(client, buyer, listing, 12)
    (order,) = placed["orders"]
    assert order["payment"]["total_amount"]["amount_minor"] == 26035
    assert placed["total"]["amount_minor"] == 26035
    (entry,) = placed["duties"]
    assert entry["order_id"] == order["id"]
    assert entry["duties"]["total"]["amount_minor"] == 2047
    assert entry["duties"]["lines"][0]["hs_code"] == "61091000"
    assert entry["duties"]["lines"][0]["quantity"] == 12
    async with rt.db.read_session() as s:
        row = (await s.scalars(select(OrderCustoms))).one()
        payment = (await s.scalars(select(Payment))).one()
    assert (row.duty_mode, row.customs_value_minor, row.duty_minor, row.import_tax_minor) == (
        "DDP",
        14220,
        1706,
        341,
    )
    assert row.charged is True and row.de_minimis_minor == 13500
    assert row.items[0]["description"] == "Cotton T-shirt"
    assert payment.amount_minor == 26035  # the buyer paid the landed cost

    # DDU: the same duties, payable on delivery and not in the total
    assert (await set_duty_mode(client, listing, "DDU")).status_code == 200
    await add_to_cart(client, buyer, listing.sku_id, 12)
    (shop,) = (await quote(client, buyer))["shops"]
    assert shop["duties"]["duty_mode"] == "DDU"
    assert shop["duties"]["charged"]["amount_minor"] == 0
    assert shop["duties"]["payable_on_delivery"]["amount_minor"] == 2047
    assert shop["total"]["amount_minor"] == 23988

    # one unit is below the de-minimis value: no duty at all
    await client.patch(
        f"/api/v1/cart/items/{listing.sku_id}", json={"quantity": 1}, headers=buyer.headers
    )
    (shop,) = (await quote(client, buyer))["shops"]
    assert shop["duties"]["customs_value"]["amount_minor"] == 1185
    assert shop["duties"]["below_de_minimis"] is True
    assert shop["duties"]["total"]["amount_minor"] == 0
    assert shop["duties"]["payable_on_delivery"] is None


async def test_local_shops_have_no_duties(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_listing(client, rt, runner)
    buyer = await signup(client)
    await add_to_cart(client, buyer, listing.sku_id, 2)
    (shop,) = (await quote(client, buyer))["shops"]
    assert shop["duties"] is None
    r = await client.get(
        f"/api/v1/seller/shops/{listing.shop_id}/customs", headers=listing.seller.headers
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "shop_not_cross_border"


async def test_shop_duty_mode_is_for_owners(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_cross_border_listing(client, rt, runner, stock=0)
    base = f"/api/v1/seller/shops/{listing.shop_id}/customs"
    r = await client.get(base, headers=listing.seller.headers)
    assert r.status_code == 200
    body = r.json()
    assert body["duty_mode"] == "DDP"  # the default for cross-border shops
    assert body["seller_type"] == "CROSS_BORDER"
    table = body["duty_table"]
    assert (table["market_code"], table["source"], table["default_rate"]) == (
        "GB",
        "reference",
        "0.04",
    )
    assert table["de_minimis"]["amount_minor"] == 13500
    assert {"hs_chapter": "61", "rate": "0.12"} in table["chapter_rates"]
    assert table["import_vat"].startswith("market VAT rate on the duty")

    staff = await signup(client, market_code="GB")
    r = await client.post(
        f"/api/v1/seller/shops/{listing.shop_id}/members",
        json={"email": staff.email},
        headers=listing.seller.headers,
    )
    assert r.status_code == 201, r.text
    before = await customs_counts(rt)
    r = await client.put(base, json={"duty_mode": "DDU"}, headers=staff.headers)
    assert r.status_code == 403
    r = await client.put(base, json={"duty_mode": "CIF"}, headers=listing.seller.headers)
    assert r.status_code == 422
    assert await customs_counts(rt) == before
    r = await client.get(base, headers=staff.headers)
    assert r.json()["duty_mode"] == "DDP"

    r = await client.put(base, json={"duty_mode": "DDU"}, headers=listing.seller.headers)
    assert r.status_code == 200 and r.json()["duty_mode"] == "DDU"
    r = await client.put(base, json={"duty_mode": "DDP"}, headers=listing.seller.headers)
    assert r.json()["duty_mode"] == "DDP"
    assert (await customs_counts(rt))["shop_customs"] == 1
    async with rt.db.read_session() as s:
        entries = (
            await s.scalars(
                select(AuditLog)
                .where(AuditLog.action == "customs.duty_mode_set")
                .order_by(AuditLog.id)
            )
        ).all()
    assert [(e.actor_id, e.target_id, e.details) for e in entries] == [
        (listing.seller.user_id, int(listing.shop_id), {"before": "DDP", "after": "DDU"}),
        (listing.seller.user_id, int(listing.shop_id), {"before": "DDU", "after": "DDP"}),
    ]


async def test_operators_replace_duty_tables_and_checkout_follows(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_cross_border_listing(client, rt, runner)
    assert (
        await declare(client, listing, declared_value_minor=2000, declared_currency="GBP")
    ).status_code == 200
    buyer = await signup(client, market_code="GB")
    await add_to_cart(client, buyer, listing.sku_id, 10)  # GBP 200.00 declared
    assert (await quote(client, buyer))["shops"][0]["duties"]["duty"]["amount_minor"] == 2400

    operator = await make_operator(rt)
    url = "/api/v1/operator/customs/duty-tables/GB"
    table = {
        "de_minimis_minor": 25000,
        "default_rate": "0.05",
        "chapter_rates": [{"hs_chapter": "61", "rate": "0.10"}],
        "exchange_rates": [{"currency": "USD", "rate": "0.80"}],
    }
    before = await customs_counts(rt)
    r = await client.put(url, json=table, headers=buyer.headers)
    assert r.status_code == 403
    for bad in (
        {**table, "chapter_rates": [{"hs_chapter": "99", "rate": "0.1"}]},
        {**table, "chapter_rates": [{"hs_chapter": "61", "rate": "0.1"}] * 2},
        {**table, "exchange_rates": [{"currency": "GBP", "rate": "1"}]},
    ):
        r = await client.put(url, json=bad, headers=operator.headers)
        assert r.status_code == 400, r.text
        assert r.json()["error"]["code"] == "invalid_duty_table"
    r = await client.put(url, json={**table, "default_rate": "-1"}, headers=operator.headers)
    assert r.status_code == 422
    r = await client.put(
        "/api/v1/operator/customs/duty-tables/XX", json=table, headers=operator.headers
    )
    assert r.status_code == 404
    assert await customs_counts(rt) == before

    r = await client.put(url, json=table, headers=operator.headers)
    assert r.status_code == 200, r.text
    assert r.json()["source"] == "operator"
    assert r.json()["exchange_rates"] == [{"currency": "USD", "rate": "0.80"}]
    async with rt.db.read_session() as s:
        entry = (
            await s.scalars(
                select(AuditLog).where(AuditLog.action == "customs.duty_table_replaced")
            )
        ).one()
    assert entry.actor_id == operator.user_id
    assert entry.details["market_code"] == "GB"
    assert entry.details["before"] is None
    assert entry.details["after"]["de_minimis_minor"] == 25000

    # GBP 200.00 is now below the de-minimis value of GBP 250
    duties = (await quote(client, buyer))["shops"][0]["duties"]
    assert duties["below_de_minimis"] is True and duties["total"]["amount_minor"] == 0
    await client.patch(
        f"/api/v1/cart/items/{listing.sku_id}", json={"quantity": 15}, headers=buyer.headers
    )
    duties = (await quote(client, buyer))["shops"][0]["duties"]
    assert duties["duty"]["amount_minor"] == 3000  # 10 % of 300.00
    assert duties["import_tax"]["amount_minor"] == 600

    # anyone may read it; the operators' list covers every market
    r = await client.get("/api/v1/customs/duty-tables/gb")
    assert r.status_code == 200 and r.json()["de_minimis"]["amount_minor"] == 25000
    r = await client.get("/api/v1/operator/customs/duty-tables", headers=operator.headers)
    by_market = {t["market_code"]: t for t in r.json()}
    assert by_market["GB"]["source"] == "operator"
    assert by_market["US"]["source"] == "reference"
    assert by_market["DE"]["de_minimis"]["amount_minor"] == 15000


async def test_a_declaration_the_duty_table_cannot_convert_blocks_the_order(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_cross_border_listing(client, rt, runner)
    assert (await declare(client, listing, declared_currency="USD")).status_code == 200
    operator = await make_operator(rt)
    r = await client.put(
        "/api/v1/operator/customs/duty-tables/GB",
        json={"de_minimis_minor": 0, "default_rate": "0.04"},
        headers=operator.headers,
    )
    assert r.status_code == 200
    buyer = await signup(client, market_code="GB")
    await add_to_cart(client, buyer, listing.sku_id, 1)
    duties = (await quote(client, buyer))["shops"][0]["duties"]
    assert duties["unconvertible_currencies"] == ["USD"]
    r = await place_abroad(client, buyer, listing, 1)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "customs_rate_missing"
    assert (await customs_counts(rt))["orders"] == 0
