"""HTTP wiring for shoppable videos."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import File, Form, Query, Request, UploadFile

from hawker.deps import CurrentUser, OptionalUser, RuntimeDep, SessionDep
from hawker.media import responses, service
from hawker.media.schemas import LikeState, TagsIn, VideoOut, VideoPage, ViewCount
from hawker.routing import router as make_router
from hawker.schemas import Id

router = make_router(prefix="/videos", tags=["videos"])
me_router = make_router(prefix="/me/videos", tags=["videos"])

Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=500)]
IdQuery = Annotated[Id | None, Query()]
CHUNK = 1024 * 1024


async def _chunks(file: UploadFile) -> AsyncIterator[bytes]:
    while data := await file.read(CHUNK):
        yield data


@router.post("", response_model=VideoOut, status_code=201)
async def upload_video(
    user: CurrentUser,
    session: SessionDep,
    rt: RuntimeDep,
    file: Annotated[UploadFile, File(description="An MP4, MOV or WebM video.")],
    title: Annotated[str, Form(min_length=1, max_length=150)],
    description: Annotated[str, Form(max_length=2000)] = "",
    shop_id: Annotated[Id | None, Form()] = None,
) -> VideoOut:
    video = await service.upload_video(
        session,
        user=user,
        shop_id=shop_id,
        title=title,
        description=description,
        chunks=_chunks(file),
        settings=rt.settings,
        now=rt.clock.now(),
    )
    return responses.video_out(await service.get_video(session, video.id, user))


@router.get("", response_model=VideoPage)
async def list_videos(
    session: SessionDep,
    shop_id: IdQuery = None,
    owner_id: IdQuery = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> VideoPage:
    page = await service.list_public(
        session, shop_id=shop_id, owner_id=owner_id, q=q, cursor=cursor, limit=limit
    )
    return VideoPage(
        items=[responses.video_summary(i) for i in page.items], next_cursor=page.next_cursor
    )


@router.get("/{video_id}", response_model=VideoOut)
async def get_video(video_id: Id, session: SessionDep, user: OptionalUser) -> VideoOut:
    return responses.video_out(await service.get_video(session, video_id, user))


@router.put("/{video_id}/tags", response_model=VideoOut)
async def set_tags(
    video_id: Id, body: TagsIn, user: CurrentUser, session: SessionDep, rt: RuntimeDep
) -> VideoOut:
    view = await service.set_tags(
        session,
        user,
        video_id,
        [(t.product_id, t.at_ms) for t in body.tags],
        settings=rt.settings,
    )
    return responses.video_out(view)


@router.post("/{video_id}/views", response_model=ViewCount)
async def record_view(
    video_id: Id, request: Request, session: SessionDep, rt: RuntimeDep, user: OptionalUser
) -> ViewCount:
    if user is not None:
        viewer = f"u{user.id}"
    else:
        viewer = f"ip{request.client.host if request.client else 'unknown'}"
    views, counted = await service.record_view(session, rt.broker, video_id, viewer_key=viewer)
    return ViewCount(video_id=video_id, view_count=views, counted=counted)


@router.post("/{video_id}/like", response_model=LikeState)
async def like(video_id: Id, user: CurrentUser, session: SessionDep, rt: RuntimeDep) -> LikeState:
    liked, count = await service.like(session, user, video_id, now=rt.clock.now())
    return LikeState(video_id=video_id, liked=liked, like_count=count)


@router.delete("/{video_id}/like", response_model=LikeState)
async def unlike(video_id: Id, user: CurrentUser, session: SessionDep) -> LikeState:
    liked, count = await service.unlike(session, user, video_id)
    return LikeState(video_id=video_id, liked=liked, like_count=count)


@me_router.get("", response_model=VideoPage)
async def my_videos(
    user: CurrentUser,
    session: SessionDep,
    status: Literal["UPLOADED", "PROCESSING", "READY", "FAILED"] | None = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> VideoPage:
    page = await service.list_mine(session, user, status=status, cursor=cursor, limit=limit)
    return VideoPage(
        items=[responses.video_summary(i) for i in page.items], next_cursor=page.next_cursor
    )
