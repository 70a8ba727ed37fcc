"""Every SQL statement of the media domain."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.models import Shop, User, Video, VideoLike, VideoProductTag, VideoStatus


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def get(session: AsyncSession, video_id: int) -> Video | None:
    return await session.get(Video, video_id)


async def get_for_update(session: AsyncSession, video_id: int) -> Video | None:
    q = select(Video).where(Video.id == video_id).with_for_update()
    return (await session.scalars(q.execution_options(populate_existing=True))).first()


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


async def list_videos(
    session: AsyncSession,
    *,
    statuses: Sequence[str] | None,
    owner_id: int | None,
    shop_id: int | None,
    words: Sequence[str],
    before_id: int | None,
    limit: int,
) -> list[Video]:
    q = select(Video)
    if statuses is not None:
        q = q.where(Video.status.in_(statuses))
    if owner_id is not None:
        q = q.where(Video.owner_id == owner_id)
    if shop_id is not None:
        q = q.where(Video.shop_id == shop_id)
    for word in words:
        q = q.where(Video.title.ilike(f"%{word}%"))
    if before_id is not None:
        q = q.where(Video.id < before_id)
    q = q.order_by(Video.id.desc()).limit(limit)
    return list((await session.scalars(q)).all())


async def tags(session: AsyncSession, video_id: int) -> list[VideoProductTag]:
    q = (
        select(VideoProductTag)
        .where(VideoProductTag.video_id == video_id)
        .order_by(VideoProductTag.position, VideoProductTag.id)
    )
    return list((await session.scalars(q)).all())


async def replace_tags(
    session: AsyncSession, video_id: int, rows: Sequence[tuple[int, int | None]]
) -> None:
    await session.execute(delete(VideoProductTag).where(VideoProductTag.video_id == video_id))
    for position, (product_id, at_ms) in enumerate(rows):
        session.add(
            VideoProductTag(
                video_id=video_id, product_id=product_id, at_ms=at_ms, position=position
            )
        )
    await session.flush()


async def add_view(session: AsyncSession, video_id: int) -> int:
    result = await session.execute(
        update(Video)
        .where(Video.id == video_id, Video.status == VideoStatus.READY)
        .values(view_count=Video.view_count + 1)
    )
    return _rowcount(result)


async def has_liked(session: AsyncSession, video_id: int, user_id: int) -> bool:
    q = select(VideoLike.id).where(VideoLike.video_id == video_id, VideoLike.user_id == user_id)
    return (await session.scalars(q)).first() is not None


async def add_like_count(session: AsyncSession, video_id: int, delta: int) -> None:
    q = update(Video).where(Video.id == video_id)
    if delta < 0:
        q = q.where(Video.like_count >= -delta)
    await session.execute(q.values(like_count=Video.like_count + delta))


async def remove_like(session: AsyncSession, video_id: int, user_id: int) -> int:
    result = await session.execute(
        delete(VideoLike).where(VideoLike.video_id == video_id, VideoLike.user_id == user_id)
    )
    return _rowcount(result)


async def counts(session: AsyncSession, video_id: int) -> tuple[int, int]:
    q = select(Video.view_count, Video.like_count).where(Video.id == video_id)
    row = (await session.execute(q.execution_options(populate_existing=True))).one()
    return int(row[0]), int(row[1])


async def set_status(
    session: AsyncSession, video_id: int, *, from_statuses: Sequence[str], values: dict[str, Any]
) -> int:
    result = await session.execute(
        update(Video).where(Video.id == video_id, Video.status.in_(from_statuses)).values(**values)
    )
    return _rowcount(result)
