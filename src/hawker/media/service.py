"""Shoppable videos: who may upload, the upload itself, transcoding, tags, views and likes.

For other domains: `find_video`, `get_ready_video`, `require_own_video`, `create_video_from_file`,
`add_ready_video`, `TRANSCODE_JOB`.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.broker import Broker
from hawker.config import Settings
from hawker.db import Database
from hawker.errors import BadRequest, HawkerError, NotFound, PermissionDenied
from hawker.kit.clock import Clock
from hawker.kit.ids import new_id
from hawker.kit.pagination import Page
from hawker.media import repository as repo
from hawker.media import transcode
from hawker.media.cards import ProductCard, product_cards, public_view
from hawker.models import Shop, User, UserRole, Video, VideoLike, VideoStatus
from hawker.outbox.service import enqueue_job, record_event
from hawker.shops import service as shops

TRANSCODE_JOB = "media.transcode"
READY_TOPIC = "video.ready"
VIEW_DEDUPE_SECONDS = 30 * 60
MEDIA_PREFIX = "/media/"


class VideoNotFound(NotFound):
    """No such video."""

    code = "video_not_found"


class NotACreator(PermissionDenied):
    """Only creators, and members of a shop for that shop, publish videos and lives."""

    code = "not_a_creator"


class VideoTooLarge(HawkerError):
    """The video file is larger than Hawker accepts."""

    status_code = 413
    code = "video_too_large"


class UnsupportedVideoType(HawkerError):
    """The file is not an MP4, MOV or WebM video."""

    status_code = 415
    code = "unsupported_video_type"


class InvalidVideo(BadRequest):
    """The video cannot be read."""

    code = "invalid_video"


class VideoTooLong(BadRequest):
    """The video is longer than Hawker accepts."""

    code = "video_too_long"


class ProductNotTaggable(BadRequest):
    """That product cannot be tagged in this video."""

    code = "product_not_taggable"


class TooManyTags(BadRequest):
    """The video has more product tags than allowed."""

    code = "too_many_tags"


class DuplicateTag(BadRequest):
    """A product is tagged twice."""

    code = "duplicate_tag"


class TagOutsideVideo(BadRequest):
    """A tag's moment lies after the end of the video."""

    code = "tag_outside_video"


@dataclass(frozen=True)
class VideoView:
    video: Video
    owner: User
    shop: Shop | None
    products: list[tuple[ProductCard, int | None]]
    liked: bool | None
    can_manage: bool


@dataclass(frozen=True)
class VideoItem:
    video: Video
    owner: User
    shop: Shop | None


# Paths ------------------------------------------------------------------------------------------


def video_dir(media_dir: Path, video_id: int) -> Path:
    return media_dir / "videos" / str(video_id)


def media_uri(media_dir: Path, path: Path) -> str:
    return MEDIA_PREFIX + path.relative_to(media_dir).as_posix()


def local_path(media_dir: Path, uri: str) -> Path:
    """The file behind a stored uri: "/media/..." lives in the media folder; "file://..." and
    absolute paths (recordings a co-located media server reports) are used as they are."""
    if uri.startswith(MEDIA_PREFIX):
        base = media_dir.resolve()
        path = (base / uri[len(MEDIA_PREFIX) :]).resolve()
        if base not in path.parents:
            raise InvalidVideo("The video's location is not valid.")
        return path
    if uri.startswith("file://"):
        return Path(uri[len("file://") :])
    return Path(uri)


# Who may publish --------------------------------------------------------------------------------


async def ensure_can_publish(session: AsyncSession, user: User, shop_id: int | None) -> Shop | None:
    """A shop's member publishes for an active shop; without a shop, only creators publish."""
    if shop_id is not None:
        shop = await shops.require_member(session, user, shop_id)
        shops.ensure_can_sell(shop)
        return shop
    if user.role != UserRole.CREATOR:
        raise NotACreator(
            "Only creators publish on their own; sellers publish for their shop (shop_id)."
        )
    return None


async def _can_manage(session: AsyncSession, user: User | None, video: Video) -> bool:
    if user is None:
        return False
    if video.owner_id == user.id:
        return True
    if video.shop_id is None:
        return False
    return video.shop_id in await shops.shop_ids_for_user(session, user.id)


async def require_own_video(session: AsyncSession, user: User, video_id: int) -> Video:
    """The video, if `user` uploaded it or belongs to its shop; otherwise 404 (tenancy)."""
    video = await repo.get(session, video_id) if 0 < video_id < 2**63 else None
    if video is None or not await _can_manage(session, user, video):
        raise VideoNotFound(f"There is no video {video_id}.")
    return video


async def find_video(session: AsyncSession, video_id: int) -> Video | None:
    """Any video by id, whatever its status (a replay may still be transcoding)."""
    return await repo.get(session, video_id) if 0 < video_id < 2**63 else None


async def get_ready_video(session: AsyncSession, video_id: int) -> Video:
    video = await repo.get(session, video_id) if 0 < video_id < 2**63 else None
    if video is None or video.status != VideoStatus.READY:
        raise VideoNotFound(f"There is no ready video {video_id}.")
    return video


# Upload and transcode ---------------------------------------------------------------------------


async def _receive(chunks: AsyncIterator[bytes], path: Path, max_bytes: int) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with path.open("wb") as fh:
        async for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                raise VideoTooLarge(
                    f"The video is larger than {max_bytes} bytes.",
                    details={"max_bytes": max_bytes},
                )
            await asyncio.to_thread(fh.write, chunk)
    return size


async def upload_video(
    session: AsyncSession,
    *,
    user: User,
    shop_id: int | None,
    title: str,
    description: str,
    chunks: AsyncIterator[bytes],
    settings: Settings,
    now: datetime,
) -> Video:
    """Store an upload (checked by probing the file, not by its name) and queue its transcode."""
    shop = await ensure_can_publish(session, user, shop_id)
    video_id = new_id()
    folder = video_dir(settings.media_dir, video_id)
    upload = folder / "upload.part"
    try:
        size = await _receive(chunks, upload, settings.video_max_bytes)
        if size == 0:
            raise InvalidVideo("The file is empty.")
        try:
            probe = await asyncio.to_thread(transcode.probe, upload)
        except transcode.VideoRejected as exc:
            cls = UnsupportedVideoType if exc.unsupported else InvalidVideo
            raise cls(exc.reason) from exc
        if probe.duration_ms is not None and probe.duration_ms > settings.video_max_seconds * 1000:
            raise VideoTooLong(
                f"Videos may be at most {settings.video_max_seconds} seconds long.",
                details={"max_seconds": settings.video_max_seconds},
            )
        source = folder / f"source.{probe.format}"
        upload.replace(source)
    except BaseException:
        await asyncio.to_thread(shutil.rmtree, folder, True)
        raise
    video = Video(
        id=video_id,
        owner_id=user.id,
        shop_id=shop.id if shop is not None else None,
        title=title.strip(),
        description=description.strip(),
        status=VideoStatus.UPLOADED,
        source_uri=media_uri(settings.media_dir, source),
        source_format=probe.format,
        width=probe.width,
        height=probe.height,
        duration_ms=probe.duration_ms,
        size_bytes=size,
        created_at=now,
    )
    session.add(video)
    await session.flush()
    enqueue_job(session, name=TRANSCODE_JOB, payload={"video_id": str(video.id)}, now=now)
    return video


async def create_video_from_file(
    session: AsyncSession,
    *,
    owner_id: int,
    shop_id: int | None,
    title: str,
    source_uri: str,
    now: datetime,
) -> Video:
    """A video from a file already on disk (a live's recording); transcoded by the job."""
    video = Video(
        owner_id=owner_id,
        shop_id=shop_id,
        title=title[:150],
        description="",
        status=VideoStatus.UPLOADED,
        source_uri=source_uri[:500],
        created_at=now,
    )
    session.add(video)
    await session.flush()
    enqueue_job(session, name=TRANSCODE_JOB, payload={"video_id": str(video.id)}, now=now)
    return video


async def add_ready_video(
    session: AsyncSession,
    *,
    owner_id: int,
    shop_id: int | None,
    title: str,
    description: str,
    mp4_path: Path,
    poster_path: Path,
    width: int,
    height: int,
    duration_ms: int,
    settings: Settings,
    now: datetime,
    tags: Sequence[tuple[int, int | None]] = (),
    video_id: int | None = None,
) -> Video:
    """Register a video already encoded as H.264 MP4 inside the media folder (demo seeding)."""
    video = Video(
        id=video_id or new_id(),
        owner_id=owner_id,
        shop_id=shop_id,
        title=title[:150],
        description=description,
        status=VideoStatus.READY,
        source_uri=media_uri(settings.media_dir, mp4_path),
        source_format="mp4",
        mp4_uri=media_uri(settings.media_dir, mp4_path),
        poster_uri=media_uri(settings.media_dir, poster_path),
        width=width,
        height=height,
        duration_ms=duration_ms,
        size_bytes=(await asyncio.to_thread(mp4_path.stat)).st_size,
        created_at=now,
        published_at=now,
    )
    session.add(video)
    await session.flush()
    if tags:
        await repo.replace_tags(session, video.id, tags)
    return video


async def transcode_video(
    db: Database, video_id: int, *, settings: Settings, clock: Clock
) -> str | None:
    """The transcode job: H.264/AAC MP4 at most 720p, a poster, the duration. Idempotent.

    The transcode itself runs with no transaction open (it can take a while, and on SQLite
    an open write transaction would hold every other writer back); short sessions before
    and after record the video's status. Returns the new status, or None when there was
    nothing to do.
    """
    async with db.session() as session:
        video = await repo.get(session, video_id)
        if video is None or video.status not in (VideoStatus.UPLOADED, VideoStatus.PROCESSING):
            return None
        video.status = VideoStatus.PROCESSING
        source_uri, owner_id = video.source_uri, video.owner_id
    folder = video_dir(settings.media_dir, video_id)
    mp4, poster = folder / "video.mp4", folder / "poster.jpg"
    try:
        src = local_path(settings.media_dir, source_uri)
        if not src.is_file():
            raise transcode.VideoRejected("The source file is missing.")
        result = await asyncio.to_thread(
            transcode.transcode,
            src,
            mp4,
            poster,
            max_short_side=settings.video_max_short_side_px,
            max_fps=settings.video_max_fps,
            max_seconds=settings.video_max_seconds,
        )
    except (transcode.VideoRejected, InvalidVideo) as exc:
        reason = exc.reason if isinstance(exc, transcode.VideoRejected) else exc.message
        async with db.session() as session:
            await repo.set_status(
                session,
                video_id,
                from_statuses=(VideoStatus.PROCESSING,),
                values={"status": VideoStatus.FAILED, "failure_reason": reason[:500]},
            )
        return VideoStatus.FAILED
    async with db.session() as session:
        now = clock.now()
        await repo.set_status(
            session,
            video_id,
            from_statuses=(VideoStatus.PROCESSING,),
            values={
                "status": VideoStatus.READY,
                "mp4_uri": media_uri(settings.media_dir, mp4),
                "poster_uri": media_uri(settings.media_dir, poster),
                "width": result.width,
                "height": result.height,
                "duration_ms": result.duration_ms,
                "failure_reason": None,
                "published_at": now,
            },
        )
        record_event(
            session,
            topic=READY_TOPIC,
            aggregate_type="video",
            aggregate_id=video_id,
            payload={"video_id": str(video_id), "owner_id": str(owner_id)},
            now=now,
        )
    return VideoStatus.READY


# Tags -------------------------------------------------------------------------------------------


async def set_tags(
    session: AsyncSession,
    user: User,
    video_id: int,
    tags: Sequence[tuple[int, int | None]],
    *,
    settings: Settings,
) -> VideoView:
    """Replace the video's product tags: live products (of the video's shop, for a shop video)."""
    video = await require_own_video(session, user, video_id)
    if len(tags) > settings.video_max_tags:
        raise TooManyTags(
            f"A video may tag at most {settings.video_max_tags} products.",
            details={"max_tags": settings.video_max_tags},
        )
    seen: set[int] = set()
    for product_id, at_ms in tags:
        if product_id in seen:
            raise DuplicateTag(f"Product {product_id} is tagged twice.")
        seen.add(product_id)
        view = await public_view(session, product_id) if 0 < product_id < 2**63 else None
        if view is None or (video.shop_id is not None and view.product.shop_id != video.shop_id):
            raise ProductNotTaggable(
                f"Product {product_id} is not a live product"
                + (" of this shop." if video.shop_id is not None else "."),
                details={"product_id": str(product_id)},
            )
        if at_ms is not None and video.duration_ms is not None and at_ms > video.duration_ms:
            raise TagOutsideVideo(
                f"The video is {video.duration_ms} ms long; a tag at {at_ms} ms is after its end.",
                details={"product_id": str(product_id), "duration_ms": video.duration_ms},
            )
    await repo.replace_tags(session, video.id, tags)
    return await _view(session, video, user, can_manage=True)


# Reading ----------------------------------------------------------------------------------------


async def _view(
    session: AsyncSession, video: Video, viewer: User | None, *, can_manage: bool
) -> VideoView:
    owners = await repo.users(session, [video.owner_id])
    shop = None
    if video.shop_id is not None:
        shop = (await repo.shops(session, [video.shop_id])).get(video.shop_id)
    tags = await repo.tags(session, video.id)
    cards = await product_cards(session, [t.product_id for t in tags])
    products = [(cards[t.product_id], t.at_ms) for t in tags if t.product_id in cards]
    # a card shows from its moment on; untimed cards show throughout, first
    products.sort(key=lambda p: -1 if p[1] is None else p[1])
    liked = None if viewer is None else await repo.has_liked(session, video.id, viewer.id)
    return VideoView(video, owners[video.owner_id], shop, products, liked, can_manage)


async def get_video(session: AsyncSession, video_id: int, viewer: User | None) -> VideoView:
    """A READY video for anyone; a video still processing (or failed) for its owner only."""
    video = await repo.get(session, video_id) if 0 < video_id < 2**63 else None
    if video is None:
        raise VideoNotFound(f"There is no video {video_id}.")
    can_manage = await _can_manage(session, viewer, video)
    if video.status != VideoStatus.READY and not can_manage:
        raise VideoNotFound(f"There is no video {video_id}.")
    return await _view(session, video, viewer, can_manage=can_manage)


async def _items(session: AsyncSession, videos: Sequence[Video]) -> list[VideoItem]:
    owners = await repo.users(session, [v.owner_id for v in videos])
    shop_map = await repo.shops(session, [v.shop_id for v in videos if v.shop_id is not None])
    return [
        VideoItem(v, owners[v.owner_id], shop_map.get(v.shop_id) if v.shop_id else None)
        for v in videos
    ]


async def list_public(
    session: AsyncSession,
    *,
    shop_id: int | None,
    owner_id: int | None,
    q: str | None,
    cursor: str | None,
    limit: int,
) -> Page[VideoItem]:
    """READY videos, newest first: the feed of shoppable videos."""
    rows = await repo.list_videos(
        session,
        statuses=(VideoStatus.READY,),
        owner_id=owner_id,
        shop_id=shop_id,
        words=q.split()[:8] if q else [],
        before_id=shops.cursor_after(cursor),
        limit=limit + 1,
    )
    page = shops.page_of(rows, limit, key=lambda v: v.id)
    return Page(await _items(session, page.items), page.next_cursor)


async def list_mine(
    session: AsyncSession, user: User, *, status: str | None, cursor: str | None, limit: int
) -> Page[VideoItem]:
    """The videos `user` uploaded, in every status."""
    rows = await repo.list_videos(
        session,
        statuses=(status,) if status else None,
        owner_id=user.id,
        shop_id=None,
        words=[],
        before_id=shops.cursor_after(cursor),
        limit=limit + 1,
    )
    page = shops.page_of(rows, limit, key=lambda v: v.id)
    return Page(await _items(session, page.items), page.next_cursor)


# Views and likes --------------------------------------------------------------------------------


async def record_view(
    session: AsyncSession, broker: Broker, video_id: int, *, viewer_key: str
) -> tuple[int, bool]:
    """Count a view, once per viewer per half hour. Returns (views, counted now)."""
    video = await get_ready_video(session, video_id)
    fresh = await broker.set_if_absent(
        f"video:{{{video.id}}}:viewed:{viewer_key}", "1", VIEW_DEDUPE_SECONDS
    )
    if fresh:
        await repo.add_view(session, video.id)
    views, _ = await repo.counts(session, video.id)
    return views, fresh


async def like(
    session: AsyncSession, user: User, video_id: int, *, now: datetime
) -> tuple[bool, int]:
    """Like a READY video; liking twice changes nothing (one like per user, by constraint)."""
    video = await get_ready_video(session, video_id)
    added = False
    with contextlib.suppress(IntegrityError):
        async with session.begin_nested():
            session.add(VideoLike(video_id=video.id, user_id=user.id, created_at=now))
            await session.flush()
            added = True
    if added:
        await repo.add_like_count(session, video.id, 1)
    _, likes = await repo.counts(session, video.id)
    return True, likes


async def unlike(session: AsyncSession, user: User, video_id: int) -> tuple[bool, int]:
    video = await get_ready_video(session, video_id)
    if await repo.remove_like(session, video.id, user.id):
        await repo.add_like_count(session, video.id, -1)
    _, likes = await repo.counts(session, video.id)
    return False, likes
