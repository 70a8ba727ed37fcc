"""Every SQL statement of the live domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.models import (
    LiveBagItem,
    LiveComment,
    LiveMute,
    LiveOrderAttribution,
    LivePin,
    LiveSession,
    Shop,
    User,
)


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def get(session: AsyncSession, live_id: int) -> LiveSession | None:
    return await session.get(LiveSession, live_id)


async def get_fresh(session: AsyncSession, live_id: int) -> LiveSession | None:
    q = select(LiveSession).where(LiveSession.id == live_id)
    return (await session.scalars(q.execution_options(populate_existing=True))).first()


async def by_stream_name(session: AsyncSession, name: str) -> LiveSession | None:
    q = select(LiveSession).where(
        (LiveSession.stream_key == name) | (LiveSession.public_name == name)
    )
    return (await session.scalars(q.execution_options(populate_existing=True))).first()


async def by_stream_key(session: AsyncSession, key: str) -> LiveSession | None:
    q = select(LiveSession).where(LiveSession.stream_key == key)
    return (await session.scalars(q.execution_options(populate_existing=True))).first()


async def user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def users(session: AsyncSession, ids: Sequence[int]) -> dict[int, User]:
    if not ids:
        return {}
    rows = await session.scalars(select(User).where(User.id.in_(set(ids))))
    return {u.id: u for u in rows}


async def shops(session: AsyncSession, ids: Sequence[int]) -> dict[int, Shop]:
    if not ids:
        return {}
    rows = await session.scalars(select(Shop).where(Shop.id.in_(set(ids))))
    return {s.id: s for s in rows}


async def change_status(
    session: AsyncSession,
    live_id: int,
    *,
    from_statuses: Sequence[str],
    values: dict[str, Any],
) -> int:
    """A guarded status change: 1 when it happened, 0 when the status was not one expected."""
    result = await session.execute(
        update(LiveSession)
        .where(LiveSession.id == live_id, LiveSession.status.in_(from_statuses))
        .values(**values)
    )
    return _rowcount(result)


async def list_sessions(
    session: AsyncSession,
    *,
    statuses: Sequence[str] | None,
    host_id: int | None,
    shop_id: int | None,
    shop_ids_or_host: tuple[int, Sequence[int]] | None,
    before_id: int | None,
    limit: int,
) -> list[LiveSession]:
    q = select(LiveSession)
    if statuses is not None:
        q = q.where(LiveSession.status.in_(statuses))
    if host_id is not None:
        q = q.where(LiveSession.host_id == host_id)
    if shop_id is not None:
        q = q.where(LiveSession.shop_id == shop_id)
    if shop_ids_or_host is not None:
        host, shop_ids = shop_ids_or_host
        q = q.where((LiveSession.host_id == host) | LiveSession.shop_id.in_(shop_ids))
    if before_id is not None:
        q = q.where(LiveSession.id < before_id)
    q = q.order_by(LiveSession.id.desc()).limit(limit)
    return list((await session.scalars(q)).all())


# Bag and pins


async def bag(session: AsyncSession, live_id: int) -> list[int]:
    q = (
        select(LiveBagItem.product_id)
        .where(LiveBagItem.session_id == live_id)
        .order_by(LiveBagItem.position, LiveBagItem.id)
    )
    return list((await session.scalars(q)).all())


async def replace_bag(session: AsyncSession, live_id: int, product_ids: Sequence[int]) -> None:
    await session.execute(delete(LiveBagItem).where(LiveBagItem.session_id == live_id))
    for position, product_id in enumerate(product_ids):
        session.add(LiveBagItem(session_id=live_id, product_id=product_id, position=position))
    await session.flush()


async def set_pinned(
    session: AsyncSession, live_id: int, product_id: int | None, *, now: datetime
) -> None:
    await session.execute(
        update(LiveSession)
        .where(LiveSession.id == live_id)
        .values(pinned_product_id=product_id, updated_at=now)
    )


async def close_open_pins(session: AsyncSession, live_id: int, *, now: datetime) -> None:
    await session.execute(
        update(LivePin)
        .where(LivePin.session_id == live_id, LivePin.unpinned_at.is_(None))
        .values(unpinned_at=now)
    )


async def pins(session: AsyncSession, live_id: int) -> list[LivePin]:
    q = select(LivePin).where(LivePin.session_id == live_id).order_by(LivePin.pinned_at, LivePin.id)
    return list((await session.scalars(q)).all())


# Comments and mutes


async def recent_comments(
    session: AsyncSession, live_id: int, *, before_id: int | None, limit: int
) -> list[tuple[LiveComment, User]]:
    q = (
        select(LiveComment, User)
        .join(User, User.id == LiveComment.user_id)
        .where(LiveComment.session_id == live_id, LiveComment.removed_at.is_(None))
    )
    if before_id is not None:
        q = q.where(LiveComment.id < before_id)
    q = q.order_by(LiveComment.id.desc()).limit(limit)
    return [(row[0], row[1]) for row in (await session.execute(q)).all()]


async def remove_comment(
    session: AsyncSession, live_id: int, comment_id: int, *, by: int, now: datetime
) -> int:
    result = await session.execute(
        update(LiveComment)
        .where(
            LiveComment.id == comment_id,
            LiveComment.session_id == live_id,
            LiveComment.removed_at.is_(None),
        )
        .values(removed_at=now, removed_by=by)
    )
    return _rowcount(result)


async def comment_exists(session: AsyncSession, live_id: int, comment_id: int) -> bool:
    q = select(LiveComment.id).where(
        LiveComment.id == comment_id, LiveComment.session_id == live_id
    )
    return (await session.scalars(q)).first() is not None


async def is_muted(session: AsyncSession, live_id: int, user_id: int) -> bool:
    q = select(LiveMute.id).where(LiveMute.session_id == live_id, LiveMute.user_id == user_id)
    return (await session.scalars(q)).first() is not None


async def unmute(session: AsyncSession, live_id: int, user_id: int) -> int:
    result = await session.execute(
        delete(LiveMute).where(LiveMute.session_id == live_id, LiveMute.user_id == user_id)
    )
    return _rowcount(result)


# Orders


async def attribution(session: AsyncSession, order_id: int) -> LiveOrderAttribution | None:
    q = select(LiveOrderAttribution).where(LiveOrderAttribution.order_id == order_id)
    return (await session.scalars(q)).first()


async def mark_counted(session: AsyncSession, order_id: int, *, now: datetime) -> int:
    result = await session.execute(
        update(LiveOrderAttribution)
        .where(
            LiveOrderAttribution.order_id == order_id,
            LiveOrderAttribution.counted_at.is_(None),
        )
        .values(counted_at=now)
    )
    return _rowcount(result)


async def add_order(session: AsyncSession, live_id: int, gmv_minor: int) -> tuple[int, int]:
    await session.execute(
        update(LiveSession)
        .where(LiveSession.id == live_id)
        .values(
            order_count=LiveSession.order_count + 1,
            gmv_minor=LiveSession.gmv_minor + gmv_minor,
        )
    )
    q = select(LiveSession.order_count, LiveSession.gmv_minor).where(LiveSession.id == live_id)
    row = (await session.execute(q)).one()
    return int(row[0]), int(row[1])
