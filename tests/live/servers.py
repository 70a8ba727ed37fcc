"""Real `hawker serve` processes on free loopback ports, for tests that need the network."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from hawker.config import Settings


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """`hawker serve` against the test suite's database (and Redis, when configured)."""

    def __init__(self, settings: Settings, workdir: Path, **env: str) -> None:
        self.port = free_port()
        self.log = workdir / f"server-{self.port}.log"
        self.env = {
            **os.environ,
            "HAWKER_DATABASE_URL": settings.database_url,
            "HAWKER_REDIS_PREFIX": settings.redis_prefix,
            "HAWKER_MEDIA_DIR": str(settings.media_dir),
            "HAWKER_RUN_JOBS_IN_PROCESS": "false",
            "HAWKER_PASSWORD_HASH_PROFILE": "fast",
            **env,
        }
        if settings.redis_url:
            self.env["HAWKER_REDIS_URL"] = settings.redis_url
        else:
            self.env.pop("HAWKER_REDIS_URL", None)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "from hawker.cli import main; main()",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    async def ready(self, within: float = 30.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        async with httpx.AsyncClient() as http:
            while True:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise AssertionError(f"server exited:\n{self.log.read_text()[-3000:]}")
                try:
                    r = await http.get(f"{self.url}/api/v1/markets", timeout=1.0)
                    if r.status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                if loop.time() > deadline:
                    raise AssertionError(f"server not ready:\n{self.log.read_text()[-3000:]}")
                await asyncio.sleep(0.1)

    async def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            await asyncio.to_thread(self.process.wait, 10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            await asyncio.to_thread(self.process.wait, 10)
