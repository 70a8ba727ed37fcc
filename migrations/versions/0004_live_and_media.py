"""live and media: shoppable videos, live sessions, bags, pins, comments, mutes, attributions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 08:30:42.050224
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hawker.models.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "videos",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("shop_id", sa.BigInteger(), nullable=True),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source_uri", sa.String(length=500), nullable=False),
        sa.Column("source_format", sa.String(length=16), nullable=True),
        sa.Column("mp4_uri", sa.String(length=255), nullable=True),
        sa.Column("poster_uri", sa.String(length=255), nullable=True),
        sa.Column("duration_ms", sa.BigInteger(), nullable=True),
        sa.Column("width", sa.BigInteger(), nullable=True),
        sa.Column("height", sa.BigInteger(), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("failure_reason", sa.String(length=500), nullable=True),
        sa.Column("view_count", sa.BigInteger(), nullable=False),
        sa.Column("like_count", sa.BigInteger(), nullable=False),
        sa.Column("created_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", hawker.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_videos_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_videos_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_videos")),
    )
    with op.batch_alter_table("videos", schema=None) as batch_op:
        batch_op.create_index("ix_videos_owner", ["owner_id", "id"], unique=False)
        batch_op.create_index("ix_videos_shop", ["shop_id", "id"], unique=False)
        batch_op.create_index("ix_videos_status", ["status", "id"], unique=False)

    op.create_table(
        "live_sessions",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("host_id", sa.BigInteger(), nullable=False),
        sa.Column("shop_id", sa.BigInteger(), nullable=True),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("cover_uri", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("stream_key", sa.String(length=64), nullable=False),
        sa.Column("public_name", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("scheduled_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", hawker.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", hawker.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("loop_video_id", sa.BigInteger(), nullable=True),
        sa.Column("pinned_product_id", sa.BigInteger(), nullable=True),
        sa.Column("recording_uri", sa.String(length=500), nullable=True),
        sa.Column("replay_video_id", sa.BigInteger(), nullable=True),
        sa.Column("peak_viewers", sa.BigInteger(), nullable=False),
        sa.Column("unique_viewers", sa.BigInteger(), nullable=False),
        sa.Column("watch_time_ms", sa.BigInteger(), nullable=False),
        sa.Column("comment_count", sa.BigInteger(), nullable=False),
        sa.Column("like_count", sa.BigInteger(), nullable=False),
        sa.Column("product_clicks", sa.BigInteger(), nullable=False),
        sa.Column("order_count", sa.BigInteger(), nullable=False),
        sa.Column("gmv_minor", sa.BigInteger(), nullable=False),
        sa.Column("created_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["users.id"],
            name=op.f("fk_live_sessions_host_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["loop_video_id"],
            ["videos.id"],
            name=op.f("fk_live_sessions_loop_video_id_videos"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["replay_video_id"],
            ["videos.id"],
            name=op.f("fk_live_sessions_replay_video_id_videos"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_live_sessions_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_sessions")),
        sa.UniqueConstraint("public_name", name=op.f("uq_live_sessions_public_name")),
        sa.UniqueConstraint("stream_key", name=op.f("uq_live_sessions_stream_key")),
    )
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_live_sessions_host", ["host_id", "id"], unique=False)
        batch_op.create_index("ix_live_sessions_shop", ["shop_id", "id"], unique=False)
        batch_op.create_index("ix_live_sessions_status", ["status", "id"], unique=False)

    op.create_table(
        "video_likes",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("video_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_video_likes_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["videos.id"],
            name=op.f("fk_video_likes_video_id_videos"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_likes")),
        sa.UniqueConstraint("video_id", "user_id", name=op.f("uq_video_likes_video_id_user_id")),
    )
    with op.batch_alter_table("video_likes", schema=None) as batch_op:
        batch_op.create_index("ix_video_likes_user", ["user_id"], unique=False)

    op.create_table(
        "video_product_tags",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("video_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("at_ms", sa.BigInteger(), nullable=True),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_video_product_tags_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["videos.id"],
            name=op.f("fk_video_product_tags_video_id_videos"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_product_tags")),
        sa.UniqueConstraint(
            "video_id", "product_id", name=op.f("uq_video_product_tags_video_id_product_id")
        ),
    )
    op.create_table(
        "live_bag_items",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("session_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_live_bag_items_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_live_bag_items_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_bag_items")),
        sa.UniqueConstraint(
            "session_id", "product_id", name=op.f("uq_live_bag_items_session_id_product_id")
        ),
    )
    op.create_table(
        "live_comments",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("session_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("created_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_at", hawker.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("removed_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_live_comments_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_live_comments_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_comments")),
    )
    with op.batch_alter_table("live_comments", schema=None) as batch_op:
        batch_op.create_index("ix_live_comments_session", ["session_id", "id"], unique=False)

    op.create_table(
        "live_mutes",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("session_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("muted_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_live_mutes_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_live_mutes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_mutes")),
        sa.UniqueConstraint("session_id", "user_id", name=op.f("uq_live_mutes_session_id_user_id")),
    )
    op.create_table(
        "live_order_attributions",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("session_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("counted_at", hawker.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_live_order_attributions_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_order_attributions")),
        sa.UniqueConstraint("order_id", name=op.f("uq_live_order_attributions_order_id")),
    )
    with op.batch_alter_table("live_order_attributions", schema=None) as batch_op:
        batch_op.create_index("ix_live_order_attributions_session", ["session_id"], unique=False)

    op.create_table(
        "live_pins",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("session_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("pinned_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("unpinned_at", hawker.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_live_pins_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_pins")),
    )
    with op.batch_alter_table("live_pins", schema=None) as batch_op:
        batch_op.create_index("ix_live_pins_session", ["session_id", "pinned_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("live_pins", schema=None) as batch_op:
        batch_op.drop_index("ix_live_pins_session")

    op.drop_table("live_pins")
    with op.batch_alter_table("live_order_attributions", schema=None) as batch_op:
        batch_op.drop_index("ix_live_order_attributions_session")

    op.drop_table("live_order_attributions")
    op.drop_table("live_mutes")
    with op.batch_alter_table("live_comments", schema=None) as batch_op:
        batch_op.drop_index("ix_live_comments_session")

    op.drop_table("live_comments")
    op.drop_table("live_bag_items")
    op.drop_table("video_product_tags")
    with op.batch_alter_table("video_likes", schema=None) as batch_op:
        batch_op.drop_index("ix_video_likes_user")

    op.drop_table("video_likes")
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_live_sessions_status")
        batch_op.drop_index("ix_live_sessions_shop")
        batch_op.drop_index("ix_live_sessions_host")

    op.drop_table("live_sessions")
    with op.batch_alter_table("videos", schema=None) as batch_op:
        batch_op.drop_index("ix_videos_status")
        batch_op.drop_index("ix_videos_shop")
        batch_op.drop_index("ix_videos_owner")

    op.drop_table("videos")
