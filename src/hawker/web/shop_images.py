"""Read-only: images in a shop's library by id, to show the ones a seller already uploaded
with a product form that came back for corrections (they are not on a product yet).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.models import ProductImage


async def shop_images(
    session: AsyncSession, shop_id: int, image_ids: Sequence[int]
) -> list[ProductImage]:
    if not image_ids:
        return []
    q = select(ProductImage).where(
        ProductImage.shop_id == shop_id, ProductImage.id.in_(list(image_ids))
    )
    return list((await session.scalars(q)).all())
