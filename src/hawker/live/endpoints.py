"""HTTP wiring for live sessions: the host's console, public pages, the media server's hooks.

Room events are published after the request's transaction commits (see `_after_commit`).
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import File, Form, Query, Request, Response, UploadFile

from hawker.catalog import service as catalog
from hawker.deps import CurrentUser, RuntimeDep, SessionDep
from hawker.live import events, moderation, replays, responses, service
from hawker.live.events import Event
from hawker.live.schemas import (
    BagIn,
    CommentPage,
    IngestOut,
    LiveCreate,
    LiveOut,
    LivePage,
    LiveStatusIn,
    MuteIn,
    PinIn,
    ReplayOut,
    StatsOut,
    StockIn,
    StockShownOut,
)
from hawker.routing import router as make_router
from hawker.runtime import Runtime
from hawker.schemas import Id

router = make_router(prefix="/live", tags=["live"])
me_router = make_router(prefix="/me/live", tags=["live"])
hooks_router = make_router(prefix="/live/hooks", tags=["live: media server hooks"])

Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=500)]
IdQuery = Annotated[Id | None, Query()]

_publishing: set[asyncio.Task[None]] = set()


def _after_commit(request: Request, rt: Runtime, session_id: int, changed: list[Event]) -> None:
    """Publish room events once the request's transaction has committed."""
    if not changed:
        return

    def publish() -> None:
        task = asyncio.get_running_loop().create_task(
            events.publish(rt.broker, session_id, changed)
        )
        _publishing.add(task)
        task.add_done_callback(_publishing.discard)

    hooks = getattr(request.state, "after_commit", None)
    if hooks is None:
        hooks = request.state.after_commit = []
    hooks.append(publish)


async def _out(session: SessionDep, rt: Runtime, live_id: int) -> LiveOut:
    view = await service.get_view(session, rt.broker, live_id, settings=rt.settings)
    return responses.live_out(view)


# Host console --------------------------------------------------------------------------------


@router.post("/sessions", response_model=LiveOut, status_code=201)
async def create_live(
    body: LiveCreate, user: CurrentUser, session: SessionDep, rt: RuntimeDep
) -> LiveOut:
    live = await service.create_live(
        session,
        user,
        title=body.title,
        shop_id=body.shop_id,
        scheduled_at=body.scheduled_at,
        product_ids=body.product_ids,
        loop_video_id=body.loop_video_id,
        settings=rt.settings,
        now=rt.clock.now(),
    )
    return await _out(session, rt, live.id)


@router.get("/sessions/{session_id}/ingest", response_model=IngestOut)
async def ingest(
    session_id: Id, user: CurrentUser, session: SessionDep, rt: RuntimeDep
) -> IngestOut:
    live = await service.require_host(session, user, session_id)
    info = service.ingest(live, rt.settings)
    return IngestOut(
        session_id=live.id,
        rtmp_url=info.rtmp_url,
        server_url=info.server_url,
        stream_key=info.stream_key,
    )


@router.put("/sessions/{session_id}/bag", response_model=LiveOut)
async def set_bag(
    session_id: Id,
    body: BagIn,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    rt: RuntimeDep,
) -> LiveOut:
    changed = await service.set_bag(
        session, user, session_id, body.product_ids, settings=rt.settings, now=rt.clock.now()
    )
    _after_commit(request, rt, changed.live.id, changed.events)
    return await _out(session, rt, changed.live.id)


@router.post("/sessions/{session_id}/cover", response_model=LiveOut)
async def set_cover(
    session_id: Id,
    user: CurrentUser,
    session: SessionDep,
    rt: RuntimeDep,
    file: Annotated[UploadFile, File(description="A JPEG, PNG or WebP image.")],
) -> LiveOut:
    live = await service.require_host(session, user, session_id)
    data = await file.read(rt.settings.image_max_bytes + 1)
    processed = await asyncio.to_thread(
        catalog.process_image,
        data,
        max_bytes=rt.settings.image_max_bytes,
        max_pixels=rt.settings.image_max_pixels,
        thumbnail_px=rt.settings.thumbnail_px,
    )
    folder = rt.settings.media_dir / "live" / str(live.id)
    path = folder / f"cover.{processed.extension}"
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    await asyncio.to_thread(path.write_bytes, processed.original)
    uri = "/media/" + path.relative_to(rt.settings.media_dir).as_posix()
    await service.set_cover(session, user, live.id, uri=uri, now=rt.clock.now())
    return await _out(session, rt, live.id)


@router.post("/sessions/{session_id}/start", response_model=LiveOut)
async def start(
    session_id: Id, request: Request, user: CurrentUser, session: SessionDep, rt: RuntimeDep
) -> LiveOut:
    changed = await service.start_live(
        session, user, session_id, settings=rt.settings, now=rt.clock.now()
    )
    _after_commit(request, rt, changed.live.id, changed.events)
    return await _out(session, rt, changed.live.id)


@router.post("/sessions/{session_id}/end", response_model=LiveOut)
async def end(
    session_id: Id, request: Request, user: CurrentUser, session: SessionDep, rt: RuntimeDep
) -> LiveOut:
    changed = await service.end_live(
        session, rt.broker, user, session_id, settings=rt.settings, now=rt.clock.now()
    )
    _after_commit(request, rt, changed.live.id, changed.events)
    return await _out(session, rt, changed.live.id)


@router.post("/sessions/{session_id}/cancel", response_model=LiveOut)
async def cancel(
    session_id: Id, request: Request, user: CurrentUser, session: SessionDep, rt: RuntimeDep
) -> LiveOut:
    changed = await service.cancel_live(session, user, session_id, now=rt.clock.now())
    _after_commit(request, rt, changed.live.id, changed.events)
    return await _out(session, rt, changed.live.id)


@router.post("/sessions/{session_id}/pin", response_model=LiveOut)
async def pin(
    session_id: Id,
    body: PinIn,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    rt: RuntimeDep,
) -> LiveOut:
    changed = await service.pin(session, user, session_id, body.product_id, now=rt.clock.now())
    _after_commit(request, rt, changed.live.id, changed.events)
    return await _out(session, rt, changed.live.id)


@router.post("/sessions/{session_id}/unpin", response_model=LiveOut)
async def unpin(
    session_id: Id, request: Request, user: CurrentUser, session: SessionDep, rt: RuntimeDep
) -> LiveOut:
    changed = await service.unpin(session, user, session_id, now=rt.clock.now())
    _after_commit(request, rt, changed.live.id, changed.events)
    return await _out(session, rt, changed.live.id)


@router.post("/sessions/{session_id}/stock", response_model=StockShownOut)
async def show_stock(
    session_id: Id,
    body: StockIn,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    rt: RuntimeDep,
) -> StockShownOut:
    """Show viewers the units left of a bag product (read from inventory)."""
    shown = await service.show_stock(session, user, session_id, body.product_id)
    _after_commit(request, rt, shown.live.id, shown.events)
    return StockShownOut(product_id=shown.product_id, available=shown.available)


@router.delete("/sessions/{session_id}/comments/{comment_id}", status_code=204)
async def remove_comment(
    session_id: Id,
    comment_id: Id,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    rt: RuntimeDep,
) -> Response:
    changed = await moderation.remove_comment(
        session, user, session_id, comment_id, now=rt.clock.now()
    )
    _after_commit(request, rt, changed.live.id, changed.events)
    return Response(status_code=204)


@router.post("/sessions/{session_id}/mutes", status_code=204)
async def mute(
    session_id: Id, body: MuteIn, user: CurrentUser, session: SessionDep, rt: RuntimeDep
) -> Response:
    await moderation.mute(session, user, session_id, body.user_id, now=rt.clock.now())
    return Response(status_code=204)


@router.delete("/sessions/{session_id}/mutes/{user_id}", status_code=204)
async def unmute(
    session_id: Id, user_id: Id, user: CurrentUser, session: SessionDep, rt: RuntimeDep
) -> Response:
    await moderation.unmute(session, user, session_id, user_id, now=rt.clock.now())
    return Response(status_code=204)


@router.get("/sessions/{session_id}/stats", response_model=StatsOut)
async def stats(session_id: Id, user: CurrentUser, session: SessionDep, rt: RuntimeDep) -> StatsOut:
    live, figures = await service.get_stats(session, rt.broker, user, session_id)
    return responses.stats_out(live, figures, await service.market_locale(session, live))


@me_router.get("/sessions", response_model=LivePage)
async def my_lives(
    user: CurrentUser,
    session: SessionDep,
    rt: RuntimeDep,
    status: LiveStatusIn | None = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> LivePage:
    page = await service.list_mine(
        session, rt.broker, user, status=status, cursor=cursor, limit=limit
    )
    return LivePage(
        items=[responses.live_summary(i) for i in page.items], next_cursor=page.next_cursor
    )


# Viewers -------------------------------------------------------------------------------------


@router.get("/sessions", response_model=LivePage)
async def list_lives(
    session: SessionDep,
    rt: RuntimeDep,
    status: LiveStatusIn | None = None,
    shop_id: IdQuery = None,
    host_id: IdQuery = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> LivePage:
    page = await service.list_public(
        session,
        rt.broker,
        status=status,
        shop_id=shop_id,
        host_id=host_id,
        cursor=cursor,
        limit=limit,
    )
    return LivePage(
        items=[responses.live_summary(i) for i in page.items], next_cursor=page.next_cursor
    )


@router.get("/sessions/{session_id}", response_model=LiveOut)
async def get_live(session_id: Id, session: SessionDep, rt: RuntimeDep) -> LiveOut:
    return await _out(session, rt, session_id)


@router.get("/sessions/{session_id}/comments", response_model=CommentPage)
async def list_comments(
    session_id: Id, session: SessionDep, cursor: Cursor = None, limit: Limit = 20
) -> CommentPage:
    page = await moderation.list_comments(session, session_id, cursor=cursor, limit=limit)
    return CommentPage(
        items=[responses.comment_out(c, u) for c, u in page.items], next_cursor=page.next_cursor
    )


@router.get("/sessions/{session_id}/replay", response_model=ReplayOut)
async def replay(session_id: Id, session: SessionDep) -> ReplayOut:
    return responses.replay_out(await replays.get_replay(session, session_id))


# The media server (nginx-rtmp) -----------------------------------------------------------------
# nginx's rtmp module POSTs form fields (`name` = the stream name the encoder used); any 2xx
# accepts, 3xx accepts and renames the stream to the Location header, 4xx refuses.

Secret = Annotated[str | None, Query(max_length=200)]
StreamName = Annotated[str, Form(max_length=200)]


@hooks_router.post("/on_publish", status_code=302)
async def on_publish(
    name: StreamName, request: Request, session: SessionDep, rt: RuntimeDep, secret: Secret = None
) -> Response:
    """Accept a valid key and rename the stream to the session's public name, so the HLS
    playlist viewers load never carries the secret key."""
    service.check_hook_secret(rt.settings, secret)
    changed = await service.on_publish(session, name, settings=rt.settings, now=rt.clock.now())
    _after_commit(request, rt, changed.live.id, changed.events)
    return Response(status_code=302, headers={"Location": changed.live.public_name})


@hooks_router.post("/on_publish_done", status_code=204)
async def on_publish_done(
    name: StreamName, request: Request, session: SessionDep, rt: RuntimeDep, secret: Secret = None
) -> Response:
    service.check_hook_secret(rt.settings, secret)
    changed = await service.on_publish_done(
        session, rt.broker, name, settings=rt.settings, now=rt.clock.now()
    )
    if changed is not None:
        _after_commit(request, rt, changed.live.id, changed.events)
    return Response(status_code=204)


@hooks_router.post("/on_record_done", status_code=204)
async def on_record_done(
    name: StreamName,
    path: Annotated[str, Form(max_length=500)],
    session: SessionDep,
    rt: RuntimeDep,
    secret: Secret = None,
) -> Response:
    service.check_hook_secret(rt.settings, secret)
    await service.on_record_done(session, name, path, now=rt.clock.now())
    return Response(status_code=204)
