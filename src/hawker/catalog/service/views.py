"""Reading products: the seller's list and detail, public browse, the operator's queue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.catalog import repository as repo
from hawker.catalog.service.audit import AUDIT_STATUSES
from hawker.catalog.service.categories import category_and_descendants
from hawker.catalog.service.errors import InvalidAuditStatus, ProductNotFound
from hawker.catalog.service.products import seller_product
from hawker.errors import InvalidCursorError, id_after_cursor
from hawker.inventory import service as inventory
from hawker.kit.pagination import (
    InvalidCursor,
    Page,
    cursor_id_value,
    decode_cursor,
    encode_cursor,
)
from hawker.models import Market, Product, ProductAudit, ProductImage, Shop, Sku

MAX_QUERY_WORDS = 8
MAX_PRICE_MINOR = 2**31 - 1


@dataclass(frozen=True)
class ProductView:
    product: Product
    skus: list[Sku]
    images: list[ProductImage]
    audit: ProductAudit | None
    available: dict[int, int]
    locale: str


@dataclass(frozen=True)
class ProductListItem:
    product: Product
    image: ProductImage | None
    sku_count: int


@dataclass(frozen=True)
class PublicListItem:
    product: Product
    shop: Shop
    market: Market
    image: ProductImage | None


@dataclass(frozen=True)
class PublicView:
    product: Product
    shop: Shop
    market: Market
    skus: list[Sku]
    images: list[ProductImage]
    available: dict[int, int]


@dataclass(frozen=True)
class AuditQueueEntry:
    audit: ProductAudit
    product: Product
    shop: Shop


def query_words(q: str | None) -> list[str]:
    return q.lower().split()[:MAX_QUERY_WORDS] if q else []


async def available_by_sku(session: AsyncSession, sku_ids: Sequence[int]) -> dict[int, int]:
    """Units free to sell per SKU (inventory's count over the shop's sales warehouses)."""
    return await inventory.available_by_sku(session, list(sku_ids)) if sku_ids else {}


async def _category_filter(session: AsyncSession, category_id: int | None) -> list[int] | None:
    return None if category_id is None else await category_and_descendants(session, category_id)


# Seller


async def seller_product_view(session: AsyncSession, shop: Shop, product_id: int) -> ProductView:
    product = await seller_product(session, shop, product_id)
    skus = await repo.product_skus(session, product.id)
    _, market = await repo.shop_with_market(session, shop.id)
    return ProductView(
        product=product,
        skus=skus,
        images=await repo.product_images(session, product.id),
        audit=await repo.latest_audit(session, product.id),
        available=await available_by_sku(session, [s.id for s in skus]),
        locale=market.locale,
    )


async def seller_products(
    session: AsyncSession,
    shop: Shop,
    *,
    status: str | None,
    q: str | None,
    category_id: int | None,
    cursor: str | None,
    limit: int,
) -> Page[ProductListItem]:
    rows = await repo.seller_products(
        session,
        shop.id,
        status=status,
        words=query_words(q),
        category_ids=await _category_filter(session, category_id),
        before_id=id_after_cursor(cursor),
        limit=limit + 1,
    )
    page = rows[:limit]
    ids = [p.id for p in page]
    images = await repo.main_images(session, ids)
    counts = await repo.sku_counts(session, ids)
    items = [ProductListItem(p, images.get(p.id), counts.get(p.id, 0)) for p in page]
    more = len(rows) > limit
    return Page(items, encode_cursor({"id": page[-1].id}) if more else None)


async def shop_locale(session: AsyncSession, shop: Shop) -> str:
    _, market = await repo.shop_with_market(session, shop.id)
    return market.locale


# Public


def _price(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_PRICE_MINOR:
        raise InvalidCursor("cursor is not valid")
    return value


def _public_after(cursor: str | None, sort: str) -> tuple[int | None, int] | None:
    """(price, id) of the last product seen, from a browse cursor of the same sort order."""
    if cursor is None:
        return None
    try:
        data = decode_cursor(cursor)
        product_id = cursor_id_value(data.get("id"))
        price = None if sort == "newest" else _price(data.get("p"))
    except InvalidCursor as exc:
        raise InvalidCursorError("The cursor is not valid.") from exc
    if data.get("s") != sort:
        raise InvalidCursorError("The cursor is not valid for this sort order.")
    return (price, product_id)


async def public_products(
    session: AsyncSession,
    *,
    q: str | None,
    category_id: int | None,
    shop_id: int | None,
    market_code: str | None,
    min_price: int | None,
    max_price: int | None,
    sort: str,
    cursor: str | None,
    limit: int,
) -> Page[PublicListItem]:
    """ACTIVATE products of ACTIVE shops; prices filter on each product's lowest price."""
    rows = await repo.public_products(
        session,
        words=query_words(q),
        category_ids=await _category_filter(session, category_id),
        shop_id=shop_id,
        market_code=market_code.upper() if market_code else None,
        min_price=min_price,
        max_price=max_price,
        sort=sort,
        after=_public_after(cursor, sort),
        limit=limit + 1,
    )
    page = rows[:limit]
    images = await repo.main_images(session, [p.id for p, _, _ in page])
    items = [PublicListItem(p, s, m, images.get(p.id)) for p, s, m in page]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1][0]
        next_cursor = encode_cursor({"s": sort, "id": last.id, "p": last.min_price_minor})
    return Page(items, next_cursor)


async def public_product(session: AsyncSession, product_id: int) -> PublicView:
    """A live product of an active shop; anything else answers 404."""
    row = await repo.public_product(session, product_id)
    if row is None:
        raise ProductNotFound(f"There is no product {product_id}.")
    product, shop, market = row
    skus = await repo.product_skus(session, product.id)
    return PublicView(
        product=product,
        shop=shop,
        market=market,
        skus=skus,
        images=await repo.product_images(session, product.id),
        available=await available_by_sku(session, [s.id for s in skus]),
    )


# Operator


async def audit_queue(
    session: AsyncSession, *, status: str | None, cursor: str | None, limit: int
) -> Page[AuditQueueEntry]:
    if status is not None and status not in AUDIT_STATUSES:
        raise InvalidAuditStatus(
            f"Unknown audit status {status!r}.", details={"allowed": list(AUDIT_STATUSES)}
        )
    rows = await repo.audit_queue(
        session, status=status, before_id=id_after_cursor(cursor), limit=limit + 1
    )
    page = rows[:limit]
    items = [AuditQueueEntry(a, p, s) for a, p, s in page]
    more = len(rows) > limit
    return Page(items, encode_cursor({"id": page[-1][0].id}) if more else None)
