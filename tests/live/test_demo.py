"""The demo's live hooks: generated product videos, demo lives, a simulated busy room."""

from __future__ import annotations

import asyncio

import av
import httpx
from fastapi import FastAPI

from hawker.demo.images import product_image
from hawker.demo.live import create_demo_live, seed_product_video, simulate_room
from hawker.live import statistics
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.live import make_studio
from tests.live.wsclient import AsgiSocket


async def test_seeded_videos_and_lives_in_each_state(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner, start=False)
    shirt, hat = (int(p["id"]) for p in studio.products)
    png = product_image("Linen Shirt", shape="shirt", color=(70, 120, 200))
    async with rt.db.session() as s:
        video = await seed_product_video(
            s,
            settings=rt.settings,
            owner_id=studio.host.user_id,
            shop_id=int(studio.shop_id),
            title="Linen Shirt",
            picture=png,
            product_ids=[shirt, hat],
            now=rt.clock.now(),
            seconds=1.0,
        )
        video_id = video.id
    got = (await client.get(f"/api/v1/videos/{video_id}")).json()
    assert got["status"] == "READY"
    assert (got["width"], got["height"], got["duration_ms"]) == (360, 640, 1000)
    assert [(p["product"]["id"], p["at_ms"]) for p in got["products"]] == [
        (str(shirt), 0),
        (str(hat), 500),
    ]
    path = rt.settings.media_dir / got["mp4_url"][len("/media/") :]
    with av.open(str(path)) as container:
        assert container.streams.video[0].codec_context.name == "h264"

    async with rt.db.session() as s:
        common = {
            "settings": rt.settings,
            "broker": rt.broker,
            "host_id": studio.host.user_id,
            "shop_id": int(studio.shop_id),
            "product_ids": [shirt, hat],
            "now": rt.clock.now(),
        }
        on_air = await create_demo_live(
            s, title="On air", state="LIVE", loop_video_id=video_id, **common
        )
        done = await create_demo_live(s, title="Yesterday", state="ENDED", **common)
        later = await create_demo_live(s, title="Tomorrow", state="SCHEDULED", **common)
        ids = (on_air.id, done.id, later.id)
    live = (await client.get(f"/api/v1/live/sessions/{ids[0]}")).json()
    assert live["status"] == "LIVE"
    assert live["playback"]["loop"] is True
    assert live["pinned"]["id"] == str(shirt)
    assert (await client.get(f"/api/v1/live/sessions/{ids[1]}")).json()["status"] == "ENDED"
    assert (await client.get(f"/api/v1/live/sessions/{ids[2]}")).json()["status"] == "SCHEDULED"


async def test_a_simulated_room_is_busy_and_stops_when_told(
    app: FastAPI, client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner)
    live_id = int(studio.live_id)
    stop = asyncio.Event()
    async with AsgiSocket(app, studio.live_id) as viewer:
        await viewer.recv()
        task = asyncio.create_task(
            simulate_room(rt, live_id, stop, viewers=4, comments_per_second=15, audience=20, seed=7)
        )
        frames = [m for m in await viewer.collect(1.2) if m.get("type") == "frame"]
        comments = [c for f in frames for c in f.get("comments", [])]
        assert comments
        assert {c["user"]["name"] for c in comments} <= {"Maya", "Jonas", "Aiko", "Leo"}
        assert max(f.get("likes", 0) for f in frames) > 0
        assert max(f.get("viewers", 0) for f in frames) >= 20
        stop.set()
        await asyncio.wait_for(task, 5)
    assert await rt.broker.get_int(statistics.key(live_id, "viewers")) <= 1
    assert await rt.broker.get_int(statistics.key(live_id, "comments")) >= 1
