"""Live statistics: hot counters in the broker while the room runs, kept on the session row.

Viewers, likes, unique viewers, watch time, comments and product clicks are broker counters
(shared by every server process when Redis is configured). When the live ends, and again a
little later when the last viewers have left, they are written onto the session row, which
keeps them; orders and GMV are counted on the row directly by the order-paid task.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import case, update
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.broker import Broker
from hawker.models import LiveSession, LiveStatus

# counter name -> the session column that keeps it
KEPT = {
    "peak": "peak_viewers",
    "unique": "unique_viewers",
    "watch_ms": "watch_time_ms",
    "comments": "comment_count",
    "likes": "like_count",
    "clicks": "product_clicks",
}
SEEN_TTL_SECONDS = 3 * 24 * 3600


def key(session_id: int, name: str) -> str:
    return f"live:{{{session_id}}}:{name}"


def seen_key(session_id: int, viewer: str) -> str:
    return f"live:{{{session_id}}}:seen:{viewer}"


def conversion(orders: int, unique_viewers: int) -> Decimal:
    """Orders per unique viewer, to four places (0 when nobody watched)."""
    if unique_viewers <= 0:
        return Decimal("0.0000")
    return (Decimal(orders) / Decimal(unique_viewers)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_EVEN
    )


@dataclass(frozen=True)
class LiveStats:
    viewers: int
    peak_viewers: int
    unique_viewers: int
    watch_time_ms: int
    comments: int
    likes: int
    product_clicks: int
    orders: int
    gmv_minor: int
    currency: str

    @property
    def conversion(self) -> Decimal:
        return conversion(self.orders, self.unique_viewers)


async def counters(broker: Broker, session_id: int) -> dict[str, int]:
    names = ("viewers", *KEPT)
    return {name: await broker.get_int(key(session_id, name)) for name in names}


async def read(broker: Broker, live: LiveSession) -> LiveStats:
    """The session's statistics: the kept figures, or the running counters if higher."""
    live_counts = await counters(broker, live.id)

    def kept(name: str) -> int:
        return max(int(getattr(live, KEPT[name])), live_counts[name])

    viewers = max(0, live_counts["viewers"]) if live.status == LiveStatus.LIVE else 0
    return LiveStats(
        viewers=viewers,
        peak_viewers=max(kept("peak"), viewers),
        unique_viewers=kept("unique"),
        watch_time_ms=kept("watch_ms"),
        comments=kept("comments"),
        likes=kept("likes"),
        product_clicks=kept("clicks"),
        orders=live.order_count,
        gmv_minor=live.gmv_minor,
        currency=live.currency,
    )


async def keep(session: AsyncSession, broker: Broker, session_id: int) -> None:
    """Write the running counters onto the session row; a figure only ever goes up."""
    live_counts = await counters(broker, session_id)
    values = {}
    for name, column in KEPT.items():
        col = getattr(LiveSession, column)
        value = live_counts[name]
        values[column] = case((col < value, value), else_=col)
    await session.execute(update(LiveSession).where(LiveSession.id == session_id).values(**values))


async def forget(broker: Broker, session_id: int) -> None:
    """Drop the running counters once the row keeps them (the "seen" keys expire alone)."""
    for name in ("viewers", *KEPT):
        await broker.delete(key(session_id, name))
