from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hawker.db import Base
from hawker.models.types import UTCDateTime, id_column


class LiveStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    LIVE = "LIVE"
    ENDED = "ENDED"
    CANCELLED = "CANCELLED"


class LiveSession(Base):
    """One live stream: its host, its shopping bag, its ingest key and its kept statistics."""

    __tablename__ = "live_sessions"

    id: Mapped[int] = id_column()
    host_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    shop_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("shops.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(150))
    cover_uri: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=LiveStatus.SCHEDULED)
    # The secret the encoder publishes with; viewers only ever see `public_name`.
    stream_key: Mapped[str] = mapped_column(String(64), unique=True)
    public_name: Mapped[str] = mapped_column(String(64), unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    loop_video_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("videos.id", ondelete="SET NULL")
    )
    pinned_product_id: Mapped[int | None] = mapped_column(BigInteger)
    recording_uri: Mapped[str | None] = mapped_column(String(500))
    replay_video_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("videos.id", ondelete="SET NULL")
    )
    # Statistics, kept after the end (hot counters live in the broker while the room runs).
    peak_viewers: Mapped[int] = mapped_column(default=0)
    unique_viewers: Mapped[int] = mapped_column(default=0)
    watch_time_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    like_count: Mapped[int] = mapped_column(BigInteger, default=0)
    product_clicks: Mapped[int] = mapped_column(default=0)
    order_count: Mapped[int] = mapped_column(default=0)
    gmv_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_live_sessions_status", "status", "id"),
        Index("ix_live_sessions_host", "host_id", "id"),
        Index("ix_live_sessions_shop", "shop_id", "id"),
    )


class LiveBagItem(Base):
    """A product in the live's shopping bag."""

    __tablename__ = "live_bag_items"

    id: Mapped[int] = id_column()
    session_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("live_sessions.id", ondelete="CASCADE")
    )
    product_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("products.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = (UniqueConstraint("session_id", "product_id"),)


class LivePin(Base):
    """A product pinned to the top of the room from `pinned_at` until `unpinned_at`.

    These are the replay's product moments.
    """

    __tablename__ = "live_pins"

    id: Mapped[int] = id_column()
    session_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("live_sessions.id", ondelete="CASCADE")
    )
    product_id: Mapped[int] = mapped_column(BigInteger)
    pinned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    unpinned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_live_pins_session", "session_id", "pinned_at"),)


class LiveComment(Base):
    """A viewer's comment: plain text, stored as written, never rendered as HTML."""

    __tablename__ = "live_comments"

    id: Mapped[int] = id_column()
    session_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("live_sessions.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_live_comments_session", "session_id", "id"),)


class LiveMute(Base):
    """A viewer the host has muted in one room."""

    __tablename__ = "live_mutes"

    id: Mapped[int] = id_column()
    session_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("live_sessions.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    muted_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("session_id", "user_id"),)


class LiveOrderAttribution(Base):
    """An order placed from a live room; counted into the live's orders and GMV once paid."""

    __tablename__ = "live_order_attributions"

    id: Mapped[int] = id_column()
    order_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    session_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("live_sessions.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    counted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_live_order_attributions_session", "session_id"),)
