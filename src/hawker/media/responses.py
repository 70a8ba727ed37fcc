"""Service views to API schemas."""

from __future__ import annotations

from hawker.media.cards import ShopRef
from hawker.media.schemas import TaggedProduct, UserRef, VideoOut, VideoSummary
from hawker.media.service import VideoItem, VideoView
from hawker.models import Shop, User, Video


def _summary(video: Video, owner: User, shop: Shop | None) -> VideoSummary:
    return VideoSummary(
        id=video.id,
        title=video.title,
        status=video.status,
        owner=UserRef(id=owner.id, display_name=owner.display_name),
        shop=ShopRef(id=shop.id, name=shop.name) if shop is not None else None,
        mp4_url=video.mp4_uri,
        poster_url=video.poster_uri,
        duration_ms=video.duration_ms,
        width=video.width,
        height=video.height,
        view_count=video.view_count,
        like_count=video.like_count,
        created_at=video.created_at,
        published_at=video.published_at,
    )


def video_summary(item: VideoItem) -> VideoSummary:
    return _summary(item.video, item.owner, item.shop)


def video_out(view: VideoView) -> VideoOut:
    v = view.video
    return VideoOut(
        **_summary(v, view.owner, view.shop).model_dump(),
        description=v.description,
        source_format=v.source_format,
        size_bytes=v.size_bytes,
        failure_reason=v.failure_reason if view.can_manage else None,
        liked_by_you=view.liked,
        products=[TaggedProduct(product=card, at_ms=at) for card, at in view.products],
    )
