"""The catalog's pure rules, as plain functions."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from hawker.catalog.schemas import SalesAttribute, SkuCreate
from hawker.catalog.service import (
    Listing,
    audit_listing,
    check_skus,
    contains_term,
    process_image,
    prohibited_term_problems,
    required_field_problems,
    slugify,
    sniff_format,
)
from hawker.catalog.service.categories import build_tree, descendants
from hawker.catalog.service.errors import (
    DuplicateSalesAttributes,
    DuplicateSellerSku,
    ImageTooLarge,
    InvalidImage,
    InvalidSalesAttributes,
    UnsupportedImageType,
)
from hawker.catalog.service.products import search_text
from hawker.models import Category, Sku

GOOD = Listing(
    title="Linen Shirt",
    description="A breezy shirt.",
    brand="Acme",
    image_count=1,
    sku_count=2,
    attribute_values=("Red", "M"),
)
LIMITS = {"title_min_length": 5, "title_max_length": 20}


def listing(**changes: object) -> Listing:
    values = {**GOOD.__dict__, **changes}
    return Listing(**values)


def test_a_complete_listing_has_no_problems() -> None:
    assert required_field_problems(GOOD, **LIMITS) == []
    assert audit_listing(GOOD, prohibited_terms=["replica"], **LIMITS) == []


def test_required_fields() -> None:
    assert required_field_problems(listing(title="Tee"), **LIMITS) == [
        "The title must be 5 to 20 characters long (it has 3)."
    ]
    assert required_field_problems(listing(title="x" * 21), **LIMITS) == [
        "The title must be 5 to 20 characters long (it has 21)."
    ]
    assert required_field_problems(listing(title="x" * 20), **LIMITS) == []
    assert required_field_problems(listing(title="x" * 5), **LIMITS) == []
    assert required_field_problems(listing(description="  "), **LIMITS) == [
        "A description is required."
    ]
    assert required_field_problems(listing(image_count=0), **LIMITS) == [
        "At least one image is required."
    ]
    assert required_field_problems(listing(sku_count=0), **LIMITS) == [
        "At least one SKU is required."
    ]
    assert required_field_problems(
        listing(title="", description="", image_count=0, sku_count=0), **LIMITS
    ) == [
        "The title must be 5 to 20 characters long (it has 0).",
        "A description is required.",
        "At least one image is required.",
        "At least one SKU is required.",
    ]


@pytest.mark.parametrize(
    ("text", "term", "expected"),
    [
        ("Replica watch", "replica", True),
        ("REPLICA watch", "replica", True),
        ("a replica.", "replica", True),
        ("(replica)", "replica", True),
        ("replicate the look", "replica", False),
        ("areplica", "replica", False),
        ("Fake   Designer bag", "fake designer", True),
        ("fake designers", "fake designer", False),
        ("fake-designer", "fake designer", False),
        ("Ivory-coloured", "ivory", True),
        ("anything", "  ", False),
    ],
)
def test_prohibited_terms_match_whole_words(text: str, term: str, expected: bool) -> None:
    assert contains_term(text, term) is expected


def test_prohibited_terms_in_every_field() -> None:
    bad = listing(
        title="Replica Watch",
        description="Not a knockoff, honest",
        brand="Counterfeit Co",
        attribute_values=("Ivory", "M"),
    )
    assert prohibited_term_problems(bad, ["replica", "knockoff", "counterfeit", "ivory"]) == [
        'The title contains the prohibited term "replica".',
        'The description contains the prohibited term "knockoff".',
        'The brand contains the prohibited term "counterfeit".',
        'The sales attributes contains the prohibited term "ivory".',
    ]
    assert prohibited_term_problems(GOOD, ["replica", "knockoff"]) == []


def test_audit_listing_collects_all_reasons() -> None:
    bad = listing(title="Replica", image_count=0)
    assert audit_listing(bad, prohibited_terms=["replica"], **LIMITS) == [
        "At least one image is required.",
        'The title contains the prohibited term "replica".',
    ]


def sku(code: str, *attrs: tuple[str, str], price: int = 100) -> SkuCreate:
    return SkuCreate(
        seller_sku=code,
        sales_attributes=[SalesAttribute(name=n, value_name=v) for n, v in attrs],
        price_minor=price,
    )


def test_check_skus_accepts_distinct_variants() -> None:
    check_skus(
        [sku("A", ("Colour", "Red"), ("Size", "M")), sku("B", ("Size", "M"), ("Colour", "Blue"))]
    )
    check_skus([sku("A")])


def test_check_skus_refuses_duplicates_and_inconsistency() -> None:
    with pytest.raises(DuplicateSellerSku) as e1:
        check_skus([sku("abc", ("Size", "M")), sku("ABC", ("Size", "L"))])
    assert e1.value.details == {"seller_sku": "ABC"}
    with pytest.raises(DuplicateSalesAttributes) as e2:
        check_skus([sku("A", ("Size", "M")), sku("B", ("size", "m"))])
    assert e2.value.details == {"seller_skus": ["A", "B"]}
    with pytest.raises(DuplicateSalesAttributes):
        check_skus([sku("A"), sku("B")])
    with pytest.raises(InvalidSalesAttributes) as e3:
        check_skus([sku("A", ("Size", "M")), sku("B", ("Colour", "Red"))])
    assert e3.value.message == "Every SKU of a product must have the same sales attributes."
    with pytest.raises(InvalidSalesAttributes) as e4:
        check_skus([sku("A", ("Size", "M"), ("size", "L"))])
    assert e4.value.message == "SKU 'A' names a sales attribute twice."


def test_search_text_and_slugs() -> None:
    skus = [
        Sku(sales_attributes=[{"name": "Colour", "value_name": "Sky Blue"}]),
        Sku(sales_attributes=[{"name": "Colour", "value_name": "RED"}]),
    ]
    assert search_text("  Linen   SHIRT ", "Acme", skus) == "linen shirt acme sky blue red"
    assert search_text("Tee", None, []) == "tee"
    assert slugify("Tops & Blouses") == "tops-blouses"
    assert slugify("Café Crème") == "cafe-creme"
    assert slugify("  --  ") == ""


def test_category_tree_and_descendants() -> None:
    cats = [
        Category(id=1, parent_id=None, name="A", slug="a", is_leaf=False),
        Category(id=2, parent_id=1, name="B", slug="b", is_leaf=False),
        Category(id=3, parent_id=2, name="C", slug="c", is_leaf=True),
        Category(id=4, parent_id=None, name="D", slug="d", is_leaf=True),
    ]
    tree = build_tree(cats)
    assert [n.category.id for n in tree] == [1, 4]
    assert [n.category.id for n in tree[0].children] == [2]
    assert [n.category.id for n in tree[0].children[0].children] == [3]
    assert descendants(cats, 1) == [1, 2, 3]
    assert descendants(cats, 3) == [3]


def encoded(fmt: str, size: tuple[int, int] = (40, 30), mode: str = "RGB", **save: object) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, 128).save(buf, format=fmt, **save)
    return buf.getvalue()


LIMITS_IMG = {"max_bytes": 1_000_000, "max_pixels": 1_000_000, "thumbnail_px": 16}


def test_sniff_format_reads_the_bytes() -> None:
    assert sniff_format(encoded("PNG")) == "PNG"
    assert sniff_format(encoded("JPEG")) == "JPEG"
    assert sniff_format(encoded("WEBP")) == "WEBP"
    assert sniff_format(encoded("GIF")) is None
    assert sniff_format(b"hello, I am text") is None
    assert sniff_format(b"") is None


def test_process_image_reencodes_and_thumbnails() -> None:
    for fmt, content_type in (("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")):
        out = process_image(encoded(fmt, (40, 30)), **LIMITS_IMG)
        assert (out.format, out.content_type, out.width, out.height) == (fmt, content_type, 40, 30)
        assert (out.thumb_width, out.thumb_height) == (16, 12)
        with Image.open(io.BytesIO(out.thumbnail)) as thumb:
            assert thumb.format == fmt
            assert thumb.size == (16, 12)


def test_process_image_strips_metadata() -> None:
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"  # Make
    exif[0x8825] = {1: "N"}  # GPS
    data = encoded("JPEG", exif=exif.tobytes(), comment=b"secret")
    with Image.open(io.BytesIO(data)) as src:
        assert src.getexif()[0x010F] == "Camera Maker"
    out = process_image(data, **LIMITS_IMG)
    with Image.open(io.BytesIO(out.original)) as clean:
        assert dict(clean.getexif()) == {}
        assert "comment" not in clean.info
        assert "exif" not in clean.info


def test_process_image_refusals() -> None:
    with pytest.raises(UnsupportedImageType):
        process_image(b"just some text pretending to be a png", **LIMITS_IMG)
    with pytest.raises(UnsupportedImageType):
        process_image(encoded("GIF"), **LIMITS_IMG)
    with pytest.raises(UnsupportedImageType):
        process_image(encoded("BMP"), **LIMITS_IMG)
    png = encoded("PNG", (200, 200), mode="RGB")
    with pytest.raises(InvalidImage):
        process_image(png[: len(png) // 2], **LIMITS_IMG)
    with pytest.raises(InvalidImage):
        process_image(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20, **LIMITS_IMG)
    with pytest.raises(ImageTooLarge) as too_big:
        process_image(png, **{**LIMITS_IMG, "max_bytes": len(png) - 1})
    assert too_big.value.details == {"max_bytes": len(png) - 1}
    bomb = encoded("PNG", (2000, 1000), mode="1")
    assert len(bomb) < 5_000
    with pytest.raises(ImageTooLarge) as too_many:
        process_image(bomb, **LIMITS_IMG)
    assert too_many.value.details == {"max_pixels": 1_000_000}
