"""Replay the first response to a request made with an Idempotency-Key.

A keyed request runs at most once per (user, scope, key) while its record lives: the first
run stores its status and body in the same transaction as its work, and every later request
with the same key and the same body gets that stored answer and creates nothing. The same key
with a different body is refused. Retryable server-side failures (5xx) are not stored, so
the client may retry them with the same key.

Concurrency: the record is claimed with an INSERT under the unique (user, scope, key) before
the work runs. A concurrent duplicate blocks on that insert (PostgreSQL) and, when the first
request commits, fails the unique constraint and is told the request is in progress; its own
transaction is rolled back, so it created nothing. On SQLite writers are serialised, so the
duplicate simply finds the stored record and replays it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.errors import BadRequest, Conflict
from hawker.idempotency import repository as repo
from hawker.models import IdempotencyRecord

MAX_KEY_LENGTH = 255
PURGE_BATCH = 200


class IdempotencyKeyRequired(BadRequest):
    """This request needs an Idempotency-Key header."""

    code = "idempotency_key_required"


class InvalidIdempotencyKey(BadRequest):
    """The Idempotency-Key must be 1 to 255 characters."""

    code = "invalid_idempotency_key"


class IdempotencyKeyReused(Conflict):
    """This Idempotency-Key was already used with a different request."""

    code = "idempotency_key_reused"


class IdempotencyRequestInProgress(Conflict):
    """A request with this Idempotency-Key is being processed; retry shortly."""

    code = "idempotency_request_in_progress"


RunFn = Callable[[], Awaitable[tuple[int, dict[str, Any]]]]


def require_key(value: str | None, *, max_length: int = MAX_KEY_LENGTH) -> str:
    """The header's value, or a 400 when it is missing or malformed."""
    if value is None:
        raise IdempotencyKeyRequired("Send an Idempotency-Key header with this request.")
    check_key(value, max_length=max_length)
    return value


def check_key(key: str, *, max_length: int = MAX_KEY_LENGTH) -> None:
    if not 1 <= len(key) <= max_length:
        raise InvalidIdempotencyKey(
            f"The Idempotency-Key must be 1 to {max_length} characters.",
            details={"length": len(key), "max_length": max_length},
        )


def request_hash(request_body: Any, *, secret: str) -> str:
    """HMAC-SHA256, keyed with the deployment's secret, of the request in canonical JSON
    (sorted keys, no whitespace).

    The stored hash only tells whether a retry is the same request; without the secret it
    cannot be used to guess what the request held.
    """
    canonical = json.dumps(request_body, sort_keys=True, separators=(",", ":"), default=str)
    return hmac.new(secret.encode(), canonical.encode(), hashlib.sha256).hexdigest()


async def replay_or_run(
    session: AsyncSession,
    *,
    user_id: int,
    scope: str,
    key: str,
    request_body: Any,
    now: datetime,
    ttl: timedelta,
    run: RunFn,
    max_key_length: int = MAX_KEY_LENGTH,
    secret: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """The stored (status, body) for this key, or run `run` and store what it answers.

    `run` returns the response it wants stored; if it raises, the caller's transaction rolls
    back and nothing is stored (a retry with the same key runs again).

    `secret` keys the stored request hash: pass `settings.secret_key`. `request_body` must
    not hold card data in the clear (a pay request names its card by `card_fingerprint`).
    """
    check_key(key, max_length=max_key_length)
    digest = request_hash(request_body, secret=secret or "")
    existing = await repo.find(session, user_id=user_id, scope=scope, key=key)
    if existing is not None:
        if existing.expires_at > now:
            if existing.request_hash != digest:
                raise IdempotencyKeyReused(
                    "This Idempotency-Key was already used with a different request; "
                    "use a new key for a new request."
                )
            return existing.status_code, dict(existing.response_body)
        await repo.delete_if_expired(session, existing.id, now)
        session.expunge(existing)

    record = IdempotencyRecord(
        user_id=user_id,
        scope=scope,
        key=key,
        request_hash=digest,
        status_code=0,
        response_body={},
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(record)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise IdempotencyRequestInProgress(
            "A request with this Idempotency-Key is already being processed; retry shortly."
        ) from exc

    status, body = await run()
    if status >= 500:
        await session.delete(record)
    else:
        record.status_code = status
        record.response_body = body
    await session.flush()
    return status, body


async def purge_expired(session: AsyncSession, *, now: datetime, limit: int = PURGE_BATCH) -> int:
    return await repo.purge_expired(session, now=now, limit=limit)
