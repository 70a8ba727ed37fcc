from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from hawker.media.cards import ProductCard, ShopRef
from hawker.schemas import Id, Schema


class UserRef(Schema):
    id: Id
    display_name: str


class TagIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: Id
    at_ms: int | None = Field(default=None, ge=0, description="Moment the card shows (ms).")


class TagsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tags: list[TagIn] = Field(max_length=100)


class TaggedProduct(Schema):
    product: ProductCard
    at_ms: int | None


class VideoSummary(Schema):
    id: Id
    title: str
    status: str
    owner: UserRef
    shop: ShopRef | None
    mp4_url: str | None
    poster_url: str | None
    duration_ms: int | None
    width: int | None
    height: int | None
    view_count: int
    like_count: int
    created_at: datetime
    published_at: datetime | None


class VideoOut(VideoSummary):
    description: str
    source_format: str | None
    size_bytes: int
    failure_reason: str | None = None  # shown to the owner only
    liked_by_you: bool | None = None  # null for guests
    products: list[TaggedProduct]


class VideoPage(BaseModel):
    items: list[VideoSummary]
    next_cursor: str | None = None


class ViewCount(BaseModel):
    video_id: Id
    view_count: int
    counted: bool


class LikeState(BaseModel):
    video_id: Id
    liked: bool
    like_count: int
