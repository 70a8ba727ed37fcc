"""What the home page and the live list show: lives on air, lives starting soon, replays and
shoppable videos, read from the live and media domains."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.broker import Broker
from hawker.live import service as live
from hawker.media import service as media
from hawker.models import LiveStatus

HOME_LIVES = 8
HOME_VIDEOS = 8
LIST_LIVES = 24


@dataclass(frozen=True)
class Feed:
    live_now: list[live.LiveItem]
    starting_soon: list[live.LiveItem]
    videos: list[media.VideoItem]
    replays: list[live.LiveItem]


async def _lives(
    session: AsyncSession, broker: Broker, status: str, limit: int
) -> list[live.LiveItem]:
    page = await live.list_public(
        session, broker, status=status, shop_id=None, host_id=None, cursor=None, limit=limit
    )
    return page.items


async def home_feed(session: AsyncSession, broker: Broker) -> Feed:
    soon = await _lives(session, broker, LiveStatus.SCHEDULED, HOME_LIVES)
    videos = await media.list_public(
        session, shop_id=None, owner_id=None, q=None, cursor=None, limit=HOME_VIDEOS
    )
    return Feed(
        live_now=await _lives(session, broker, LiveStatus.LIVE, HOME_LIVES),
        starting_soon=sorted(soon, key=lambda i: i.live.scheduled_at),
        videos=videos.items,
        replays=[],
    )


async def lives_page(session: AsyncSession, broker: Broker) -> Feed:
    soon = await _lives(session, broker, LiveStatus.SCHEDULED, LIST_LIVES)
    ended = await _lives(session, broker, LiveStatus.ENDED, LIST_LIVES)
    return Feed(
        live_now=await _lives(session, broker, LiveStatus.LIVE, LIST_LIVES),
        starting_soon=sorted(soon, key=lambda i: i.live.scheduled_at),
        videos=[],
        replays=[i for i in ended if i.live.replay_video_id is not None],
    )
