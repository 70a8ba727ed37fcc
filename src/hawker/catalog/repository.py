"""Every SQL statement of the catalog."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Select, and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.models import (
    Category,
    Market,
    PriceHistory,
    Product,
    ProductAudit,
    ProductImage,
    ProductStatus,
    Shop,
    ShopStatus,
    Sku,
)

AUDIT_PENDING = "PENDING"
AUDIT_SUPERSEDED = "SUPERSEDED"


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount)


# Categories


async def all_categories(session: AsyncSession) -> list[Category]:
    return list((await session.scalars(select(Category).order_by(Category.id))).all())


async def category_has_products(session: AsyncSession, category_id: int) -> bool:
    q = select(exists().where(Product.category_id == category_id))
    return bool(await session.scalar(q))


# Images


async def shop_images(
    session: AsyncSession, shop_id: int, image_ids: Sequence[int], *, lock: bool = False
) -> list[ProductImage]:
    if not image_ids:
        return []
    q = (
        select(ProductImage)
        .where(ProductImage.shop_id == shop_id, ProductImage.id.in_(image_ids))
        .order_by(ProductImage.id)
    )
    if lock:
        q = q.with_for_update()
    return list((await session.scalars(q)).all())


async def product_images(session: AsyncSession, product_id: int) -> list[ProductImage]:
    q = (
        select(ProductImage)
        .where(ProductImage.product_id == product_id)
        .order_by(ProductImage.position, ProductImage.id)
    )
    return list((await session.scalars(q)).all())


async def main_images(session: AsyncSession, product_ids: Sequence[int]) -> dict[int, ProductImage]:
    """The first image of each product (by position)."""
    if not product_ids:
        return {}
    q = (
        select(ProductImage)
        .where(ProductImage.product_id.in_(product_ids))
        .order_by(ProductImage.product_id, ProductImage.position, ProductImage.id)
    )
    out: dict[int, ProductImage] = {}
    for image in (await session.scalars(q)).all():
        if image.product_id is not None and image.product_id not in out:
            out[image.product_id] = image
    return out


# Products and SKUs


async def get_product(
    session: AsyncSession, product_id: int, *, lock: bool = False
) -> Product | None:
    q = select(Product).where(Product.id == product_id)
    if lock:
        q = q.with_for_update()
    return (await session.scalars(q)).first()


async def product_skus(
    session: AsyncSession, product_id: int, *, active_only: bool = True
) -> list[Sku]:
    q = select(Sku).where(Sku.product_id == product_id).order_by(Sku.id)
    if active_only:
        q = q.where(Sku.is_active.is_(True))
    return list((await session.scalars(q)).all())


async def sku_counts(session: AsyncSession, product_ids: Sequence[int]) -> dict[int, int]:
    if not product_ids:
        return {}
    q = select(Sku.product_id, Sku.id).where(
        Sku.product_id.in_(product_ids), Sku.is_active.is_(True)
    )
    counts: dict[int, int] = {}
    for product_id, _ in (await session.execute(q)).all():
        counts[product_id] = counts.get(product_id, 0) + 1
    return counts


async def set_status(
    session: AsyncSession,
    product_id: int,
    *,
    from_statuses: Sequence[str],
    to: str,
    now: datetime,
    reasons: list[str] | None = None,
    version: int | None = None,
) -> bool:
    """Move the product to `to` only if it is in one of `from_statuses` (and at `version`)."""
    stmt = update(Product).where(Product.id == product_id, Product.status.in_(from_statuses))
    if version is not None:
        stmt = stmt.where(Product.version == version)
    values: dict[str, Any] = {"status": to, "updated_at": now}
    if reasons is not None:
        values["audit_reasons"] = reasons
    return _rowcount(await session.execute(stmt.values(**values))) == 1


async def bump_version(
    session: AsyncSession, product_id: int, *, expected_version: int, now: datetime
) -> bool:
    """version + 1 and back to PENDING, only if nobody else moved the version first."""
    stmt = (
        update(Product)
        .where(Product.id == product_id, Product.version == expected_version)
        .values(
            version=Product.version + 1,
            status=ProductStatus.PENDING,
            audit_reasons=[],
            updated_at=now,
        )
    )
    return _rowcount(await session.execute(stmt)) == 1


def _text_match(words: Sequence[str]) -> list[ColumnElement[bool]]:
    """Every word must appear in the product's search text."""
    return [Product.search_text.contains(word, autoescape=True) for word in words]


async def seller_products(
    session: AsyncSession,
    shop_id: int,
    *,
    status: str | None,
    words: Sequence[str],
    category_ids: Sequence[int] | None,
    before_id: int | None,
    limit: int,
) -> list[Product]:
    q = select(Product).where(Product.shop_id == shop_id, Product.status != ProductStatus.DELETED)
    if status is not None:
        q = q.where(Product.status == status)
    if category_ids is not None:
        q = q.where(Product.category_id.in_(category_ids))
    if before_id is not None:
        q = q.where(Product.id < before_id)
    q = q.where(*_text_match(words)).order_by(Product.id.desc()).limit(limit)
    return list((await session.scalars(q)).all())


def _public() -> Select[Product, Shop, Market]:
    return (
        select(Product, Shop, Market)
        .join(Shop, Shop.id == Product.shop_id)
        .join(Market, Market.code == Shop.market_code)
        .where(Product.status == ProductStatus.ACTIVATE, Shop.status == ShopStatus.ACTIVE)
    )


async def public_products(
    session: AsyncSession,
    *,
    words: Sequence[str],
    category_ids: Sequence[int] | None,
    shop_id: int | None,
    market_code: str | None,
    min_price: int | None,
    max_price: int | None,
    sort: str,
    after: tuple[int | None, int] | None,
    limit: int,
) -> list[tuple[Product, Shop, Market]]:
    """Live products of active shops. `after` is (price, id) of the last row seen."""
    q = _public()
    if category_ids is not None:
        q = q.where(Product.category_id.in_(category_ids))
    if shop_id is not None:
        q = q.where(Product.shop_id == shop_id)
    if market_code is not None:
        q = q.where(Shop.market_code == market_code)
    if min_price is not None:
        q = q.where(Product.min_price_minor >= min_price)
    if max_price is not None:
        q = q.where(Product.min_price_minor <= max_price)
    q = q.where(*_text_match(words))
    price = Product.min_price_minor
    if sort == "price_asc":
        if after is not None:
            q = q.where(or_(price > after[0], and_(price == after[0], Product.id < after[1])))
        q = q.order_by(price.asc(), Product.id.desc())
    elif sort == "price_desc":
        if after is not None:
            q = q.where(or_(price < after[0], and_(price == after[0], Product.id < after[1])))
        q = q.order_by(price.desc(), Product.id.desc())
    else:
        if after is not None:
            q = q.where(Product.id < after[1])
        q = q.order_by(Product.id.desc())
    rows = (await session.execute(q.limit(limit))).all()
    return list(rows)


async def public_product(
    session: AsyncSession, product_id: int
) -> tuple[Product, Shop, Market] | None:
    row = (await session.execute(_public().where(Product.id == product_id))).first()
    return None if row is None else (row[0], row[1], row[2])


async def shop_with_market(session: AsyncSession, shop_id: int) -> tuple[Shop, Market]:
    q = select(Shop, Market).join(Market, Market.code == Shop.market_code).where(Shop.id == shop_id)
    row = (await session.execute(q)).one()
    return row[0], row[1]


async def sellable_rows(
    session: AsyncSession, sku_ids: Sequence[int]
) -> list[tuple[Sku, Product, str, str, str | None]]:
    image = (
        select(ProductImage.uri)
        .where(ProductImage.product_id == Product.id)
        .order_by(ProductImage.position, ProductImage.id)
        .limit(1)
        .correlate(Product)
        .scalar_subquery()
    )
    q = (
        select(Sku, Product, Shop.status, Shop.market_code, image)
        .join(Product, Product.id == Sku.product_id)
        .join(Shop, Shop.id == Product.shop_id)
        .where(Sku.id.in_(sku_ids))
    )
    return list((await session.execute(q)).all())


# Prices


async def prices_since(session: AsyncSession, sku_id: int, since: datetime) -> list[int]:
    """The price in force at `since` (if any) and every price set after it."""
    in_force = (
        select(PriceHistory.price_minor)
        .where(PriceHistory.sku_id == sku_id, PriceHistory.effective_at <= since)
        .order_by(PriceHistory.effective_at.desc(), PriceHistory.id.desc())
        .limit(1)
    )
    later = select(PriceHistory.price_minor).where(
        PriceHistory.sku_id == sku_id, PriceHistory.effective_at > since
    )
    prices = list((await session.scalars(later)).all())
    first = await session.scalar(in_force)
    if first is not None:
        prices.append(first)
    return prices


async def price_history(session: AsyncSession, sku_id: int) -> list[PriceHistory]:
    q = (
        select(PriceHistory)
        .where(PriceHistory.sku_id == sku_id)
        .order_by(PriceHistory.effective_at, PriceHistory.id)
    )
    return list((await session.scalars(q)).all())


# Audits


async def pending_audit(
    session: AsyncSession, product_id: int, version: int
) -> ProductAudit | None:
    q = (
        select(ProductAudit)
        .where(
            ProductAudit.product_id == product_id,
            ProductAudit.product_version == version,
            ProductAudit.status == AUDIT_PENDING,
        )
        .order_by(ProductAudit.id)
        .with_for_update()
    )
    return (await session.scalars(q)).first()


async def latest_audit(session: AsyncSession, product_id: int) -> ProductAudit | None:
    q = (
        select(ProductAudit)
        .where(ProductAudit.product_id == product_id)
        .order_by(ProductAudit.id.desc())
        .limit(1)
    )
    return (await session.scalars(q)).first()


async def supersede_pending_audits(session: AsyncSession, product_id: int, now: datetime) -> int:
    stmt = (
        update(ProductAudit)
        .where(ProductAudit.product_id == product_id, ProductAudit.status == AUDIT_PENDING)
        .values(status=AUDIT_SUPERSEDED, decided_by="system", decided_at=now)
    )
    return _rowcount(await session.execute(stmt))


async def audit_queue(
    session: AsyncSession, *, status: str | None, before_id: int | None, limit: int
) -> list[tuple[ProductAudit, Product, Shop]]:
    q = (
        select(ProductAudit, Product, Shop)
        .join(Product, Product.id == ProductAudit.product_id)
        .join(Shop, Shop.id == Product.shop_id)
        .where(Product.status != ProductStatus.DELETED)
    )
    if status is not None:
        q = q.where(ProductAudit.status == status)
    if before_id is not None:
        q = q.where(ProductAudit.id < before_id)
    q = q.order_by(ProductAudit.id.desc()).limit(limit)
    return list((await session.execute(q)).all())
