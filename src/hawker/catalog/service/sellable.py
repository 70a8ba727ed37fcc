"""What checkout, cart and live selling read about SKUs: one query, no surprises."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.catalog import repository as repo
from hawker.models import ProductStatus, ShopStatus


@dataclass(frozen=True)
class SellableSku:
    sku_id: int
    product_id: int
    shop_id: int
    product_title: str
    sku_name: str  # attribute values joined, e.g. "Red / M"
    seller_sku: str
    price_minor: int
    currency: str
    image_uri: str | None
    package_weight_g: int
    product_status: str
    shop_status: str
    market_code: str
    is_sellable: bool  # product ACTIVATE and sku active and shop ACTIVE


def sku_name(sales_attributes: Sequence[dict[str, object]]) -> str:
    """ "Red / M" for [{"name": "Colour", "value_name": "Red"}, {"name": "Size", ...}]."""
    return " / ".join(str(a.get("value_name", "")) for a in sales_attributes)


async def skus_for_sale(session: AsyncSession, sku_ids: Sequence[int]) -> dict[int, SellableSku]:
    """The SKUs with their product and shop, keyed by SKU id; unknown ids are left out."""
    if not sku_ids:
        return {}
    out: dict[int, SellableSku] = {}
    for row in await repo.sellable_rows(session, sorted(set(sku_ids))):
        sku, product, shop_status, market_code, image_uri = row
        out[sku.id] = SellableSku(
            sku_id=sku.id,
            product_id=product.id,
            shop_id=product.shop_id,
            product_title=product.title,
            sku_name=sku_name(sku.sales_attributes),
            seller_sku=sku.seller_sku,
            price_minor=sku.price_minor,
            currency=sku.currency,
            image_uri=image_uri,
            package_weight_g=product.package_weight_g,
            product_status=product.status,
            shop_status=shop_status,
            market_code=market_code,
            is_sellable=(
                product.status == ProductStatus.ACTIVATE
                and sku.is_active
                and shop_status == ShopStatus.ACTIVE
            ),
        )
    return out


async def lowest_price_since(session: AsyncSession, sku_id: int, since: datetime) -> int | None:
    """The lowest price the SKU has had from `since` until now (None for an unknown SKU).

    The price in force at `since` counts, as do all prices set after it.
    """
    prices = await repo.prices_since(session, sku_id, since)
    return min(prices) if prices else None
