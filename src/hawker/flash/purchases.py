"""Writing buy presses as orders, many at once (the group commit's transaction).

The counters (counters.py) already said yes to every item; the database is still the judge.
Per deal, in deal id order: the deal row is locked, the buyers' holdings and the idempotency
keys are read, `rules.admit` decides, and ONE conditional UPDATE takes the units
(`stock_remaining >= n`). Then the orders, lines, allocations, history, outbox events,
purchases and live attributions are inserted together (in one statement on PostgreSQL).
Nothing here commits: the writer commits the batch, then answers every buyer in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.db import inserts_together
from hawker.flash import repository as repo
from hawker.flash import rules
from hawker.flash.counters import DUPLICATE, LIMIT, OK, SOLD_OUT, Ask, Outcome
from hawker.flash.service import DealFacts, record_change
from hawker.inventory import service as inventory
from hawker.kit.ids import new_id
from hawker.models import FlashPurchaseStatus
from hawker.orders import service as orders

ENDED = "ended"


@dataclass(slots=True)
class Item:
    facts: DealFacts
    ask: Ask
    address: orders.Address
    at: datetime  # when the buyer pressed buy


def pay_by(at: datetime, window_minutes: int) -> datetime:
    return at + timedelta(minutes=window_minutes)


async def write_batch(
    session: AsyncSession,
    items: Sequence[Item],
    *,
    now: datetime,
    window_minutes: int,
) -> tuple[list[Outcome], dict[int, int]]:
    """Write what the database accepts; returns one outcome per item and the units left
    per deal touched."""
    outcomes: list[Outcome] = [(ENDED, 0)] * len(items)
    remaining: dict[int, int] = {}
    by_deal: dict[int, list[int]] = {}
    for i, item in enumerate(items):
        by_deal.setdefault(item.facts.deal.id, []).append(i)
    drafts: list[tuple[int, orders.OrderDraft]] = []
    placed: list[int] = []  # item index per draft
    for deal_id in sorted(by_deal):
        deal = await repo.lock(session, deal_id)
        if deal is None or deal.status not in rules.OPEN_STATUSES:
            continue
        indexes = [i for i in by_deal[deal_id] if items[i].at < deal.ends_at]
        keys = {
            (items[i].ask.buyer_id, key) for i in indexes if (key := items[i].ask.key) is not None
        }
        # one read for both checks: keys already used, units the buyers already hold
        known, held = await repo.keys_and_holdings(
            session, deal_id, {items[i].ask.buyer_id for i in indexes}, keys
        )
        fresh: list[int] = []
        for i in indexes:
            ask = items[i].ask
            if ask.key is not None and (ask.buyer_id, ask.key) in known:
                outcomes[i] = (DUPLICATE, known[(ask.buyer_id, ask.key)])
            else:
                if ask.key is not None:
                    known[(ask.buyer_id, ask.key)] = ask.order_id
                fresh.append(i)
        accepted, refused = rules.admit(
            [(items[i].ask.buyer_id, items[i].ask.quantity) for i in fresh],
            stock=deal.stock_remaining,
            limit=deal.per_buyer_limit,
            bought=held,
        )
        for j, refusal in refused.items():
            outcomes[fresh[j]] = (LIMIT if refusal is rules.LimitReached else SOLD_OUT, 0)
        total = sum(items[fresh[j]].ask.quantity for j in accepted)
        remaining[deal_id] = deal.stock_remaining - total
        if not total:
            continue
        sold_out = total == deal.stock_remaining
        if not await repo.take_units(session, deal_id, total, sold_out=sold_out, now=now):
            raise inventory.StockInconsistent(f"Deal {deal_id} changed under its lock.")
        if sold_out:
            ended = await repo.get(session, deal_id)
            assert ended is not None
            record_change(session, ended, "ended", now)
        for j in accepted:
            i = fresh[j]
            item = items[i]
            outcomes[i] = (OK, item.ask.order_id)
            drafts.append((item.ask.order_id, _draft(item, window_minutes)))
            placed.append(i)
    if not drafts:
        return outcomes, remaining
    async with inserts_together(session):  # one statement on PostgreSQL
        line_ids = await orders.create_orders_bulk(session, drafts, now=now)
        await inventory.allocate_set_aside(
            session,
            [
                inventory.AllocationDraft(
                    order_id=items[i].ask.order_id,
                    line_id=lines[0],
                    sku_id=items[i].facts.deal.sku_id,
                    warehouse_id=items[i].facts.deal.warehouse_id,
                    quantity=items[i].ask.quantity,
                )
                for i, lines in zip(placed, line_ids, strict=True)
            ],
        )
        await repo.insert_purchases(
            session,
            [
                {
                    "id": new_id(),
                    "deal_id": items[i].facts.deal.id,
                    "buyer_id": items[i].ask.buyer_id,
                    "order_id": items[i].ask.order_id,
                    "quantity": items[i].ask.quantity,
                    "idempotency_key": items[i].ask.key,
                    "status": FlashPurchaseStatus.ACTIVE,
                    "created_at": now,
                    "returned_at": None,
                }
                for i in placed
            ],
        )
        await repo.insert_attributions(
            session,
            [
                {
                    "id": new_id(),
                    "order_id": items[i].ask.order_id,
                    "session_id": items[i].facts.deal.session_id,
                    "created_at": now,
                    "counted_at": None,
                }
                for i in placed
            ],
        )
    return outcomes, remaining


def _draft(item: Item, window_minutes: int) -> orders.OrderDraft:
    facts, ask = item.facts, item.ask
    deal = facts.deal
    quote = facts.quotes[ask.quantity - 1]
    return orders.OrderDraft(
        checkout_id=ask.order_id,
        shop_id=deal.shop_id,
        buyer_id=ask.buyer_id,
        market_code=deal.market_code,
        currency=deal.currency,
        subtotal_minor=quote.subtotal_minor,
        shipping_fee_minor=quote.shipping_fee_minor,
        tax_minor=quote.tax_minor,
        tax_included=quote.tax_included,
        total_minor=quote.total_minor,
        address=item.address,
        pay_by=pay_by(item.at, window_minutes),
        lines=(
            orders.LineDraft(
                product_id=deal.product_id,
                sku_id=deal.sku_id,
                product_name=facts.product_title,
                sku_name=facts.sku_name,
                seller_sku=facts.seller_sku,
                image_uri=facts.image_uri,
                quantity=ask.quantity,
                unit_price_minor=deal.price_minor,
                package_weight_g=facts.package_weight_g,
            ),
        ),
        note="live flash deal",
    )
