"""Rendering shipping documents as plain functions: long declarations and slips continue
on further pages, pick lists keep shelf order."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hawker.fulfillment import documents as docs
from hawker.fulfillment.service.documents import customs_block, shelf_order
from hawker.models import OrderCustoms, PackageItem
from tests.fulfillment.pdf_reading import A6_POINTS, barcodes, pages, size, text

SENDER = docs.Party("Kettle & Co", ("12 Mill Road", "Guangzhou 510000", "CN"))
TO = docs.Party("Zoë Ñúñez", ("1 Main St", "New York NY 10001", "US"), "+1 212 555 0100")


def label(items: int) -> docs.Label:
    return docs.Label(
        tracking_number="EP123456789US",
        carrier_name="EcoPost (simulated)",
        service="EcoPost Economy · ECONOMY",
        routing_code="US-100",
        sender=SENDER,
        recipient=TO,
        weight_g=1250,
        dimensions_cm=(30, 20, 10),
        chargeable_weight_g=1250,
        order_id=11,
        package_id=22,
        package_of=(2, 3),
        shipped_on=date(2026, 1, 5),
        customs=docs.CustomsBlock(
            "DDU",
            "USD",
            tuple(
                docs.CustomsItem(f"Ceramic mug {i:02d}", 1, "691200", "CN", 350, 300)
                for i in range(items)
            ),
        ),
    )


def test_a_long_declaration_continues_on_the_next_page() -> None:
    first, second = pages(docs.render_documents([label(30)]))
    assert size(first) == size(second) == A6_POINTS
    assert barcodes(first) == ["EP123456789US"]
    one, two = text(first), text(second)
    assert "Zoë Ñúñez" in one  # beyond Latin-1 where the system has DejaVu Sans
    assert "Duties: DDU" in one and "continued on the next page" in one
    assert "Customs declaration, continued: EP123456789US" in two
    shown = [f"Ceramic mug {i:02d}" for i in range(30)]
    assert all(name in one + two for name in shown)
    assert sum((one + two).count(name) for name in shown) == 30  # each item exactly once
    assert "Total value $105.00" in one + two  # 30 × 3.50
    assert "payable by the recipient on delivery (DDU)" in one


def test_a_long_packing_slip_continues_and_counts_every_unit() -> None:
    slip = docs.PackingSlip(
        shop_name="Kettle & Co",
        order_id=11,
        package_id=22,
        package_of=(1, 1),
        ordered_on=date(2026, 1, 5),
        recipient=TO,
        lines=tuple(docs.SlipLine(f"MUG-{i}", "Ceramic mug", "Blue", 2) for i in range(40)),
    )
    rendered = pages(docs.render_documents([slip]))
    assert len(rendered) >= 2
    everything = "".join(text(p) for p in rendered)
    assert all(f"MUG-{i}" in everything for i in range(40))
    assert "80 unit(s) in 40 line(s)" in everything
    assert barcodes(rendered[-1]) == ["22"]  # on the last page, under the summary


def test_a_split_line_declares_its_share_of_the_value() -> None:
    declared = OrderCustoms(
        order_id=1,
        shop_id=2,
        duty_mode="DDP",
        currency="GBP",
        customs_value_minor=1000,
        de_minimis_minor=13500,
        duty_minor=0,
        import_tax_minor=0,
        charged=True,
        items=[
            {
                "line_id": "7",
                "hs_code": "610910",
                "description": "Shirt",
                "origin_country": "CN",
                "quantity": 3,
                "customs_value_minor": 1000,
            }
        ],
        created_at=datetime(2026, 1, 5, tzinfo=UTC),
    )
    here = PackageItem(package_id=1, order_line_id=7, sku_id=5, quantity=2, unit_weight_g=200)
    there = PackageItem(package_id=2, order_line_id=7, sku_id=5, quantity=1, unit_weight_g=200)
    (a,) = customs_block(declared, [here], "en_GB").items
    (b,) = customs_block(declared, [there], "en_GB").items
    assert (a.quantity, a.value_minor, a.weight_g) == (2, 667, 400)  # 666.67 rounds up
    assert (b.quantity, b.value_minor, b.weight_g) == (1, 333, 200)


def test_shelf_order_is_natural() -> None:
    skus = ["B-2", "a-10", "A-2", "a-1", "10", "9"]
    assert sorted(skus, key=shelf_order) == ["9", "10", "a-1", "A-2", "a-10", "B-2"]
