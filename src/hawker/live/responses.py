"""Service views to API schemas (and to the room protocol's JSON)."""

from __future__ import annotations

from typing import Any

from hawker.live.replays import Replay
from hawker.live.schemas import (
    CommentOut,
    LiveOut,
    LiveSessionInfo,
    LiveSummary,
    MomentOut,
    Playback,
    ReplayOut,
    ReplayVideo,
    StatsOut,
)
from hawker.live.service import LiveItem, LiveView
from hawker.live.statistics import LiveStats
from hawker.media.cards import ShopRef
from hawker.media.schemas import UserRef
from hawker.models import LiveComment, LiveSession, Shop, User
from hawker.schemas import MoneyOut


def session_info(
    live: LiveSession, host: User, shop: Shop | None, playback: dict[str, Any] | None
) -> LiveSessionInfo:
    return LiveSessionInfo(
        id=live.id,
        title=live.title,
        status=live.status,
        host=UserRef(id=host.id, display_name=host.display_name),
        shop=ShopRef(id=shop.id, name=shop.name) if shop else None,
        cover_url=live.cover_uri,
        playback=Playback(**playback) if playback else None,
        scheduled_at=live.scheduled_at,
        started_at=live.started_at,
        ended_at=live.ended_at,
    )


def live_out(view: LiveView) -> LiveOut:
    info = session_info(view.live, view.host, view.shop, view.playback)
    return LiveOut(
        **info.model_dump(),
        pinned=view.pinned,
        bag=view.bag,
        viewers=view.viewers,
        replay_video_id=view.live.replay_video_id,
    )


def live_summary(item: LiveItem) -> LiveSummary:
    # lists do not resolve playback (one query per row); the detail page does
    info = session_info(item.live, item.host, item.shop, None)
    return LiveSummary(**info.model_dump(), viewers=item.viewers)


def stats_out(live: LiveSession, stats: LiveStats, locale: str) -> StatsOut:
    return StatsOut(
        session_id=live.id,
        status=live.status,
        viewers=stats.viewers,
        peak_viewers=stats.peak_viewers,
        unique_viewers=stats.unique_viewers,
        watch_time_ms=stats.watch_time_ms,
        comments=stats.comments,
        likes=stats.likes,
        product_clicks=stats.product_clicks,
        orders=stats.orders,
        gmv=MoneyOut.of(stats.gmv_minor, stats.currency, locale),
        conversion=str(stats.conversion),
    )


def comment_out(comment: LiveComment, user: User) -> CommentOut:
    return CommentOut(
        id=comment.id,
        user=UserRef(id=user.id, display_name=user.display_name),
        text=comment.text,
        created_at=comment.created_at,
    )


def replay_out(replay: Replay) -> ReplayOut:
    live, video = replay.live, replay.video
    return ReplayOut(
        session_id=live.id,
        title=live.title,
        started_at=live.started_at,
        ended_at=live.ended_at,
        video=ReplayVideo(
            id=video.id,
            status=video.status,
            mp4_url=video.mp4_uri,
            poster_url=video.poster_uri,
            duration_ms=video.duration_ms,
        ),
        looped=replay.looped,
        moments=[
            MomentOut(product=m.product, at_ms=m.at_ms, until_ms=m.until_ms) for m in replay.moments
        ],
    )
