"""Drive the app's WebSocket endpoint in-process, straight through ASGI (no network).

`paused` makes the client stop reading, as a slow phone would: the server's sends to it block.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

CLOSED = {"type": "__closed__"}


class AsgiSocket:
    def __init__(
        self, app: FastAPI, session_id: str, *, token: str | None = None, cookie: str | None = None
    ) -> None:
        path = f"/api/v1/live/sessions/{session_id}/ws"
        headers = [(b"host", b"testserver")]
        if cookie is not None:
            headers.append((b"cookie", cookie.encode()))
        self.app = app
        self.scope: dict[str, Any] = {
            "type": "websocket",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "scheme": "ws",
            "server": ("testserver", 80),
            "client": ("127.0.0.1", 50000),
            "root_path": "",
            "path": path,
            "raw_path": path.encode(),
            "query_string": f"token={token}".encode() if token else b"",
            "headers": headers,
            "subprotocols": [],
            "state": {},
        }
        self._to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.flowing = asyncio.Event()
        self.flowing.set()
        self.accepted = asyncio.Event()
        self.close_code: int | None = None
        self.close_reason: str | None = None
        self.task: asyncio.Task[None] | None = None

    async def _receive(self) -> dict[str, Any]:
        return await self._to_app.get()

    async def _send(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "websocket.accept":
            self.accepted.set()
        elif kind == "websocket.send":
            await self.flowing.wait()
            self.inbox.put_nowait(json.loads(message["text"]))
        elif kind == "websocket.close":
            self.close_code = message.get("code", 1000)
            self.close_reason = message.get("reason") or ""
            self.accepted.set()
            self.inbox.put_nowait(CLOSED)
            # the client answers the close handshake
            self._to_app.put_nowait({"type": "websocket.disconnect", "code": self.close_code})

    async def __aenter__(self) -> AsgiSocket:
        self._to_app.put_nowait({"type": "websocket.connect"})
        self.task = asyncio.create_task(self.app(self.scope, self._receive, self._send))
        await asyncio.wait_for(self.accepted.wait(), 5)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.disconnect()

    async def disconnect(self) -> None:
        if self.task is None:
            return
        self.flowing.set()
        if self.close_code is None:
            self._to_app.put_nowait({"type": "websocket.disconnect", "code": 1000})
        await asyncio.wait_for(self.task, 5)
        self.task = None

    def pause(self) -> None:
        self.flowing.clear()

    async def send(self, message: dict[str, Any]) -> None:
        self._to_app.put_nowait({"type": "websocket.receive", "text": json.dumps(message)})

    async def send_raw(self, text: str) -> None:
        self._to_app.put_nowait({"type": "websocket.receive", "text": text})

    async def recv(self, within: float = 3.0) -> dict[str, Any]:
        return await asyncio.wait_for(self.inbox.get(), within)

    async def expect(
        self, predicate: Callable[[dict[str, Any]], bool], within: float = 3.0
    ) -> dict[str, Any]:
        """The next message matching `predicate` (others are skipped)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            message = await asyncio.wait_for(self.inbox.get(), max(0.01, deadline - loop.time()))
            if message is CLOSED:
                raise AssertionError(f"closed ({self.close_code} {self.close_reason})")
            if predicate(message):
                return message

    async def expect_type(self, kind: str, within: float = 3.0) -> dict[str, Any]:
        return await self.expect(lambda m: m.get("type") == kind, within)

    async def expect_frame(self, key: str, within: float = 3.0) -> dict[str, Any]:
        return await self.expect(lambda m: m.get("type") == "frame" and key in m, within)

    async def closed(self, within: float = 3.0) -> tuple[int | None, str | None]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            message = await asyncio.wait_for(self.inbox.get(), max(0.01, deadline - loop.time()))
            if message is CLOSED:
                return self.close_code, self.close_reason

    async def collect(self, seconds: float) -> list[dict[str, Any]]:
        """Every message that arrives within `seconds`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        out: list[dict[str, Any]] = []
        while (left := deadline - loop.time()) > 0:
            try:
                out.append(await asyncio.wait_for(self.inbox.get(), left))
            except TimeoutError:
                break
        return out

    def drain(self) -> list[dict[str, Any]]:
        out = []
        while not self.inbox.empty():
            out.append(self.inbox.get_nowait())
        return out
