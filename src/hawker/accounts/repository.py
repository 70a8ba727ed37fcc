from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.models import ApiToken, User


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    result = await session.scalars(select(User).where(User.email == email))
    return result.first()


async def user_by_token_hash(session: AsyncSession, token_hash: str, now: datetime) -> User | None:
    q = (
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == token_hash,
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
            User.is_active.is_(True),
        )
    )
    return (await session.scalars(q)).first()


async def revoke_token(session: AsyncSession, token_hash: str, now: datetime) -> None:
    await session.execute(
        update(ApiToken)
        .where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
