"""The pages' pure rules as plain functions: prices typed in forms, safe redirects, the
variant picker, the order timeline, the product form and category choices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from starlette.datastructures import FormData

from hawker.catalog.service import CategoryNode
from hawker.models import Category, Order, OrderHistory, Sku
from hawker.web.category_choices import all_choices, leaf_groups, path_to
from hawker.web.forms import FieldErrors, Form, parse_id, parse_int, parse_price
from hawker.web.order_timeline import timeline
from hawker.web.product_form import padded, read_draft
from hawker.web.rendering import label, money, query, safe_next, tone, when
from hawker.web.variant_picker import match, options_of, variants_of

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [("19.99", "USD", 1999), ("1,500", "JPY", 1500), (" 7 ", "EUR", 700), ("0.5", "GBP", 50)],
)
def test_parse_price(text: str, currency: str, minor: int) -> None:
    assert parse_price(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("", "USD", "Enter a price."),
        ("abc", "USD", "Enter a price as a number, like 19.99."),
        ("-3", "USD", "Enter a price above zero."),
        ("1.5", "JPY", "JPY prices have 0 decimal places at most."),
        ("1.999", "USD", "USD prices have 2 decimal places at most."),
        ("inf", "USD", "Enter a price above zero."),
    ],
)
def test_parse_price_refusals(text: str, currency: str, message: str) -> None:
    with pytest.raises(ValueError) as exc:
        parse_price(text, currency)
    assert str(exc.value) == message


def test_parse_int_and_id() -> None:
    assert parse_int("12", minimum=1, maximum=20) == 12
    with pytest.raises(ValueError, match=r"^Enter 1 or more\.$"):
        parse_int("0", minimum=1)
    with pytest.raises(ValueError, match=r"^Enter a whole number\.$"):
        parse_int("1.5")
    assert parse_id("383900704193982464") == 383900704193982464
    assert parse_id("0") is None
    assert parse_id("-1") is None
    assert parse_id("9" * 20) is None
    assert parse_id("9223372036854775808") is None
    assert parse_id(None) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/orders?status=unpaid", "/orders?status=unpaid"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        (None, "/"),
        ("", "/"),
    ],
)
def test_safe_next(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


def test_display_helpers() -> None:
    assert money(2999, "USD", "en_US") == "$29.99"
    assert money(2999, "EUR", "de_DE") == "29,99\xa0€"
    assert money(1500, "JPY", "ja_JP") == "￥1,500"
    assert when(T0, "America/New_York", "en_US") == "Jan 5, 2026, 4:00:00\u202fAM"
    assert when(None) == ""
    assert label("AWAITING_SHIPMENT") == "Awaiting shipment"
    assert label("SOMETHING_NEW") == "Something new"
    assert tone("CANCELLED") == "bad"
    assert tone("unknown") == "neutral"
    assert query("/search", {"q": "lamp", "cursor": "abc"}, cursor=None) == "/search?q=lamp"
    assert query("/search", {}, q="a&b") == "/search?q=a%26b"


def _sku(sku_id: int, price: int, **attributes: str) -> Sku:
    return Sku(
        id=sku_id,
        product_id=1,
        seller_sku=f"S{sku_id}",
        sales_attributes=[{"name": k, "value_name": v} for k, v in attributes.items()],
        price_minor=price,
        currency="USD",
        is_active=True,
    )


def test_variant_picker() -> None:
    skus = [
        _sku(1, 1000, Colour="Red", Size="M"),
        _sku(2, 1100, Colour="Red", Size="L"),
        _sku(3, 1200, Colour="Blue", Size="L"),
    ]
    options = options_of(skus)
    assert [(o.name, o.values) for o in options] == [
        ("Colour", ["Red", "Blue"]),
        ("Size", ["M", "L"]),
    ]
    variants = variants_of(skus, options, {1: 4, 3: 0})
    assert [(v.name, v.available) for v in variants] == [
        ("Red / M", 4),
        ("Red / L", 0),
        ("Blue / L", 0),
    ]
    found = match(variants, ["Blue", "L"])
    assert found is not None and found.sku.id == 3
    assert match(variants, ["Blue", "M"]) is None
    assert match(variants, ["Red", ""]) is None
    single = variants_of([_sku(9, 500)], [], {})
    only = match(single, [])
    assert only is not None and only.name == "Standard"


def _order(status: str) -> Order:
    return Order(id=1, status=status, hold_until=T0 + timedelta(hours=1))


def _row(to: str, *, at: int, by: str = "BUYER", reason: str = "") -> OrderHistory:
    return OrderHistory(
        to_status=to, actor_role=by, reason=reason, created_at=T0 + timedelta(minutes=at)
    )


def test_timeline_of_a_paid_order_shows_what_comes_next() -> None:
    steps = timeline(
        _order("ON_HOLD"), [_row("UNPAID", at=0, reason="order placed"), _row("ON_HOLD", at=1)]
    )
    assert [(s.title, s.state) for s in steps] == [
        ("Order placed", "done"),
        ("Paid", "current"),
        ("Preparing to ship", "upcoming"),
        ("On its way", "upcoming"),
        ("Delivered", "upcoming"),
        ("Completed", "upcoming"),
    ]
    assert steps[1].at == T0 + timedelta(minutes=1)
    assert steps[2].at is None


def test_timeline_of_a_cancelled_order_ends_there() -> None:
    history = [
        _row("UNPAID", at=0),
        _row("ON_HOLD", at=1),
        _row("CANCELLED", at=5, by="SELLER", reason="Out of stock"),
    ]
    buyer = timeline(_order("CANCELLED"), history)
    assert [(s.title, s.state) for s in buyer] == [
        ("Order placed", "done"),
        ("Paid", "done"),
        ("Cancelled", "cancelled"),
    ]
    assert buyer[-1].note == "Cancelled by the shop: Out of stock"
    seller = timeline(_order("CANCELLED"), history, for_seller=True)
    assert seller[-1].note == "Cancelled by your shop: Out of stock"


def _form(pairs: list[tuple[str, str]]) -> Form:
    return Form(FormData(pairs))


def test_product_form_builds_the_catalog_payload() -> None:
    errors = FieldErrors()
    draft = read_draft(
        _form(
            [
                ("title", "Lantern"),
                ("description", "Brass."),
                ("category_id", "504"),
                ("package_weight_g", "900"),
                ("package_length_cm", "20"),
                ("package_width_cm", "20"),
                ("package_height_cm", "32"),
                ("origin_country", "US"),
                ("option-0", "Finish"),
                ("sku_rows", "3"),
                ("sku-0-seller_sku", "L-1"),
                ("sku-0-value-0", "Brass"),
                ("sku-0-price", "64"),
                ("sku-1-id", "77"),
                ("sku-1-seller_sku", "L-2"),
                ("sku-1-value-0", "Black"),
                ("sku-1-price", "59.50"),
                ("sku-1-remove", "1"),
                ("image_ids", "5"),
                ("image_ids", "6"),
                ("remove_image", "6"),
            ]
        ),
        currency="USD",
        errors=errors,
    )
    assert errors == {}
    assert draft.payload["skus"] == [
        {
            "seller_sku": "L-1",
            "sales_attributes": [{"name": "Finish", "value_name": "Brass"}],
            "price_minor": 6400,
        }
    ]
    assert draft.payload["image_ids"] == ["5"]
    assert draft.payload["brand"] is None
    assert len(padded(draft.rows)) == 5


def test_product_form_reports_against_the_fields_typed_in() -> None:
    errors = FieldErrors()
    draft = read_draft(
        _form(
            [
                ("option-0", "Size"),
                ("option-1", "size"),
                ("sku_rows", "2"),
                ("sku-1-seller_sku", "X"),
                ("sku-1-price", "12.345"),
                ("sku-1-value-2", "Oops"),
            ]
        ),
        currency="USD",
        errors=errors,
    )
    assert errors["option-0"] == "The option 'Size' is named twice."
    assert errors["sku-1-price"] == "USD prices have 2 decimal places at most."
    assert errors["sku-1-value-0"] == "Enter the size of this variant."
    assert errors["option-2"] == "Name this option (for example Colour or Size)."
    assert errors["category_id"] == "Choose a category."
    assert errors["package_weight_g"] == "Enter the packed weight in grams, like 250."
    assert draft.row_of_sku == [1]
    assert draft.field_name(("skus", 0, "sales_attributes", 1, "value_name")) == "sku-1-value-1"
    assert draft.field_name(("skus", 0, "seller_sku")) == "sku-1-seller_sku"
    assert draft.field_name(("title",)) == "title"


def test_category_choices() -> None:
    root = Category(id=1, name="Home", slug="home", is_leaf=False)
    decor = Category(id=101, name="Decor", slug="home-decor", is_leaf=False, parent_id=1)
    lamps = Category(id=102, name="Lamps", slug="home-decor-lamps", is_leaf=True, parent_id=101)
    toys = Category(id=2, name="Toys", slug="toys", is_leaf=True)
    tree = [CategoryNode(root, [CategoryNode(decor, [CategoryNode(lamps)])]), CategoryNode(toys)]
    groups = leaf_groups(tree)
    assert [(g.label, [(c.id, c.label) for c in g.choices]) for g in groups] == [
        ("Home", [(102, "Decor › Lamps")]),
        ("Toys", [(2, "Toys")]),
    ]
    assert [(c.label, c.depth) for c in all_choices(tree)] == [
        ("Home", 0),
        ("Decor", 1),
        ("Lamps", 2),
        ("Toys", 0),
    ]
    assert [c.id for c in path_to(tree, 102)] == [1, 101, 102]
    assert path_to(tree, 999) == []
