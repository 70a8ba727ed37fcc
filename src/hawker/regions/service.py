from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.errors import NotFound
from hawker.models import Market


class MarketNotFound(NotFound):
    """No such market."""

    code = "market_not_found"


async def list_markets(session: AsyncSession, *, active_only: bool = True) -> list[Market]:
    q = select(Market).order_by(Market.code)
    if active_only:
        q = q.where(Market.is_active.is_(True))
    return list((await session.scalars(q)).all())


async def get_market(session: AsyncSession, code: str) -> Market:
    market = await session.get(Market, code.upper())
    if market is None or not market.is_active:
        raise MarketNotFound(f"There is no market {code!r}.")
    return market
