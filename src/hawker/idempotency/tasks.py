"""Timer: forget idempotency records once their replay window has passed."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.idempotency import service
from hawker.outbox.registry import TaskContext, timer


@timer("idempotency.purge")
async def purge(session: AsyncSession, ctx: TaskContext) -> int:
    return await service.purge_expired(session, now=ctx.clock.now())
