"""The room's fast path: frames framed once and written straight to viewers' sockets when the
server offers the `hawker.websocket.frames` extension (as `hawker serve` does)."""

from __future__ import annotations

import json
from typing import Any

import httpx
from fastapi import FastAPI

from hawker.live.transport import FRAMES_EXTENSION, text_frame
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.live import make_studio
from tests.live.wsclient import AsgiSocket


def _unframe(frame: bytes) -> tuple[int, bytes]:
    """(first header byte, payload) of an unmasked WebSocket frame."""
    length, at = frame[1], 2
    assert length & 0x80 == 0  # a server's frames are never masked
    if length == 126:
        length, at = int.from_bytes(frame[2:4], "big"), 4
    elif length == 127:
        length, at = int.from_bytes(frame[2:10], "big"), 10
    payload = frame[at:]
    assert len(payload) == length
    return frame[0], payload


def test_text_frames_carry_their_length_in_all_three_sizes() -> None:
    for size, header in ((5, b"\x81\x05"), (300, b"\x81\x7e\x01\x2c"), (70_000, None)):
        payload = ("é" * size).encode()[:size]
        frame = text_frame(payload)
        if header is not None:
            assert frame.startswith(header)
        else:
            assert frame[:2] == b"\x81\x7f"
            assert int.from_bytes(frame[2:10], "big") == 70_000
        assert _unframe(frame) == (0x81, payload)  # FIN + text, RSV bits clear


class DirectSocket(AsgiSocket):
    """An ASGI socket whose server offers the frames extension, with a write buffer that
    fills while the client is paused (as a phone that stops reading)."""

    def __init__(self, app: FastAPI, session_id: str, **kwargs: Any) -> None:
        super().__init__(app, session_id, **kwargs)
        self.scope["extensions"] = {FRAMES_EXTENSION: self._write_frame}
        self.direct = 0
        self.unsent = 0

    def _write_frame(self, frame: bytes, limit: int) -> bool:
        if self.unsent > limit:
            return False
        if not self.flowing.is_set():
            self.unsent += len(frame)
            return True
        opcode, payload = _unframe(frame)
        assert opcode == 0x81
        self.direct += 1
        self.inbox.put_nowait(json.loads(payload))
        return True


async def test_frames_go_straight_to_the_socket_after_the_snapshot(
    app: FastAPI, client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner)
    shirt = studio.products[0]
    async with (
        DirectSocket(app, studio.live_id, token=studio.host.token) as host,
        DirectSocket(app, studio.live_id) as viewer,
    ):
        assert (await host.recv())["type"] == "snapshot"
        snap = await viewer.recv()
        assert (snap["type"], viewer.direct) == ("snapshot", 0)  # the snapshot is an ASGI send
        await host.send({"type": "pin", "product_id": shirt["id"], "ref": "p1"})
        assert await host.expect_type("ack") == {"type": "ack", "ref": "p1"}
        frame = await viewer.expect_frame("pinned")
        assert frame["pinned"]["id"] == shirt["id"]
        assert frame["seq"] > snap["seq"]
        assert viewer.direct >= 1  # the frame came through the extension


async def test_a_viewer_whose_write_buffer_fills_is_closed_as_lagging(
    app: FastAPI, client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner)
    rt.settings.live_send_queue = 2  # a viewer may have 2 frames' worth unsent
    shirt, hat = studio.products
    async with (
        DirectSocket(app, studio.live_id, token=studio.host.token) as host,
        DirectSocket(app, studio.live_id) as slow,
        DirectSocket(app, studio.live_id) as fast,
    ):
        for ws in (host, slow, fast):
            await ws.recv()
        slow.pause()
        for product_id in [shirt["id"], hat["id"]] * 4:
            await host.send({"type": "pin", "product_id": product_id})
            await host.expect_type("ack")
            assert (await fast.expect_frame("pinned"))["pinned"]["id"] == product_id
        assert await slow.closed() == (4008, "lagging")
        assert fast.close_code is None


async def test_a_burst_beyond_the_waiting_limit_is_refused_and_the_rest_is_handled(
    app: FastAPI, client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner)
    shirt = studio.products[0]
    async with AsgiSocket(app, studio.live_id) as viewer:
        await viewer.recv()
        # 40 messages arrive before the room has handled any: 32 wait their turn (clicks are
        # counted without an answer), the other 8 are refused at once
        for _ in range(40):
            await viewer.send({"type": "click", "product_id": shirt["id"]})
        replies = [m for m in await viewer.collect(0.5) if m["type"] == "error"]
        busy = {
            "type": "error",
            "ref": None,
            "code": "rate_limited",
            "message": "Too many messages at once; wait for the answers.",
        }
        assert replies == [busy] * 8
        # the room went on reading and answering
        await viewer.send({"type": "nonsense", "ref": "after"})
        error = await viewer.expect_type("error")
        assert (error["ref"], error["code"]) == ("after", "bad_message")
