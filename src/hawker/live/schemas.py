from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hawker.media.cards import ProductCard, ShopRef
from hawker.media.schemas import UserRef
from hawker.schemas import Id, MoneyOut, Schema

LiveStatusIn = Literal["SCHEDULED", "LIVE", "ENDED", "CANCELLED"]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LiveCreate(Input):
    title: str = Field(min_length=1, max_length=150)
    shop_id: Id | None = Field(default=None, description="Host for this shop (its products).")
    scheduled_at: datetime | None = None
    product_ids: list[Id] = Field(default_factory=list, max_length=200)
    loop_video_id: Id | None = Field(
        default=None, description="A READY video of yours to loop as the picture (demo)."
    )


class BagIn(Input):
    product_ids: list[Id] = Field(max_length=200)


class PinIn(Input):
    product_id: Id


class StockIn(Input):
    product_id: Id


class StockShownOut(Schema):
    product_id: Id
    available: int


class MuteIn(Input):
    user_id: Id


class Playback(BaseModel):
    kind: Literal["hls", "mp4"]
    url: str
    loop: bool


class LiveSessionInfo(Schema):
    """The session as the room's snapshot and the public page show it."""

    id: Id
    title: str
    status: str
    host: UserRef
    shop: ShopRef | None
    cover_url: str | None
    playback: Playback | None
    scheduled_at: datetime
    started_at: datetime | None
    ended_at: datetime | None


class LiveOut(LiveSessionInfo):
    pinned: ProductCard | None
    bag: list[ProductCard]
    viewers: int
    replay_video_id: Id | None


class LiveSummary(LiveSessionInfo):
    viewers: int


class LivePage(BaseModel):
    items: list[LiveSummary]
    next_cursor: str | None = None


class IngestOut(BaseModel):
    """For the host's encoder only: the secret stream key never reaches viewers."""

    session_id: Id
    rtmp_url: str
    server_url: str
    stream_key: str


class CommentOut(BaseModel):
    id: Id
    user: UserRef
    text: str
    created_at: datetime


class CommentPage(BaseModel):
    items: list[CommentOut]
    next_cursor: str | None = None


class StatsOut(BaseModel):
    session_id: Id
    status: str
    viewers: int
    peak_viewers: int
    unique_viewers: int
    watch_time_ms: int
    comments: int
    likes: int
    product_clicks: int
    orders: int
    gmv: MoneyOut
    conversion: str = Field(description="Orders per unique viewer, four decimal places.")


class MomentOut(BaseModel):
    product: ProductCard
    at_ms: int
    until_ms: int | None


class ReplayVideo(BaseModel):
    id: Id
    status: str
    mp4_url: str | None
    poster_url: str | None
    duration_ms: int | None


class ReplayOut(BaseModel):
    session_id: Id
    title: str
    started_at: datetime | None
    ended_at: datetime | None
    video: ReplayVideo
    looped: bool = Field(description="The replay is the video the live looped as its picture.")
    moments: list[MomentOut]
