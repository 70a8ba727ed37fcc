"""The seller's product form: fields and variant rows in, a catalog payload out.

Variants are rows of (seller SKU, one value per option, price); the options' names
("Colour", "Size") are given once for the whole product. Prices are typed in major units
("19.99") and become minor units of the shop's currency. Every problem is reported against
the field the seller typed it in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hawker.catalog.schemas import MAX_IMAGES, MAX_SALES_ATTRIBUTES, MAX_SKUS
from hawker.models import Product, ProductImage, Sku
from hawker.web.forms import FieldErrors, Form, parse_id, parse_price
from hawker.web.rendering import major_units

PRODUCT_FIELDS = (
    "title",
    "description",
    "brand",
    "category_id",
    "package_weight_g",
    "package_length_cm",
    "package_width_cm",
    "package_height_cm",
    "origin_country",
)
MIN_EMPTY_ROWS = 2
MIN_ROWS = 3


@dataclass
class VariantRow:
    id: str = ""
    seller_sku: str = ""
    values: list[str] = field(default_factory=lambda: [""] * MAX_SALES_ATTRIBUTES)
    price: str = ""
    remove: bool = False


@dataclass
class ProductDraft:
    """What the form holds: enough to show it again, and the payload when it is valid."""

    values: dict[str, str]
    options: list[str]
    rows: list[VariantRow]
    image_ids: list[int]
    payload: dict[str, Any] = field(default_factory=dict)
    row_of_sku: list[int] = field(default_factory=list)  # payload SKU index -> form row

    def field_name(self, loc: tuple[Any, ...]) -> str:
        """The form field a validation error location points at."""
        if not loc:
            return "_form"
        head = str(loc[0])
        if head == "skus" and len(loc) >= 2 and isinstance(loc[1], int):
            row = self.row_of_sku[loc[1]] if loc[1] < len(self.row_of_sku) else 0
            rest = [str(p) for p in loc[2:]]
            if rest[:1] == ["sales_attributes"] and len(rest) >= 2:
                return f"sku-{row}-value-{rest[1]}"
            if rest[:1] == ["price_minor"]:
                return f"sku-{row}-price"
            return f"sku-{row}-seller_sku"
        if head == "skus":
            return "skus"
        if head == "image_ids":
            return "images"
        return head


def padded(rows: list[VariantRow]) -> list[VariantRow]:
    """The rows with empty ones after them, so there is room to add variants."""
    want = min(MAX_SKUS, max(MIN_ROWS, len(rows) + MIN_EMPTY_ROWS))
    return rows + [VariantRow() for _ in range(want - len(rows))]


def read_draft(form: Form, *, currency: str, errors: FieldErrors) -> ProductDraft:
    values = {f: form.get(f) for f in PRODUCT_FIELDS}
    options = [form.get(f"option-{j}") for j in range(MAX_SALES_ATTRIBUTES)]
    try:
        count = min(MAX_SKUS, max(0, int(form.get("sku_rows") or "0")))
    except ValueError:
        count = 0
    rows: list[VariantRow] = []
    for i in range(count):
        rows.append(
            VariantRow(
                id=form.get(f"sku-{i}-id"),
                seller_sku=form.get(f"sku-{i}-seller_sku"),
                values=[form.get(f"sku-{i}-value-{j}") for j in range(MAX_SALES_ATTRIBUTES)],
                price=form.get(f"sku-{i}-price"),
                remove=form.checked(f"sku-{i}-remove"),
            )
        )
    removed = set(form.getlist("remove_image"))
    image_ids = [
        parsed
        for raw in form.getlist("image_ids")
        if raw not in removed and (parsed := parse_id(raw)) is not None
    ]
    draft = ProductDraft(values=values, options=options, rows=rows, image_ids=image_ids)
    _build_payload(draft, currency=currency, errors=errors)
    return draft


NUMBER_FIELDS = {
    "package_weight_g": "Enter the packed weight in grams, like 250.",
    "package_length_cm": "Enter the length in whole centimetres.",
    "package_width_cm": "Enter the width in whole centimetres.",
    "package_height_cm": "Enter the height in whole centimetres.",
}


def _build_payload(draft: ProductDraft, *, currency: str, errors: FieldErrors) -> None:
    for name, message in NUMBER_FIELDS.items():
        if not draft.values[name].isdigit():
            errors.add(name, message)
    if not draft.values["category_id"]:
        errors.add("category_id", "Choose a category.")
    names = [(j, n) for j, n in enumerate(draft.options) if n]
    lowered = [n.casefold() for _, n in names]
    for j, name in names:
        if lowered.count(name.casefold()) > 1:
            errors.add(f"option-{j}", f"The option {name!r} is named twice.")
    skus: list[dict[str, Any]] = []
    for i, row in enumerate(draft.rows):
        if row.remove:
            continue
        empty = not row.seller_sku and not row.price and not any(row.values)
        if empty and not row.id:
            continue
        price_minor: int | None = None
        try:
            price_minor = parse_price(row.price, currency)
        except ValueError as exc:
            errors.add(f"sku-{i}-price", str(exc))
        if not row.seller_sku:
            errors.add(f"sku-{i}-seller_sku", "Give this variant a SKU code.")
        for j, name in names:
            if not row.values[j]:
                errors.add(f"sku-{i}-value-{j}", f"Enter the {name.lower()} of this variant.")
        for j, value in enumerate(row.values):
            if value and not draft.options[j]:
                errors.add(f"option-{j}", "Name this option (for example Colour or Size).")
        sku: dict[str, Any] = {
            "seller_sku": row.seller_sku,
            "sales_attributes": [{"name": n, "value_name": row.values[j]} for j, n in names],
            "price_minor": price_minor if price_minor is not None else 1,
        }
        if row.id:
            sku["id"] = row.id
        skus.append(sku)
        draft.row_of_sku.append(i)
    if not skus:
        errors.add("skus", "Add at least one variant with a SKU code and a price.")
    if len(draft.image_ids) > MAX_IMAGES:
        errors.add("images", f"A product can have at most {MAX_IMAGES} images.")
    draft.payload = {
        **{k: v for k, v in draft.values.items()},
        "brand": draft.values["brand"] or None,
        "image_ids": [str(i) for i in draft.image_ids],
        "skus": skus,
    }


def draft_of(product: Product, skus: Sequence[Sku], images: Sequence[ProductImage]) -> ProductDraft:
    """The form filled in from a saved product (for editing)."""
    values = {
        "title": product.title,
        "description": product.description,
        "brand": product.brand or "",
        "category_id": str(product.category_id),
        "package_weight_g": str(product.package_weight_g),
        "package_length_cm": str(product.package_length_cm),
        "package_width_cm": str(product.package_width_cm),
        "package_height_cm": str(product.package_height_cm),
        "origin_country": product.origin_country,
    }
    options: list[str] = []
    for sku in skus:
        for attribute in sku.sales_attributes or []:
            name = str(attribute.get("name", ""))
            if name and name not in options and len(options) < MAX_SALES_ATTRIBUTES:
                options.append(name)
    options += [""] * (MAX_SALES_ATTRIBUTES - len(options))
    rows = []
    for sku in skus:
        by_name = {
            str(a.get("name", "")): str(a.get("value_name", "")) for a in sku.sales_attributes
        }
        rows.append(
            VariantRow(
                id=str(sku.id),
                seller_sku=sku.seller_sku,
                values=[by_name.get(n, "") if n else "" for n in options],
                price=major_units(sku.price_minor, sku.currency),
            )
        )
    return ProductDraft(values=values, options=options, rows=rows, image_ids=[i.id for i in images])
