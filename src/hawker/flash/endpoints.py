"""Flash deal endpoints: hosts and sellers create and stop deals; anyone reads them.

Buying is the plain ASGI route in buy.py (`BuyRoute`), outside FastAPI's routing and
dependency injection.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from hawker.deps import CurrentUser, RuntimeDep, SessionDep
from hawker.flash import cards, service
from hawker.flash.schemas import DealIn, DealOut
from hawker.routing import router as make_router
from hawker.schemas import Page

router = make_router(prefix="/flash", tags=["flash deals"])


Limit = Annotated[int, Query(ge=1, le=100)]


@router.post("/sessions/{session_id}/deals", status_code=201, response_model=DealOut)
async def create_deal(
    session_id: int, body: DealIn, session: SessionDep, user: CurrentUser, rt: RuntimeDep
) -> DealOut:
    """Announce a live flash deal in a live on air; the countdown starts now."""
    deal = await service.create_deal(
        session,
        user,
        session_id,
        service.NewDeal(
            sku_id=body.sku_id,
            price_minor=body.price_minor,
            currency=body.currency,
            stock_cap=body.stock_cap,
            per_buyer_limit=body.per_buyer_limit,
            countdown_seconds=body.countdown_seconds,
            duration_minutes=body.duration_minutes,
            warehouse_id=body.warehouse_id,
        ),
        now=rt.clock.now(),
    )
    return await cards.deal_out(session, deal)


@router.get("/sessions/{session_id}/deals", response_model=Page[DealOut])
async def list_deals(
    session_id: int,
    session: SessionDep,
    cursor: str | None = None,
    limit: Limit = 20,
) -> Page[DealOut]:
    """The live's flash deals, newest first."""
    page = await service.list_for_session(session, session_id, cursor=cursor, limit=limit)
    return Page[DealOut](
        items=[await cards.deal_out(session, d) for d in page.items],
        next_cursor=page.next_cursor,
    )


@router.get("/deals/{deal_id}", response_model=DealOut)
async def get_deal(deal_id: int, session: SessionDep) -> DealOut:
    return await cards.deal_out(session, await service.get_deal(session, deal_id))


@router.post("/deals/{deal_id}/cancel", response_model=DealOut)
async def cancel_deal(
    deal_id: int, session: SessionDep, user: CurrentUser, rt: RuntimeDep
) -> DealOut:
    """Stop a deal early; the units left go back to the warehouse."""
    deal = await service.cancel_deal(session, user, deal_id, now=rt.clock.now())
    return await cards.deal_out(session, deal)
