from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from hawker.live.ws import close_rooms
from hawker.runtime import Runtime


@pytest.fixture(autouse=True)
async def quick_rooms(app: FastAPI, rt: Runtime) -> AsyncIterator[None]:
    """Short frame and statistics intervals so room tests run fast; rooms stop at the end."""
    rt.settings.live_frame_interval_ms = 20
    rt.settings.live_stats_interval_ms = 100
    rt.settings.live_room_idle_seconds = 0
    yield
    await close_rooms(app)
