"""Order timers: the payment window and the remorse window. Batched, idempotent, resumable."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.orders import service
from hawker.outbox.registry import TaskContext, timer


@timer("orders.expire_unpaid")
async def expire_unpaid(session: AsyncSession, ctx: TaskContext) -> int:
    """UNPAID past pay_by -> CANCELLED by SYSTEM; the stock goes back on sale."""
    return await service.expire_unpaid(session, now=ctx.clock.now())


@timer("orders.release_hold")
async def release_hold(session: AsyncSession, ctx: TaskContext) -> int:
    """ON_HOLD past hold_until -> AWAITING_SHIPMENT."""
    return await service.release_holds(session, now=ctx.clock.now())
