"""Every SQL statement of the customs domain."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.models import (
    CustomsProfile,
    DutyTable,
    OrderCustoms,
    Product,
    ProductStatus,
    ShopCustoms,
)


async def profile(session: AsyncSession, product_id: int) -> CustomsProfile | None:
    return await session.get(CustomsProfile, product_id)


async def profiles(
    session: AsyncSession, product_ids: Collection[int]
) -> dict[int, CustomsProfile]:
    if not product_ids:
        return {}
    rows = await session.scalars(
        select(CustomsProfile).where(CustomsProfile.product_id.in_(list(product_ids)))
    )
    return {p.product_id: p for p in rows}


async def delete_profile(session: AsyncSession, product_id: int) -> bool:
    result = await session.execute(
        delete(CustomsProfile).where(CustomsProfile.product_id == product_id)
    )
    return bool(getattr(result, "rowcount", 0))


async def shop_products(
    session: AsyncSession,
    shop_id: int,
    *,
    missing_only: bool,
    before_id: int | None,
    limit: int,
) -> Sequence[tuple[Product, CustomsProfile | None]]:
    """The shop's products (not deleted), newest first, each with its profile or None."""
    q = (
        select(Product, CustomsProfile)
        .outerjoin(CustomsProfile, CustomsProfile.product_id == Product.id)
        .where(Product.shop_id == shop_id, Product.status != ProductStatus.DELETED)
        .order_by(Product.id.desc())
        .limit(limit)
    )
    if missing_only:
        q = q.where(CustomsProfile.product_id.is_(None))
    if before_id is not None:
        q = q.where(Product.id < before_id)
    return [(p, c) for p, c in (await session.execute(q)).all()]


async def shop_terms(session: AsyncSession, shop_ids: Collection[int]) -> dict[int, ShopCustoms]:
    if not shop_ids:
        return {}
    rows = await session.scalars(select(ShopCustoms).where(ShopCustoms.shop_id.in_(shop_ids)))
    return {r.shop_id: r for r in rows}


async def shop_terms_for_update(session: AsyncSession, shop_id: int) -> ShopCustoms | None:
    q = select(ShopCustoms).where(ShopCustoms.shop_id == shop_id).with_for_update()
    return (await session.scalars(q)).first()


async def duty_tables(session: AsyncSession, market_codes: Collection[str]) -> dict[str, DutyTable]:
    if not market_codes:
        return {}
    rows = await session.scalars(
        select(DutyTable).where(DutyTable.market_code.in_(list(market_codes)))
    )
    return {t.market_code: t for t in rows}


async def all_duty_tables(session: AsyncSession) -> dict[str, DutyTable]:
    return {t.market_code: t for t in await session.scalars(select(DutyTable))}


async def duty_table_for_update(session: AsyncSession, market_code: str) -> DutyTable | None:
    q = select(DutyTable).where(DutyTable.market_code == market_code).with_for_update()
    return (await session.scalars(q)).first()


async def order_customs(
    session: AsyncSession, order_ids: Collection[int]
) -> dict[int, OrderCustoms]:
    if not order_ids:
        return {}
    rows = await session.scalars(
        select(OrderCustoms).where(OrderCustoms.order_id.in_(list(order_ids)))
    )
    return {r.order_id: r for r in rows}
