"""The fulfilment clocks: late dispatch and auto-cancel, swept by timers on the injected clock.

- An order past its dispatch deadline without an acceptance scan of every package is
  flagged late (once) and "fulfillment.dispatch_late" is written for the shop.
- An order with no acceptance scan at all by its auto-cancel time is cancelled by SYSTEM:
  `orders.cancel_order` releases its stock and refunds the buyer through the ledger; its
  packages close and their labels are voided at the carrier. (An order with some packages
  already accepted is not cancelled: it stays late.)
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.errors import HawkerError
from hawker.fulfillment import repository as repo
from hawker.fulfillment.service.progress import cancel_packages
from hawker.models import OrderStatus
from hawker.orders import service as orders
from hawker.orders.state import ActorRole
from hawker.outbox.service import record_event

log = logging.getLogger("hawker.fulfillment")

SWEEP_BATCH = 200
LATE_TOPIC = "fulfillment.dispatch_late"
AUTO_CANCEL_REASON = "not dispatched in time: no carrier acceptance scan"
CANCELLABLE = frozenset({OrderStatus.AWAITING_SHIPMENT, OrderStatus.AWAITING_COLLECTION})


async def flag_late_dispatches(
    session: AsyncSession, *, now: datetime, limit: int = SWEEP_BATCH
) -> int:
    done = 0
    for order_id in await repo.overdue_ids(session, now=now, limit=limit):
        clock = await repo.get_fulfilment(session, order_id)
        if clock is None or clock.late_dispatch or clock.dispatched_at is not None:
            continue
        clock.late_dispatch = True
        clock.updated_at = now
        record_event(
            session,
            topic=LATE_TOPIC,
            aggregate_type="order",
            aggregate_id=order_id,
            payload={
                "order_id": str(order_id),
                "shop_id": str(clock.shop_id),
                "dispatch_deadline": clock.dispatch_deadline.isoformat(),
            },
            now=now,
        )
        done += 1
    await session.flush()
    return done


async def close_order_packages(session: AsyncSession, order_id: int, *, now: datetime) -> int:
    """The order was cancelled (by anyone): close its packages and its clock."""
    await orders.lock_orders(session, [order_id])  # the order first, then its packages
    packages = await repo.packages_of_orders(session, [order_id], lock=True)
    done = await cancel_packages(session, packages, now=now)
    clock = await repo.get_fulfilment(session, order_id)
    if clock is not None and clock.closed_at is None:
        clock.closed_at = now
        clock.updated_at = now
    await session.flush()
    return done


async def auto_cancel(session: AsyncSession, *, now: datetime, limit: int = SWEEP_BATCH) -> int:
    done = 0
    for order_id in await repo.auto_cancel_ids(session, now=now, limit=limit):
        try:
            async with session.begin_nested():
                (order,) = await orders.lock_orders(session, [order_id])
                if order.status not in CANCELLABLE:
                    # cancelled meanwhile (or moved on): nothing left to cancel
                    clock = await repo.get_fulfilment(session, order_id)
                    if clock is not None:
                        clock.closed_at = clock.closed_at or now
                        clock.updated_at = now
                    continue
                await orders.cancel_order(
                    session,
                    order,
                    by=ActorRole.SYSTEM,
                    actor_id=None,
                    reason=AUTO_CANCEL_REASON,
                    now=now,
                )
                await close_order_packages(session, order_id, now=now)
        except HawkerError:
            log.exception("auto-cancelling order %s failed", order_id)
            continue
        done += 1
    return done
