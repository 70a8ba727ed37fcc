"""Seller center pages: applying, products with pictures and variants, warehouses, stock,
orders, and tenancy (another seller's shop is a 404 and nothing changes)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx

from hawker.kit.clock import FrozenClock
from hawker.models import Product, ProductImage, Shop, Sku, StockMovement, Warehouse
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import Actor, signup
from tests.factories.catalog import ensure_categories, image_bytes
from tests.factories.orders import count_rows, make_listing, pay, place
from tests.factories.shops import make_shop, make_warehouse
from tests.web.pages import as_guest, get, log_in, post, text_of

SCRIPT = "<script>alert(1)</script>"


def product_form(**changes: str) -> dict[str, str]:
    form = {
        "title": "Brass Table Lantern",
        "description": "Hand-finished brass.",
        "brand": "",
        "category_id": "504",
        "option-0": "Finish",
        "option-1": "",
        "option-2": "",
        "sku_rows": "3",
        "sku-0-seller_sku": "LANTERN-BRASS",
        "sku-0-value-0": "Brass",
        "sku-0-price": "64.00",
        "sku-1-seller_sku": "LANTERN-BLACK",
        "sku-1-value-0": "Matte black",
        "sku-1-price": "59.5",
        "package_weight_g": "900",
        "package_length_cm": "20",
        "package_width_cm": "20",
        "package_height_cm": "32",
        "origin_country": "us",
    }
    form.update(changes)
    return form


def picture(
    color: tuple[int, int, int] = (190, 140, 60),
) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("images", ("lantern.png", image_bytes(color=color), "image/png"))]


async def _seller_in_shop(
    client: httpx.AsyncClient, rt: Runtime
) -> tuple[Actor, dict[str, Any], dict[str, Any]]:
    await ensure_categories(rt)
    seller = await signup(client, display_name="Sam")
    shop = await make_shop(client, rt, seller)
    warehouse = await make_warehouse(client, seller, str(shop["id"]), is_default=True)
    as_guest(client)
    log_in(client, seller)
    return seller, shop, warehouse


async def _products(rt: Runtime) -> list[Product]:
    from sqlalchemy import select

    async with rt.db.read_session() as s:
        return list((await s.scalars(select(Product).order_by(Product.id))).all())


# Applying -----------------------------------------------------------------------------------


async def test_apply_for_a_shop(client: httpx.AsyncClient, rt: Runtime) -> None:
    seller = await signup(client)
    as_guest(client)
    log_in(client, seller)
    form = {
        "name": "Lantern Goods",
        "market_code": "US",
        "seller_type": "LOCAL",
        "description": "Lamps & <lanterns>",
        "contact_email": "shop@lantern.example",
        "business_name": "Lantern Goods LLC",
        "business_registration_number": "US-1",
    }
    bad = await post(
        client, "/seller/apply", {**form, "contact_email": "nope"}, token_from="/seller/apply"
    )
    assert bad.status_code == 400
    assert 'id="e-contact_email"' in bad.text
    assert "Lamps &amp; &lt;lanterns&gt;</textarea>" in bad.text
    assert await count_rows(rt, Shop) == 0
    r = await post(client, "/seller/apply", form, token_from="/seller/apply")
    assert r.status_code == 303
    page = await get(client, r.headers["location"])
    text = text_of(page)
    assert "Application sent!" in text
    assert "Pending review" in text
    assert "Your application is being reviewed." in text
    taken = await post(client, "/seller/apply", form, token_from="/seller/apply")
    assert taken.status_code == 400
    assert "A shop named &#39;Lantern Goods&#39; already exists." in taken.text
    assert await count_rows(rt, Shop) == 1
    shops = text_of(await get(client, "/seller"))
    assert "Lantern Goods US · Owner Pending review" in shops


async def test_another_sellers_shop_is_404_and_untouched(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_listing(client, rt, runner)
    intruder = await signup(client)
    as_guest(client)
    log_in(client, intruder)
    base = f"/seller/shops/{listing.shop_id}"
    for path in (
        base,
        f"{base}/products",
        f"{base}/products/new",
        f"{base}/products/{listing.product['id']}",
        f"{base}/stock",
        f"{base}/warehouses",
        f"{base}/orders",
        "/seller/shops/not-a-number",
    ):
        r = await get(client, path)
        assert r.status_code == 404, path
    before = (await count_rows(rt, Product), await count_rows(rt, Warehouse))
    for path, form in (
        (f"{base}/products/new", product_form()),
        (f"{base}/warehouses", {"name": "Mine now"}),
        (f"{base}/products/{listing.product['id']}/deactivate", {}),
        (f"{base}/stock/receipts", {"receipt-sku_id": listing.sku_id}),
    ):
        r = await post(client, path, form, token_from="/seller")
        assert r.status_code == 404, path
    assert (await count_rows(rt, Product), await count_rows(rt, Warehouse)) == before
    product = await client.get(
        f"/api/v1/seller/shops/{listing.shop_id}/products/{listing.product['id']}",
        headers=listing.seller.headers,
    )
    assert product.json()["status"] == "ACTIVATE"


# Products -----------------------------------------------------------------------------------


async def test_create_a_product_with_a_picture_and_two_variants(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    _, shop, _ = await _seller_in_shop(client, rt)
    base = f"/seller/shops/{shop['id']}"
    r = await post(
        client,
        f"{base}/products/new",
        product_form(),
        token_from=f"{base}/products/new",
        files=picture(),
    )
    assert r.status_code == 303
    (product,) = await _products(rt)
    assert r.headers["location"] == f"{base}/products/{product.id}"
    assert product.status == "PENDING"
    assert (product.min_price_minor, product.max_price_minor) == (5950, 6400)
    assert product.origin_country == "US"
    page = await get(client, r.headers["location"])
    assert "Product submitted. It goes live as soon as it passes review." in page.text
    assert "In review" in text_of(page)

    await runner.run_until_idle()
    page = await get(client, f"{base}/products/{product.id}")
    text = text_of(page)
    assert "Live and for sale." in text
    assert f'href="/products/{product.id}"' in page.text
    assert 'value="LANTERN-BLACK"' in page.text
    assert 'value="59.50"' in page.text
    listing = text_of(await get(client, f"{base}/products?status=ACTIVATE"))
    assert "Brass Table Lantern Live $59.50 – $64.00 2" in listing
    public = text_of(await get(client, f"/products/{product.id}"))
    assert "Finish Brass Matte black" in public


async def test_a_refused_product_form_keeps_input_and_pictures(
    client: httpx.AsyncClient, rt: Runtime
) -> None:
    _, shop, _ = await _seller_in_shop(client, rt)
    base = f"/seller/shops/{shop['id']}"
    r = await post(
        client,
        f"{base}/products/new",
        product_form(**{"category_id": "", "sku-1-price": "59.999", "package_weight_g": "heavy"}),
        token_from=f"{base}/products/new",
        files=picture(),
    )
    assert r.status_code == 400
    assert "Choose a category." in r.text
    assert "USD prices have 2 decimal places at most." in r.text
    assert 'id="e-sku-1-price"' in r.text
    assert "Enter the packed weight in grams, like 250." in r.text
    assert "Your new images are saved; no need to choose them again." in r.text
    assert 'value="Brass Table Lantern"' in r.text
    kept = re.findall(r'name="image_ids" value="(\d+)"', r.text)
    assert len(kept) == 1
    assert await count_rows(rt, Product) == 0
    assert await count_rows(rt, ProductImage) == 1

    fixed = product_form(image_ids=kept[0])
    ok = await post(client, f"{base}/products/new", fixed, token_from=f"{base}/products/new")
    assert ok.status_code == 303
    (product,) = await _products(rt)
    async with rt.db.read_session() as s:
        image = await s.get(ProductImage, int(kept[0]))
        assert image is not None and image.product_id == product.id

    bad_image = await post(
        client,
        f"{base}/products/new",
        product_form(title="Another lantern"),
        token_from=f"{base}/products/new",
        files=[("images", ("notes.txt", b"just text", "image/png"))],
    )
    assert bad_image.status_code == 400
    assert "notes.txt: Only JPEG, PNG and WebP images are accepted." in bad_image.text
    assert await count_rows(rt, Product) == 1


async def test_edit_deactivate_activate_and_delete(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    _, shop, _ = await _seller_in_shop(client, rt)
    base = f"/seller/shops/{shop['id']}"
    await post(
        client,
        f"{base}/products/new",
        product_form(),
        token_from=f"{base}/products/new",
        files=picture(),
    )
    await runner.run_until_idle()
    (product,) = await _products(rt)
    url = f"{base}/products/{product.id}"
    edit = await get(client, url)
    sku_ids = re.findall(r'name="sku-(\d)-id" value="(\d+)"', edit.text)
    image_ids = re.findall(r'name="image_ids" value="(\d+)"', edit.text)
    assert len(sku_ids) == 2
    form = product_form(
        title="Brass Table Lantern, large",
        **{f"sku-{i}-id": sid for i, sid in sku_ids},
        **{"sku-1-remove": "1", "sku_rows": "2"},
    )
    form["image_ids"] = image_ids[0]
    saved = await post(client, url, form, token_from=url)
    assert saved.status_code == 303
    page = await get(client, url)
    assert "Saved. The changes go live once they pass review." in page.text
    async with rt.db.read_session() as s:
        fresh = await s.get(Product, product.id)
        assert fresh is not None
        assert (fresh.title, fresh.status, fresh.version) == (
            "Brass Table Lantern, large",
            "PENDING",
            2,
        )
        sku = await s.get(Sku, int(sku_ids[1][1]))
        assert sku is not None and sku.is_active is False
    await runner.run_until_idle()

    off = await post(client, f"{url}/deactivate", {}, token_from=url)
    assert off.status_code == 303
    assert "no longer for sale" in (await get(client, url)).text
    assert (await get(client, f"/products/{product.id}")).status_code == 404
    on = await post(client, f"{url}/activate", {}, token_from=url)
    assert on.status_code == 303
    assert (await get(client, f"/products/{product.id}")).status_code == 200
    again = await post(client, f"{url}/activate", {}, token_from=url)
    assert again.status_code == 303
    assert "only a SELLER_DEACTIVATED product can be activated" in (await get(client, url)).text

    unconfirmed = await post(client, f"{url}/delete", {}, token_from=url)
    assert unconfirmed.status_code == 303
    assert (await get(client, url)).status_code == 200
    deleted = await post(client, f"{url}/delete", {"confirm": "1"}, token_from=url)
    assert deleted.headers["location"] == f"{base}/products"
    assert (await get(client, url)).status_code == 404


# Warehouses and stock -----------------------------------------------------------------------


async def test_warehouses_add_and_make_default(client: httpx.AsyncClient, rt: Runtime) -> None:
    _, shop, first = await _seller_in_shop(client, rt)
    base = f"/seller/shops/{shop['id']}/warehouses"
    form = {
        "name": "Riverside",
        "type": "SALES_WAREHOUSE",
        "address_line1": "12 River Road",
        "city": "Portland",
        "postal_code": "97201",
        "country_code": "us",
        "latitude": "45.5152",
        "longitude": "",
        "cutoff_hour": "15",
    }
    bad = await post(client, base, form, token_from=base)
    assert bad.status_code == 400
    assert 'id="e-longitude"' in bad.text
    assert 'value="Riverside"' in bad.text
    assert await count_rows(rt, Warehouse) == 1
    ok = await post(client, base, {**form, "longitude": "-122.6784"}, token_from=base)
    assert ok.status_code == 303
    page = text_of(await get(client, base))
    assert "Warehouse Riverside added." in page
    assert "Same-day cut-off 15:00" in page
    async with rt.db.read_session() as s:
        from sqlalchemy import select

        rows = (await s.scalars(select(Warehouse).order_by(Warehouse.id))).all()
    riverside = rows[-1]
    r = await post(client, f"{base}/{riverside.id}/default", {}, token_from=base)
    assert r.status_code == 303
    async with rt.db.read_session() as s:
        assert (await s.get(Warehouse, riverside.id)).is_default is True  # type: ignore[union-attr]
        assert (await s.get(Warehouse, int(first["id"]))).is_default is False  # type: ignore[union-attr]


async def test_receive_and_adjust_stock(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    listing = await make_listing(client, rt, runner, stock=0)
    as_guest(client)
    log_in(client, listing.seller)
    base = f"/seller/shops/{listing.shop_id}/stock"
    page = await get(client, f"{base}?sku={listing.sku_id}")
    assert f'<option value="{listing.sku_id}" selected>' in page.text
    received = await post(
        client,
        f"{base}/receipts",
        {
            "receipt-sku_id": listing.sku_id,
            "receipt-warehouse_id": listing.warehouse_id,
            "receipt-quantity": "12",
            "receipt-note": "Supplier <delivery>",
        },
        token_from=base,
    )
    assert received.status_code == 303
    text = text_of(await get(client, base))
    assert "Received 12 units; 12 available in that warehouse." in text
    assert "12 0 12" in text
    too_many = await post(
        client,
        f"{base}/adjustments",
        {
            "adjust-sku_id": listing.sku_id,
            "adjust-warehouse_id": listing.warehouse_id,
            "adjust-delta": "-20",
            "adjust-note": "Damaged",
        },
        token_from=base,
    )
    assert too_many.status_code == 400
    assert "Only 12 free units" in too_many.text
    no_note = await post(
        client,
        f"{base}/adjustments",
        {
            "adjust-sku_id": listing.sku_id,
            "adjust-warehouse_id": listing.warehouse_id,
            "adjust-delta": "-2",
        },
        token_from=base,
    )
    assert no_note.status_code == 400
    assert 'id="e-adjust-note"' in no_note.text
    assert await count_rows(rt, StockMovement) == 1
    ok = await post(
        client,
        f"{base}/adjustments",
        {
            "adjust-sku_id": listing.sku_id,
            "adjust-warehouse_id": listing.warehouse_id,
            "adjust-delta": "-2",
            "adjust-note": "Damaged in storage",
        },
        token_from=base,
    )
    assert ok.status_code == 303
    assert "Stock adjusted by -2; 10 on hand." in text_of(await get(client, base))


# Orders -------------------------------------------------------------------------------------


async def test_shop_orders_detail_and_seller_cancel(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner, clock: FrozenClock
) -> None:
    listing = await make_listing(client, rt, runner)
    buyer = await signup(client, display_name="Bea")
    placed = await place(client, buyer, items=[(listing.sku_id, 2)], note=SCRIPT)
    assert placed.status_code == 201, placed.text
    paid = await pay(client, buyer, placed.json()["checkout_id"])
    assert paid.status_code == 200, paid.text
    order = paid.json()["orders"][0]
    as_guest(client)
    log_in(client, listing.seller)
    base = f"/seller/shops/{listing.shop_id}/orders"
    assert f"/orders/{order['id']}" not in (await get(client, base)).text  # not to ship yet
    held = await get(client, f"{base}?status=on_hold")
    assert f"{base}/{order['id']}" in held.text
    detail = await get(client, f"{base}/{order['id']}")
    assert "On hold until" in detail.text
    assert SCRIPT not in detail.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail.text
    assert "Can&#39;t fulfil this order?" not in detail.text

    clock.advance(timedelta(hours=2))
    await runner.run_until_idle()
    to_ship = await get(client, base)
    assert f"{base}/{order['id']}" in to_ship.text
    found = await get(client, f"{base}?status=all&q=Ada")
    assert f"{base}/{order['id']}" in found.text
    r = await post(
        client,
        f"{base}/{order['id']}/cancel",
        {"reason": "Out of stock"},
        token_from=f"{base}/{order['id']}",
    )
    assert r.status_code == 303
    page = text_of(await get(client, f"{base}/{order['id']}"))
    assert "Order cancelled; the buyer is refunded and the stock released." in page
    assert "Cancelled by your shop: Out of stock" in page
    after = await client.get(f"/api/v1/orders/{order['id']}", headers=buyer.headers)
    assert after.json()["status"] == "CANCELLED"
    assert after.json()["cancelled_by"] == "SELLER"
