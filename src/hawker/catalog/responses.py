"""Service results turned into the API's response shapes."""

from __future__ import annotations

from hawker.catalog.schemas import (
    AuditOut,
    AuditQueueItem,
    CategoryOut,
    ImageOut,
    ProductOut,
    ProductSummary,
    PublicProductOut,
    PublicProductSummary,
    PublicSkuOut,
    SalesAttribute,
    ShopSummary,
    SkuOut,
)
from hawker.catalog.service import (
    AuditQueueEntry,
    CategoryNode,
    ProductListItem,
    ProductView,
    PublicListItem,
    PublicView,
    sku_name,
)
from hawker.models import ProductImage, Shop, Sku
from hawker.schemas import MoneyOut


def category_out(node: CategoryNode) -> CategoryOut:
    c = node.category
    return CategoryOut(
        id=c.id,
        parent_id=c.parent_id,
        name=c.name,
        slug=c.slug,
        is_leaf=c.is_leaf,
        hs_chapter=c.hs_chapter,
        children=[category_out(child) for child in node.children],
    )


def image_out(image: ProductImage | None) -> ImageOut | None:
    return None if image is None else ImageOut.model_validate(image)


def _attributes(sku: Sku) -> list[SalesAttribute]:
    return [SalesAttribute.model_validate(a) for a in sku.sales_attributes]


def product_out(view: ProductView) -> ProductOut:
    p = view.product
    available = view.available
    return ProductOut(
        id=p.id,
        shop_id=p.shop_id,
        category_id=p.category_id,
        title=p.title,
        description=p.description,
        brand=p.brand,
        status=p.status,
        audit_reasons=list(p.audit_reasons),
        version=p.version,
        package_weight_g=p.package_weight_g,
        package_length_cm=p.package_length_cm,
        package_width_cm=p.package_width_cm,
        package_height_cm=p.package_height_cm,
        origin_country=p.origin_country,
        currency=p.currency,
        min_price=MoneyOut.of(p.min_price_minor, p.currency, view.locale),
        max_price=MoneyOut.of(p.max_price_minor, p.currency, view.locale),
        images=[ImageOut.model_validate(i) for i in view.images],
        skus=[
            SkuOut(
                id=s.id,
                seller_sku=s.seller_sku,
                name=sku_name(s.sales_attributes),
                sales_attributes=_attributes(s),
                price=MoneyOut.of(s.price_minor, s.currency, view.locale),
                available=available.get(s.id, 0),
            )
            for s in view.skus
        ],
        audit=None if view.audit is None else AuditOut.model_validate(view.audit),
        created_at=p.created_at,
        updated_at=p.updated_at,
    )


def product_summary(item: ProductListItem, locale: str) -> ProductSummary:
    p = item.product
    return ProductSummary(
        id=p.id,
        title=p.title,
        status=p.status,
        category_id=p.category_id,
        currency=p.currency,
        min_price=MoneyOut.of(p.min_price_minor, p.currency, locale),
        max_price=MoneyOut.of(p.max_price_minor, p.currency, locale),
        sku_count=item.sku_count,
        image=image_out(item.image),
        version=p.version,
        created_at=p.created_at,
        updated_at=p.updated_at,
    )


def shop_summary(shop: Shop) -> ShopSummary:
    return ShopSummary(id=shop.id, name=shop.name, market_code=shop.market_code)


def public_summary(item: PublicListItem) -> PublicProductSummary:
    p, locale = item.product, item.market.locale
    return PublicProductSummary(
        id=p.id,
        title=p.title,
        brand=p.brand,
        category_id=p.category_id,
        shop=shop_summary(item.shop),
        price_from=MoneyOut.of(p.min_price_minor, p.currency, locale),
        price_to=MoneyOut.of(p.max_price_minor, p.currency, locale),
        image=image_out(item.image),
        created_at=p.created_at,
    )


def public_product_out(view: PublicView) -> PublicProductOut:
    p, locale, available = view.product, view.market.locale, view.available
    return PublicProductOut(
        id=p.id,
        title=p.title,
        description=p.description,
        brand=p.brand,
        category_id=p.category_id,
        shop=shop_summary(view.shop),
        price_from=MoneyOut.of(p.min_price_minor, p.currency, locale),
        price_to=MoneyOut.of(p.max_price_minor, p.currency, locale),
        package_weight_g=p.package_weight_g,
        origin_country=p.origin_country,
        images=[ImageOut.model_validate(i) for i in view.images],
        skus=[
            PublicSkuOut(
                id=s.id,
                name=sku_name(s.sales_attributes),
                sales_attributes=_attributes(s),
                price=MoneyOut.of(s.price_minor, s.currency, locale),
                available=available.get(s.id, 0),
                in_stock=available.get(s.id, 0) > 0,
            )
            for s in view.skus
        ],
        created_at=p.created_at,
        updated_at=p.updated_at,
    )


def audit_queue_item(entry: AuditQueueEntry) -> AuditQueueItem:
    a, p = entry.audit, entry.product
    return AuditQueueItem(
        id=a.id,
        product_id=p.id,
        product_version=a.product_version,
        product_title=p.title,
        product_status=p.status,
        shop=shop_summary(entry.shop),
        status=a.status,
        reasons=list(a.reasons),
        decided_by=a.decided_by,
        created_at=a.created_at,
        decided_at=a.decided_at,
    )
