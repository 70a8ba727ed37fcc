"""Background work for videos: the transcode job."""

from __future__ import annotations

from typing import Any

from hawker.media import service
from hawker.outbox.registry import TaskContext, long_task


@long_task(service.TRANSCODE_JOB)
async def transcode(payload: dict[str, Any], ctx: TaskContext) -> None:
    """Runs outside any transaction: a transcode never holds the database's write lock."""
    await service.transcode_video(
        ctx.db, int(payload["video_id"]), settings=ctx.settings, clock=ctx.clock
    )
