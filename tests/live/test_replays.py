"""Replays: the looped video or the recording, with the product moments from the pins."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx

from hawker.kit.clock import FrozenClock
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.catalog import make_product
from tests.factories.live import live_row, make_live
from tests.factories.media import make_video, video_bytes
from tests.factories.shops import make_shop

HOOKS = "/api/v1/live/hooks"


async def test_a_looped_live_replays_its_video_with_moments_and_a_recording_replaces_it(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    clock: FrozenClock,
    tmp_path: Path,
) -> None:
    host = await signup(client)
    shop = await make_shop(client, rt, host)
    shop_id = str(shop["id"])
    shirt = await make_product(client, runner, host, shop_id, title="Linen Shirt")
    hat = await make_product(client, runner, host, shop_id, title="Straw Hat")
    video = await make_video(client, runner, host, shop_id=shop_id, title="Loop")
    duration = video["duration_ms"]
    live = await make_live(
        client,
        host,
        shop_id=shop_id,
        product_ids=[shirt["id"], hat["id"]],
        loop_video_id=video["id"],
    )
    url = f"/api/v1/live/sessions/{live['id']}"
    h = host.headers
    r = await client.get(url + "/replay")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "replay_not_found")
    started = (await client.post(url + "/start", headers=h)).json()
    assert started["playback"] == {"kind": "mp4", "url": video["mp4_url"], "loop": True}
    clock.advance(timedelta(milliseconds=2500))
    await client.post(url + "/pin", json={"product_id": shirt["id"]}, headers=h)
    clock.advance(timedelta(milliseconds=1200))
    await client.post(url + "/pin", json={"product_id": hat["id"]}, headers=h)
    clock.advance(timedelta(seconds=1))
    assert (await client.get(url + "/replay")).status_code == 404  # still live
    assert (await client.post(url + "/end", headers=h)).status_code == 200

    client.cookies.clear()
    replay = (await client.get(url + "/replay")).json()
    assert replay["video"]["id"] == video["id"]
    assert replay["video"]["mp4_url"] == video["mp4_url"]
    assert replay["looped"] is True
    # where the looped picture was when each product was pinned
    assert [(m["product"]["id"], m["at_ms"], m["until_ms"]) for m in replay["moments"]] == [
        (shirt["id"], 2500 % duration, None),
        (hat["id"], 3700 % duration, None),
    ]
    assert replay["moments"][0]["product"]["price_from"]["formatted"] == "$19.99"

    # the media server reports its recording later: it becomes the replay
    recording = tmp_path / "live.mp4"
    recording.write_bytes(video_bytes("mp4", seconds=1.0))
    row = await live_row(rt, live["id"])
    r = await client.post(
        f"{HOOKS}/on_record_done?secret={rt.settings.live_hook_secret}",
        data={"name": row.stream_key, "path": str(recording)},
    )
    assert r.status_code == 204, r.text
    replay = (await client.get(url + "/replay")).json()
    assert replay["looped"] is False
    assert replay["video"]["id"] != video["id"]
    assert replay["video"]["status"] == "UPLOADED"
    assert [(m["at_ms"], m["until_ms"]) for m in replay["moments"]] == [
        (2500, 3700),
        (3700, 4700),
    ]
    await runner.run_until_idle()
    replay = (await client.get(url + "/replay")).json()
    assert replay["video"]["status"] == "READY"
    assert replay["video"]["mp4_url"] == f"/media/videos/{replay['video']['id']}/video.mp4"
    # the replay video is the host's, in the shop's list of videos
    listed = (await client.get(f"/api/v1/videos?shop_id={shop_id}")).json()
    assert {v["title"] for v in listed["items"]} == {"Loop", "Replay: Linen week"}


async def test_a_live_without_picture_or_recording_has_no_replay(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    creator = await signup(client, role="creator")
    live = await make_live(client, creator)
    url = f"/api/v1/live/sessions/{live['id']}"
    await client.post(url + "/start", headers=creator.headers)
    await client.post(url + "/end", headers=creator.headers)
    r = await client.get(url + "/replay")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "replay_not_found")
