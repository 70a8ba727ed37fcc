"""Comments and moderation: plain text, rate-limited, filtered, removable; mutes.

A comment is stored exactly as the viewer wrote it (after trimming) and only ever travels
inside JSON strings; Hawker never renders it as HTML.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.service import audit
from hawker.broker import Broker
from hawker.catalog.service import contains_term
from hawker.config import Settings
from hawker.errors import BadRequest, NotFound, PermissionDenied, RateLimited
from hawker.kit.pagination import Page
from hawker.live import events
from hawker.live import repository as repo
from hawker.live.events import Event
from hawker.live.service import (
    Changed,
    LiveInvalidState,
    get_live,
    is_host,
    require_host,
)
from hawker.models import LiveComment, LiveMute, LiveSession, LiveStatus, User
from hawker.shops import service as shops

MAX_COMMENT_LENGTH = 300


class CommentInvalid(BadRequest):
    """A comment is 1-300 characters of plain text."""

    code = "comment_invalid"


class CommentBlocked(BadRequest):
    """The comment contains a word this platform does not allow."""

    code = "comment_blocked"


class Muted(PermissionDenied):
    """The host has muted you in this room."""

    code = "muted"


class LiveNotLive(LiveInvalidState):
    """Comments are open only while the live is on air."""

    code = "live_not_live"


class CommentNotFound(NotFound):
    """No such comment in this room."""

    code = "comment_not_found"


class ViewerNotFound(NotFound):
    """No such user."""

    code = "user_not_found"


class CannotMuteHost(BadRequest):
    """A host cannot mute the room's own hosts."""

    code = "cannot_mute_host"


@dataclass(frozen=True)
class Posted:
    comment: LiveComment
    payload: dict[str, Any]

    @property
    def event(self) -> Event:
        return events.comment(self.payload)


def clean_comment(text: str) -> str:
    """Trim and fold whitespace; refuse empty, over-long, or control-character text."""
    folded = " ".join(text.split())
    if not folded:
        raise CommentInvalid("A comment cannot be empty.")
    if len(folded) > MAX_COMMENT_LENGTH:
        raise CommentInvalid(
            f"A comment is at most {MAX_COMMENT_LENGTH} characters.",
            details={"max_length": MAX_COMMENT_LENGTH},
        )
    if any(unicodedata.category(ch) == "Cc" for ch in folded):
        raise CommentInvalid("A comment cannot contain control characters.")
    return folded


def banned_word(text: str, words: list[str]) -> str | None:
    """The first banned word or phrase the text contains (whole words, any case)."""
    for word in words:
        if word.strip() and contains_term(text, word):
            return word
    return None


async def check_rate(broker: Broker, live_id: int, user_id: int, settings: Settings) -> None:
    window = settings.live_comment_window_seconds
    hits = await broker.hit(f"live:{{{live_id}}}:rate:{user_id}", window)
    if hits > settings.live_comments_per_window:
        raise RateLimited(
            f"At most {settings.live_comments_per_window} comments per {window} seconds.",
            details={"limit": settings.live_comments_per_window, "window_seconds": window},
        )


async def post_comment(
    session: AsyncSession,
    broker: Broker,
    *,
    live_id: int,
    user: User,
    text: str,
    settings: Settings,
    now: datetime,
) -> Posted:
    """Post a comment to a LIVE room (rate limit, text rules, banned words, mutes)."""
    await check_rate(broker, live_id, user.id, settings)
    clean = clean_comment(text)
    if banned_word(clean, settings.live_banned_words) is not None:
        raise CommentBlocked("The comment contains a word this platform does not allow.")
    live = await get_live(session, live_id)
    if live.status != LiveStatus.LIVE:
        raise LiveNotLive(f"The live is {live.status}; comments are open while it is LIVE.")
    if await repo.is_muted(session, live.id, user.id):
        raise Muted("The host has muted you in this room.")
    comment = LiveComment(session_id=live.id, user_id=user.id, text=clean, created_at=now)
    session.add(comment)
    await session.flush()
    payload = events.comment_payload(
        comment_id=comment.id, user_id=user.id, name=user.display_name, text=clean, at=now
    )
    return Posted(comment, payload)


async def remove_comment(
    session: AsyncSession, user: User, live_id: int, comment_id: int, *, now: datetime
) -> Changed:
    """The host takes a comment down; viewers drop it from their screens."""
    live = await require_host(session, user, live_id)
    if not await repo.comment_exists(session, live.id, comment_id):
        raise CommentNotFound(f"There is no comment {comment_id} in this room.")
    if await repo.remove_comment(session, live.id, comment_id, by=user.id, now=now) == 0:
        return Changed(live, [])  # already removed
    audit(
        session,
        actor_id=user.id,
        action="live.comment_removed",
        target_type="live_comment",
        target_id=comment_id,
        now=now,
        details={"session_id": str(live.id)},
    )
    return Changed(live, [events.removed(comment_id)])


async def _target(session: AsyncSession, live: LiveSession, user_id: int) -> User:
    target = await repo.user(session, user_id) if 0 < user_id < 2**63 else None
    if target is None:
        raise ViewerNotFound(f"There is no user {user_id}.")
    if await is_host(session, target, live):
        raise CannotMuteHost("The room's hosts cannot be muted.")
    return target


async def mute(
    session: AsyncSession, user: User, live_id: int, target_id: int, *, now: datetime
) -> LiveSession:
    """Stop a viewer commenting in this room (muting twice changes nothing)."""
    live = await require_host(session, user, live_id)
    target = await _target(session, live, target_id)
    try:
        async with session.begin_nested():
            session.add(
                LiveMute(session_id=live.id, user_id=target.id, muted_by=user.id, created_at=now)
            )
            await session.flush()
    except IntegrityError:
        return live  # already muted
    audit(
        session,
        actor_id=user.id,
        action="live.viewer_muted",
        target_type="user",
        target_id=target.id,
        now=now,
        details={"session_id": str(live.id)},
    )
    return live


async def unmute(
    session: AsyncSession, user: User, live_id: int, target_id: int, *, now: datetime
) -> LiveSession:
    live = await require_host(session, user, live_id)
    if await repo.unmute(session, live.id, target_id):
        audit(
            session,
            actor_id=user.id,
            action="live.viewer_unmuted",
            target_type="user",
            target_id=target_id,
            now=now,
            details={"session_id": str(live.id)},
        )
    return live


async def can_comment(session: AsyncSession, user: User | None, live: LiveSession) -> bool:
    return user is not None and not await repo.is_muted(session, live.id, user.id)


async def recent_payloads(session: AsyncSession, live_id: int, limit: int) -> list[dict[str, Any]]:
    """The room's latest comments (not removed), oldest first, as the protocol sends them."""
    rows = await repo.recent_comments(session, live_id, before_id=None, limit=limit)
    return [
        events.comment_payload(
            comment_id=c.id, user_id=u.id, name=u.display_name, text=c.text, at=c.created_at
        )
        for c, u in reversed(rows)
    ]


async def list_comments(
    session: AsyncSession, live_id: int, *, cursor: str | None, limit: int
) -> Page[tuple[LiveComment, User]]:
    """Comments of a room, newest first (removed ones left out)."""
    live = await get_live(session, live_id)
    rows = await repo.recent_comments(
        session, live.id, before_id=shops.cursor_after(cursor), limit=limit + 1
    )
    page = shops.page_of(rows, limit, key=lambda r: r[0].id)
    return Page(list(page.items), page.next_cursor)
