from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.errors import InvalidState, NotFound
from hawker.models import Shop, ShopMember, ShopRole, ShopStatus, User, Warehouse


class ShopNotFound(NotFound):
    """No such shop."""

    code = "shop_not_found"


class ShopNotActive(InvalidState):
    """The shop is not active, so it cannot sell."""

    code = "shop_not_active"


async def get_shop(session: AsyncSession, shop_id: int) -> Shop:
    shop = await session.get(Shop, shop_id)
    if shop is None:
        raise ShopNotFound(f"There is no shop {shop_id}.")
    return shop


async def require_member(
    session: AsyncSession, user: User, shop_id: int, *, owner: bool = False
) -> Shop:
    """The shop, if `user` belongs to it (as owner when `owner`); otherwise 404.

    Another seller's shop answers exactly like a shop that does not exist (tenancy).
    """
    q = select(ShopMember).where(ShopMember.shop_id == shop_id, ShopMember.user_id == user.id)
    member = (await session.scalars(q)).first()
    if member is None or (owner and member.role != ShopRole.OWNER):
        raise ShopNotFound(f"There is no shop {shop_id}.")
    return await get_shop(session, shop_id)


async def shop_ids_for_user(session: AsyncSession, user_id: int) -> list[int]:
    q = select(ShopMember.shop_id).where(ShopMember.user_id == user_id).order_by(ShopMember.shop_id)
    return list((await session.scalars(q)).all())


def ensure_can_sell(shop: Shop) -> None:
    if shop.status != ShopStatus.ACTIVE:
        raise ShopNotActive(f"Shop {shop.name} is {shop.status}; only an active shop sells.")


async def list_warehouses(
    session: AsyncSession, shop_id: int, *, type: str | None = None
) -> list[Warehouse]:
    q = select(Warehouse).where(Warehouse.shop_id == shop_id).order_by(Warehouse.id)
    if type is not None:
        q = q.where(Warehouse.type == type)
    return list((await session.scalars(q)).all())
