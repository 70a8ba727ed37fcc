"""Fan-out of live rooms inside one server process (see docs/live-protocol.md).

Per live session with local viewers, one `Room`:

- subscribes to the broker channel `live:{session_id}` (in-process, or Redis pub/sub across
  processes) and folds every event into the room's state and into what is pending;
- has ONE publisher task that, at most every `live_frame_interval_ms`, turns everything
  pending into one frame, serialises it once, and queues the same string to every local
  viewer;
- keeps a bounded send queue per connection: a viewer whose queue is full when a frame is
  ready is closed alone (4008 "lagging") and may reconnect to a fresh snapshot;
- aggregates likes and counters locally and adds them to the broker's counters in batches
  (likes once per frame, the rest once per statistics tick), never once per message.

Nothing here touches the database: the room's initial state comes from a loader the
WebSocket endpoint supplies.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from hawker.broker import Broker, Subscription
from hawker.config import Settings
from hawker.kit.clock import Clock
from hawker.live import events, statistics
from hawker.live.transport import FrameWriter, text_frame
from hawker.schemas import MoneyOut

log = logging.getLogger("hawker.live")

RECENT_COMMENTS = 50
MAX_COMMENTS_PER_FRAME = 50
MAX_BOUGHT_PER_FRAME = 20
CLOSE_TIMEOUT_SECONDS = 2.0
ENDED = ("ENDED", "CANCELLED")

CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_NOT_FOUND = 4004
CLOSE_LAGGING = 4008


def dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


class Sender(Protocol):
    """The socket a connection writes to (a Starlette WebSocket in production)."""

    async def send(self, data: str) -> None: ...

    async def close(self, code: int, reason: str) -> None: ...


@dataclass(frozen=True)
class Outgoing:
    """A room message for many viewers: its text, and the same text framed once as a
    WebSocket message for connections the server lets the room write to directly."""

    text: str
    frame: bytes

    @classmethod
    def of(cls, text: str) -> Outgoing:
        return cls(text, text_frame(text.encode()))


@dataclass(frozen=True)
class Viewer:
    user_id: int | None
    name: str | None
    is_host: bool
    can_comment: bool
    key: str  # "u<user id>" for a user, "g<random>" for a guest connection

    def you(self) -> dict[str, Any]:
        return {
            "user_id": str(self.user_id) if self.user_id is not None else None,
            "display_name": self.name,
            "is_host": self.is_host,
            "can_comment": self.can_comment,
        }


@dataclass
class RoomState:
    session: dict[str, Any]
    pinned: dict[str, Any] | None
    bag: list[dict[str, Any]]
    comments: deque[dict[str, Any]]
    likes: int
    orders: int
    gmv_minor: int
    currency: str
    locale: str
    deal: dict[str, Any] | None = None  # the live flash deal card (announced or running)
    stock: dict[str, int] = field(default_factory=dict)  # product id -> units left

    @property
    def status(self) -> str:
        return str(self.session.get("status"))


class Connection:
    """One viewer's socket: a bounded queue of ready-made strings and one writer task.

    With a `frames` writer (the server's `hawker.websocket.frames` extension, see
    transport.py), room messages skip the queue whenever it is empty: the same framed bytes
    go straight to the socket, and the viewer counts as lagging when more than `max_queue`
    such messages wait unsent in its write buffer.
    """

    def __init__(
        self,
        sender: Sender,
        viewer: Viewer,
        *,
        max_queue: int,
        frames: FrameWriter | None = None,
    ) -> None:
        self.sender = sender
        self.viewer = viewer
        self.max_queue = max_queue
        self.frames = frames
        self._direct = False  # set once the queue has drained (the snapshot is out)
        self._sending = False
        self.joined_at: datetime | None = None
        self.closed: tuple[int, str] | None = None
        self._queue: deque[str] = deque()
        self._wake = asyncio.Event()
        self._finish: tuple[int, str] | None = None
        self._writer: asyncio.Task[None] | None = None
        self._closer: asyncio.Task[None] | None = None
        self._limits: dict[str, tuple[int, int]] = {}

    def start(self) -> None:
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())

    def offer(self, data: str) -> bool:
        """Queue a message; False when the queue is full (the viewer is lagging)."""
        if self.closed is not None or self._finish is not None:
            return True
        if len(self._queue) >= self.max_queue:
            return False
        self._queue.append(data)
        self._wake.set()
        return True

    def offer_room(self, message: Outgoing) -> bool:
        """Queue a room message, or write it straight to the socket when nothing is queued
        before it; False when the viewer is lagging."""
        if self._direct and not self._queue and not self._sending and self.frames is not None:
            if self.closed is not None or self._finish is not None:
                return True
            try:
                return self.frames(message.frame, self.max_queue * len(message.frame))
            except Exception:  # the socket went away under us; its reader ends the connection
                return True
        return self.offer(message.text)

    def reply(self, message: dict[str, Any]) -> None:
        if not self.offer(dumps(message)):
            self.drop(CLOSE_LAGGING, "lagging")

    def finish(self, code: int, reason: str) -> None:
        """Close after what is already queued has been sent."""
        if self._finish is None and self.closed is None:
            self._finish = (code, reason)
            self._wake.set()

    def drop(self, code: int, reason: str) -> None:
        """Close now, discarding what is queued (a lagging viewer, a server going away)."""
        if self.closed is not None:
            return
        self.closed = (code, reason)
        self._queue.clear()
        if self._writer is not None:
            self._writer.cancel()
        self._closer = asyncio.create_task(self._close(code, reason))

    def allow(self, name: str, per_second: int, now: float) -> bool:
        """A per-connection, per-second limit for cheap messages (likes, clicks)."""
        second = int(now)
        window, count = self._limits.get(name, (second, 0))
        if window != second:
            window, count = second, 0
        if count >= per_second:
            return False
        self._limits[name] = (window, count + 1)
        return True

    @property
    def queued(self) -> int:
        return len(self._queue)

    async def _close(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.sender.close(code, reason), CLOSE_TIMEOUT_SECONDS)

    async def _write(self) -> None:
        try:
            while True:
                if self._queue:
                    self._sending = True
                    await self.sender.send(self._queue.popleft())
                    self._sending = False
                    continue
                self._direct = True
                if self._finish is not None:
                    self.closed = self._finish
                    await self._close(*self._finish)
                    return
                self._wake.clear()
                await self._wake.wait()
        except asyncio.CancelledError:
            raise
        except Exception:  # the viewer went away mid-send
            if self.closed is None:
                self.closed = (1006, "gone")

    async def stop(self) -> None:
        """Stop writing (the socket is gone); a close already under way may finish."""
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()
        for task in (self._writer, self._closer):
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task


Loader = Callable[[int], Awaitable[RoomState]]


class Room:
    def __init__(self, hub: LiveHub, session_id: int) -> None:
        self.hub = hub
        self.session_id = session_id
        self.conns: set[Connection] = set()
        self.seq = 0
        self.state: RoomState | None = None
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.frames_sent = 0
        self._sub: Subscription | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._dirty = asyncio.Event()
        self._idle: asyncio.TimerHandle | None = None
        self._stopping = False
        # what the next frame carries
        self._comments: list[dict[str, Any]] = []
        self._removed: list[str] = []
        self._pin_changed = False
        self._bag_changed = False
        self._bought: list[dict[str, Any]] = []
        self._status_changed = False
        self._deal_changed = False
        self._stock: dict[str, int] = {}
        self._sent_viewers = -1
        self._sent_likes = -1
        # local batches of counters, added to the broker's counters in one call each
        self._likes_local = 0
        self._likes_flush: asyncio.Task[None] | None = None
        self._viewers_known = 0
        self._peak_known = 0
        self._delta: dict[str, int] = dict.fromkeys(
            ("viewers", "unique", "watch_ms", "clicks", "comments"), 0
        )

    # lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        broker = self.hub.broker
        try:
            # subscribe first, so nothing published while the state loads is missed
            self._sub = await broker.subscribe(events.channel(self.session_id))
            self.state = await self.hub.loader(self.session_id)
            self._viewers_known = max(
                0, await broker.get_int(statistics.key(self.session_id, "viewers"))
            )
            self._peak_known = await broker.get_int(statistics.key(self.session_id, "peak"))
        except BaseException as exc:
            if self._sub is not None:
                await self._sub.close()
            self.ready.set_exception(exc)
            raise
        self._sent_likes = self.state.likes
        self._tasks = [
            asyncio.create_task(self._read()),
            asyncio.create_task(self._publish()),
            asyncio.create_task(self._ticker()),
        ]
        self.ready.set_result(None)

    async def stop(self) -> None:
        self._stopping = True
        if self._idle is not None:
            self._idle.cancel()
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=CLOSE_TIMEOUT_SECONDS)
        if self._likes_flush is not None:
            await asyncio.wait([self._likes_flush], timeout=CLOSE_TIMEOUT_SECONDS)
        with contextlib.suppress(Exception):
            await self._flush_likes()
        with contextlib.suppress(Exception):
            await self._flush_counters()
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.close()

    # viewers -----------------------------------------------------------------------------

    def add(self, conn: Connection, *, unique: bool) -> None:
        """Admit a viewer and queue its snapshot; synchronous, so the snapshot and the
        frames that follow it agree on `seq`."""
        assert self.state is not None
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        conn.joined_at = self.hub.clock.now()
        self.conns.add(conn)
        self._delta["viewers"] += 1
        if unique:
            self._delta["unique"] += 1
        conn.offer(self.snapshot(conn.viewer))
        conn.start()
        if self.state.status in ENDED:
            conn.finish(CLOSE_NORMAL, "ended")
        # the new viewer count rides on the next frame, or goes out at the next statistics
        # tick (at most once a second): a crowd arriving does not cost everyone a frame each
        # time the publisher could send one

    def remove(self, conn: Connection) -> None:
        if conn not in self.conns:
            return
        self.conns.discard(conn)
        self._delta["viewers"] -= 1
        if conn.joined_at is not None:
            watched = self.hub.clock.now() - conn.joined_at
            self._delta["watch_ms"] += max(0, int(watched.total_seconds() * 1000))
        if not self.conns and not self._stopping:
            loop = asyncio.get_running_loop()
            self._idle = loop.call_later(
                self.hub.settings.live_room_idle_seconds, self.hub.stop_if_idle, self
            )

    def viewers(self) -> int:
        return max(0, self._viewers_known + self._delta["viewers"])

    def likes(self) -> int:
        assert self.state is not None
        return self.state.likes + self._likes_local

    def snapshot(self, viewer: Viewer) -> str:
        st = self.state
        assert st is not None
        return dumps(
            {
                "type": "snapshot",
                "seq": self.seq,
                "session": st.session,
                "pinned": st.pinned,
                "bag": st.bag,
                "deal": st.deal,
                "stock": st.stock,
                "viewers": self.viewers(),
                "likes": self.likes(),
                "comments": list(st.comments),
                "you": viewer.you(),
            }
        )

    # what viewers send that the room aggregates ------------------------------------------

    def add_likes(self, count: int) -> None:
        self._likes_local += count
        self._dirty.set()

    def add_click(self) -> None:
        self._delta["clicks"] += 1

    def add_comment_count(self) -> None:
        self._delta["comments"] += 1

    def bag_ids(self) -> set[str]:
        return {str(item["id"]) for item in self.state.bag} if self.state else set()

    # events from the broker --------------------------------------------------------------

    async def _read(self) -> None:
        assert self._sub is not None
        async for raw in self._sub:
            try:
                self.apply(json.loads(raw))
            except Exception:
                log.exception("bad room event for live %s", self.session_id)

    def apply(self, event: dict[str, Any]) -> None:
        st = self.state
        assert st is not None
        kind = event.get("k")
        if kind == "comment":
            comment = event["comment"]
            if all(c["id"] != comment["id"] for c in st.comments):
                st.comments.append(comment)
                self._comments.append(comment)
        elif kind == "removed":
            gone = event["id"]
            st.comments = deque((c for c in st.comments if c["id"] != gone), RECENT_COMMENTS)
            self._comments = [c for c in self._comments if c["id"] != gone]
            self._removed.append(gone)
        elif kind == "pin":
            st.pinned = event["product"]
            self._pin_changed = True
        elif kind == "bag":
            st.bag = event["items"]
            self._bag_changed = True
        elif kind == "bought":
            self._bought.append(event["notice"])
            st.orders = max(st.orders, int(event.get("orders", 0)))
            st.gmv_minor = max(st.gmv_minor, int(event.get("gmv_minor", 0)))
        elif kind == "status":
            st.session["status"] = event["status"]
            st.session["playback"] = event.get("playback")
            if event["status"] in ENDED:
                st.pinned = None
            self._status_changed = True
        elif kind == "likes":
            st.likes = max(st.likes, int(event["total"]))
        elif kind in ("deal", "deal_remaining"):
            if not self.apply_deal(event):
                return
        elif kind == "stock":
            product_id, available = str(event["product_id"]), int(event["available"])
            st.stock[product_id] = available
            self._stock[product_id] = available  # only the latest figure per product is sent
        else:
            return
        self._dirty.set()

    def apply_deal(self, event: dict[str, Any]) -> bool:
        """Fold a flash deal event into the room; True when the deal card changed."""
        st = self.state
        assert st is not None
        if event.get("k") == "deal":
            st.deal = event.get("deal")
        else:
            current = st.deal
            if current is None or current.get("id") != event.get("deal_id"):
                return False
            remaining = int(event["remaining"])
            if current.get("remaining") == remaining or current.get("status") == "ENDED":
                return False
            st.deal = {**current, "remaining": remaining}
        self._deal_changed = True
        return True

    # the publisher -----------------------------------------------------------------------

    async def _publish(self) -> None:
        """The room's one publisher: a frame when something changed, at most every interval."""
        loop = asyncio.get_running_loop()
        interval = self.hub.settings.live_frame_interval_ms / 1000
        last_frame = -interval
        while True:
            await self._dirty.wait()
            wait = last_frame + interval - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)  # coalesce: everything new until then rides along
            self._dirty.clear()
            self._flush_likes_soon()  # never awaited here: a frame does not wait for the broker
            frame = self.take_frame()
            last_frame = loop.time()
            if frame is not None:
                self.broadcast(Outgoing.of(dumps(frame)))
                if frame.get("status") in ENDED:
                    for conn in list(self.conns):
                        conn.finish(CLOSE_NORMAL, "ended")

    async def _ticker(self) -> None:
        """Counters to the broker, the viewer count back, the host's statistics."""
        tick = self.hub.settings.live_stats_interval_ms / 1000
        while True:
            await asyncio.sleep(tick)
            try:
                await self._tick()
            except Exception:
                log.exception("live room %s: statistics tick failed", self.session_id)

    def take_frame(self) -> dict[str, Any] | None:
        st = self.state
        assert st is not None
        frame: dict[str, Any] = {}
        viewers = self.viewers()
        if viewers != self._sent_viewers:
            frame["viewers"] = self._sent_viewers = viewers
        if st.likes != self._sent_likes:
            frame["likes"] = self._sent_likes = st.likes
        if self._comments:
            frame["comments"] = self._comments[-MAX_COMMENTS_PER_FRAME:]
            self._comments = []
        if self._removed:
            frame["removed"], self._removed = self._removed, []
        if self._pin_changed:
            frame["pinned"], self._pin_changed = st.pinned, False
        if self._bag_changed:
            frame["bag"], self._bag_changed = st.bag, False
        if self._stock:
            frame["stock"], self._stock = self._stock, {}
        if self._bought:
            frame["bought"] = self._bought[-MAX_BOUGHT_PER_FRAME:]
            self._bought = []
        if self._deal_changed:
            frame["deal"], self._deal_changed = st.deal, False
        if self._status_changed:
            frame["status"] = st.status
            frame["playback"] = st.session.get("playback")
            self._status_changed = False
        if not frame:
            return None
        self.seq += 1
        at = events.iso(self.hub.clock.now())  # when the room published it
        return {"type": "frame", "seq": self.seq, "at": at, **frame}

    def broadcast(self, message: Outgoing) -> None:
        """The same message to every local viewer, in one go (written straight to the sockets
        that allow it: a few microseconds each); one that cannot take it is dropped."""
        self.frames_sent += 1
        for conn in list(self.conns):
            if not conn.offer_room(message):
                conn.drop(CLOSE_LAGGING, "lagging")

    def _flush_likes_soon(self) -> None:
        """Add the likes counted here to the broker's total in the background (one flush at
        a time; likes arriving meanwhile go with the next). The new total comes back as a
        `likes` event and rides on the next frame."""
        if self._likes_local and (self._likes_flush is None or self._likes_flush.done()):
            self._likes_flush = asyncio.create_task(self._flush_likes_logged())

    async def _flush_likes_logged(self) -> None:
        try:
            await self._flush_likes()
        except Exception:
            log.exception("live room %s: like flush failed", self.session_id)

    async def _flush_likes(self) -> None:
        if not self._likes_local:
            return
        n, self._likes_local = self._likes_local, 0
        broker = self.hub.broker
        total = await broker.incr(statistics.key(self.session_id, "likes"), n)
        assert self.state is not None
        self.state.likes = max(self.state.likes, total)
        await broker.publish(events.channel(self.session_id), events.encode(events.likes(total)))

    async def _flush_counters(self) -> None:
        broker = self.hub.broker
        delta, self._delta = self._delta, dict.fromkeys(self._delta, 0)
        for name, amount in delta.items():
            if amount:
                value = await broker.incr(statistics.key(self.session_id, name), amount)
                if name == "viewers":
                    self._viewers_known = max(0, value)
        if not delta["viewers"]:
            known = await broker.get_int(statistics.key(self.session_id, "viewers"))
            self._viewers_known = max(0, known)
        if self._viewers_known > self._peak_known:
            self._peak_known = await broker.max_int(
                statistics.key(self.session_id, "peak"), self._viewers_known
            )

    async def _tick(self) -> None:
        before = self._sent_viewers
        await self._flush_counters()
        if self.viewers() != before:
            self._dirty.set()
        hosts = [c for c in self.conns if c.viewer.is_host]
        if hosts:
            stats = dumps(await self.stats())
            for conn in hosts:
                if not conn.offer(stats):
                    conn.drop(CLOSE_LAGGING, "lagging")

    async def stats(self) -> dict[str, Any]:
        """The host's real-time figures (the protocol's `stats` message)."""
        st = self.state
        assert st is not None
        counts = await statistics.counters(self.hub.broker, self.session_id)
        now = self.hub.clock.now()
        watching = sum(
            int((now - c.joined_at).total_seconds() * 1000)
            for c in self.conns
            if c.joined_at is not None
        )
        unique = counts["unique"]
        return {
            "type": "stats",
            "viewers": self.viewers(),
            "peak_viewers": max(counts["peak"], self.viewers()),
            "unique_viewers": unique,
            "watch_time_ms": counts["watch_ms"] + max(0, watching),
            "comments": counts["comments"],
            "likes": max(counts["likes"], st.likes),
            "product_clicks": counts["clicks"],
            "orders": st.orders,
            "gmv": MoneyOut.of(st.gmv_minor, st.currency, st.locale).model_dump(mode="json"),
            "conversion": str(statistics.conversion(st.orders, unique)),
        }


@dataclass
class LiveHub:
    """The rooms of one server process."""

    broker: Broker
    settings: Settings
    clock: Clock
    loader: Loader
    rooms: dict[int, Room] = field(default_factory=dict)
    _stops: set[asyncio.Task[None]] = field(default_factory=set)

    async def join(self, session_id: int, conn: Connection, *, unique: bool) -> Room:
        room = self.rooms.get(session_id)
        if room is None or room._stopping:
            room = Room(self, session_id)
            self.rooms[session_id] = room
            try:
                await room.start()
            except BaseException:
                if self.rooms.get(session_id) is room:
                    del self.rooms[session_id]
                raise
        else:
            await asyncio.shield(room.ready)
        room.add(conn, unique=unique)
        return room

    def loaded(self, session_id: int) -> Room | None:
        """The room of `session_id` if this process runs it now (state loaded, not stopping)."""
        room = self.rooms.get(session_id)
        if room is None or room._stopping or not room.ready.done() or room.ready.exception():
            return None
        return room

    async def leave(self, room: Room, conn: Connection) -> None:
        room.remove(conn)
        await conn.stop()

    def stop_if_idle(self, room: Room) -> None:
        if room.conns or room._stopping:
            return
        if self.rooms.get(room.session_id) is room:
            del self.rooms[room.session_id]
        task = asyncio.create_task(room.stop())
        self._stops.add(task)
        task.add_done_callback(self._stops.discard)

    async def close(self) -> None:
        """Stop every room (server shutdown, end of a test)."""
        rooms, self.rooms = list(self.rooms.values()), {}
        for room in rooms:
            for conn in list(room.conns):
                conn.drop(CLOSE_GOING_AWAY, "going away")
            await room.stop()
            for conn in list(room.conns):
                await conn.stop()
        for task in list(self._stops):
            with contextlib.suppress(Exception):
                await task
