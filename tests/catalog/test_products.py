"""Seller center products: create, audit, edit, prices, status changes, validation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hawker.catalog.service import lowest_price_since, run_audit
from hawker.kit.clock import FrozenClock
from hawker.models import PriceHistory, ProductAudit
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import Actor, signup
from tests.factories.catalog import (
    catalog_counts,
    make_product,
    outbox_events,
    product_payload,
    upload_image,
)
from tests.factories.shops import make_shop, make_warehouse

pytestmark = pytest.mark.usefixtures("categories")


async def seller(
    client: httpx.AsyncClient, rt: Runtime, market_code: str = "US"
) -> tuple[Actor, dict[str, Any]]:
    owner = await signup(client, market_code=market_code)
    return owner, await make_shop(client, rt, owner, market_code=market_code)


def products_url(shop: dict[str, Any], product_id: str | None = None, tail: str = "") -> str:
    base = f"/api/v1/seller/shops/{shop['id']}/products"
    return base + (f"/{product_id}" if product_id else "") + tail


def update_body(product: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The PUT body that leaves `product` as it is, with `changes` applied."""
    body = {
        "title": product["title"],
        "description": product["description"],
        "category_id": product["category_id"],
        "brand": product["brand"],
        "package_weight_g": product["package_weight_g"],
        "package_length_cm": product["package_length_cm"],
        "package_width_cm": product["package_width_cm"],
        "package_height_cm": product["package_height_cm"],
        "origin_country": product["origin_country"],
        "image_ids": [i["id"] for i in product["images"]],
        "skus": [
            {
                "id": s["id"],
                "seller_sku": s["seller_sku"],
                "sales_attributes": s["sales_attributes"],
                "price_minor": s["price"]["amount_minor"],
            }
            for s in product["skus"]
        ],
    }
    body.update(changes)
    return body


async def audits(rt: Runtime, product_id: str) -> list[tuple[int, str, list[str], str | None]]:
    async with rt.db.read_session() as s:
        q = (
            select(ProductAudit)
            .where(ProductAudit.product_id == int(product_id))
            .order_by(ProductAudit.id)
        )
        return [
            (a.product_version, a.status, list(a.reasons), a.decided_by)
            for a in (await s.scalars(q)).all()
        ]


async def prices(rt: Runtime, sku_id: str) -> list[int]:
    async with rt.db.read_session() as s:
        q = (
            select(PriceHistory.price_minor)
            .where(PriceHistory.sku_id == int(sku_id))
            .order_by(PriceHistory.effective_at, PriceHistory.id)
        )
        return list((await s.scalars(q)).all())


TWO_SKUS = [
    {
        "seller_sku": "LS-RED-M",
        "sales_attributes": [
            {"name": "Colour", "value_name": "Red"},
            {"name": "Size", "value_name": "M"},
        ],
        "price_minor": 2500,
    },
    {
        "seller_sku": "LS-BLUE-L",
        "sales_attributes": [
            {"name": "Colour", "value_name": "Blue"},
            {"name": "Size", "value_name": "L"},
        ],
        "price_minor": 1999,
    },
]


async def test_create_goes_pending_then_the_audit_activates_it(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    owner, shop = await seller(client, rt)
    image = await upload_image(client, owner, shop["id"])
    payload = product_payload(
        title="  Linen Shirt ", brand="Acme", image_ids=[image["id"]], skus=TWO_SKUS
    )
    r = await client.post(products_url(shop), json=payload, headers=owner.headers)
    assert r.status_code == 201, r.text
    p = r.json()
    assert p["title"] == "Linen Shirt"
    assert p["status"] == "PENDING"
    assert p["version"] == 1
    assert p["shop_id"] == shop["id"]
    assert p["currency"] == "USD"
    assert p["min_price"]["amount_minor"] == 1999
    assert p["max_price"] == {
        "amount_minor": 2500,
        "currency": "USD",
        "amount": "25.00",
        "formatted": "$25.00",
    }
    assert [i["id"] for i in p["images"]] == [image["id"]]
    assert [(s["seller_sku"], s["name"], s["available"]) for s in p["skus"]] == [
        ("LS-RED-M", "Red / M", 0),
        ("LS-BLUE-L", "Blue / L", 0),
    ]
    assert p["audit"]["status"] == "PENDING"
    assert p["audit"]["decided_by"] is None
    assert await outbox_events(rt, "product.audit_requested") == [
        {"product_id": p["id"], "version": 1}
    ]
    hidden = await client.get(f"/api/v1/products/{p['id']}")
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "product_not_found"

    await runner.run_until_idle()
    r = await client.get(products_url(shop, p["id"]), headers=owner.headers)
    live = r.json()
    assert live["status"] == "ACTIVATE"
    assert live["audit_reasons"] == []
    assert live["audit"]["status"] == "ACTIVATE"
    assert live["audit"]["decided_by"] == "auto"
    assert live["audit"]["decided_at"] == "2026-01-05T09:00:00Z"
    assert await outbox_events(rt, "product.status_changed") == [
        {"product_id": p["id"], "shop_id": shop["id"], "status": "ACTIVATE", "reasons": []}
    ]
    public = await client.get(f"/api/v1/products/{p['id']}")
    assert public.status_code == 200
    assert public.json()["title"] == "Linen Shirt"

    # Running the audit again changes nothing.
    before = await catalog_counts(rt)
    async with rt.db.session() as s:
        assert await run_audit(s, int(p["id"]), 1, settings=rt.settings, now=clock.now()) is None
    assert await catalog_counts(rt) == before
    assert await audits(rt, p["id"]) == [(1, "ACTIVATE", [], "auto")]


@pytest.mark.parametrize(
    ("changes", "reasons"),
    [
        ({"title": "Replica Linen Shirt"}, ['The title contains the prohibited term "replica".']),
        (
            {"description": "Looks like ivory. Not a KNOCKOFF."},
            [
                'The description contains the prohibited term "knockoff".',
                'The description contains the prohibited term "ivory".',
            ],
        ),
        ({"brand": "Stolen Goods Ltd"}, ['The brand contains the prohibited term "stolen".']),
        ({"title": "Tee"}, ["The title must be 5 to 255 characters long (it has 3)."]),
        ({"description": ""}, ["A description is required."]),
        ({"image_ids": []}, ["At least one image is required."]),
    ],
)
async def test_the_audit_fails_a_listing_with_reasons(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    changes: dict[str, Any],
    reasons: list[str],
) -> None:
    owner, shop = await seller(client, rt)
    image = await upload_image(client, owner, shop["id"])
    payload = {**product_payload(image_ids=[image["id"]]), **changes}
    r = await client.post(products_url(shop), json=payload, headers=owner.headers)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    await runner.run_until_idle()
    p = (await client.get(products_url(shop, pid), headers=owner.headers)).json()
    assert p["status"] == "FAILED"
    assert p["audit_reasons"] == reasons
    assert p["audit"]["status"] == "FAILED"
    assert p["audit"]["reasons"] == reasons
    assert await outbox_events(rt, "product.status_changed") == [
        {"product_id": pid, "shop_id": shop["id"], "status": "FAILED", "reasons": reasons}
    ]
    assert (await client.get(f"/api/v1/products/{pid}")).status_code == 404


async def test_prohibited_term_in_a_sales_attribute(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    owner, shop = await seller(client, rt)
    skus = [
        {
            "seller_sku": "IV-1",
            "sales_attributes": [{"name": "Material", "value_name": "Ivory"}],
            "price_minor": 500,
        }
    ]
    r = await client.post(
        products_url(shop),
        json=product_payload(
            image_ids=[(await upload_image(client, owner, shop["id"]))["id"]], skus=skus
        ),
        headers=owner.headers,
    )
    await runner.run_until_idle()
    p = (await client.get(products_url(shop, r.json()["id"]), headers=owner.headers)).json()
    assert p["status"] == "FAILED"
    assert p["audit_reasons"] == ['The sales attributes contains the prohibited term "ivory".']


async def test_a_material_edit_goes_back_to_audit(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    owner, shop = await seller(client, rt)
    p = await make_product(client, runner, owner, shop["id"])
    r = await client.put(
        products_url(shop, p["id"]),
        json=update_body(p, title="Linen Shirt, relaxed fit"),
        headers=owner.headers,
    )
    assert r.status_code == 200, r.text
    edited = r.json()
    assert edited["status"] == "PENDING"
    assert edited["version"] == 2
    assert edited["audit"]["product_version"] == 2
    assert edited["audit"]["status"] == "PENDING"
    assert (await client.get(f"/api/v1/products/{p['id']}")).status_code == 404
    assert await outbox_events(rt, "product.audit_requested") == [
        {"product_id": p["id"], "version": 1},
        {"product_id": p["id"], "version": 2},
    ]
    await runner.run_until_idle()
    again = (await client.get(products_url(shop, p["id"]), headers=owner.headers)).json()
    assert again["status"] == "ACTIVATE"
    assert again["title"] == "Linen Shirt, relaxed fit"
    assert await audits(rt, p["id"]) == [(1, "ACTIVATE", [], "auto"), (2, "ACTIVATE", [], "auto")]


@pytest.mark.parametrize(
    "change",
    [
        {"description": "Now with pockets."},
        {"brand": "Acme"},
        {"category_id": "202"},
        {"package_weight_g": 300},
        {"package_height_cm": 6},
        {"origin_country": "PT"},
        {"image_ids": []},
    ],
)
async def test_each_material_field_bumps_the_version(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, change: dict[str, Any]
) -> None:
    owner, shop = await seller(client, rt)
    p = await make_product(client, runner, owner, shop["id"])
    r = await client.put(
        products_url(shop, p["id"]), json=update_body(p, **change), headers=owner.headers
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["version"]) == ("PENDING", 2)


async def test_sku_changes_are_material(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    owner, shop = await seller(client, rt)
    p = await make_product(client, runner, owner, shop["id"], skus=TWO_SKUS)
    red, blue = p["skus"]
    # Changing an attribute value.
    body = update_body(p)
    body["skus"][0]["sales_attributes"] = [
        {"name": "Colour", "value_name": "Crimson"},
        {"name": "Size", "value_name": "M"},
    ]
    r = await client.put(products_url(shop, p["id"]), json=body, headers=owner.headers)
    assert (r.json()["status"], r.json()["version"]) == ("PENDING", 2)
    assert r.json()["skus"][0]["name"] == "Crimson / M"
    await runner.run_until_idle()
    # Removing one SKU and adding another.
    p = (await client.get(products_url(shop, p["id"]), headers=owner.headers)).json()
    body = update_body(p)
    body["skus"] = [
        body["skus"][0],
        {
            "seller_sku": "LS-GREEN-S",
            "sales_attributes": [
                {"name": "Colour", "value_name": "Green"},
                {"name": "Size", "value_name": "S"},
            ],
            "price_minor": 3000,
        },
    ]
    r = await client.put(products_url(shop, p["id"]), json=body, headers=owner.headers)
    out = r.json()
    assert (out["status"], out["version"]) == ("PENDING", 3)
    assert [s["seller_sku"] for s in out["skus"]] == ["LS-RED-M", "LS-GREEN-S"]
    assert out["skus"][0]["id"] == red["id"]
    assert blue["id"] not in [s["id"] for s in out["skus"]]
    assert (out["min_price"]["amount_minor"], out["max_price"]["amount_minor"]) == (2500, 3000)
    assert await prices(rt, out["skus"][1]["id"]) == [3000]


async def test_a_non_material_edit_keeps_the_product_live(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    owner, shop = await seller(client, rt)
    p = await make_product(client, runner, owner, shop["id"], skus=TWO_SKUS)
    body = update_body(p)
    body["skus"][0]["price_minor"] = 2200
    body["skus"][1]["seller_sku"] = "LS-BLUE-L-2"
    r = await client.put(products_url(shop, p["id"]), json=body, headers=owner.headers)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["status"], out["version"]) == ("ACTIVATE", 1)
    assert [s["price"]["amount_minor"] for s in out["skus"]] == [2200, 1999]
    assert out["skus"][1]["seller_sku"] == "LS-BLUE-L-2"
    assert (out["min_price"]["amount_minor"], out["max_price"]["amount_minor"]) == (1999, 2200)
    assert await prices(rt, p["skus"][0]["id"]) == [2500, 2200]
    assert await prices(rt, p["skus"][1]["id"]) == [1999]
    assert len(await outbox_events(rt, "product.audit_requested")) == 1
    # The same body again changes nothing at all.
    before = await catalog_counts(rt)
    clock.advance(timedelta(hours=1))
    r = await client.put(products_url(shop, p["id"]), json=body, headers=owner.headers)
    assert r.json() == out
    assert await catalog_counts(rt) == before


async def test_a_stale_audit_does_nothing(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    owner, shop = await seller(client, rt)
    p = await make_product(client, runner, owner, shop["id"], activate=False)
    assert p["status"] == "PENDING"
    r = await client.put(
        products_url(shop, p["id"]),
        json=update_body(p, title="Replica Linen Shirt"),
        headers=owner.headers,
    )
    assert r.json()["version"] == 2
    async with rt.db.session() as s:
        assert await run_audit(s, int(p["id"]), 1, settings=rt.settings, now=clock.now()) is None
    await runner.run_until_idle()
    out = (await client.get(products_url(shop, p["id"]), headers=owner.headers)).json()
    reason = 'The title contains the prohibited term "replica".'
    assert (out["status"], out["audit_reasons"]) == ("FAILED", [reason])
    assert await audits(rt, p["id"]) == [
        (1, "SUPERSEDED", [], "system"),
        (2, "FAILED", [reason], "auto"),
    ]
    assert await outbox_events(rt, "product.status_changed") == [
        {"product_id": p["id"], "shop_id": shop["id"], "status": "FAILED", "reasons": [reason]}
    ]


async def test_price_updates_skip_the_audit_and_keep_history(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    owner, shop = await seller(client, rt)
    p = await make_product(client, runner, owner, shop["id"], skus=TWO_SKUS)
    red, blue = (s["id"] for s in p["skus"])
    start = clock.now()
    for days, price in ((5, 1500), (10, 1800), (20, 2100)):
        clock.set(start + timedelta(days=days))
        r = await client.post(
            products_url(shop, p["id"], "/prices"),
            json={"skus": [{"sku_id": red, "price_minor": price}]},
            headers=owner.headers,
        )
        assert r.status_code == 200, r.text
        assert (r.json()["status"], r.json()["version"]) == ("ACTIVATE", 1)
    out = r.json()
    assert (out["min_price"]["amount_minor"], out["max_price"]["amount_minor"]) == (1999, 2100)
    assert await prices(rt, red) == [2500, 1500, 1800, 2100]
    assert await prices(rt, blue) == [1999]
    assert len(await outbox_events(rt, "product.audit_requested")) == 1
    async with rt.db.read_session() as s:
        assert await lowest_price_since(s, int(red), start + timedelta(days=5)) == 1500
        assert await lowest_price_since(s, int(red), start + timedelta(days=7)) == 1500
        assert await lowest_price_since(s, int(red), start + timedelta(days=12)) == 1800
        assert await lowest_price_since(s, int(red), start + timedelta(days=25)) == 2100
        assert await lowest_price_since(s, int(red), start - timedelta(days=1)) == 1500
        assert await lowest_price_since(s, int(blue), start + timedelta(days=15)) == 1999
        assert await lowest_price_since(s, 12345, start) is None
    # Public prices follow at once.
    public = (await client.get(f"/api/v1/products/{p['id']}")).json()
    assert [s["price"]["formatted"] for s in public["skus"]] == ["$21.00", "$19.99"]


async def test_bad_price_updates_change_nothing(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    owner, shop = await seller(client, rt)
    p = await make_product(client, runner, owner, shop["id"])
    other = await make_product(client, runner, owner, shop["id"], title="Other Shirt")
    sku = p["skus"][0]["id"]
    before = await catalog_counts(rt)
    cases = [
        ({"skus": [{"sku_id": other["skus"][0]["id"], "price_minor": 5}]}, 400, "unknown_sku"),
        (
            {"skus": [{"sku_id": sku, "price_minor": 5}, {"sku_id": sku, "price_minor": 6}]},
            400,
            "duplicate_sku",
        ),
        ({"skus": [{"sku_id": sku, "price_minor": 0}]}, 422, "validation_error"),
        ({"skus": []}, 422, "validation_error"),
    ]
    for body, status, code in cases:
        r = await client.post(
            products_url(shop, p["id"], "/prices"), json=body, headers=owner.headers
        )
        assert (r.status_code, r.json()["error"]["code"]) == (status, code)
    assert await catalog_counts(rt) == before
    again = (await client.get(products_url(shop, p["id"]), headers=owner.headers)).json()
    assert again == p


async def test_seller_activate_deactivate_delete(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    owner, shop = await seller(client, rt)
    p = await make_product(client, runner, owner, shop["id"])
    url = products_url(shop, p["id"])

    r = await client.post(url + "/activate", headers=owner.headers)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "invalid_product_status")
    r = await client.post(url + "/deactivate", headers=owner.headers)
    assert (r.status_code, r.json()["status"]) == (200, "SELLER_DEACTIVATED")
    assert (await client.get(f"/api/v1/products/{p['id']}")).status_code == 404
    r = await client.post(url + "/deactivate", headers=owner.headers)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "invalid_product_status")
    r = await client.post(url + "/activate", headers=owner.headers)
    assert (r.status_code, r.json()["status"]) == (200, "ACTIVATE")
    assert (await client.get(f"/api/v1/products/{p['id']}")).status_code == 200

    r = await client.delete(url, headers=owner.headers)
    assert r.status_code == 204
    for method in ("get", "delete"):
        gone = await client.request(method.upper(), url, headers=owner.headers)
        assert (gone.status_code, gone.json()["error"]["code"]) == (404, "product_not_found")
    assert (await client.post(url + "/activate", headers=owner.headers)).status_code == 404
    assert (await client.get(f"/api/v1/products/{p['id']}")).status_code == 404
    listing = (await client.get(products_url(shop), headers=owner.headers)).json()
    assert listing["items"] == []
    assert [e["status"] for e in await outbox_events(rt, "product.status_changed")] == [
        "ACTIVATE",
        "SELLER_DEACTIVATED",
        "ACTIVATE",
        "DELETED",
    ]


async def test_a_failed_product_cannot_be_activated_by_the_seller(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    owner, shop = await seller(client, rt)
    r = await client.post(
        products_url(shop), json=product_payload(title="Replica Shirt"), headers=owner.headers
    )
    await runner.run_until_idle()
    r = await client.post(products_url(shop, r.json()["id"], "/activate"), headers=owner.headers)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "invalid_product_status")
    assert r.json()["error"]["details"] == {"status": "FAILED"}


async def test_currency_and_locale_come_from_the_shops_market(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    owner, shop = await seller(client, rt, market_code="DE")
    p = await make_product(client, runner, owner, shop["id"], price_minor=1999)
    assert p["currency"] == "EUR"
    assert p["skus"][0]["price"]["formatted"] == "19,99\xa0€"
    public = (await client.get(f"/api/v1/products/{p['id']}")).json()
    assert public["price_from"]["formatted"] == "19,99\xa0€"
    assert public["shop"]["market_code"] == "DE"


async def test_invalid_products_are_refused_and_create_nothing(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    owner, shop = await seller(client, rt)
    used = await make_product(client, runner, owner, shop["id"])
    image = await upload_image(client, owner, shop["id"])
    sku = {
        "seller_sku": "A",
        "sales_attributes": [{"name": "Size", "value_name": "M"}],
        "price_minor": 1,
    }
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"category_id": "2"}, 400, "category_not_leaf"),
        ({"category_id": "999999"}, 400, "unknown_category"),
        ({"image_ids": ["123456"]}, 404, "image_not_found"),
        ({"image_ids": [image["id"], image["id"]]}, 400, "duplicate_image"),
        ({"image_ids": [used["images"][0]["id"]]}, 409, "image_in_use"),
        (
            {"skus": [sku, {**sku, "sales_attributes": [{"name": "Size", "value_name": "L"}]}]},
            400,
            "duplicate_seller_sku",
        ),
        ({"skus": [sku, {**sku, "seller_sku": "B"}]}, 400, "duplicate_sales_attributes"),
        (
            {"skus": [sku, {**sku, "seller_sku": "B", "sales_attributes": []}]},
            400,
            "invalid_sales_attributes",
        ),
        ({"skus": []}, 422, "validation_error"),
        ({"skus": [sku] * 101}, 422, "validation_error"),
        ({"skus": [{**sku, "price_minor": 0}]}, 422, "validation_error"),
        ({"package_weight_g": 0}, 422, "validation_error"),
        ({"skus": [{**sku, "price_minor": 2**31}]}, 422, "validation_error"),
        ({"image_ids": ["9999999999999999999"]}, 422, "validation_error"),
        ({"category_id": "9223372036854775808"}, 422, "validation_error"),
        ({"package_width_cm": -1}, 422, "validation_error"),
        ({"origin_country": "USA"}, 422, "validation_error"),
        ({"title": "   "}, 422, "validation_error"),
        ({"category_id": "shirts"}, 422, "validation_error"),
    ]
    before = await catalog_counts(rt)
    for change, status, code in cases:
        payload = {**product_payload(image_ids=[image["id"]]), **change}
        r = await client.post(products_url(shop), json=payload, headers=owner.headers)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), change
    assert await catalog_counts(rt) == before
    client.cookies.clear()  # sign-up set a session cookie
    r = await client.post(products_url(shop), json=product_payload())
    assert (r.status_code, r.json()["error"]["code"]) == (401, "not_authenticated")


async def test_the_same_rules_apply_to_updates(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    owner, shop = await seller(client, rt)
    p = await make_product(client, runner, owner, shop["id"], skus=TWO_SKUS)
    other = await make_product(client, runner, owner, shop["id"], title="Other Shirt")
    red = update_body(p)["skus"][0]
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"category_id": "4"}, 400, "category_not_leaf"),
        ({"image_ids": [other["images"][0]["id"]]}, 409, "image_in_use"),
        ({"skus": [red, red]}, 400, "duplicate_sku"),
        ({"skus": [{**red, "id": other["skus"][0]["id"]}]}, 400, "unknown_sku"),
        (
            {"skus": [red, {**red, "id": None, "seller_sku": "X"}]},
            400,
            "duplicate_sales_attributes",
        ),
    ]
    before = await catalog_counts(rt)
    for change, status, code in cases:
        r = await client.put(
            products_url(shop, p["id"]), json=update_body(p, **change), headers=owner.headers
        )
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), change
    assert await catalog_counts(rt) == before
    assert (await client.get(products_url(shop, p["id"]), headers=owner.headers)).json() == p


async def test_seller_list_filters_and_pages(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    owner, shop = await seller(client, rt)
    shirt = await make_product(client, runner, owner, shop["id"], title="Linen Shirt")
    dress = await make_product(
        client, runner, owner, shop["id"], title="Summer Dress", category_id="101"
    )
    lipstick = await make_product(
        client, runner, owner, shop["id"], title="Red Lipstick", category_id="302"
    )
    r = await client.post(
        products_url(shop), json=product_payload(title="Replica Bag"), headers=owner.headers
    )
    failed_id = r.json()["id"]
    await runner.run_until_idle()
    deleted = await make_product(client, runner, owner, shop["id"], title="Gone Shirt")
    await client.delete(products_url(shop, deleted["id"]), headers=owner.headers)

    async def ids(**params: Any) -> list[str]:
        r = await client.get(products_url(shop), params=params, headers=owner.headers)
        assert r.status_code == 200, r.text
        return [i["id"] for i in r.json()["items"]]

    assert await ids() == [failed_id, lipstick["id"], dress["id"], shirt["id"]]
    assert await ids(status="FAILED") == [failed_id]
    assert await ids(status="ACTIVATE") == [lipstick["id"], dress["id"], shirt["id"]]
    assert await ids(status="DELETED") == []
    assert await ids(q="shirt") == [shirt["id"]]
    assert await ids(q="RED") == [lipstick["id"]]
    assert await ids(q="m") == [failed_id, lipstick["id"], dress["id"], shirt["id"]]  # size M
    assert await ids(q="100%") == []
    assert await ids(category_id="1") == [dress["id"]]
    assert await ids(category_id="302") == [lipstick["id"]]
    assert await ids(category_id="2") == [failed_id, shirt["id"]]
    assert await ids(category_id="777") == []

    first = (
        await client.get(products_url(shop), params={"limit": 3}, headers=owner.headers)
    ).json()
    assert [i["id"] for i in first["items"]] == [failed_id, lipstick["id"], dress["id"]]
    assert first["items"][1]["sku_count"] == 1
    assert first["items"][1]["image"]["id"] == lipstick["images"][0]["id"]
    assert first["items"][1]["min_price"]["formatted"] == "$19.99"
    second = (
        await client.get(
            products_url(shop),
            params={"limit": 3, "cursor": first["next_cursor"]},
            headers=owner.headers,
        )
    ).json()
    assert [i["id"] for i in second["items"]] == [shirt["id"]]
    assert second["next_cursor"] is None

    for bad in ("not-a-cursor!", "eyJ4IjoxfQ"):
        r = await client.get(products_url(shop), params={"cursor": bad}, headers=owner.headers)
        assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_cursor")
    for params in ({"limit": 0}, {"limit": 101}, {"status": "NOPE"}):
        r = await client.get(products_url(shop), params=params, headers=owner.headers)
        assert r.status_code == 422


async def test_detail_shows_available_stock_per_sku(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    owner, shop = await seller(client, rt)
    p = await make_product(client, runner, owner, shop["id"], skus=TWO_SKUS)
    warehouse = await make_warehouse(client, owner, shop["id"], is_default=True)
    r = await client.post(
        f"/api/v1/seller/shops/{shop['id']}/stock/receipts",
        json={"sku_id": p["skus"][0]["id"], "warehouse_id": warehouse["id"], "quantity": 7},
        headers=owner.headers,
    )
    assert r.status_code == 201, r.text
    detail = (await client.get(products_url(shop, p["id"]), headers=owner.headers)).json()
    assert [s["available"] for s in detail["skus"]] == [7, 0]
    public = (await client.get(f"/api/v1/products/{p['id']}")).json()
    assert [(s["available"], s["in_stock"]) for s in public["skus"]] == [(7, True), (0, False)]
