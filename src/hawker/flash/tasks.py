"""Flash deal timers and handlers; registers the deal's hooks into orders and live rooms."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.flash import cards, service
from hawker.live import deal_hook
from hawker.live import events as room_events
from hawker.orders import service as orders
from hawker.outbox.registry import TaskContext, task, timer

# A cancelled deal order gives its units back to the deal (or the warehouse) itself.
orders.register_stock_return(service.return_order_units)
# A live room's snapshot shows the deal announced or running.
deal_hook.set_deal_loader(cards.room_card)


@timer("flash.advance_deals")
async def advance_deals(session: AsyncSession, ctx: TaskContext) -> int:
    """Countdown over -> LIVE; time up (or the live ended) -> ENDED, leftover back to stock."""
    return await service.advance(session, now=ctx.clock.now())


@task("flash.publish_deal", topics=(service.TOPIC,))
async def publish_deal(session: AsyncSession, payload: dict[str, Any], ctx: TaskContext) -> None:
    """The deal's card to its live room, after the change was committed (best effort)."""
    card = await cards.card_of(session, int(payload["deal_id"]))
    await room_events.publish(ctx.broker, int(payload["session_id"]), [room_events.deal(card)])
