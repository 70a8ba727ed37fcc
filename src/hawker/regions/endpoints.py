from __future__ import annotations

from hawker.deps import SessionDep
from hawker.models import Market
from hawker.regions import service
from hawker.regions.schemas import MarketOut
from hawker.routing import router as make_router
from hawker.schemas import MoneyOut

router = make_router(prefix="/markets", tags=["markets"])


def market_out(m: Market) -> MarketOut:
    threshold = m.free_shipping_threshold_minor
    return MarketOut(
        code=m.code,
        name=m.name,
        currency=m.currency,
        locale=m.locale,
        timezone=m.timezone,
        tax_mode=m.tax_mode,
        tax_rate=m.tax_rate,
        shipping_fee=MoneyOut.of(m.shipping_fee_minor, m.currency, m.locale),
        free_shipping_threshold=(
            MoneyOut.of(threshold, m.currency, m.locale) if threshold is not None else None
        ),
    )


@router.get("", response_model=list[MarketOut])
async def list_markets(session: SessionDep) -> list[MarketOut]:
    return [market_out(m) for m in await service.list_markets(session)]


@router.get("/{code}", response_model=MarketOut)
async def get_market(code: str, session: SessionDep) -> MarketOut:
    return market_out(await service.get_market(session, code))
