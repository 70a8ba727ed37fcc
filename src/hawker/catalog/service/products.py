"""Seller-side product writes: create, full update, prices, activate, deactivate, delete.

Every write locks the product row first, so concurrent edits of one product serialise
(SQLite has a single writer anyway). A material edit bumps the version with a guarded
UPDATE and requests a fresh audit; prices and seller SKU codes change without one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.catalog import repository as repo
from hawker.catalog.schemas import PriceUpdate, ProductCreate, ProductUpdate, SkuCreate, SkuUpdate
from hawker.catalog.service.audit import record_status_changed, request_audit
from hawker.catalog.service.categories import leaf_category
from hawker.catalog.service.errors import (
    ConcurrentUpdate,
    DuplicateImage,
    DuplicateSalesAttributes,
    DuplicateSellerSku,
    DuplicateSku,
    ImageInUse,
    ImageNotFound,
    InvalidProductStatus,
    InvalidSalesAttributes,
    ProductLocked,
    ProductNotFound,
    UnknownSku,
)
from hawker.kit.ids import new_id
from hawker.models import Market, PriceHistory, Product, ProductImage, ProductStatus, Shop, Sku
from hawker.shops.service import ensure_not_closed

LOCKED_STATUSES = (ProductStatus.PLATFORM_DEACTIVATED, ProductStatus.FREEZE)


# Pure checks


def attributes_of(sku: SkuCreate) -> list[dict[str, str]]:
    return [{"name": a.name, "value_name": a.value_name} for a in sku.sales_attributes]


def check_skus(skus: Sequence[SkuCreate]) -> None:
    """Unique seller SKUs, the same attribute names on every SKU, unique value combinations."""
    seen_codes: set[str] = set()
    seen_combos: dict[tuple[tuple[str, str], ...], str] = {}
    names: tuple[str, ...] | None = None
    for sku in skus:
        code = sku.seller_sku.casefold()
        if code in seen_codes:
            raise DuplicateSellerSku(
                f"The seller SKU {sku.seller_sku!r} is used twice.",
                details={"seller_sku": sku.seller_sku},
            )
        seen_codes.add(code)
        sku_names = tuple(a.name.casefold() for a in sku.sales_attributes)
        if len(set(sku_names)) != len(sku_names):
            raise InvalidSalesAttributes(
                f"SKU {sku.seller_sku!r} names a sales attribute twice.",
                details={"seller_sku": sku.seller_sku},
            )
        if names is None:
            names = tuple(sorted(sku_names))
        elif tuple(sorted(sku_names)) != names:
            raise InvalidSalesAttributes(
                "Every SKU of a product must have the same sales attributes.",
                details={"seller_sku": sku.seller_sku},
            )
        combo = tuple(
            sorted((a.name.casefold(), a.value_name.casefold()) for a in sku.sales_attributes)
        )
        if combo in seen_combos:
            raise DuplicateSalesAttributes(
                f"SKUs {seen_combos[combo]!r} and {sku.seller_sku!r} have the same "
                "sales attribute values.",
                details={"seller_skus": [seen_combos[combo], sku.seller_sku]},
            )
        seen_combos[combo] = sku.seller_sku


def search_text(title: str, brand: str | None, skus: Sequence[Sku]) -> str:
    values = [str(a.get("value_name", "")) for s in skus for a in s.sales_attributes]
    return " ".join(" ".join([title, brand or "", *values]).lower().split())


def _brand(brand: str | None) -> str | None:
    return brand or None


def ensure_unlocked(product: Product) -> None:
    """409 product_locked while the platform holds the product down (deactivated or frozen)."""
    if product.status in LOCKED_STATUSES:
        raise ProductLocked(
            f"The product is {product.status}; it cannot be changed.",
            details={"status": product.status},
        )


# Loading


async def seller_product(
    session: AsyncSession, shop: Shop, product_id: int, *, lock: bool = False
) -> Product:
    """The shop's product; another shop's or a deleted product is 404 (tenancy)."""
    product = await repo.get_product(session, product_id, lock=lock)
    if product is None or product.shop_id != shop.id or product.status == ProductStatus.DELETED:
        raise ProductNotFound(f"There is no product {product_id}.")
    return product


async def _images_for(
    session: AsyncSession, shop: Shop, image_ids: Sequence[int], product_id: int | None
) -> list[ProductImage]:
    """The shop's images in the order given; each free or already on this product."""
    if len(set(image_ids)) != len(image_ids):
        raise DuplicateImage("The same image is listed twice.")
    found = {i.id: i for i in await repo.shop_images(session, shop.id, image_ids, lock=True)}
    missing = [str(i) for i in image_ids if i not in found]
    if missing:
        raise ImageNotFound(
            f"There is no image {missing[0]} in this shop.", details={"image_ids": missing}
        )
    taken = [str(i.id) for i in found.values() if i.product_id not in (None, product_id)]
    if taken:
        raise ImageInUse(
            f"Image {taken[0]} already belongs to another product.", details={"image_ids": taken}
        )
    return [found[i] for i in image_ids]


def _new_sku(product: Product, body: SkuCreate, *, now: datetime) -> Sku:
    return Sku(
        id=new_id(),
        product_id=product.id,
        seller_sku=body.seller_sku,
        sales_attributes=attributes_of(body),
        price_minor=body.price_minor,
        currency=product.currency,
        is_active=True,
        created_at=now,
        updated_at=now,
    )


def _price_row(sku: Sku, *, now: datetime) -> PriceHistory:
    return PriceHistory(
        sku_id=sku.id, price_minor=sku.price_minor, currency=sku.currency, effective_at=now
    )


def _keep_in_step(product: Product, skus: Sequence[Sku]) -> None:
    prices = [s.price_minor for s in skus]
    product.min_price_minor = min(prices) if prices else 0
    product.max_price_minor = max(prices) if prices else 0
    product.search_text = search_text(product.title, product.brand, skus)


def _attach(images: Sequence[ProductImage], product_id: int) -> None:
    for position, image in enumerate(images):
        image.product_id = product_id
        image.position = position


# Writes


async def create_product(
    session: AsyncSession, shop: Shop, body: ProductCreate, *, now: datetime
) -> Product:
    """A new product in PENDING with an audit requested; priced in the shop's currency."""
    ensure_not_closed(shop)
    await leaf_category(session, body.category_id)
    check_skus(body.skus)
    images = await _images_for(session, shop, body.image_ids, None)
    market = await session.get(Market, shop.market_code)
    assert market is not None  # shops.market_code is a foreign key
    product = Product(
        id=new_id(),
        shop_id=shop.id,
        category_id=body.category_id,
        title=body.title,
        description=body.description,
        brand=_brand(body.brand),
        status=ProductStatus.PENDING,
        audit_reasons=[],
        package_weight_g=body.package_weight_g,
        package_length_cm=body.package_length_cm,
        package_width_cm=body.package_width_cm,
        package_height_cm=body.package_height_cm,
        origin_country=body.origin_country.upper(),
        currency=market.currency,
        version=1,
        created_at=now,
        updated_at=now,
    )
    skus = [_new_sku(product, s, now=now) for s in body.skus]
    _keep_in_step(product, skus)
    session.add(product)
    await session.flush()  # the product row first: SKUs and images point at it
    session.add_all(skus)
    await session.flush()
    session.add_all([_price_row(s, now=now) for s in skus])
    _attach(images, product.id)
    request_audit(session, product, version=1, now=now)
    await session.flush()
    return product


def _material_fields(product: Product) -> tuple[Any, ...]:
    return (
        product.title,
        product.description,
        product.category_id,
        product.brand,
        product.package_weight_g,
        product.package_length_cm,
        product.package_width_cm,
        product.package_height_cm,
        product.origin_country,
    )


def _attribute_key(attributes: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(str(a.get("name", "")), str(a.get("value_name", ""))) for a in attributes]


async def update_product(
    session: AsyncSession, shop: Shop, product_id: int, body: ProductUpdate, *, now: datetime
) -> Product:
    """Replace the product. A material change goes back to PENDING for a new audit."""
    ensure_not_closed(shop)
    product = await seller_product(session, shop, product_id, lock=True)
    ensure_unlocked(product)
    if body.category_id != product.category_id:
        await leaf_category(session, body.category_id)
    kept_ids = [s.id for s in body.skus if s.id is not None]
    if len(set(kept_ids)) != len(kept_ids):
        raise DuplicateSku("The same SKU is listed twice.")
    check_skus(body.skus)
    existing = {s.id: s for s in await repo.product_skus(session, product.id)}
    unknown = [str(i) for i in kept_ids if i not in existing]
    if unknown:
        raise UnknownSku(
            f"SKU {unknown[0]} is not part of this product.", details={"sku_ids": unknown}
        )
    images = await _images_for(session, shop, body.image_ids, product.id)
    old_images = await repo.product_images(session, product.id)

    before = _material_fields(product)
    skus_before = [(s.id, s.seller_sku, s.price_minor) for s in existing.values()]
    product.title = body.title
    product.description = body.description
    product.category_id = body.category_id
    product.brand = _brand(body.brand)
    product.package_weight_g = body.package_weight_g
    product.package_length_cm = body.package_length_cm
    product.package_width_cm = body.package_width_cm
    product.package_height_cm = body.package_height_cm
    product.origin_country = body.origin_country.upper()
    material = _material_fields(product) != before
    material |= [i.id for i in old_images] != [i.id for i in images]

    new_rows: list[Sku] = []
    for sku_in in body.skus:
        material |= _apply_sku(session, product, existing, sku_in, new_rows, now=now)
    removed = set(existing) - set(kept_ids)
    for sku_id in removed:
        existing[sku_id].is_active = False
        existing[sku_id].updated_at = now
    material |= bool(removed) or bool(new_rows)

    for image in old_images:
        if image not in images:
            image.product_id = None
            image.position = 0
    _attach(images, product.id)
    if new_rows:
        session.add_all(new_rows)
        await session.flush()
        session.add_all([_price_row(s, now=now) for s in new_rows])
    active = [existing[i] for i in kept_ids] + new_rows
    _keep_in_step(product, active)
    skus_after = [(s.id, s.seller_sku, s.price_minor) for s in existing.values()]
    if material or skus_after != skus_before:
        product.updated_at = now
    await session.flush()
    if material:
        version = product.version
        if not await repo.bump_version(session, product.id, expected_version=version, now=now):
            raise ConcurrentUpdate("The product changed while this request ran; try again.")
        await repo.supersede_pending_audits(session, product.id, now)
        request_audit(session, product, version=version + 1, now=now)
        await session.flush()
        await session.refresh(product)
    return product


def _apply_sku(
    session: AsyncSession,
    product: Product,
    existing: dict[int, Sku],
    body: SkuUpdate,
    new_rows: list[Sku],
    *,
    now: datetime,
) -> bool:
    """Apply one SKU of a full update; True when the change is material."""
    if body.id is None:
        new_rows.append(_new_sku(product, body, now=now))
        return True
    sku = existing[body.id]
    attributes = attributes_of(body)
    material = _attribute_key(sku.sales_attributes) != _attribute_key(attributes)
    if material:
        sku.sales_attributes = attributes
        sku.updated_at = now
    if sku.seller_sku != body.seller_sku:
        sku.seller_sku = body.seller_sku
        sku.updated_at = now
    _set_price(session, sku, body.price_minor, now=now)
    return material


def _set_price(session: AsyncSession, sku: Sku, price_minor: int, *, now: datetime) -> bool:
    """A new price with its history row; False when the price is unchanged."""
    if sku.price_minor == price_minor:
        return False
    sku.price_minor = price_minor
    sku.updated_at = now
    session.add(_price_row(sku, now=now))
    return True


async def update_prices(
    session: AsyncSession, shop: Shop, product_id: int, body: PriceUpdate, *, now: datetime
) -> Product:
    """New SKU prices, live at once (no audit); each change is kept in the price history."""
    ensure_not_closed(shop)
    product = await seller_product(session, shop, product_id, lock=True)
    ensure_unlocked(product)
    ids = [p.sku_id for p in body.skus]
    if len(set(ids)) != len(ids):
        raise DuplicateSku("The same SKU is listed twice.")
    skus = await repo.product_skus(session, product.id)
    by_id = {s.id: s for s in skus}
    unknown = [str(i) for i in ids if i not in by_id]
    if unknown:
        raise UnknownSku(
            f"SKU {unknown[0]} is not part of this product.", details={"sku_ids": unknown}
        )
    changed = [_set_price(session, by_id[p.sku_id], p.price_minor, now=now) for p in body.skus]
    if any(changed):
        _keep_in_step(product, skus)
        product.updated_at = now
    await session.flush()
    return product


async def _transition(
    session: AsyncSession,
    shop: Shop,
    product_id: int,
    *,
    from_status: str,
    to: str,
    verb: str,
    now: datetime,
) -> Product:
    ensure_not_closed(shop)
    product = await seller_product(session, shop, product_id, lock=True)
    ensure_unlocked(product)
    if not await repo.set_status(session, product.id, from_statuses=[from_status], to=to, now=now):
        raise InvalidProductStatus(
            f"The product is {product.status}; only a {from_status} product can be {verb}.",
            details={"status": product.status},
        )
    record_status_changed(session, product, status=to, reasons=[], now=now)
    await session.flush()
    return product


async def activate_product(
    session: AsyncSession, shop: Shop, product_id: int, *, now: datetime
) -> Product:
    """SELLER_DEACTIVATED -> ACTIVATE."""
    return await _transition(
        session,
        shop,
        product_id,
        from_status=ProductStatus.SELLER_DEACTIVATED,
        to=ProductStatus.ACTIVATE,
        verb="activated",
        now=now,
    )


async def deactivate_product(
    session: AsyncSession, shop: Shop, product_id: int, *, now: datetime
) -> Product:
    """ACTIVATE -> SELLER_DEACTIVATED."""
    return await _transition(
        session,
        shop,
        product_id,
        from_status=ProductStatus.ACTIVATE,
        to=ProductStatus.SELLER_DEACTIVATED,
        verb="deactivated",
        now=now,
    )


async def delete_product(
    session: AsyncSession, shop: Shop, product_id: int, *, now: datetime
) -> None:
    """Any status but a platform lock -> DELETED; the product disappears everywhere."""
    ensure_not_closed(shop)
    product = await seller_product(session, shop, product_id, lock=True)
    ensure_unlocked(product)
    if not await repo.set_status(
        session, product.id, from_statuses=[product.status], to=ProductStatus.DELETED, now=now
    ):
        raise ConcurrentUpdate("The product changed while this request ran; try again.")
    await repo.supersede_pending_audits(session, product.id, now)
    record_status_changed(session, product, status=ProductStatus.DELETED, reasons=[], now=now)
    await session.flush()
