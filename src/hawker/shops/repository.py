"""Every SQL statement of the shops domain.

Lists are keyset pages on id descending (ids are time-ordered): each page function returns up
to `limit + 1` rows so the caller can tell whether another page follows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Select, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.models import AuditLog, Shop, ShopMember, ShopRole, ShopStatus, User, Warehouse


def _rowcount(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with LIKE's wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# Shops and members ----------------------------------------------------------------------------


async def lock_user(session: AsyncSession, user_id: int) -> None:
    """Serialise a user's shop applications (row lock on PostgreSQL; SQLite has one writer)."""
    await session.execute(select(User.id).where(User.id == user_id).with_for_update())


async def lock_shop(session: AsyncSession, shop_id: int) -> Shop | None:
    """The shop row, locked until the transaction ends (serialises changes inside one shop)."""
    q = select(Shop).where(Shop.id == shop_id).with_for_update()
    return (await session.scalars(q)).first()


async def count_open_owned_shops(session: AsyncSession, user_id: int) -> int:
    q = (
        select(func.count())
        .select_from(ShopMember)
        .join(Shop, Shop.id == ShopMember.shop_id)
        .where(
            ShopMember.user_id == user_id,
            ShopMember.role == ShopRole.OWNER,
            Shop.status != ShopStatus.CLOSED,
        )
    )
    return int((await session.scalar(q)) or 0)


async def shop_name_in_use(session: AsyncSession, name: str) -> bool:
    q = select(Shop.id).where(func.lower(Shop.name) == name.lower()).limit(1)
    return (await session.scalar(q)) is not None


async def membership(session: AsyncSession, shop_id: int, user_id: int) -> ShopMember | None:
    q = select(ShopMember).where(ShopMember.shop_id == shop_id, ShopMember.user_id == user_id)
    return (await session.scalars(q)).first()


async def my_shops_page(
    session: AsyncSession, user_id: int, *, after_id: int | None, limit: int
) -> list[tuple[Shop, str]]:
    q = (
        select(Shop, ShopMember.role)
        .join(ShopMember, ShopMember.shop_id == Shop.id)
        .where(ShopMember.user_id == user_id)
        .order_by(Shop.id.desc())
        .limit(limit + 1)
    )
    if after_id is not None:
        q = q.where(Shop.id < after_id)
    return [(shop, role) for shop, role in (await session.execute(q)).all()]


def _members_query(shop_id: int) -> Select[ShopMember, User]:
    return (
        select(ShopMember, User)
        .join(User, User.id == ShopMember.user_id)
        .where(ShopMember.shop_id == shop_id)
    )


async def members_page(
    session: AsyncSession, shop_id: int, *, after_id: int | None, limit: int
) -> list[tuple[ShopMember, User]]:
    q = _members_query(shop_id).order_by(ShopMember.id.desc()).limit(limit + 1)
    if after_id is not None:
        q = q.where(ShopMember.id < after_id)
    return [(m, u) for m, u in (await session.execute(q)).all()]


async def all_members(session: AsyncSession, shop_id: int) -> list[tuple[ShopMember, User]]:
    q = _members_query(shop_id).order_by(ShopMember.id)
    return [(m, u) for m, u in (await session.execute(q)).all()]


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    return (await session.scalars(select(User).where(User.email == email))).first()


async def delete_staff_member(session: AsyncSession, shop_id: int, user_id: int) -> bool:
    """Remove a staff membership; never an owner's. True if a row went."""
    result = await session.execute(
        delete(ShopMember).where(
            ShopMember.shop_id == shop_id,
            ShopMember.user_id == user_id,
            ShopMember.role == ShopRole.STAFF,
        )
    )
    return _rowcount(result) == 1


# Review -----------------------------------------------------------------------------------------


async def transition(
    session: AsyncSession,
    shop_id: int,
    *,
    from_status: str,
    to_status: str,
    reason: str | None,
    reviewer_id: int,
    now: datetime,
) -> bool:
    """Move the shop to `to_status` only if it is still `from_status`. True if it moved.

    The status guard makes two operators acting at once safe: exactly one UPDATE matches.
    """
    result = await session.execute(
        update(Shop)
        .where(Shop.id == shop_id, Shop.status == from_status)
        .values(
            status=to_status,
            status_reason=reason,
            reviewed_at=now,
            reviewed_by=reviewer_id,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


async def shops_page(
    session: AsyncSession,
    *,
    status: str | None,
    market_code: str | None,
    q: str | None,
    after_id: int | None,
    limit: int,
) -> list[Shop]:
    stmt = select(Shop).order_by(Shop.id.desc()).limit(limit + 1)
    if status is not None:
        stmt = stmt.where(Shop.status == status)
    if market_code is not None:
        stmt = stmt.where(Shop.market_code == market_code)
    if q:
        pattern = like_pattern(q)
        stmt = stmt.where(
            Shop.name.ilike(pattern, escape="\\")
            | Shop.business_name.ilike(pattern, escape="\\")
            | Shop.business_registration_number.ilike(pattern, escape="\\")
            | Shop.contact_email.ilike(pattern, escape="\\")
        )
    if after_id is not None:
        stmt = stmt.where(Shop.id < after_id)
    return list((await session.scalars(stmt)).all())


async def audit_page(
    session: AsyncSession,
    *,
    target_type: str | None,
    target_id: int | None,
    actor_id: int | None,
    action: str | None,
    after_id: int | None,
    limit: int,
) -> list[AuditLog]:
    stmt = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit + 1)
    if target_type is not None:
        stmt = stmt.where(AuditLog.target_type == target_type)
    if target_id is not None:
        stmt = stmt.where(AuditLog.target_id == target_id)
    if actor_id is not None:
        stmt = stmt.where(AuditLog.actor_id == actor_id)
    if action is not None:
        stmt = stmt.where(AuditLog.action == action)
    if after_id is not None:
        stmt = stmt.where(AuditLog.id < after_id)
    return list((await session.scalars(stmt)).all())


# Warehouses -------------------------------------------------------------------------------------


async def warehouses_page(
    session: AsyncSession,
    shop_id: int,
    *,
    type: str | None,
    after_id: int | None,
    limit: int,
) -> list[Warehouse]:
    stmt = (
        select(Warehouse)
        .where(Warehouse.shop_id == shop_id)
        .order_by(Warehouse.id.desc())
        .limit(limit + 1)
    )
    if type is not None:
        stmt = stmt.where(Warehouse.type == type)
    if after_id is not None:
        stmt = stmt.where(Warehouse.id < after_id)
    return list((await session.scalars(stmt)).all())


async def shop_warehouse(
    session: AsyncSession, shop_id: int, warehouse_id: int
) -> Warehouse | None:
    q = select(Warehouse).where(Warehouse.id == warehouse_id, Warehouse.shop_id == shop_id)
    return (await session.scalars(q)).first()


async def default_warehouse(session: AsyncSession, shop_id: int, type: str) -> Warehouse | None:
    q = (
        select(Warehouse)
        .where(
            Warehouse.shop_id == shop_id,
            Warehouse.type == type,
            Warehouse.is_default.is_(True),
        )
        .order_by(Warehouse.id)
        .limit(1)
    )
    return (await session.scalars(q)).first()


async def count_warehouses(session: AsyncSession, shop_id: int) -> int:
    q = select(func.count()).select_from(Warehouse).where(Warehouse.shop_id == shop_id)
    return int((await session.scalar(q)) or 0)


async def unset_other_defaults(
    session: AsyncSession, shop_id: int, type: str, keep_id: int
) -> None:
    await session.execute(
        update(Warehouse)
        .where(
            Warehouse.shop_id == shop_id,
            Warehouse.type == type,
            Warehouse.id != keep_id,
            Warehouse.is_default.is_(True),
        )
        .values(is_default=False)
        .execution_options(synchronize_session="fetch")
    )
