"""The room's live flash deal, for snapshots.

Flash deals live in their own domain (hawker.flash), which builds on this one; so the room
asks for the current deal through this hook, which the flash domain sets when it loads.
Changes after the snapshot arrive as `deal` / `deal_remaining` events on the room's channel.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

DealLoader = Callable[[AsyncSession, int], Awaitable[dict[str, Any] | None]]

_loader: DealLoader | None = None


def set_deal_loader(loader: DealLoader) -> None:
    global _loader
    _loader = loader


async def current_deal(session: AsyncSession, session_id: int) -> dict[str, Any] | None:
    """The deal card the room shows now (announced or running), or None."""
    return None if _loader is None else await _loader(session, session_id)
