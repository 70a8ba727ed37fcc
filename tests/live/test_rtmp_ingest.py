"""End to end with a real media server: nginx with its rtmp module calls Hawker's publish
hooks, writes HLS, and ffmpeg pushes a generated test stream.

Needs Debian's nginx, libnginx-mod-rtmp and ffmpeg; without them this test fails and says so.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from hawker.config import Settings
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from tests.factories.live import live_row, make_studio
from tests.live.servers import Server, free_port

RTMP_MODULE = Path("/usr/lib/nginx/modules/ngx_rtmp_module.so")
INSTALL = "apt-get install -y nginx libnginx-mod-rtmp ffmpeg"
PUSH_SECONDS = 5

NGINX_CONF = """
load_module {module};
daemon off;
master_process off;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log info;
events {{ worker_connections 64; }}
rtmp {{
    server {{
        listen 127.0.0.1:{rtmp_port};
        chunk_size 4096;
        # the encoder publishes here with the secret key; Hawker's hook accepts it and
        # renames the stream to the session's public name (a 302 with Location)
        application live {{
            live on;
            record off;
            notify_method post;
            on_publish {api}/api/v1/live/hooks/on_publish?secret={secret};
            on_publish_done {api}/api/v1/live/hooks/on_publish_done?secret={secret};
            push rtmp://127.0.0.1:{rtmp_port}/hls;
        }}
        # the renamed stream is relayed here and cut into HLS under its public name
        application hls {{
            live on;
            allow publish 127.0.0.1;
            deny publish all;
            deny play all;
            hls on;
            hls_path {root}/hls;
            hls_fragment 1s;
            hls_playlist_length 6s;
        }}
    }}
}}
http {{
    access_log off;
    client_body_temp_path {root}/tmp-body;
    proxy_temp_path {root}/tmp-proxy;
    fastcgi_temp_path {root}/tmp-fastcgi;
    uwsgi_temp_path {root}/tmp-uwsgi;
    scgi_temp_path {root}/tmp-scgi;
    types {{
        application/vnd.apple.mpegurl m3u8;
        video/mp2t ts;
    }}
    server {{
        listen 127.0.0.1:{http_port};
        location /hls/ {{
            alias {root}/hls/;
            add_header Cache-Control no-cache;
        }}
    }}
}}
"""


def _require_tools() -> tuple[str, str]:
    nginx, ffmpeg = shutil.which("nginx") or "", shutil.which("ffmpeg") or ""
    missing = [
        name
        for name, ok in (
            ("nginx", bool(nginx)),
            ("libnginx-mod-rtmp", RTMP_MODULE.exists()),
            ("ffmpeg", bool(ffmpeg)),
        )
        if not ok
    ]
    if missing:
        pytest.fail(
            f"The RTMP ingest test needs {', '.join(missing)}: install them with `{INSTALL}`.",
            pytrace=False,
        )
    return nginx, ffmpeg


def _push(ffmpeg: str, url: str, seconds: int) -> list[str]:
    return [
        ffmpeg,
        "-hide_banner",
        "-loglevel",
        "error",
        "-re",
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=320x240:rate=15",
        "-f",
        "lavfi",
        "-i",
        "sine",
        "-t",
        str(seconds),
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-tune",
        "zerolatency",
        "-g",
        "15",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-f",
        "flv",
        url,
    ]


async def _until(check: Any, what: str, within: float = 20.0) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        value = await check()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


async def test_a_pushed_stream_goes_live_is_served_as_hls_and_ends(
    client: httpx.AsyncClient,
    rt: Runtime,
    runner: JobRunner,
    settings: Settings,
    tmp_path: Path,
) -> None:
    nginx, ffmpeg = _require_tools()
    studio = await make_studio(client, rt, runner, start=False)
    r = await client.get(
        f"/api/v1/live/sessions/{studio.live_id}/ingest", headers=studio.host.headers
    )
    key = r.json()["stream_key"]

    root = tmp_path / "nginx"
    (root / "hls").mkdir(parents=True)
    rtmp_port, http_port = free_port(), free_port()
    server = Server(
        settings,
        tmp_path,
        HAWKER_RTMP_INGEST_URL=f"rtmp://127.0.0.1:{rtmp_port}/live",
        HAWKER_HLS_BASE_URL=f"http://127.0.0.1:{http_port}/hls",
        HAWKER_LIVE_HOOK_SECRET="rtmp-test-secret",
    )
    conf = root / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            module=RTMP_MODULE,
            root=root,
            rtmp_port=rtmp_port,
            http_port=http_port,
            api=server.url,
            secret="rtmp-test-secret",
        )
    )
    server.start()
    media_server = await asyncio.to_thread(
        subprocess.Popen,
        [nginx, "-p", str(root), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    push: subprocess.Popen[bytes] | None = None
    try:
        await server.ready()

        async def nginx_up() -> bool:
            assert media_server.poll() is None, (root / "error.log").read_text()
            return _listening(rtmp_port) and _listening(http_port)

        await _until(nginx_up, "nginx to listen")

        # a wrong key is refused: the push fails and nothing changes
        wrong = await asyncio.to_thread(
            subprocess.run,
            _push(ffmpeg, f"rtmp://127.0.0.1:{rtmp_port}/live/not-the-key", 2),
            capture_output=True,
            timeout=30,
        )
        assert wrong.returncode != 0
        assert (await live_row(rt, studio.live_id)).status == "SCHEDULED"

        # the host's encoder pushes to the ingest URL the API gave it
        push = await asyncio.to_thread(
            subprocess.Popen,
            _push(ffmpeg, f"rtmp://127.0.0.1:{rtmp_port}/live/{key}", PUSH_SECONDS),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

        async def on_air() -> bool:
            return (await live_row(rt, studio.live_id)).status == "LIVE"

        await _until(on_air, "the session to go LIVE")
        async with httpx.AsyncClient() as http:
            public = (await http.get(f"{server.url}/api/v1/live/sessions/{studio.live_id}")).json()
            playback = public["playback"]
            assert playback["kind"] == "hls"
            assert playback["url"].startswith(f"http://127.0.0.1:{http_port}/hls/")
            assert key not in playback["url"]

            async def playlist() -> str | None:
                got = await http.get(playback["url"])
                return got.text if got.status_code == 200 and "#EXTINF" in got.text else None

            text = await _until(playlist, "the HLS playlist")
            assert text.startswith("#EXTM3U")
            segment = next(line for line in text.splitlines() if line.endswith(".ts"))
            got = await http.get(playback["url"].rsplit("/", 1)[0] + "/" + segment)
            assert got.status_code == 200
            assert got.content[:1] == b"G"  # MPEG-TS sync byte
            assert key not in text
            assert not any(key in f.name for f in (root / "hls").iterdir())

        _, err = await asyncio.to_thread(push.communicate, timeout=60)
        assert push.returncode == 0, err.decode()

        async def ended() -> bool:
            return (await live_row(rt, studio.live_id)).status == "ENDED"

        await _until(ended, "the session to end after the push stopped")
        row = await live_row(rt, studio.live_id)
        assert row.started_at is not None and row.ended_at is not None
        assert row.ended_at > row.started_at
    finally:
        if push is not None and push.poll() is None:
            push.kill()
        media_server.terminate()
        try:
            await asyncio.to_thread(media_server.wait, 10)
        except subprocess.TimeoutExpired:
            media_server.kill()
        await server.stop()
