from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts import repository as repo
from hawker.accounts.passwords import hash_password, verify_password
from hawker.errors import Conflict, HawkerError
from hawker.models import ApiToken, AuditLog, User, UserRole


class EmailTaken(Conflict):
    """An account with this email already exists."""

    code = "email_taken"


class InvalidCredentials(HawkerError):
    """Email or password is wrong."""

    status_code = 401
    code = "invalid_credentials"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    display_name: str,
    role: UserRole,
    now: datetime,
    market_code: str | None = None,
    hash_profile: str = "default",
    password_hash: str | None = None,
) -> User:
    email = normalise_email(email)
    if await repo.user_by_email(session, email) is not None:
        raise EmailTaken(f"An account with {email} already exists.")
    user = User(
        email=email,
        password_hash=password_hash or hash_password(password, hash_profile),
        display_name=display_name.strip(),
        role=role,
        market_code=market_code,
        created_at=now,
    )
    session.add(user)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:  # a concurrent sign-up with the same email
        raise EmailTaken(f"An account with {email} already exists.") from exc
    return user


async def issue_token(session: AsyncSession, user: User, *, now: datetime, ttl: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            token_hash=token_hash(token), user_id=user.id, created_at=now, expires_at=now + ttl
        )
    )
    await session.flush()
    return token


async def authenticate(session: AsyncSession, *, email: str, password: str) -> User:
    user = await repo.user_by_email(session, normalise_email(email))
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        raise InvalidCredentials("Email or password is wrong.")
    return user


async def user_for_token(session: AsyncSession, token: str, *, now: datetime) -> User | None:
    return await repo.user_by_token_hash(session, token_hash(token), now)


async def revoke(session: AsyncSession, token: str, *, now: datetime) -> None:
    await repo.revoke_token(session, token_hash(token), now)


def audit(
    session: AsyncSession,
    *,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: int,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    """Record a privileged action in the audit log (same transaction as the action)."""
    session.add(
        AuditLog(
            actor_id=actor_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            details=details or {},
            created_at=now,
        )
    )
