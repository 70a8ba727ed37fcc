"""The shop a seller-center page is about, checked against the visitor's memberships.

Another seller's shop answers 404 exactly like a shop that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.models import Shop, User
from hawker.shops import service as shops
from hawker.web.forms import parse_id

MAX_SWITCHER_SHOPS = 50


@dataclass(frozen=True)
class SellerShop:
    shop: Shop
    role: str
    my_shops: list[tuple[Shop, str]]

    @property
    def base(self) -> str:
        return f"/seller/shops/{self.shop.id}"


async def seller_shop(session: AsyncSession, user: User, shop_id: str) -> SellerShop:
    parsed = parse_id(shop_id)
    if parsed is None:
        raise shops.ShopNotFound("There is no such shop.")
    member = await shops.get_membership(session, user, parsed)
    shop = await shops.get_shop(session, parsed)
    page = await shops.my_shops(session, user, cursor=None, limit=MAX_SWITCHER_SHOPS)
    return SellerShop(shop=shop, role=member.role, my_shops=page.items)
