"""Shoppable videos through the API: upload checked by content, transcode, tags, views, likes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import httpx
from sqlalchemy import func, select

from hawker.models import Job, Video, VideoLike, VideoProductTag
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.catalog import image_bytes, make_product
from tests.factories.media import make_video, upload, video_bytes
from tests.factories.shops import make_shop


async def _count(rt: Runtime, model: type[Any]) -> int:
    async with rt.db.read_session() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


def _file(rt: Runtime, uri: str) -> Path:
    assert uri.startswith("/media/")
    return rt.settings.media_dir / uri[len("/media/") :]


async def test_creator_uploads_an_mp4_and_the_job_transcodes_it(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    creator = await signup(client, role="creator", display_name="Cora")
    data = video_bytes("mp4", seconds=1.0, size=(64, 48), fps=10)
    r = await upload(client, creator, data=data, title="  Spring haul  ")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "UPLOADED"
    assert body["title"] == "Spring haul"
    assert body["source_format"] == "mp4"
    assert body["size_bytes"] == len(data)
    assert body["owner"] == {"id": str(creator.user_id), "display_name": "Cora"}
    assert body["mp4_url"] is None
    video_id = body["id"]

    # not public until READY: others get 404, the feed does not list it
    stranger = await signup(client)
    assert (
        await client.get(f"/api/v1/videos/{video_id}", headers=stranger.headers)
    ).status_code == 404
    assert (await client.get("/api/v1/videos")).json()["items"] == []

    await runner.run_until_idle()
    client.cookies.clear()  # a guest
    r = await client.get(f"/api/v1/videos/{video_id}")
    assert r.status_code == 200, r.text
    ready = r.json()
    assert ready["status"] == "READY"
    assert ready["mp4_url"] == f"/media/videos/{video_id}/video.mp4"
    assert ready["poster_url"] == f"/media/videos/{video_id}/poster.jpg"
    assert (ready["width"], ready["height"]) == (64, 48)
    assert 1000 <= ready["duration_ms"] <= 1100
    assert ready["published_at"] is not None
    assert ready["liked_by_you"] is None

    with av.open(str(_file(rt, ready["mp4_url"]))) as out:
        assert out.streams.video[0].codec_context.name == "h264"
        assert out.streams.audio[0].codec_context.name == "aac"
    assert _file(rt, ready["poster_url"]).read_bytes()[:3] == b"\xff\xd8\xff"
    # served by the app's media mount
    r = await client.get(ready["mp4_url"])
    assert r.status_code == 200
    assert r.content[4:8] == b"ftyp"


async def test_the_container_is_read_from_the_bytes_not_the_name(
    client: httpx.AsyncClient, runner: JobRunner
) -> None:
    creator = await signup(client, role="creator")
    webm = await upload(client, creator, data=video_bytes("webm"), filename="clip.mp4")
    assert webm.status_code == 201, webm.text
    assert webm.json()["source_format"] == "webm"
    mov = await upload(client, creator, data=video_bytes("mov", audio=False), filename="x.txt")
    assert mov.status_code == 201, mov.text
    assert mov.json()["source_format"] == "mov"
    await runner.run_until_idle()
    for r in (webm, mov):
        got = (await client.get(f"/api/v1/videos/{r.json()['id']}")).json()
        assert got["status"] == "READY"
        assert got["mp4_url"].endswith("/video.mp4")


async def test_files_that_are_not_accepted_videos_are_refused_and_nothing_is_kept(
    client: httpx.AsyncClient, rt: Runtime
) -> None:
    creator = await signup(client, role="creator")
    png = await upload(client, creator, data=image_bytes(), filename="clip.mp4")
    assert png.status_code == 415
    assert png.json()["error"]["code"] == "unsupported_video_type"
    mkv = await upload(client, creator, data=video_bytes("mkv"), filename="clip.webm")
    assert mkv.status_code == 415
    assert mkv.json()["error"]["code"] == "unsupported_video_type"
    truncated = await upload(client, creator, data=video_bytes("mp4")[:300])
    assert truncated.status_code in (400, 415)
    assert truncated.json()["error"]["code"] in ("invalid_video", "unsupported_video_type")
    empty = await upload(client, creator, data=b"")
    assert empty.status_code == 400
    assert empty.json()["error"]["code"] == "invalid_video"

    rt.settings.video_max_bytes = 1000
    big = await upload(client, creator, data=video_bytes("mp4"))
    assert big.status_code == 413
    assert big.json()["error"] == {
        "code": "video_too_large",
        "message": "The video is larger than 1000 bytes.",
        "details": {"max_bytes": 1000},
    }
    assert await _count(rt, Video) == 0
    assert await _count(rt, Job) == 0
    folder = rt.settings.media_dir / "videos"
    assert not folder.exists() or list(folder.iterdir()) == []


async def test_only_creators_and_shop_members_upload(
    client: httpx.AsyncClient, rt: Runtime
) -> None:
    buyer = await signup(client)
    r = await upload(client, buyer)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "not_a_creator"
    seller = await signup(client)
    shop = await make_shop(client, rt, seller)
    other = await signup(client)
    r = await upload(client, other, shop_id=str(shop["id"]))
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "shop_not_found"
    client.cookies.clear()
    r = await client.post(
        "/api/v1/videos", data={"title": "x"}, files={"file": ("a.mp4", video_bytes(), "video/mp4")}
    )
    assert r.status_code == 401
    assert await _count(rt, Video) == 0
    # a member of the shop uploads for it
    r = await upload(client, seller, shop_id=str(shop["id"]))
    assert r.status_code == 201, r.text
    assert r.json()["shop"]["id"] == str(shop["id"])


async def test_large_pictures_come_out_at_most_720p(
    client: httpx.AsyncClient, runner: JobRunner
) -> None:
    creator = await signup(client, role="creator")
    data = video_bytes("mp4", seconds=0.5, size=(1200, 800), fps=10, audio=False)
    video = await make_video(client, runner, creator, data=data)
    assert (video["width"], video["height"]) == (1080, 720)


async def test_a_failed_transcode_is_shown_to_the_owner_only(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    creator = await signup(client, role="creator")
    r = await upload(client, creator)
    video_id = r.json()["id"]
    _file(rt, f"/media/videos/{video_id}/source.mp4").unlink()
    await runner.run_until_idle()
    mine = (await client.get(f"/api/v1/videos/{video_id}", headers=creator.headers)).json()
    assert mine["status"] == "FAILED"
    assert mine["failure_reason"] == "The source file is missing."
    stranger = await signup(client)
    r = await client.get(f"/api/v1/videos/{video_id}", headers=stranger.headers)
    assert r.status_code == 404
    listed = (await client.get("/api/v1/me/videos?status=FAILED", headers=creator.headers)).json()
    assert [v["id"] for v in listed["items"]] == [video_id]


async def test_tags_show_product_cards_at_their_moments(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    seller = await signup(client)
    shop = await make_shop(client, rt, seller)
    shop_id = str(shop["id"])
    shirt = await make_product(client, runner, seller, shop_id, title="Linen Shirt")
    hat = await make_product(client, runner, seller, shop_id, title="Straw Hat", price_minor=1500)
    other_seller = await signup(client)
    other_shop = await make_shop(client, rt, other_seller)
    foreign = await make_product(client, runner, other_seller, str(other_shop["id"]))
    video = await make_video(client, runner, seller, shop_id=shop_id)
    url = f"/api/v1/videos/{video['id']}/tags"

    async def put(tags: list[dict[str, Any]], actor: Any = seller) -> httpx.Response:
        return await client.put(url, json={"tags": tags}, headers=actor.headers)

    r = await put([{"product_id": shirt["id"], "at_ms": 500}, {"product_id": hat["id"]}])
    assert r.status_code == 200, r.text
    products = r.json()["products"]
    assert [(p["product"]["title"], p["at_ms"]) for p in products] == [
        ("Straw Hat", None),
        ("Linen Shirt", 500),
    ]
    card = products[1]["product"]
    assert card["id"] == shirt["id"]
    assert card["price_from"]["amount_minor"] == 1999
    assert card["price_from"]["formatted"] == "$19.99"
    assert card["shop"] == {"id": shop_id, "name": shop["name"]}
    assert card["image_url"].startswith("/media/products/")

    # refusals change nothing
    for tags, code in (
        ([{"product_id": foreign["id"]}], "product_not_taggable"),
        ([{"product_id": shirt["id"], "at_ms": 60_000}], "tag_outside_video"),
        ([{"product_id": shirt["id"]}, {"product_id": shirt["id"]}], "duplicate_tag"),
        ([{"product_id": "999"}], "product_not_taggable"),
    ):
        r = await put(tags)
        assert r.status_code == 400, r.text
        assert r.json()["error"]["code"] == code
    stranger = await signup(client, role="creator")
    r = await put([{"product_id": shirt["id"]}], actor=stranger)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "video_not_found"
    public = (await client.get(f"/api/v1/videos/{video['id']}")).json()
    assert [(p["product"]["id"], p["at_ms"]) for p in public["products"]] == [
        (hat["id"], None),
        (shirt["id"], 500),
    ]
    assert await _count(rt, VideoProductTag) == 2

    # a creator (no shop) may tag any live product
    creator = await signup(client, role="creator")
    own = await make_video(client, runner, creator)
    r = await client.put(
        f"/api/v1/videos/{own['id']}/tags",
        json={"tags": [{"product_id": foreign["id"], "at_ms": 0}]},
        headers=creator.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["products"][0]["product"]["id"] == foreign["id"]


async def test_one_like_per_user_and_unlike(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    creator = await signup(client, role="creator")
    video = await make_video(client, runner, creator)
    url = f"/api/v1/videos/{video['id']}/like"
    fan = await signup(client)
    for _ in range(2):
        r = await client.post(url, headers=fan.headers)
        assert r.status_code == 200, r.text
        assert r.json() == {"video_id": video["id"], "liked": True, "like_count": 1}
    other = await signup(client)
    assert (await client.post(url, headers=other.headers)).json()["like_count"] == 2
    client.cookies.clear()
    assert (await client.post(url)).status_code == 401
    detail = (await client.get(f"/api/v1/videos/{video['id']}", headers=fan.headers)).json()
    assert detail["liked_by_you"] is True
    assert detail["like_count"] == 2
    for _ in range(2):
        r = await client.delete(url, headers=fan.headers)
        assert r.json() == {"video_id": video["id"], "liked": False, "like_count": 1}
    assert await _count(rt, VideoLike) == 1
    r = await client.post("/api/v1/videos/123/like", headers=fan.headers)
    assert r.status_code == 404


async def test_views_are_counted_once_per_viewer(
    client: httpx.AsyncClient, runner: JobRunner
) -> None:
    creator = await signup(client, role="creator")
    video = await make_video(client, runner, creator)
    url = f"/api/v1/videos/{video['id']}/views"
    viewer = await signup(client)
    first = (await client.post(url, headers=viewer.headers)).json()
    again = (await client.post(url, headers=viewer.headers)).json()
    client.cookies.clear()
    guest = (await client.post(url)).json()
    assert (first["view_count"], first["counted"]) == (1, True)
    assert (again["view_count"], again["counted"]) == (1, False)
    assert (guest["view_count"], guest["counted"]) == (2, True)


async def test_feed_lists_ready_videos_newest_first_with_cursor(
    client: httpx.AsyncClient, runner: JobRunner
) -> None:
    creator = await signup(client, role="creator")
    made = [await make_video(client, runner, creator, title=f"Clip {i}") for i in range(3)]
    pending = await upload(client, creator, title="Still uploading")
    assert pending.status_code == 201
    r = await client.get("/api/v1/videos?limit=2")
    page = r.json()
    assert [v["title"] for v in page["items"]] == ["Clip 2", "Clip 1"]
    r = await client.get(f"/api/v1/videos?limit=2&cursor={page['next_cursor']}")
    assert [v["title"] for v in r.json()["items"]] == ["Clip 0"]
    assert r.json()["next_cursor"] is None
    r = await client.get("/api/v1/videos?q=clip%201")
    assert [v["id"] for v in r.json()["items"]] == [made[1]["id"]]
    r = await client.get("/api/v1/videos?cursor=not-a-cursor")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_cursor"
    mine = (await client.get("/api/v1/me/videos", headers=creator.headers)).json()
    assert [v["title"] for v in mine["items"]] == ["Still uploading", "Clip 2", "Clip 1", "Clip 0"]
    assert mine["items"][0]["status"] == "UPLOADED"
