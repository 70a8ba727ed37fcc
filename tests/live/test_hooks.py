"""The publish hooks in the form nginx's rtmp module calls them."""

from __future__ import annotations

import httpx

from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.live import live_counts, live_row, make_studio

HOOKS = "/api/v1/live/hooks"


async def _key(client: httpx.AsyncClient, studio: object) -> str:
    r = await client.get(
        f"/api/v1/live/sessions/{studio.live_id}/ingest",  # type: ignore[attr-defined]
        headers=studio.host.headers,  # type: ignore[attr-defined]
    )
    key: str = r.json()["stream_key"]
    return key


async def test_publish_accepts_only_a_valid_key_and_ends_when_the_push_stops(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner, start=False)
    key = await _key(client, studio)
    secret = rt.settings.live_hook_secret
    client.cookies.clear()

    async def hook(name: str, field: str, *, secret: str | None = secret) -> httpx.Response:
        query = f"?secret={secret}" if secret is not None else ""
        return await client.post(f"{HOOKS}/{name}{query}", data={"name": field, "app": "live"})

    before = await live_counts(rt)
    for response, code in (
        (await hook("on_publish", key, secret=None), "hook_secret_invalid"),
        (await hook("on_publish", key, secret="wrong"), "hook_secret_invalid"),
        (await hook("on_publish", "not-a-key"), "stream_refused"),
        (await hook("on_publish", ""), None),
    ):
        assert 400 <= response.status_code < 500, response.text
        if code is not None:
            assert response.json()["error"]["code"] == code
    row = await live_row(rt, studio.live_id)
    assert row.status == "SCHEDULED"
    assert await live_counts(rt) == before
    # the public name cannot be used to publish
    assert (await hook("on_publish", row.public_name)).status_code == 403

    accepted = await hook("on_publish", key)
    assert accepted.status_code == 302
    assert accepted.headers["location"] == row.public_name
    assert key not in row.public_name
    row = await live_row(rt, studio.live_id)
    assert row.status == "LIVE"
    assert row.started_at is not None
    public = (await client.get(f"/api/v1/live/sessions/{studio.live_id}")).json()
    assert public["playback"]["url"] == f"http://127.0.0.1:8080/hls/{row.public_name}.m3u8"
    # an encoder reconnecting while LIVE is accepted again
    assert (await hook("on_publish", key)).status_code == 302

    done = await hook("on_publish_done", row.public_name)
    assert done.status_code == 204
    row = await live_row(rt, studio.live_id)
    assert row.status == "ENDED"
    assert (await hook("on_publish_done", key)).status_code == 204  # repeated: nothing to do
    assert (await hook("on_publish", key)).status_code == 403  # an ended live cannot restart
    assert (await hook("on_publish_done", "nobody")).status_code == 404


async def test_a_cancelled_live_refuses_its_key(
    client: httpx.AsyncClient, rt: Runtime, runner: JobRunner
) -> None:
    studio = await make_studio(client, rt, runner, start=False)
    key = await _key(client, studio)
    r = await client.post(
        f"/api/v1/live/sessions/{studio.live_id}/cancel", headers=studio.host.headers
    )
    assert r.status_code == 200
    r = await client.post(
        f"{HOOKS}/on_publish?secret={rt.settings.live_hook_secret}", data={"name": key}
    )
    assert r.status_code == 403
    assert (await live_row(rt, studio.live_id)).status == "CANCELLED"
