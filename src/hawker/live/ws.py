"""The live room's WebSocket (docs/live-protocol.md).

The connection is authenticated once when it opens (session cookie, `token` query parameter
or bearer header). Each inbound message that touches the database opens its own short
session, committed before anything is published; nothing holds a session for the life of the
socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from fastapi import FastAPI, WebSocket
from starlette.types import ASGIApp

from hawker.accounts import service as accounts
from hawker.errors import BadRequest, HawkerError, NotAuthenticated, PermissionDenied, RateLimited
from hawker.kit.ids import new_id
from hawker.live import deal_hook, events, moderation, responses, service, statistics
from hawker.live.room import (
    CLOSE_NOT_FOUND,
    RECENT_COMMENTS,
    Connection,
    LiveHub,
    Room,
    RoomState,
    Viewer,
    dumps,
)
from hawker.live.transport import frame_writer
from hawker.models import LiveSession, User
from hawker.routing import router as make_router
from hawker.runtime import Runtime
from hawker.schemas import Id

router = make_router(prefix="/live", tags=["live"])
log = logging.getLogger("hawker.live")

MAX_MESSAGE_BYTES = 2048
MAX_REF_LENGTH = 64
MAX_LIKES_PER_MESSAGE = 50
CLICKS_PER_SECOND = 5
MAX_WAITING_MESSAGES = 32  # per connection, waiting to be handled


class BadMessage(BadRequest):
    """The message is not one the room understands."""

    code = "bad_message"


class NotHost(PermissionDenied):
    """Only the room's host may do that."""

    code = "not_host"


class SocketSender:
    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket

    async def send(self, data: str) -> None:
        await self.websocket.send_text(data)

    async def close(self, code: int, reason: str) -> None:
        await self.websocket.close(code=code, reason=reason)


async def load_room(rt: Runtime, session_id: int) -> RoomState:
    """A room's state from the database, when its first local viewer arrives."""
    async with rt.db.read_session() as s:
        view = await service.get_view(s, rt.broker, session_id, settings=rt.settings)
        comments = await moderation.recent_payloads(s, session_id, RECENT_COMMENTS)
        locale = await service.market_locale(s, view.live)
        deal = await deal_hook.current_deal(s, session_id)
    live = view.live
    likes = await rt.broker.get_int(statistics.key(live.id, "likes"))
    info = responses.session_info(live, view.host, view.shop, view.playback)
    return RoomState(
        session=info.model_dump(mode="json"),
        pinned=view.pinned.model_dump(mode="json") if view.pinned else None,
        bag=[c.model_dump(mode="json") for c in view.bag],
        comments=deque(comments, RECENT_COMMENTS),
        likes=max(likes, live.like_count),
        orders=live.order_count,
        gmv_minor=live.gmv_minor,
        currency=live.currency,
        locale=locale,
        deal=deal,
    )


def hub_for(app: ASGIApp) -> LiveHub:
    """This process's rooms (one hub per application, made on first use)."""
    assert isinstance(app, FastAPI)
    hub: LiveHub | None = getattr(app.state, "live_hub", None)
    if hub is None:
        rt: Runtime = app.state.runtime
        hub = LiveHub(
            broker=rt.broker, settings=rt.settings, clock=rt.clock, loader=partial(load_room, rt)
        )
        app.state.live_hub = hub
    return hub


async def close_rooms(app: ASGIApp) -> None:
    """Server shutdown: close this process's rooms, adding their last counts to the broker.

    For the application's lifespan (after the server stops accepting connections).
    """
    assert isinstance(app, FastAPI)
    hub: LiveHub | None = getattr(app.state, "live_hub", None)
    if hub is not None:
        await hub.close()


def _token(websocket: WebSocket, cookie: str) -> str | None:
    token = websocket.query_params.get("token")
    if token:
        return token
    header = websocket.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return websocket.cookies.get(cookie)


@dataclass
class Socket:
    rt: Runtime
    room: Room
    conn: Connection
    user: User | None
    live_id: int

    def require_user(self) -> User:
        if self.user is None:
            raise NotAuthenticated("Log in to comment or like.")
        return self.user

    def require_host(self) -> User:
        user = self.require_user()
        if not self.conn.viewer.is_host:
            raise NotHost("Only the room's host may do that.")
        return user

    def ack(self, ref: str | None, **extra: Any) -> None:
        self.conn.reply({"type": "ack", "ref": ref, **extra})

    async def publish(self, changed: list[events.Event]) -> None:
        await events.publish(self.rt.broker, self.live_id, changed)


def _id(msg: dict[str, Any], name: str) -> int:
    value = msg.get(name)
    if isinstance(value, bool):
        raise BadMessage(f"`{name}` must be an id.")
    if isinstance(value, int) and 0 < value < 2**63:
        return value
    if isinstance(value, str) and value.isdigit() and 0 < len(value) <= 19:
        return int(value)
    raise BadMessage(f"`{name}` must be an id.")


async def _comment(ctx: Socket, msg: dict[str, Any], ref: str | None) -> None:
    user = ctx.require_user()
    text = msg.get("text")
    if not isinstance(text, str):
        raise BadMessage("`text` must be a string.")
    rt = ctx.rt
    async with rt.db.session() as s:
        posted = await moderation.post_comment(
            s,
            rt.broker,
            live_id=ctx.live_id,
            user=user,
            text=text,
            settings=rt.settings,
            now=rt.clock.now(),
        )
    ctx.room.add_comment_count()
    ctx.ack(ref, comment_id=str(posted.comment.id))
    await ctx.publish([posted.event])


async def _like(ctx: Socket, msg: dict[str, Any], ref: str | None) -> None:
    ctx.require_user()
    count = msg.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int):
        raise BadMessage("`count` must be a whole number.")
    if not 1 <= count <= MAX_LIKES_PER_MESSAGE:
        raise BadMessage(f"`count` is 1-{MAX_LIKES_PER_MESSAGE}.")
    per_second = ctx.rt.settings.live_like_messages_per_second
    if not ctx.conn.allow("like", per_second, time.monotonic()):
        raise RateLimited(f"At most {per_second} like messages a second.")
    ctx.room.add_likes(count)


async def _click(ctx: Socket, msg: dict[str, Any], ref: str | None) -> None:
    product_id = _id(msg, "product_id")
    if str(product_id) not in ctx.room.bag_ids():
        raise service.ProductNotInBag(f"Product {product_id} is not in this live's bag.")
    if ctx.conn.allow("click", CLICKS_PER_SECOND, time.monotonic()):
        ctx.room.add_click()


async def _host_change(
    ctx: Socket,
    ref: str | None,
    change: Callable[[Any, User], Awaitable[service.Changed]],
) -> None:
    user = ctx.require_host()
    async with ctx.rt.db.session() as s:
        changed = await change(s, user)
    ctx.ack(ref)
    await ctx.publish(changed.events)


async def _pin(ctx: Socket, msg: dict[str, Any], ref: str | None) -> None:
    product_id = _id(msg, "product_id")
    now = ctx.rt.clock.now()
    await _host_change(ctx, ref, lambda s, u: service.pin(s, u, ctx.live_id, product_id, now=now))


async def _unpin(ctx: Socket, msg: dict[str, Any], ref: str | None) -> None:
    now = ctx.rt.clock.now()
    await _host_change(ctx, ref, lambda s, u: service.unpin(s, u, ctx.live_id, now=now))


async def _remove_comment(ctx: Socket, msg: dict[str, Any], ref: str | None) -> None:
    comment_id = _id(msg, "comment_id")
    now = ctx.rt.clock.now()
    await _host_change(
        ctx, ref, lambda s, u: moderation.remove_comment(s, u, ctx.live_id, comment_id, now=now)
    )


async def _mute(ctx: Socket, msg: dict[str, Any], ref: str | None) -> None:
    target = _id(msg, "user_id")
    user = ctx.require_host()
    async with ctx.rt.db.session() as s:
        await moderation.mute(s, user, ctx.live_id, target, now=ctx.rt.clock.now())
    ctx.ack(ref)


async def _unmute(ctx: Socket, msg: dict[str, Any], ref: str | None) -> None:
    target = _id(msg, "user_id")
    user = ctx.require_host()
    async with ctx.rt.db.session() as s:
        await moderation.unmute(s, user, ctx.live_id, target, now=ctx.rt.clock.now())
    ctx.ack(ref)


Handler = Callable[[Socket, dict[str, Any], str | None], Awaitable[None]]

HANDLERS: dict[str, Handler] = {
    "comment": _comment,
    "like": _like,
    "click": _click,
    "pin": _pin,
    "unpin": _unpin,
    "remove_comment": _remove_comment,
    "mute": _mute,
    "unmute": _unmute,
}


async def handle(ctx: Socket, raw: str) -> None:
    """One inbound message; a refusal answers `error` to this connection and changes nothing."""
    ref: str | None = None
    try:
        if len(raw) > MAX_MESSAGE_BYTES:
            raise BadMessage(f"Messages are at most {MAX_MESSAGE_BYTES} bytes.")
        try:
            msg = json.loads(raw)
        except ValueError as exc:
            raise BadMessage("Messages are JSON objects.") from exc
        if not isinstance(msg, dict):
            raise BadMessage("Messages are JSON objects.")
        candidate = msg.get("ref")
        if isinstance(candidate, str) and len(candidate) <= MAX_REF_LENGTH:
            ref = candidate
        elif candidate is not None:
            raise BadMessage(f"`ref` is a string of at most {MAX_REF_LENGTH} characters.")
        kind = msg.get("type")
        handler = HANDLERS.get(kind) if isinstance(kind, str) else None
        if handler is None:
            raise BadMessage("Unknown message type.", details={"types": sorted(HANDLERS)})
        await handler(ctx, msg, ref)
    except HawkerError as exc:
        ctx.conn.reply({"type": "error", "ref": ref, "code": exc.code, "message": exc.message})
    except Exception:
        log.exception("live room %s: a message failed", ctx.live_id)
        message = "Something went wrong on our side; try again."
        ctx.conn.reply({"type": "error", "ref": ref, "code": "internal_error", "message": message})


async def _who(
    rt: Runtime, session_id: int, token: str | None
) -> tuple[User | None, LiveSession | None, bool, bool]:
    async with rt.db.read_session() as s:
        user = await accounts.user_for_token(s, token, now=rt.clock.now()) if token else None
        try:
            live = await service.get_live(s, session_id)
        except service.LiveNotFound:
            return user, None, False, False
        host = await service.is_host(s, user, live)
        can = await moderation.can_comment(s, user, live)
    return user, live, host, can


@router.websocket("/sessions/{session_id}/ws")
async def room_socket(websocket: WebSocket, session_id: Id) -> None:
    rt: Runtime = websocket.app.state.runtime
    hub = hub_for(websocket.app)
    token = _token(websocket, rt.settings.session_cookie)
    live_id: int | None = session_id
    if token is None and hub.loaded(session_id) is not None:
        # a guest joining a room this process already runs: nothing to read from the database
        user, host, can_comment = None, False, False
    else:
        user, live, host, can_comment = await _who(rt, session_id, token)
        live_id = live.id if live is not None else None
    await websocket.accept()
    if live_id is None:
        error = service.LiveNotFound(f"There is no live {session_id}.")
        await websocket.send_text(
            dumps({"type": "error", "ref": None, "code": error.code, "message": error.message})
        )
        await websocket.close(code=CLOSE_NOT_FOUND, reason="not_found")
        return
    viewer = Viewer(
        user_id=user.id if user else None,
        name=user.display_name if user else None,
        is_host=host,
        can_comment=can_comment,
        key=f"u{user.id}" if user else f"g{new_id()}",
    )
    unique = True
    if user is not None:
        unique = await rt.broker.set_if_absent(
            statistics.seen_key(live_id, viewer.key), "1", statistics.SEEN_TTL_SECONDS
        )
    conn = Connection(
        SocketSender(websocket),
        viewer,
        max_queue=rt.settings.live_send_queue,
        frames=frame_writer(websocket.scope),
    )
    room = await hub.join(live_id, conn, unique=unique)
    ctx = Socket(rt=rt, room=room, conn=conn, user=user, live_id=live_id)
    # The socket keeps being read while a message waits on the database: messages are handled
    # in order by one worker, so a slow commit never stops pings and pongs (the server reads
    # nothing more from a socket until the application takes the message it has).
    inbox: deque[str] = deque()
    worker: asyncio.Task[None] | None = None

    async def work() -> None:
        while inbox:
            await handle(ctx, inbox.popleft())

    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            if conn.closed is not None:
                continue  # closing: what the viewer still sends is ignored
            raw = message.get("text")
            if raw is None:
                raw = (message.get("bytes") or b"").decode("utf-8", "replace")
            if len(inbox) >= MAX_WAITING_MESSAGES:
                busy = "Too many messages at once; wait for the answers."
                conn.reply({"type": "error", "ref": None, "code": "rate_limited", "message": busy})
                continue
            inbox.append(raw)
            if worker is None or worker.done():
                worker = asyncio.create_task(work())
        if worker is not None:
            await worker  # what the viewer sent before leaving is still done
    finally:
        if worker is not None and not worker.done():
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await worker
        await hub.leave(room, conn)
