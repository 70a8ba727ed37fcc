"""Replays: when a live ends, its recording (or the video it looped) becomes a replay whose
product moments are the times each product was pinned, so a viewer can jump there and buy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.errors import NotFound
from hawker.live import repository as repo
from hawker.media import service as media
from hawker.media.cards import ProductCard, product_cards
from hawker.models import LiveSession, LiveStatus, Video


class ReplayNotFound(NotFound):
    """This live has no replay (yet)."""

    code = "replay_not_found"


@dataclass(frozen=True)
class Moment:
    product: ProductCard
    at_ms: int
    until_ms: int | None


@dataclass(frozen=True)
class Replay:
    live: LiveSession
    video: Video
    looped: bool
    moments: list[Moment]


async def make_replay(session: AsyncSession, live: LiveSession, *, now: datetime) -> None:
    """At the end of a live: the recording, when the media server made one, else the loop."""
    if live.recording_uri:
        video = await media.create_video_from_file(
            session,
            owner_id=live.host_id,
            shop_id=live.shop_id,
            title=f"Replay: {live.title}",
            source_uri=live.recording_uri,
            now=now,
        )
        live.replay_video_id = video.id
    elif live.loop_video_id is not None:
        live.replay_video_id = live.loop_video_id
    await session.flush()


async def use_recording(
    session: AsyncSession, live: LiveSession, path: str, *, now: datetime
) -> None:
    """The media server reported the live's recording; once ended, it replaces a looped replay."""
    live.recording_uri = path[:500]
    from_loop = live.replay_video_id is None or live.replay_video_id == live.loop_video_id
    if live.status == LiveStatus.ENDED and from_loop:
        await make_replay(session, live, now=now)
    await session.flush()


def _offset_ms(at: datetime, start: datetime) -> int:
    return max(0, int((at - start).total_seconds() * 1000))


async def get_replay(session: AsyncSession, live_id: int) -> Replay:
    live = await repo.get(session, live_id) if 0 < live_id < 2**63 else None
    if live is None or live.status != LiveStatus.ENDED or live.replay_video_id is None:
        raise ReplayNotFound(f"Live {live_id} has no replay.")
    video = await media.find_video(session, live.replay_video_id)
    if video is None:
        raise ReplayNotFound(f"Live {live_id} has no replay.")
    looped = live.replay_video_id == live.loop_video_id and not live.recording_uri
    start = live.started_at or live.created_at
    pins = await repo.pins(session, live.id)
    cards = await product_cards(session, [p.product_id for p in pins])
    moments: list[Moment] = []
    for p in pins:
        if p.product_id not in cards:
            continue  # no longer sold: not a moment anyone can buy from
        at = _offset_ms(p.pinned_at, start)
        until = _offset_ms(p.unpinned_at, start) if p.unpinned_at is not None else None
        if looped and video.duration_ms:
            # the looped picture was at this point of the video when the product was pinned
            at, until = at % video.duration_ms, None
        moments.append(Moment(cards[p.product_id], at, until))
    return Replay(live=live, video=video, looped=looped, moments=moments)
