"""A room across server processes: with Redis, a comment posted to one `hawker serve` reaches a
viewer connected to another. Without Redis (the SQLite run) the same scenario runs against one
process with the in-process broker."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from hawker.accounts import service as accounts
from hawker.config import Settings
from hawker.models import User
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.live import make_studio
from tests.live.servers import Server


class Client:
    """A websocket client that remembers every message it received."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.history: list[dict[str, Any]] = []

    async def next(self, predicate: Any, within: float = 10.0) -> dict[str, Any]:
        """The first message received so far, or from now on, that matches."""
        for message in self.history:
            if predicate(message):
                return message
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), max(0.01, deadline - loop.time()))
            message: dict[str, Any] = json.loads(raw)
            self.history.append(message)
            if predicate(message):
                return message


async def test_a_comment_posted_to_one_process_reaches_a_viewer_on_another(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    settings: Settings,
    tmp_path: Path,
) -> None:
    studio = await make_studio(client, rt, runner)
    bo = await signup(client, display_name="Bo")
    # the server processes run on the real clock: a token valid by it
    async with rt.db.session() as s:
        user = await s.get(User, bo.user_id)
        assert user is not None
        token = await accounts.issue_token(s, user, now=datetime.now(UTC), ttl=timedelta(hours=1))
    servers = [Server(settings, tmp_path) for _ in range(2 if settings.redis_url else 1)]
    for server in servers:
        server.start()
    try:
        await asyncio.gather(*(s.ready() for s in servers))
        poster_at, viewer_at = servers[0], servers[-1]
        path = f"/api/v1/live/sessions/{studio.live_id}/ws"
        async with (
            connect(viewer_at.ws_url + path) as viewer_ws,
            connect(f"{poster_at.ws_url}{path}?token={token}") as poster_ws,
        ):
            viewer, poster = Client(viewer_ws), Client(poster_ws)
            snap = await viewer.next(lambda m: m["type"] == "snapshot")
            assert snap["type"] == "snapshot"
            assert snap["you"]["user_id"] is None
            snap = await poster.next(lambda m: m["type"] == "snapshot")
            assert snap["you"]["user_id"] == str(bo.user_id)

            await poster_ws.send(json.dumps({"type": "comment", "text": "hello, other side"}))
            ack = await poster.next(lambda m: m["type"] == "ack")
            frame = await viewer.next(lambda m: m["type"] == "frame" and "comments" in m)
            assert frame["comments"][0]["id"] == ack["comment_id"]
            assert frame["comments"][0]["text"] == "hello, other side"
            assert frame["comments"][0]["user"] == {"id": str(bo.user_id), "name": "Bo"}
            # the viewer count is one counter for the room, whichever process a viewer is on
            await viewer.next(lambda m: m["type"] == "frame" and m.get("viewers") == 2)
            # likes are aggregated across processes into one total
            await poster_ws.send(json.dumps({"type": "like", "count": 7}))
            await viewer.next(lambda m: m["type"] == "frame" and m.get("likes") == 7)
    finally:
        await asyncio.gather(*(s.stop() for s in servers))
