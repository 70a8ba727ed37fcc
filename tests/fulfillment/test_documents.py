"""Shipping labels, packing slips and pick lists: PDFs read back page by page (size, text,
the Code 128 barcode decoded from its bars), tenancy and refusals."""

from __future__ import annotations

import asyncio
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import update

from hawker.kit.clock import FrozenClock
from hawker.models import Package, PackageStatus
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.customs import buy_abroad, declare, make_cross_border_listing
from tests.factories.fulfillment import SimClient, network, packages, paid_order, ship
from tests.factories.orders import make_listing
from tests.fulfillment.pdf_reading import A4_POINTS, A6_POINTS, barcodes, pages, size, text

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "label.png"


def render_png(pdf: bytes, target: Path) -> None:
    """The first page as PNG at 150 dpi, with poppler's pdftoppm."""
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "150",
            "-singlefile",
            "-f",
            "1",
            "-",
            str(target.with_suffix("")),
        ],
        input=pdf,
        check=True,
    )


async def documents(
    client: httpx.AsyncClient, seller: Any, shop_id: str, package_id: str, kind: str | None = None
) -> httpx.Response:
    params = {"document_type": kind} if kind else {}
    return await client.get(
        f"/api/v1/seller/shops/{shop_id}/packages/{package_id}/shipping_documents",
        params=params,
        headers=seller.headers,
    )


async def batch(
    client: httpx.AsyncClient, seller: Any, shop_id: str, body: dict[str, Any]
) -> httpx.Response:
    return await client.post(
        f"/api/v1/seller/shops/{shop_id}/packages/shipping_documents",
        json=body,
        headers=seller.headers,
    )


def pdf_of(r: httpx.Response) -> bytes:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("inline; filename=")
    return r.content


async def test_labels_and_slips_one_at_a_time_and_in_a_batch(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    sim: SimClient,
) -> None:
    await network(rt)
    listing = await make_listing(client, rt, runner, stock=10)
    seller, shop_id = listing.seller, listing.shop_id
    buyer = await signup(client)
    first = await paid_order(client, runner, clock, buyer, listing, quantity=2)
    second = await paid_order(client, runner, clock, buyer, listing)
    by_order = {p["order_id"]: p["id"] for p in (await packages(client, seller, shop_id))["items"]}
    one, two = by_order[first["id"]], by_order[second["id"]]
    seller_sku = listing.product["skus"][0]["seller_sku"]

    # before shipment is arranged there is no tracking number, so no label; a slip is fine
    r = await documents(client, seller, shop_id, one)
    assert r.status_code == 409
    assert r.json()["error"] == {
        "code": "package_not_arranged",
        "message": f"Package {one} has no tracking number yet: arrange its shipment before "
        "printing its label.",
        "details": {"package_ids": [one]},
    }
    (slip,) = pages(pdf_of(await documents(client, seller, shop_id, one, "PACKING_SLIP")))
    assert size(slip) == A6_POINTS
    assert "PACKING SLIP" in text(slip) and seller_sku in text(slip)
    assert barcodes(slip) == [one]

    assert (await ship(client, seller, shop_id, one)).status_code == 200
    shipped = (await ship(client, seller, shop_id, two)).json()
    tracking_two = shipped["tracking_number"]
    detail = await client.get(
        f"/api/v1/seller/shops/{shop_id}/packages/{one}", headers=seller.headers
    )
    tracking_one = detail.json()["tracking_number"]

    pdf = pdf_of(await documents(client, seller, shop_id, one))
    (label,) = pages(pdf)
    assert size(label) == A6_POINTS  # 105 × 148 mm
    words = text(label)
    for expected in (
        tracking_one,
        "Swift Parcel (simulated)",
        "Ada Buyer",  # the recipient
        "1 Market Street",
        "Weight 0.50 kg",  # 2 × 250 g
        f"Order {first['id']}",
        f"Ref {one}",
        "Package 1 of 1",
        "Test Shop",  # the sender
    ):
        assert expected in words, (expected, words)
    assert barcodes(label) == [tracking_one]  # the bars decode to the tracking number
    assert "CUSTOMS" not in words  # a domestic parcel

    both = pages(
        pdf_of(await documents(client, seller, shop_id, one, "SHIPPING_LABEL_AND_PACKING_SLIP"))
    )
    assert [size(p) for p in both] == [A6_POINTS, A6_POINTS]
    assert barcodes(both[0]) == [tracking_one] and barcodes(both[1]) == [one]
    assert f"{tracking_one}" in text(both[1])  # the slip names the parcel's tracking number

    # a batch: one PDF, a page per document, in the order asked
    labels = pages(pdf_of(await batch(client, seller, shop_id, {"package_ids": [two, one]})))
    assert [barcodes(p) for p in labels] == [[tracking_two], [tracking_one]]
    mixed = pages(
        pdf_of(
            await batch(
                client,
                seller,
                shop_id,
                {"package_ids": [one, two], "document_type": "SHIPPING_LABEL_AND_PACKING_SLIP"},
            )
        )
    )
    assert [barcodes(p) for p in mixed] == [[tracking_one], [one], [tracking_two], [two]]


async def test_documents_are_refused_for_other_shops_and_closed_packages(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    sim: SimClient,
) -> None:
    await network(rt)
    listing = await make_listing(client, rt, runner, stock=10)
    other = await make_listing(client, rt, runner, stock=10)
    seller, shop_id = listing.seller, listing.shop_id
    buyer = await signup(client)
    await paid_order(client, runner, clock, buyer, listing)
    await paid_order(client, runner, clock, buyer, listing)
    await paid_order(client, runner, clock, buyer, other)
    mine = [p["id"] for p in (await packages(client, seller, shop_id))["items"]]
    (theirs,) = [p["id"] for p in (await packages(client, other.seller, other.shop_id))["items"]]
    for pid in mine:
        assert (await ship(client, seller, shop_id, pid)).status_code == 200
    assert (await ship(client, other.seller, other.shop_id, theirs)).status_code == 200

    # another shop's package answers like a missing one; so does another seller's shop
    r = await documents(client, seller, shop_id, theirs)
    assert r.status_code == 404 and r.json()["error"]["code"] == "package_not_found"
    r = await documents(client, other.seller, shop_id, mine[0])
    assert r.status_code == 404 and r.json()["error"]["code"] == "shop_not_found"
    r = await batch(client, seller, shop_id, {"package_ids": [mine[0], theirs, "123"]})
    assert r.status_code == 404
    assert r.json()["error"]["details"] == {"package_ids": [theirs, "123"]}
    r = await batch(client, seller, shop_id, {"package_ids": [mine[0], mine[0]]})
    assert r.status_code == 400 and r.json()["error"]["code"] == "duplicate_package_ids"
    for body in ({"package_ids": []}, {"package_ids": mine, "document_type": "INVOICE"}):
        r = await batch(client, seller, shop_id, body)
        assert r.status_code == 422
    r = await documents(client, seller, shop_id, mine[0], "MANIFEST")
    assert r.status_code == 422

    async with rt.db.session() as s:
        await s.execute(
            update(Package).where(Package.id == int(mine[1])).values(status=PackageStatus.CANCELLED)
        )
    r = await batch(client, seller, shop_id, {"package_ids": mine, "document_type": "PACKING_SLIP"})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "package_cancelled"
    assert r.json()["error"]["details"] == {"package_ids": [mine[1]]}


async def test_pick_list_groups_the_days_packages_by_sku(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    sim: SimClient,
) -> None:
    await network(rt)
    listing = await make_listing(client, rt, runner, stock=20)
    seller, shop_id = listing.seller, listing.shop_id
    buyer = await signup(client)
    orders = [
        await paid_order(client, runner, clock, buyer, listing, quantity=q) for q in (3, 1, 2)
    ]
    items = (await packages(client, seller, shop_id))["items"]
    by_order = {p["order_id"]: p["id"] for p in items}
    # one package goes with the carrier: it has left the warehouse and is not picked
    shipped = by_order[orders[2]["id"]]
    tracking = (await ship(client, seller, shop_id, shipped)).json()["tracking_number"]
    await sim.set_clock(clock.now())
    await sim.push_along(tracking, "PICKED_UP")
    await sim.deliver()

    url = f"/api/v1/seller/shops/{shop_id}/pick-list"
    params = {"warehouse_id": listing.warehouse_id}
    r = await client.get(
        url, params=params, headers={**seller.headers, "Accept": "application/json"}
    )
    assert r.status_code == 200, r.text
    pick = r.json()
    assert pick["warehouse_id"] == listing.warehouse_id
    assert pick["date"] == clock.now().date().isoformat()  # New York, 2026-01-05
    assert (pick["package_count"], pick["unit_count"]) == (2, 4)
    (line,) = pick["lines"]
    assert line["sku_id"] == listing.sku_id
    assert line["seller_sku"] == listing.product["skus"][0]["seller_sku"]
    assert line["product_name"] == "Linen Shirt" and line["sku_name"] == "M"
    assert line["quantity"] == 4
    assert sorted((p["package_id"], p["quantity"]) for p in line["packages"]) == sorted(
        [(by_order[orders[0]["id"]], 3), (by_order[orders[1]["id"]], 1)]
    )
    assert {p["package_id"] for p in pick["packages"]} == {
        by_order[orders[0]["id"]],
        by_order[orders[1]["id"]],
    }

    r = await client.get(url, params=params, headers=seller.headers)
    (page,) = pages(pdf_of(r))
    assert size(page) == A4_POINTS
    words = text(page)
    assert "Pick list" in words and line["seller_sku"] in words
    assert "2 package(s), 4 unit(s)" in words

    # the day before, nothing had been allocated yet
    yesterday = (clock.now() - timedelta(days=1)).date().isoformat()
    r = await client.get(
        url,
        params={**params, "date": yesterday},
        headers={**seller.headers, "Accept": "application/json"},
    )
    assert r.json()["lines"] == [] and r.json()["package_count"] == 0

    other = await make_listing(client, rt, runner, stock=0)
    r = await client.get(url, params={"warehouse_id": other.warehouse_id}, headers=seller.headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "warehouse_not_found"
    r = await client.get(url, params=params, headers=other.seller.headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "shop_not_found"
    r = await client.get(url, params={**params, "date": "2026-13-01"}, headers=seller.headers)
    assert r.status_code == 422


async def test_cross_border_labels_carry_a_customs_block(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    sim: SimClient,
) -> None:
    await network(rt, "GB")
    listing = await make_cross_border_listing(client, rt, runner, stock=20)
    assert (await declare(client, listing)).status_code == 200
    buyer = await signup(client, market_code="GB")
    placed = await buy_abroad(client, buyer, listing, 12)
    clock.advance(timedelta(hours=1))
    await runner.run_until_idle()
    (package,) = (await packages(client, listing.seller, listing.shop_id))["items"]
    r = await ship(client, listing.seller, listing.shop_id, package["id"])
    assert r.status_code == 200, r.text
    tracking = r.json()["tracking_number"]

    pdf = pdf_of(await documents(client, listing.seller, listing.shop_id, package["id"]))
    (label,) = pages(pdf)
    words = text(label)
    assert barcodes(label) == [tracking]
    for expected in (
        "CUSTOMS DECLARATION CN 22",
        "Duties: DDP",
        "Cotton T-shirt",
        "61091000",  # the HS code
        "CN",  # the origin
        "£142.20",  # 12 × USD 15.00 at 0.79
        "Total weight 3.00 kg",
        "Grace Hopper",
        "1 Test Street",  # the sender's warehouse
        f"Order {placed['orders'][0]['id']}",
        "Duties and taxes paid by the sender (DDP).",
    ):
        assert expected in words, (expected, words)

    await asyncio.to_thread(render_png, pdf, SCREENSHOT)  # the label shown in the docs
    assert SCREENSHOT.read_bytes().startswith(b"\x89PNG")
