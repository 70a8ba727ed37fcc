"""Real-browser testing: a `hawker serve` process on a free port, Debian's Chromium driven by
Playwright, a watch on every page for script errors and failed requests, and screenshots.

The browser binary is the system's (/usr/bin/chromium); Playwright never downloads one.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SERVER_START_SECONDS = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]


def start_server(
    *, database_url: str, redis_url: str | None, workdir: Path
) -> Iterator[LiveServer]:
    """Run `hawker serve` against the (already migrated) test database until the generator ends."""
    port = free_port()
    media = workdir / "media"
    media.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAWKER_")}
    env.update(
        HAWKER_DATABASE_URL=database_url,
        HAWKER_MEDIA_DIR=str(media),
        HAWKER_PASSWORD_HASH_PROFILE="fast",
        HAWKER_RUN_JOBS_IN_PROCESS="true",
        HAWKER_JOB_POLL_SECONDS="0.2",
        HAWKER_SQLITE_SYNCHRONOUS="NORMAL",
        HAWKER_SECRET_KEY=f"browser-test-{uuid.uuid4().hex}",
    )
    if redis_url:
        env.update(
            HAWKER_REDIS_URL=redis_url, HAWKER_REDIS_PREFIX=f"hawker-web:{uuid.uuid4().hex[:8]}:"
        )
    hawker = Path(sys.executable).with_name("hawker")
    log = workdir / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(hawker), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=workdir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(url=f"http://127.0.0.1:{port}", process=process, log=log)
    try:
        _wait_until_up(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait_until_up(server: LiveServer) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"hawker serve exited early:\n{server.output()}")
        try:
            if httpx.get(f"{server.url}/api/v1/markets", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"hawker serve did not start in time:\n{server.output()}")


@dataclass
class Watch:
    """Everything that went wrong on the pages of one journey."""

    base_url: str
    problems: list[str] = field(default_factory=list)
    allowed: set[tuple[str, int]] = field(default_factory=set)

    def allow(self, path: str, status: int) -> None:
        """The journey expects `path` to answer `status` (a refused form, say)."""
        self.allowed.add((path, status))

    def attach(self, page: Page) -> Page:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"script error: {exc}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        return page

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        text = message.text
        for _, status in self.allowed:
            if f"status of {status}" in text:
                return
        self.problems.append(f"console error: {text} at {message.location.get('url', '')}")

    def _failed(self, request: Request) -> None:
        if request.failure == "net::ERR_ABORTED":
            # The browser dropped the request itself (a newer navigation replaced it, or the
            # page closed): not a failure of the server. A server that cannot answer shows up
            # as an HTTP error or as another net:: error.
            return
        self.problems.append(f"request failed: {request.method} {request.url} ({request.failure})")

    def _response(self, response: Response) -> None:
        if response.status < 400:
            return
        path = urlsplit(response.url).path
        if (path, response.status) in self.allowed:
            return
        self.problems.append(f"HTTP {response.status} for {response.request.method} {response.url}")

    def check(self) -> None:
        assert not self.problems, "problems on the pages:\n" + "\n".join(self.problems)


async def new_phone(browser: Browser, watch: Watch) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(
        viewport=PHONE, base_url=watch.base_url, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = watch.attach(await context.new_page())
    return context, page


async def _whole_page(page: Page, path: Path) -> None:
    """A screenshot of the whole page laid out as on a screen that tall (fixed bars at the
    bottom, sticky ones at the top), not stitched from scrolled views."""
    size = page.viewport_size or PHONE
    await page.evaluate("window.scrollTo(0, 0)")
    height = await page.evaluate("Math.ceil(document.documentElement.scrollHeight)")
    await page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
    try:
        await page.screenshot(path=str(path))
    finally:
        await page.set_viewport_size(size)


async def snap(
    browser: Browser, page: Page, watch: Watch, name: str, *, desktop: bool = True
) -> None:
    """Save the page as docs/screenshots/<name>.png (phone) and <name>-desktop.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await _whole_page(page, SCREENSHOTS / f"{name}.png")
    if not desktop:
        return
    state = await page.context.storage_state()
    context = await browser.new_context(
        viewport=DESKTOP, base_url=watch.base_url, storage_state=state
    )
    try:
        wide = watch.attach(await context.new_page())
        await wide.goto(page.url)
        await _whole_page(wide, SCREENSHOTS / f"{name}-desktop.png")
    finally:
        await context.close()
