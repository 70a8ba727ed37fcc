"""Product cards: the small view of a live product that videos and live rooms show.

Built from the catalog's public product view, so a card exists only for a product buyers
can see (active, in an active shop); anything else is left out.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.catalog import service as catalog
from hawker.catalog.service.errors import ProductNotFound
from hawker.schemas import Id, MoneyOut, Schema


class ShopRef(Schema):
    id: Id
    name: str


class ProductCard(Schema):
    id: Id
    title: str
    image_url: str | None
    price_from: MoneyOut
    price_to: MoneyOut
    in_stock: bool
    shop: ShopRef


def card_of(view: catalog.PublicView) -> ProductCard:
    p, locale = view.product, view.market.locale
    image = view.images[0].uri if view.images else None
    return ProductCard(
        id=p.id,
        title=p.title,
        image_url=image,
        price_from=MoneyOut.of(p.min_price_minor, p.currency, locale),
        price_to=MoneyOut.of(p.max_price_minor, p.currency, locale),
        in_stock=any(v > 0 for v in view.available.values()),
        shop=ShopRef(id=view.shop.id, name=view.shop.name),
    )


async def public_view(session: AsyncSession, product_id: int) -> catalog.PublicView | None:
    try:
        return await catalog.public_product(session, product_id)
    except ProductNotFound:
        return None


async def product_cards(
    session: AsyncSession, product_ids: Sequence[int]
) -> dict[int, ProductCard]:
    """Cards of the products buyers can see, by id; the others are missing from the result."""
    out: dict[int, ProductCard] = {}
    for product_id in dict.fromkeys(product_ids):
        view = await public_view(session, product_id)
        if view is not None:
            out[product_id] = card_of(view)
    return out
