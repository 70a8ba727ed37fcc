from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hawker.db import Base
from hawker.models.types import UTCDateTime, id_column


class VideoStatus(StrEnum):
    UPLOADED = "UPLOADED"  # stored as sent, waiting for the transcode job
    PROCESSING = "PROCESSING"
    READY = "READY"  # transcoded: mp4_uri, poster_uri and duration are set
    FAILED = "FAILED"


class Video(Base):
    """A short shoppable video (or a live's replay), uploaded by a creator or a shop."""

    __tablename__ = "videos"

    id: Mapped[int] = id_column()
    owner_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    shop_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("shops.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=VideoStatus.UPLOADED)
    source_uri: Mapped[str] = mapped_column(String(500))
    source_format: Mapped[str | None] = mapped_column(String(16))  # mp4 | mov | webm
    mp4_uri: Mapped[str | None] = mapped_column(String(255))
    poster_uri: Mapped[str | None] = mapped_column(String(255))
    duration_ms: Mapped[int | None]
    width: Mapped[int | None]
    height: Mapped[int | None]
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    failure_reason: Mapped[str | None] = mapped_column(String(500))
    view_count: Mapped[int] = mapped_column(BigInteger, default=0)
    like_count: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_videos_status", "status", "id"),
        Index("ix_videos_owner", "owner_id", "id"),
        Index("ix_videos_shop", "shop_id", "id"),
    )


class VideoProductTag(Base):
    """A product shown in a video, optionally from a moment (milliseconds from the start)."""

    __tablename__ = "video_product_tags"

    id: Mapped[int] = id_column()
    video_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("videos.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("products.id", ondelete="CASCADE")
    )
    at_ms: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = (UniqueConstraint("video_id", "product_id"),)


class VideoLike(Base):
    """One like per user and video (the unique constraint is the rule)."""

    __tablename__ = "video_likes"

    id: Mapped[int] = id_column()
    video_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("videos.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("video_id", "user_id"),
        Index("ix_video_likes_user", "user_id"),
    )
