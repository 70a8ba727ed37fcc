"""The deal card: what the API returns and the live room shows."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.flash import service
from hawker.flash.schemas import DealOut, DealProductOut
from hawker.models import FlashDeal
from hawker.schemas import MoneyOut


async def deal_out(session: AsyncSession, deal: FlashDeal) -> DealOut:
    facts = await service.facts(session, deal.id)
    locale = facts.locale if facts else "en_US"
    c = deal.currency
    return DealOut(
        id=deal.id,
        session_id=deal.session_id,
        shop_id=deal.shop_id,
        product=DealProductOut(
            id=deal.product_id,
            title=facts.product_title if facts else "",
            sku_id=deal.sku_id,
            sku_name=facts.sku_name if facts else "",
            image_url=facts.image_uri if facts else None,
        ),
        price=MoneyOut.of(deal.price_minor, c, locale),
        regular_price=MoneyOut.of(deal.regular_price_minor, c, locale),
        lowest_price_30d=MoneyOut.of(deal.lowest_30d_minor, c, locale),
        stock_cap=deal.stock_cap,
        remaining=deal.stock_remaining,
        sold=deal.units_sold,
        per_buyer_limit=deal.per_buyer_limit,
        status=deal.status,
        announced_at=deal.announced_at,
        starts_at=deal.starts_at,
        ends_at=deal.ends_at,
        ended_at=deal.ended_at,
        end_reason=deal.end_reason,
        buy_url=f"/api/v1/flash/deals/{deal.id}/buy",
    )


async def room_card(session: AsyncSession, session_id: int) -> dict[str, Any] | None:
    """The card of the deal a live room shows now (the live's snapshot hook)."""
    deal = await service.room_deal(session, session_id)
    return None if deal is None else (await deal_out(session, deal)).model_dump(mode="json")


async def card_of(session: AsyncSession, deal_id: int) -> dict[str, Any] | None:
    deal = await service.get_deal(session, deal_id)
    return (await deal_out(session, deal)).model_dump(mode="json")
