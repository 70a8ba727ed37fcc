"""Shops and their members: lookups other domains build on, applications, the seller center.

Warehouses live in `hawker.shops.warehouses`, operator review in `hawker.shops.review`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.service import audit, normalise_email
from hawker.errors import (
    BadRequest,
    Conflict,
    InvalidState,
    NotFound,
    PermissionDenied,
    id_after_cursor,
)
from hawker.kit.pagination import Page, encode_cursor
from hawker.models import (
    SellerType,
    Shop,
    ShopMember,
    ShopRole,
    ShopStatus,
    User,
    UserRole,
    Warehouse,
)
from hawker.regions.service import get_market
from hawker.shops import repository as repo

# A sane ceiling, not a business figure: nobody needs more open shops than this.
MAX_OPEN_SHOPS_PER_OWNER = 5
MAX_DB_ID = 2**63 - 1


class ShopNotFound(NotFound):
    """No such shop."""

    code = "shop_not_found"


class ShopNotActive(InvalidState):
    """The shop is not active, so it cannot sell."""

    code = "shop_not_active"


class ShopClosed(InvalidState):
    """The shop is closed; nothing about it can change any more."""

    code = "shop_closed"


class ShopNameTaken(Conflict):
    """Another shop already has this name."""

    code = "shop_name_taken"


class TooManyShops(Conflict):
    """This account already owns as many open shops as it may."""

    code = "too_many_shops"


class OperatorCannotJoinShop(PermissionDenied):
    """Platform operators cannot own or work in shops."""

    code = "operator_cannot_join_shop"


class NotShopOwner(PermissionDenied):
    """Only the shop's owner may do that."""

    code = "not_shop_owner"


class UserNotFound(NotFound):
    """No account has that email."""

    code = "user_not_found"


class AlreadyMember(Conflict):
    """That user is already a member of this shop."""

    code = "already_member"


class MemberNotFound(NotFound):
    """That user is not a member of this shop."""

    code = "member_not_found"


class CannotRemoveOwner(Conflict):
    """The shop's owner cannot be removed."""

    code = "cannot_remove_owner"


# Lookups other domains use ----------------------------------------------------------------------


def _valid_id(value: int) -> bool:
    return 0 < value <= MAX_DB_ID


async def get_shop(session: AsyncSession, shop_id: int) -> Shop:
    shop = await session.get(Shop, shop_id) if _valid_id(shop_id) else None
    if shop is None:
        raise ShopNotFound(f"There is no shop {shop_id}.")
    return shop


async def require_member(
    session: AsyncSession, user: User, shop_id: int, *, owner: bool = False
) -> Shop:
    """The shop, if `user` belongs to it (as owner when `owner`); otherwise 404.

    Another seller's shop answers exactly like a shop that does not exist (tenancy).
    """
    if not _valid_id(shop_id):
        raise ShopNotFound(f"There is no shop {shop_id}.")
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


async def get_membership(session: AsyncSession, user: User, shop_id: int) -> ShopMember:
    """`user`'s membership of the shop; ShopNotFound (404) when they are not a member."""
    member = await repo.membership(session, shop_id, user.id) if _valid_id(shop_id) else None
    if member is None:
        raise ShopNotFound(f"There is no shop {shop_id}.")
    return member


async def require_owner(session: AsyncSession, user: User, shop_id: int) -> Shop:
    """The shop, for its owner. A non-member gets 404; a staff member (who can see it) 403."""
    member = await get_membership(session, user, shop_id)
    if member.role != ShopRole.OWNER:
        raise NotShopOwner("Only the shop's owner may do that.")
    return await get_shop(session, shop_id)


def ensure_not_closed(shop: Shop) -> None:
    if shop.status == ShopStatus.CLOSED:
        raise ShopClosed(f"Shop {shop.name} is closed; it can no longer be changed.")


# Pages ------------------------------------------------------------------------------------------

T = TypeVar("T")


def cursor_after(cursor: str | None) -> int | None:
    """The id a page cursor points after; 400 invalid_cursor for anything malformed.

    Kept for the domains that page with it; the rule is `hawker.errors.id_after_cursor`.
    """
    return id_after_cursor(cursor)


def page_of(rows: Sequence[T], limit: int, key: Callable[[T], int]) -> Page[T]:
    """A page from up to `limit + 1` rows fetched by id descending."""
    items = list(rows[:limit])
    more = len(rows) > limit
    return Page(items=items, next_cursor=encode_cursor({"id": key(items[-1])}) if more else None)


# Applying for a shop ----------------------------------------------------------------------------


def normalise_shop_name(name: str) -> str:
    return " ".join(name.split())


async def apply_for_shop(
    session: AsyncSession,
    user: User,
    *,
    name: str,
    market_code: str,
    seller_type: str,
    description: str,
    contact_email: str,
    business_name: str,
    business_registration_number: str,
    now: datetime,
) -> tuple[Shop, ShopMember]:
    """A new shop in PENDING_REVIEW and on probation, with `user` as its owner."""
    if user.role == UserRole.OPERATOR:
        raise OperatorCannotJoinShop("Platform operators cannot own shops.")
    if seller_type not in set(SellerType):
        raise BadRequest("seller_type must be LOCAL or CROSS_BORDER.")
    market = await get_market(session, market_code)
    name = normalise_shop_name(name)
    await repo.lock_user(session, user.id)
    if await repo.count_open_owned_shops(session, user.id) >= MAX_OPEN_SHOPS_PER_OWNER:
        raise TooManyShops(
            f"An account may own at most {MAX_OPEN_SHOPS_PER_OWNER} open shops.",
            details={"limit": MAX_OPEN_SHOPS_PER_OWNER},
        )
    if await repo.shop_name_in_use(session, name):
        raise ShopNameTaken(f"A shop named {name!r} already exists.")
    shop = Shop(
        name=name,
        description=description.strip(),
        market_code=market.code,
        seller_type=seller_type,
        status=ShopStatus.PENDING_REVIEW,
        on_probation=True,
        contact_email=normalise_email(contact_email),
        business_name=business_name.strip(),
        business_registration_number=business_registration_number.strip(),
        created_at=now,
        updated_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(shop)
            await session.flush()
    except IntegrityError as exc:  # a concurrent application took the name
        raise ShopNameTaken(f"A shop named {name!r} already exists.") from exc
    member = ShopMember(shop_id=shop.id, user_id=user.id, role=ShopRole.OWNER, created_at=now)
    session.add(member)
    await session.flush()
    return shop, member


async def get_public_shop(session: AsyncSession, shop_id: int) -> Shop:
    """A shop as buyers see it: only an ACTIVE shop exists for them."""
    shop = await get_shop(session, shop_id)
    if shop.status != ShopStatus.ACTIVE:
        raise ShopNotFound(f"There is no shop {shop_id}.")
    return shop


# Seller center ----------------------------------------------------------------------------------


async def my_shops(
    session: AsyncSession, user: User, *, cursor: str | None, limit: int
) -> Page[tuple[Shop, str]]:
    """The shops `user` belongs to, newest first, each with the user's role in it."""
    rows = await repo.my_shops_page(session, user.id, after_id=cursor_after(cursor), limit=limit)
    return page_of(rows, limit, lambda row: row[0].id)


async def update_shop(
    session: AsyncSession,
    user: User,
    shop_id: int,
    *,
    description: str | None = None,
    contact_email: str | None = None,
    now: datetime,
) -> Shop:
    """The owner edits the shop's profile. Name, market and business details go through review."""
    shop = await require_owner(session, user, shop_id)
    ensure_not_closed(shop)
    changes: dict[str, str] = {}
    if description is not None and description.strip() != shop.description:
        shop.description = description.strip()
        changes["description"] = shop.description
    if contact_email is not None and normalise_email(contact_email) != shop.contact_email:
        shop.contact_email = normalise_email(contact_email)
        changes["contact_email"] = shop.contact_email
    if changes:
        shop.updated_at = now
        audit(
            session,
            actor_id=user.id,
            action="shop.update",
            target_type="shop",
            target_id=shop.id,
            now=now,
            details={"changed": sorted(changes)},
        )
        await session.flush()
    return shop


async def list_members(
    session: AsyncSession, user: User, shop_id: int, *, cursor: str | None, limit: int
) -> Page[tuple[ShopMember, User]]:
    await get_membership(session, user, shop_id)
    rows = await repo.members_page(session, shop_id, after_id=cursor_after(cursor), limit=limit)
    return page_of(rows, limit, lambda row: row[0].id)


async def shop_members(session: AsyncSession, shop_id: int) -> list[tuple[ShopMember, User]]:
    """Every member of a shop with their account, oldest first (for operators)."""
    return await repo.all_members(session, shop_id)


async def add_staff(
    session: AsyncSession, owner: User, shop_id: int, *, email: str, now: datetime
) -> tuple[ShopMember, User]:
    """The owner adds an existing account to the shop as staff."""
    shop = await require_owner(session, owner, shop_id)
    ensure_not_closed(shop)
    target = await repo.user_by_email(session, normalise_email(email))
    if target is None or not target.is_active:
        raise UserNotFound("No account has that email.")
    if target.role == UserRole.OPERATOR:
        raise OperatorCannotJoinShop("Platform operators cannot work in shops.")
    if await repo.membership(session, shop_id, target.id) is not None:
        raise AlreadyMember(f"{target.email} is already a member of this shop.")
    member = ShopMember(shop_id=shop_id, user_id=target.id, role=ShopRole.STAFF, created_at=now)
    try:
        async with session.begin_nested():
            session.add(member)
            await session.flush()
    except IntegrityError as exc:  # added concurrently
        raise AlreadyMember(f"{target.email} is already a member of this shop.") from exc
    audit(
        session,
        actor_id=owner.id,
        action="shop.member_add",
        target_type="shop",
        target_id=shop_id,
        now=now,
        details={"user_id": str(target.id), "role": str(ShopRole.STAFF)},
    )
    await session.flush()
    return member, target


async def remove_staff(
    session: AsyncSession, owner: User, shop_id: int, *, user_id: int, now: datetime
) -> None:
    """The owner removes a staff member; the owner themself cannot be removed."""
    await require_owner(session, owner, shop_id)
    member = await repo.membership(session, shop_id, user_id) if _valid_id(user_id) else None
    if member is None:
        raise MemberNotFound(f"User {user_id} is not a member of this shop.")
    if member.role == ShopRole.OWNER:
        raise CannotRemoveOwner("The shop's owner cannot be removed.")
    if not await repo.delete_staff_member(session, shop_id, user_id):
        raise MemberNotFound(f"User {user_id} is not a member of this shop.")
    audit(
        session,
        actor_id=owner.id,
        action="shop.member_remove",
        target_type="shop",
        target_id=shop_id,
        now=now,
        details={"user_id": str(user_id)},
    )
    await session.flush()
