from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.models import IdempotencyRecord


async def find(
    session: AsyncSession, *, user_id: int, scope: str, key: str
) -> IdempotencyRecord | None:
    q = select(IdempotencyRecord).where(
        IdempotencyRecord.user_id == user_id,
        IdempotencyRecord.scope == scope,
        IdempotencyRecord.key == key,
    )
    return (await session.scalars(q)).first()


async def delete_if_expired(session: AsyncSession, record_id: int, now: datetime) -> None:
    await session.execute(
        delete(IdempotencyRecord)
        .where(IdempotencyRecord.id == record_id, IdempotencyRecord.expires_at <= now)
        .execution_options(synchronize_session=False)
    )


async def purge_expired(session: AsyncSession, *, now: datetime, limit: int) -> int:
    """Delete up to `limit` expired records; returns how many went."""
    ids = select(IdempotencyRecord.id).where(IdempotencyRecord.expires_at <= now).limit(limit)
    result = await session.execute(
        delete(IdempotencyRecord)
        .where(IdempotencyRecord.id.in_(ids.scalar_subquery()))
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return int(result.rowcount)
