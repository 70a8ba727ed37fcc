"""Fulfilment's background work: allocation when an order leaves ON_HOLD, closing packages
of cancelled orders, instructions to carriers, and the dispatch timers. Idempotent."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.fulfillment import service
from hawker.logistics import service as logistics
from hawker.logistics.carriers import CarrierRejected
from hawker.models import OrderStatus
from hawker.outbox.registry import TaskContext, task, timer

log = logging.getLogger("hawker.fulfillment")


def _acts_on(payload: dict[str, Any]) -> bool:
    status = payload.get("order_status")
    if status == OrderStatus.CANCELLED:
        return True
    return status == OrderStatus.AWAITING_SHIPMENT and (
        payload.get("previous_status") == OrderStatus.ON_HOLD
    )


@task("fulfillment.on_order_status", topics=("order.status_changed",), when=_acts_on)
async def on_order_status(session: AsyncSession, payload: dict[str, Any], ctx: TaskContext) -> None:
    """ON_HOLD -> AWAITING_SHIPMENT: allocate; CANCELLED: close the order's packages."""
    order_id = int(payload["order_id"])
    status = payload.get("order_status")
    now = ctx.clock.now()
    if status == OrderStatus.AWAITING_SHIPMENT and payload.get("previous_status") == (
        OrderStatus.ON_HOLD
    ):
        await service.allocate_order(session, order_id, now=now, settings=ctx.settings)
    elif status == OrderStatus.CANCELLED:
        await service.close_order_packages(session, order_id, now=now)


@task("fulfillment.carrier_instruction", topics=("fulfillment.carrier_instruction",))
async def carrier_instruction(
    session: AsyncSession, payload: dict[str, Any], ctx: TaskContext
) -> None:
    """Tell the carrier to hold, release or cancel a parcel. An unreachable carrier is
    retried with back-off; a refusal (the parcel was already delivered, say) is final."""
    carrier = await logistics.carrier(session, int(payload["carrier_id"]))
    if carrier is None:
        return
    adapter = logistics.adapter_for(carrier, ctx.settings)
    number = str(payload["tracking_number"])
    action = payload.get("action")
    try:
        if action == "hold":
            await adapter.hold(number)
        elif action == "release":
            await adapter.release(number)
        elif action == "cancel":
            await adapter.cancel_shipment(number)
    except CarrierRejected as exc:
        log.info("carrier %s refused to %s %s: %s", carrier.code, action, number, exc.message)


@timer("fulfillment.late_dispatch")
async def late_dispatch(session: AsyncSession, ctx: TaskContext) -> int:
    """Orders past their dispatch deadline without every acceptance scan are late."""
    return await service.flag_late_dispatches(session, now=ctx.clock.now())


@timer("fulfillment.auto_cancel")
async def auto_cancel(session: AsyncSession, ctx: TaskContext) -> int:
    """No acceptance scan within the auto-cancel window: cancelled, refunded, stock back."""
    return await service.auto_cancel(session, now=ctx.clock.now())
