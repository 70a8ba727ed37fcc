"""Small test videos generated with PyAV, and videos uploaded through the real endpoints."""

from __future__ import annotations

import io
import itertools
from typing import Any

import av
import httpx
from PIL import Image

from hawker.outbox.runner import JobRunner
from tests.factories.accounts import Actor

_seq = itertools.count(1)

CONTAINERS = {"mp4": "mp4", "mov": "mov", "webm": "webm", "mkv": "matroska"}


def video_bytes(
    fmt: str = "mp4",
    *,
    seconds: float = 1.0,
    size: tuple[int, int] = (64, 48),
    fps: int = 10,
    audio: bool = True,
) -> bytes:
    """A tiny video: coloured frames (and a silent track when `audio`), in `fmt`."""
    buf = io.BytesIO()
    webm = fmt == "webm"
    with av.open(buf, "w", format=CONTAINERS[fmt]) as out:
        video = out.add_stream("libvpx" if webm else "libx264", rate=fps)
        video.width, video.height = size
        video.pix_fmt = "yuv420p"
        sound = None
        if audio:
            sound = out.add_stream(
                "libopus" if webm else "aac", rate=48000 if webm else 44100, layout="stereo"
            )
        for i in range(int(seconds * fps)):
            frame = av.VideoFrame.from_image(Image.new("RGB", size, ((i * 25) % 255, 120, 60)))
            frame.pts = i
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
        if sound is not None:
            rate = sound.rate
            step = sound.codec_context.frame_size or 960
            done = 0
            while done < seconds * rate:
                chunk = av.AudioFrame(format=sound.format.name, layout="stereo", samples=step)
                for plane in chunk.planes:
                    plane.update(bytes(plane.buffer_size))
                chunk.sample_rate = rate
                chunk.pts = done
                for packet in sound.encode(chunk):
                    out.mux(packet)
                done += step
            for packet in sound.encode(None):
                out.mux(packet)
    return buf.getvalue()


async def upload(
    client: httpx.AsyncClient,
    actor: Actor,
    *,
    data: bytes | None = None,
    filename: str = "clip.mp4",
    title: str | None = None,
    shop_id: str | None = None,
) -> httpx.Response:
    form: dict[str, str] = {"title": title or f"Video {next(_seq)}"}
    if shop_id is not None:
        form["shop_id"] = shop_id
    return await client.post(
        "/api/v1/videos",
        data=form,
        files={"file": (filename, data if data is not None else video_bytes(), "video/mp4")},
        headers=actor.headers,
    )


async def make_video(
    client: httpx.AsyncClient,
    runner: JobRunner,
    actor: Actor,
    *,
    shop_id: str | None = None,
    title: str | None = None,
    data: bytes | None = None,
) -> dict[str, Any]:
    """An uploaded and transcoded (READY) video, as its owner sees it."""
    r = await upload(client, actor, data=data, shop_id=shop_id, title=title)
    assert r.status_code == 201, r.text
    await runner.run_until_idle()
    r = await client.get(f"/api/v1/videos/{r.json()['id']}", headers=actor.headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    assert body["status"] == "READY", body
    return body
