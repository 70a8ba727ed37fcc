"""Read-only: the SKUs of a shop's products, for the seller center's stock forms.

The catalog has no "every SKU of a shop" reading (its lists are per product), and a
picker needs exactly that: one query, newest products first, deleted products left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.catalog.service import sku_name
from hawker.models import Product, ProductStatus, Sku

MAX_CHOICES = 500


@dataclass(frozen=True)
class SkuChoice:
    sku_id: int
    product_id: int
    product_title: str
    name: str
    seller_sku: str

    @property
    def label(self) -> str:
        variant = f" — {self.name}" if self.name else ""
        return f"{self.product_title}{variant} ({self.seller_sku})"


async def shop_sku_choices(session: AsyncSession, shop_id: int) -> list[SkuChoice]:
    q = (
        select(Sku, Product.title)
        .join(Product, Product.id == Sku.product_id)
        .where(
            Product.shop_id == shop_id,
            Product.status != ProductStatus.DELETED,
            Sku.is_active.is_(True),
        )
        .order_by(Product.id.desc(), Sku.id)
        .limit(MAX_CHOICES)
    )
    return [
        SkuChoice(
            sku_id=sku.id,
            product_id=sku.product_id,
            product_title=title,
            name=sku_name(sku.sales_attributes),
            seller_sku=sku.seller_sku,
        )
        for sku, title in (await session.execute(q)).all()
    ]
