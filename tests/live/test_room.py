"""The room's WebSocket, in-process through ASGI: snapshot, frames, moderation, back-pressure."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from hawker.live import events
from hawker.models import LiveComment, LiveMute
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.accounts import signup
from tests.factories.live import live_counts, make_studio
from tests.live.wsclient import AsgiSocket


async def _comments(rt: Runtime) -> list[LiveComment]:
    async with rt.db.read_session() as s:
        return list((await s.scalars(select(LiveComment).order_by(LiveComment.id))).all())


async def test_snapshot_then_a_comment_reaches_every_viewer(
    app: FastAPI, client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner)
    bo = await signup(client, display_name="Bo Buyer")
    async with (
        AsgiSocket(app, studio.live_id, token=bo.token) as mine,
        AsgiSocket(app, studio.live_id) as guest,
    ):
        snap = await mine.recv()
        assert snap["type"] == "snapshot"
        assert snap["session"]["id"] == studio.live_id
        assert snap["session"]["status"] == "LIVE"
        assert snap["session"]["host"]["display_name"] == "Hana Host"
        assert snap["session"]["playback"]["kind"] == "hls"
        assert snap["pinned"] is None
        assert [p["title"] for p in snap["bag"]] == ["Linen Shirt", "Straw Hat"]
        assert snap["deal"] is None
        assert snap["comments"] == []
        assert snap["you"] == {
            "user_id": str(bo.user_id),
            "display_name": "Bo Buyer",
            "is_host": False,
            "can_comment": True,
        }
        gsnap = await guest.recv()
        assert gsnap["you"]["user_id"] is None
        assert gsnap["you"]["can_comment"] is False

        text = "<b>Is it see-through?</b> & 😍"
        await mine.send({"type": "comment", "text": text, "ref": "c1"})
        ack = await mine.expect_type("ack")
        assert ack["ref"] == "c1"
        frame = await guest.expect_frame("comments")
        assert frame["seq"] > gsnap["seq"]
        (comment,) = frame["comments"]
        assert comment == {
            "id": ack["comment_id"],
            "user": {"id": str(bo.user_id), "name": "Bo Buyer"},
            "text": text,
            "at": "2026-01-05T09:00:00Z",
        }
        mine_frame = await mine.expect_frame("comments")
        assert mine_frame["comments"] == [comment]
    stored = await _comments(rt)
    assert [(c.text, c.user_id) for c in stored] == [(text, bo.user_id)]


async def test_guests_watch_but_cannot_comment_or_like(
    app: FastAPI, client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner)
    client.cookies.clear()
    before = await live_counts(rt)
    async with AsgiSocket(app, studio.live_id) as guest:
        await guest.recv()
        await guest.send({"type": "comment", "text": "hello", "ref": "g1"})
        error = await guest.expect_type("error")
        assert error == {
            "type": "error",
            "ref": "g1",
            "code": "not_authenticated",
            "message": "Log in to comment or like.",
        }
        await guest.send({"type": "like", "count": 3, "ref": "g2"})
        assert (await guest.expect_type("error"))["code"] == "not_authenticated"
        await guest.send({"type": "pin", "product_id": studio.products[0]["id"], "ref": "g3"})
        assert (await guest.expect_type("error"))["code"] == "not_authenticated"
    assert await live_counts(rt) == before


async def test_the_session_cookie_authenticates_the_socket(
    app: FastAPI, client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner)
    bo = await signup(client, display_name="Bo")
    cookie = f"{rt.settings.session_cookie}={bo.token}"
    async with AsgiSocket(app, studio.live_id, cookie=cookie) as ws:
        snap = await ws.recv()
        assert snap["you"]["user_id"] == str(bo.user_id)


async def test_comment_rules_refuse_and_store_nothing(
    app: FastAPI, client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner)
    bo = await signup(client)
    rt.settings.live_comments_per_window = 100
    async with AsgiSocket(app, studio.live_id, token=bo.token) as ws:
        await ws.recv()
        cases = [
            ("   ", "comment_invalid"),
            ("x" * 301, "comment_invalid"),
            ("this is a SCAM, stay away", "comment_blocked"),
            ("whatsapp   me for a discount", "comment_blocked"),
            ("bell \x07 here", "comment_invalid"),
        ]
        for i, (text, code) in enumerate(cases):
            await ws.send({"type": "comment", "text": text, "ref": f"r{i}"})
            error = await ws.expect_type("error")
            assert (error["ref"], error["code"]) == (f"r{i}", code), error
        # not a word of the list: "scampi" is fine; 300 characters is fine
        for text in ("scampi tonight?", "y" * 300, "  two\n lines  "):
            await ws.send({"type": "comment", "text": text})
            await ws.expect_type("ack")
    assert [c.text for c in await _comments(rt)] == ["scampi tonight?", "y" * 300, "two lines"]


async def test_comments_are_rate_limited_per_viewer(
    app: FastAPI, client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner)
    rt.settings.live_comments_per_window = 3
    rt.settings.live_comment_window_seconds = 3600
    bo, cy = await signup(client), await signup(client)
    async with (
        AsgiSocket(app, studio.live_id, token=bo.token) as a,
        AsgiSocket(app, studio.live_id, token=cy.token) as b,
    ):
        await a.recv()
        await b.recv()
        for i in range(3):
            await a.send({"type": "comment", "text": f"hi {i}"})
            await a.expect_type("ack")
        await a.send({"type": "comment", "text": "one too many", "ref": "x"})
        error = await a.expect_type("error")
        assert error["code"] == "rate_limited"
        assert error["ref"] == "x"
        # another viewer has their own allowance
        await b.send({"type": "comment", "text": "my turn"})
        await b.expect_type("ack")
    assert [c.text for c in await _comments(rt)] == ["hi 0", "hi 1", "hi 2", "my turn"]


async def test_host_removes_comments_and_mutes_viewers_others_cannot(
    app: FastAPI, client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner)
    bo, cy = await signup(client, display_name="Bo"), await signup(client, display_name="Cy")
    async with (
        AsgiSocket(app, studio.live_id, token=studio.host.token) as host,
        AsgiSocket(app, studio.live_id, token=bo.token) as viewer,
        AsgiSocket(app, studio.live_id, token=cy.token) as other,
    ):
        assert (await host.recv())["you"]["is_host"] is True
        await viewer.recv()
        await other.recv()
        await viewer.send({"type": "comment", "text": "rude thing"})
        comment_id = (await viewer.expect_type("ack"))["comment_id"]

        # a viewer may not moderate: refused, nothing changes
        before = await live_counts(rt)
        for message in (
            {"type": "remove_comment", "comment_id": comment_id},
            {"type": "mute", "user_id": str(bo.user_id)},
            {"type": "pin", "product_id": studio.products[0]["id"]},
            {"type": "unpin"},
        ):
            await other.send({**message, "ref": "nope"})
            error = await other.expect_type("error")
            assert (error["code"], error["ref"]) == ("not_host", "nope")
        assert await live_counts(rt) == before
        assert (await _comments(rt))[0].removed_at is None

        await host.send({"type": "remove_comment", "comment_id": comment_id, "ref": "rm"})
        assert (await host.expect_type("ack"))["ref"] == "rm"
        frame = await other.expect_frame("removed")
        assert frame["removed"] == [comment_id]
        (stored,) = await _comments(rt)
        assert stored.removed_by == studio.host.user_id
        assert stored.removed_at is not None

        await host.send({"type": "mute", "user_id": str(bo.user_id), "ref": "m"})
        await host.expect_type("ack")
        await viewer.send({"type": "comment", "text": "let me talk", "ref": "t"})
        assert (await viewer.expect_type("error"))["code"] == "muted"
        await host.send({"type": "mute", "user_id": str(studio.host.user_id), "ref": "self"})
        assert (await host.expect_type("error"))["code"] == "cannot_mute_host"
        await host.send({"type": "unmute", "user_id": str(bo.user_id)})
        await host.expect_type("ack")
        await viewer.send({"type": "comment", "text": "thank you"})
        await viewer.expect_type("ack")
    async with rt.db.read_session() as s:
        assert (await s.scalars(select(LiveMute))).all() == []
    assert [c.text for c in await _comments(rt)] == ["rude thing", "thank you"]
    # a fresh snapshot leaves removed comments out
    async with AsgiSocket(app, studio.live_id) as late:
        assert [c["text"] for c in (await late.recv())["comments"]] == ["thank you"]


async def test_pin_and_unpin_reach_viewers_from_the_socket_and_from_http(
    app: FastAPI, client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner)
    shirt, hat = studio.products
    async with (
        AsgiSocket(app, studio.live_id, token=studio.host.token) as host,
        AsgiSocket(app, studio.live_id) as viewer,
    ):
        await host.recv()
        await viewer.recv()
        await host.send({"type": "pin", "product_id": shirt["id"], "ref": "p"})
        await host.expect_type("ack")
        frame = await viewer.expect_frame("pinned")
        assert frame["pinned"]["id"] == shirt["id"]
        assert frame["pinned"]["title"] == "Linen Shirt"
        assert frame["pinned"]["price_from"]["formatted"] == "$19.99"

        r = await client.post(
            f"/api/v1/live/sessions/{studio.live_id}/pin",
            json={"product_id": hat["id"]},
            headers=studio.host.headers,
        )
        assert r.status_code == 200, r.text
        assert r.json()["pinned"]["id"] == hat["id"]
        frame = await viewer.expect_frame("pinned")
        assert frame["pinned"]["id"] == hat["id"]

        await host.send({"type": "pin", "product_id": "12345", "ref": "bad"})
        assert (await host.expect_type("error"))["code"] == "product_not_in_bag"

        # removing the pinned product from the bag unpins it
        r = await client.put(
            f"/api/v1/live/sessions/{studio.live_id}/bag",
            json={"product_ids": [shirt["id"]]},
            headers=studio.host.headers,
        )
        assert r.status_code == 200, r.text
        frame = await viewer.expect(lambda m: m.get("type") == "frame" and "bag" in m)
        assert [p["id"] for p in frame["bag"]] == [shirt["id"]]
        if "pinned" not in frame:
            frame = await viewer.expect_frame("pinned")
        assert frame["pinned"] is None
        await host.send({"type": "unpin", "ref": "u"})
        assert (await host.expect_type("ack"))["ref"] == "u"


async def test_bad_messages_are_answered_and_ignored(
    app: FastAPI, client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner)
    bo = await signup(client)
    async with AsgiSocket(app, studio.live_id, token=bo.token) as ws:
        await ws.recv()
        for raw in ("not json", "[1, 2]", '{"type": "dance"}', '{"type": 5}', "x" * 3000):
            await ws.send_raw(raw)
            assert (await ws.expect_type("error"))["code"] == "bad_message"
        await ws.send({"type": "like", "count": 0, "ref": "l"})
        assert (await ws.expect_type("error"))["code"] == "bad_message"
        await ws.send({"type": "click", "product_id": "nope"})
        assert (await ws.expect_type("error"))["code"] == "bad_message"
        await ws.send({"type": "comment", "text": 5})
        assert (await ws.expect_type("error"))["code"] == "bad_message"
        # the connection still works
        await ws.send({"type": "comment", "text": "still here", "ref": "ok"})
        assert (await ws.expect_type("ack"))["ref"] == "ok"


async def test_an_unknown_live_answers_an_error_and_closes(app: FastAPI) -> None:
    async with AsgiSocket(app, "12345") as ws:
        error = await ws.recv()
        assert error["code"] == "live_not_found"
        assert await ws.closed() == (4004, "not_found")


async def test_a_burst_is_coalesced_into_a_few_frames(
    app: FastAPI, client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner)
    rt.settings.live_frame_interval_ms = 200
    rt.settings.live_comments_per_window = 100
    rt.settings.live_comment_window_seconds = 3600
    rt.settings.live_like_messages_per_second = 1000
    fans = [await signup(client, display_name=f"Fan {i}") for i in range(4)]
    async with AsgiSocket(app, studio.live_id) as watcher:
        sockets = [AsgiSocket(app, studio.live_id, token=f.token) for f in fans]
        for s in sockets:
            await s.__aenter__()
            await s.recv()
        await asyncio.sleep(0.3)
        watcher.drain()
        loop = asyncio.get_running_loop()
        started = loop.time()
        for round_ in range(10):
            for i, s in enumerate(sockets):
                await s.send({"type": "comment", "text": f"{round_}-{i}"})
                await s.send({"type": "like", "count": 5})
        frames: list[dict[str, Any]] = []
        comments: list[str] = []
        while len(comments) < 40 or frames[-1].get("likes") != 200:
            frame = await watcher.expect_type("frame", within=5)
            frames.append(frame)
            comments += [c["text"] for c in frame.get("comments", [])]
        elapsed = loop.time() - started
        for s in sockets:
            await s.disconnect()
    assert sorted(comments) == sorted(f"{r}-{i}" for r in range(10) for i in range(4))
    # one frame per 200 ms at most: the whole burst fits in a handful
    assert len(frames) <= elapsed / 0.2 + 2, (len(frames), elapsed)
    seqs = [f["seq"] for f in frames]
    assert seqs == sorted(set(seqs))


async def test_a_lagging_viewer_is_closed_and_the_others_are_not_slowed(
    app: FastAPI, client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner)
    rt.settings.live_send_queue = 4
    shirt, hat = studio.products
    async with (
        AsgiSocket(app, studio.live_id, token=studio.host.token) as host,
        AsgiSocket(app, studio.live_id) as slow,
        AsgiSocket(app, studio.live_id) as fast,
    ):
        await host.recv()
        await slow.recv()
        await fast.recv()
        slow.pause()
        pins = [shirt["id"], hat["id"]] * 6
        for product_id in pins:
            await host.send({"type": "pin", "product_id": product_id})
            await host.expect_type("ack")
            frame = await fast.expect_frame("pinned")
            assert frame["pinned"]["id"] == product_id
        assert await slow.closed() == (4008, "lagging")
        # a reconnect starts from a fresh snapshot of the room as it is now
        async with AsgiSocket(app, studio.live_id) as again:
            snap = await again.recv()
            assert snap["type"] == "snapshot"
            assert snap["pinned"]["id"] == hat["id"]


async def test_ending_the_live_tells_viewers_and_closes_their_sockets(
    app: FastAPI, client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner)
    async with AsgiSocket(app, studio.live_id) as viewer:
        await viewer.recv()
        r = await client.post(
            f"/api/v1/live/sessions/{studio.live_id}/end", headers=studio.host.headers
        )
        assert r.status_code == 200, r.text
        frame = await viewer.expect_frame("status")
        assert frame["status"] == "ENDED"
        assert frame["playback"] is None
        assert await viewer.closed() == (1000, "ended")
    # joining an ended room: the snapshot, then the close
    async with AsgiSocket(app, studio.live_id) as late:
        snap = await late.recv()
        assert snap["session"]["status"] == "ENDED"
        assert await late.closed() == (1000, "ended")


async def test_deal_and_stock_events_reach_the_room_coalesced(
    app: FastAPI, client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner)
    rt.settings.live_frame_interval_ms = 200
    shirt = int(studio.products[0]["id"])
    live_id = int(studio.live_id)
    async with AsgiSocket(app, studio.live_id) as viewer:
        snap = await viewer.recv()
        assert (snap["deal"], snap["stock"]) == (None, {})
        await asyncio.sleep(0.25)
        viewer.drain()
        deal = {"id": "1", "product_id": str(shirt), "price": {"amount_minor": 999}}
        burst = [events.stock(shirt, left) for left in range(10, 0, -1)]
        await events.publish(rt.broker, live_id, [events.deal(deal), *burst])
        frames = [m for m in await viewer.collect(0.8) if m["type"] == "frame"]
        # at most a frame per interval: the ten stock figures arrive as the latest one only
        assert len(frames) <= 2
        assert [f["stock"] for f in frames if "stock" in f] == [{str(shirt): 1}]
        assert [f["deal"] for f in frames if "deal" in f] == [deal]
        # a viewer joining the running room gets both in its snapshot
        async with AsgiSocket(app, studio.live_id) as late:
            snap = await late.recv()
            assert (snap["deal"], snap["stock"]) == (deal, {str(shirt): 1})
