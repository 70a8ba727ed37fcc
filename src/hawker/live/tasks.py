"""Background work for live rooms: paid orders from a room, and the final statistics."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.live import events, service
from hawker.models import OrderStatus
from hawker.orders.service import STATUS_TOPIC as ORDER_STATUS_TOPIC
from hawker.outbox.registry import TaskContext, task


@task(
    "live.order_paid",
    topics=(ORDER_STATUS_TOPIC,),
    when=lambda payload: payload.get("order_status") == OrderStatus.ON_HOLD,
)
async def order_paid(session: AsyncSession, payload: dict[str, Any], ctx: TaskContext) -> None:
    """An order placed from a live room was paid: count it and tell the room."""
    if payload.get("order_status") != OrderStatus.ON_HOLD:
        return
    counted = await service.count_paid_order(session, int(payload["order_id"]), now=ctx.clock.now())
    if counted is not None:
        session_id, notices = counted
        # best effort, before the count commits: a retry never counts twice (counted_at)
        await events.publish(ctx.broker, session_id, notices)


@task(service.SETTLE_JOB)
async def settle_stats(session: AsyncSession, payload: dict[str, Any], ctx: TaskContext) -> None:
    await service.settle_stats(session, ctx.broker, int(payload["session_id"]))
