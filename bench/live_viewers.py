"""The viewers of bench/live_fanout.py: one load process holding its share of the room's sockets.

A raw asyncio WebSocket client (one `asyncio.Protocol` per socket on uvloop, no per-socket
task or library object): what a viewer costs here is a few hundred bytes and a few
microseconds per frame, so a handful of load processes can hold 10,000 sockets on the machine
that also runs the server. Sends go only to 127.0.0.1.

A viewer reads every message; for room frames it notes the time it received them:

- `latency[ms]`: frames received `ms` after the room published them (the frame's `at`);
- `stock[(figure, ms)]`: the room's stock figure for the product the host keeps updating
  went down to `figure` in a frame received at wall time `ms`. The host's figures only ever go
  down, so a frame carrying figure F delivers every update F' >= F this viewer had not seen;
  the coordinator joins these with the host's times (latency = receipt - publish).
- `published[seq]`: when the room published frame `seq` (the publisher's cadence).

Counters for the coordinator's progress line live in a shared array (see FIELDS).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import re
import time
from collections import Counter
from datetime import datetime
from functools import partial
from multiprocessing.connection import Connection
from typing import Any

from bench.harness import raise_fd_limit

FIELDS = ("ready", "connected", "failed", "lagging", "lost", "frames", "errors", "sent")
F = {name: i for i, name in enumerate(FIELDS)}
# the coordinator's phase times (wall clock, 0 = not yet) in a shared array of doubles
TRAFFIC_START, WINDOW_START, WINDOW_END, STOP = range(4)
GRACE_SECONDS = 2.0  # receipts counted this long after the window, for updates sent inside it

FRAME = b'{"type":"frame","seq":'
SNAPSHOT = b'{"type":"snapshot"'
ERROR = b'{"type":"error"'
STOCK = re.compile(rb'"stock":\{"(\d+)":(\d+)')
ERROR_CODE = re.compile(rb'"code":"([a-z_]+)"')
MASK = b"\x00\x00\x00\x00"  # client frames must be masked; the key may be anything


def client_frame(opcode: int, payload: bytes) -> bytes:
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    return head + MASK + payload


CLOSE_NORMAL = client_frame(8, (1000).to_bytes(2, "big"))


class Viewer(asyncio.Protocol):
    __slots__ = (
        "buf",
        "figure",
        "frag",
        "gone",
        "handshake",
        "load",
        "logged_in",
        "open",
        "request",
        "seq",
        "transport",
    )

    def __init__(
        self, load: Load, request: bytes, handshake: asyncio.Future[bool], logged_in: bool
    ) -> None:
        self.load = load
        self.request = request
        self.handshake = handshake
        self.transport: asyncio.Transport | None = None
        self.buf = b""
        self.open = False
        self.gone = False
        self.figure: int | None = None
        self.seq = -1
        self.frag: bytes | None = None
        self.logged_in = logged_in

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is a Transport too
        transport.write(self.request)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        buf = self.buf + data if self.buf else data
        if not self.open:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                self.buf = buf
                return
            if not buf.startswith(b"HTTP/1.1 101"):
                self.buf = b""
                if not self.handshake.done():
                    self.handshake.set_result(False)
                assert self.transport is not None
                self.transport.close()
                return
            self.open = True
            if not self.handshake.done():
                self.handshake.set_result(True)
            buf = buf[end + 4 :]
        pos, n = 0, len(buf)
        while n - pos >= 2:
            b0, ln = buf[pos], buf[pos + 1] & 0x7F
            head = 2
            if ln == 126:
                if n - pos < 4:
                    break
                ln, head = int.from_bytes(buf[pos + 2 : pos + 4], "big"), 4
            elif ln == 127:
                if n - pos < 10:
                    break
                ln, head = int.from_bytes(buf[pos + 2 : pos + 10], "big"), 10
            end = pos + head + ln
            if end > n:
                break
            payload = buf[pos + head : end]
            pos = end
            opcode = b0 & 0x0F
            if opcode in (0, 1, 2):
                if not b0 & 0x80:
                    self.frag = (self.frag or b"") + payload
                    continue
                if self.frag is not None:
                    payload, self.frag = self.frag + payload, None
                self.load.message(self, payload)
            elif opcode == 9:  # ping: answer pong with the same payload
                assert self.transport is not None
                self.transport.write(client_frame(10, payload))
            elif opcode == 8:
                code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
                self.load.closed(self, code)
                assert self.transport is not None
                self.transport.write(CLOSE_NORMAL)
                self.transport.close()
                self.buf = b""
                return
        self.buf = buf[pos:] if pos < n else b""

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.handshake.done():
            self.handshake.set_result(False)
        if self.open:
            self.load.closed(self, 1006)

    def send(self, data: bytes) -> None:
        if self.open and not self.gone and self.transport is not None:
            self.transport.write(data)


class Load:
    def __init__(
        self,
        cfg: dict[str, Any],
        tokens: list[str | None],
        counters: Any,
        phases: Any,
    ) -> None:
        self.cfg = cfg
        self.tokens = tokens
        self.counters = counters
        self.phases = phases
        self.base = cfg["index"] * len(FIELDS)
        self.viewers: list[Viewer] = []
        self.stock: Counter[tuple[int, int]] = Counter()
        self.latency: Counter[int] = Counter()
        self.published: dict[int, float] = {}
        self.errors: Counter[str] = Counter()
        self.frames = 0
        self.bytes = 0
        self.seq_errors = 0
        self.window = (float("inf"), float("inf"))
        self.handshake_ms: list[float] = []

    def bump(self, name: str, by: int = 1) -> None:
        self.counters[self.base + F[name]] += by

    # what viewers receive ------------------------------------------------------------------

    def message(self, v: Viewer, payload: bytes) -> None:
        now = time.time()
        if payload.startswith(FRAME):
            comma = payload.find(b",", 22)
            seq = int(payload[22:comma])
            if seq <= v.seq:
                self.seq_errors += 1
            v.seq = seq
            start, end = self.window
            if start <= now < end:
                self.frames += 1
                self.bytes += len(payload)
                self.bump("frames")
                at = self.published.get(seq)
                if at is None and payload.startswith(b'"at":"', comma + 1):
                    text = payload[comma + 7 : payload.find(b'"', comma + 7)].decode()
                    at = datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
                    self.published[seq] = at
                if at is not None:
                    self.latency[round((now - at) * 1000)] += 1
            found = STOCK.search(payload)
            if found is not None and found.group(1) == self.cfg["stock_product"]:
                figure, last = int(found.group(2)), v.figure
                if last is None or figure < last:
                    if last is not None and start <= now < end + GRACE_SECONDS:
                        ms = int(now * 1000)
                        for delivered in range(figure, min(last, figure + 500)):
                            self.stock[delivered, ms] += 1
                    v.figure = figure
        elif payload.startswith(SNAPSHOT):
            found = STOCK.search(payload)
            if found is not None and found.group(1) == self.cfg["stock_product"]:
                v.figure = int(found.group(2))
            seq_at = payload.find(b'"seq":')
            if seq_at > 0:
                v.seq = int(payload[seq_at + 6 : payload.find(b",", seq_at)])
        elif payload.startswith(ERROR):
            found = ERROR_CODE.search(payload)
            self.errors[found.group(1).decode() if found else "?"] += 1
            self.bump("errors")

    def closed(self, v: Viewer, code: int) -> None:
        if v.gone:
            return
        v.gone = True
        if self.phases[STOP]:
            return  # the run is over; the server may close first
        self.errors[f"closed {code}"] += 1
        self.bump("lagging" if code == 4008 else "lost")

    # connecting ------------------------------------------------------------------------------

    async def connect(self, token: str | None) -> None:
        loop = asyncio.get_running_loop()
        path = self.cfg["path"] + (f"?token={token}" if token else "")
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.cfg['port']}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
        for attempt in range(3):
            handshake: asyncio.Future[bool] = loop.create_future()
            started = time.perf_counter()
            transport: asyncio.BaseTransport | None = None
            try:
                transport, viewer = await asyncio.wait_for(
                    loop.create_connection(
                        partial(Viewer, self, request, handshake, token is not None),
                        "127.0.0.1",
                        self.cfg["port"],
                    ),
                    30,
                )
                if await asyncio.wait_for(handshake, 30):
                    self.handshake_ms.append((time.perf_counter() - started) * 1000)
                    self.viewers.append(viewer)
                    self.bump("connected")
                    return
            except (OSError, TimeoutError):
                pass
            if transport is not None:
                transport.close()
            self.errors["connect retry"] += 1
            await asyncio.sleep(1.0 + attempt)
        self.bump("failed")

    async def ramp(self) -> None:
        rate = self.cfg["rate"]
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        tasks = []
        for i, token in enumerate(self.tokens):
            delay = t0 + i / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self.connect(token)))
        await asyncio.gather(*tasks)

    # the viewers' own traffic: comments and likes from the logged-in ones ---------------------

    async def traffic(self) -> None:
        # the phases are memory shared with the coordinator's process: polled, not awaited
        while not self.phases[TRAFFIC_START] and not self.phases[STOP]:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        start = self.phases[TRAFFIC_START]
        self.window = (self.phases[WINDOW_START], self.phases[WINDOW_END])
        talkers = [v for v in self.viewers if v.logged_in]
        comment_rate, like_rate = self.cfg["comments_per_s"], self.cfg["likes_per_s"]
        comments = likes = 0
        like = client_frame(1, b'{"type":"like","count":1}')
        commenter = liker = 0
        tag = self.cfg["index"]
        while not self.phases[STOP]:
            await asyncio.sleep(0.01)
            if not talkers:
                continue
            elapsed = time.time() - start
            due_c = int(elapsed * comment_rate) - comments
            due_l = int(elapsed * like_rate) - likes
            for _ in range(due_c):
                text = f"love this colour {tag}-{comments}"
                talkers[commenter % len(talkers)].send(
                    client_frame(1, b'{"type":"comment","text":"' + text.encode() + b'"}')
                )
                commenter += 1
                comments += 1
            for _ in range(due_l):
                talkers[liker % len(talkers)].send(like)
                liker += 1
                likes += 1
            self.counters[self.base + F["sent"]] = comments + likes

    async def run(self) -> dict[str, Any]:
        self.bump("ready")
        ramp = asyncio.create_task(self.ramp())
        traffic = asyncio.create_task(self.traffic())
        while not self.phases[STOP]:  # noqa: ASYNC110 (shared memory, polled)
            await asyncio.sleep(0.05)
        traffic.cancel()
        ramp.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await traffic
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await ramp
        alive = sum(1 for v in self.viewers if v.open and not v.gone)
        result = {
            "stock": dict(self.stock),
            "latency": dict(self.latency),
            "published": self.published,
            "frames": self.frames,
            "bytes": self.bytes,
            "errors": dict(self.errors),
            "alive": alive,
            "seq_errors": self.seq_errors,
            "handshake_ms": self.handshake_ms,
        }
        for v in self.viewers:
            v.gone = True
            if v.transport is not None and not v.transport.is_closing():
                v.transport.write(CLOSE_NORMAL)
                v.transport.close()
        await asyncio.sleep(0.2)
        return result


def main(
    cfg: dict[str, Any], tokens: list[str | None], counters: Any, phases: Any, out: Connection
) -> None:
    """multiprocessing entry point of one load process."""
    raise_fd_limit()
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover
        pass
    out.send(asyncio.run(Load(cfg, tokens, counters, phases).run()))
    out.close()
