"""While `hawker demo` serves: simulated viewers keep the demo's live rooms busy, and the
first room runs a live flash deal every few minutes with simulated buyers in the rush."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import select

from hawker.models import LiveSession, LiveStatus
from hawker.runtime import Runtime

log = logging.getLogger("hawker.demo")


class DemoSimulation:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.stop = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        from hawker.demo.live import simulate_room
        from hawker.flash.demo import run_demo_deals

        async with self.rt.db.read_session() as s:
            rooms = list(
                (
                    await s.scalars(
                        select(LiveSession.id).where(
                            LiveSession.status == LiveStatus.LIVE,
                            LiveSession.loop_video_id.is_not(None),
                        )
                    )
                ).all()
            )
        for n, room in enumerate(rooms):
            self.tasks.append(asyncio.create_task(simulate_room(self.rt, room, self.stop, seed=n)))
        if rooms:
            # the first deal is announced at once (a short countdown), then every few minutes
            self.tasks.append(asyncio.create_task(run_demo_deals(self.rt, rooms[0], self.stop)))
        log.info("demo: simulating viewers in %d live rooms, flash deals in the first", len(rooms))

    async def close(self) -> None:
        self.stop.set()
        for task in self.tasks:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, timeout=5)
