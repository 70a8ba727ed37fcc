"""HTTP wiring for customs: sellers declare goods and choose DDP or DDU, operators keep the
duty tables, anyone may read a market's duty table."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from hawker.customs import service
from hawker.customs.schemas import (
    CustomsProfileIn,
    DutyModeIn,
    DutyTableIn,
    DutyTableOut,
    ProductCustomsOut,
    ProductCustomsPageOut,
    ShopCustomsOut,
    duty_table_out,
    product_customs_out,
    shop_customs_out,
)
from hawker.deps import CurrentOperator, CurrentUser, RuntimeDep, SessionDep
from hawker.routing import router as make_router
from hawker.schemas import Id

router = make_router(prefix="/customs", tags=["customs"])
seller_router = make_router(prefix="/seller/shops/{shop_id}", tags=["seller: customs"])
operator_router = make_router(prefix="/operator/customs", tags=["operator: customs"])

# --- anyone ---------------------------------------------------------------------------------------


@router.get("/duty-tables/{market_code}", response_model=DutyTableOut)
async def duty_table(market_code: str, session: SessionDep) -> DutyTableOut:
    """How duties are worked out for parcels into this market."""
    return duty_table_out(await service.get_duty_table(session, market_code))


# --- sellers --------------------------------------------------------------------------------------


@seller_router.get("/customs", response_model=ShopCustomsOut)
async def shop_customs(shop_id: Id, session: SessionDep, user: CurrentUser) -> ShopCustomsOut:
    return shop_customs_out(await service.get_shop_terms(session, user, shop_id))


@seller_router.put("/customs", response_model=ShopCustomsOut)
async def set_duty_mode(
    shop_id: Id, body: DutyModeIn, session: SessionDep, user: CurrentUser, rt: RuntimeDep
) -> ShopCustomsOut:
    """DDP: buyers pay duties and import taxes at checkout. DDU: on delivery. Owners only."""
    terms = await service.set_duty_mode(
        session, user, shop_id, duty_mode=body.duty_mode, now=rt.clock.now()
    )
    return shop_customs_out(terms)


@seller_router.get("/customs/products", response_model=ProductCustomsPageOut)
async def list_product_customs(
    shop_id: Id,
    session: SessionDep,
    user: CurrentUser,
    missing: Annotated[bool, Query(description="Only products without a declaration.")] = False,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ProductCustomsPageOut:
    page = await service.list_profiles(
        session, user, shop_id, missing_only=missing, cursor=cursor, limit=limit
    )
    return ProductCustomsPageOut(
        items=[product_customs_out(v) for v in page.items], next_cursor=page.next_cursor
    )


@seller_router.get("/products/{product_id}/customs", response_model=ProductCustomsOut)
async def get_product_customs(
    shop_id: Id, product_id: Id, session: SessionDep, user: CurrentUser
) -> ProductCustomsOut:
    return product_customs_out(await service.get_profile(session, user, shop_id, product_id))


@seller_router.put("/products/{product_id}/customs", response_model=ProductCustomsOut)
async def set_product_customs(
    shop_id: Id,
    product_id: Id,
    body: CustomsProfileIn,
    session: SessionDep,
    user: CurrentUser,
    rt: RuntimeDep,
) -> ProductCustomsOut:
    """Declare the product for customs (replaces an earlier declaration)."""
    view = await service.set_profile(
        session,
        user,
        shop_id,
        product_id,
        hs_code=body.hs_code,
        declared_value_minor=body.declared_value_minor,
        declared_currency=body.declared_currency,
        origin_country=body.origin_country,
        description_en=body.description_en,
        now=rt.clock.now(),
    )
    return product_customs_out(view)


@seller_router.delete("/products/{product_id}/customs", status_code=204)
async def delete_product_customs(
    shop_id: Id, product_id: Id, session: SessionDep, user: CurrentUser
) -> Response:
    await service.delete_profile(session, user, shop_id, product_id)
    return Response(status_code=204)


# --- operators ------------------------------------------------------------------------------------


@operator_router.get("/duty-tables", response_model=list[DutyTableOut])
async def list_duty_tables(session: SessionDep, _operator: CurrentOperator) -> list[DutyTableOut]:
    return [duty_table_out(v) for v in await service.list_duty_tables(session)]


@operator_router.get("/duty-tables/{market_code}", response_model=DutyTableOut)
async def get_duty_table(
    market_code: str, session: SessionDep, _operator: CurrentOperator
) -> DutyTableOut:
    return duty_table_out(await service.get_duty_table(session, market_code))


@operator_router.put("/duty-tables/{market_code}", response_model=DutyTableOut)
async def replace_duty_table(
    market_code: str,
    body: DutyTableIn,
    session: SessionDep,
    operator: CurrentOperator,
    rt: RuntimeDep,
) -> DutyTableOut:
    """Replace the market's duty table (audited)."""
    view = await service.replace_duty_table(
        session,
        operator,
        market_code,
        de_minimis_minor=body.de_minimis_minor,
        default_rate=body.default_rate,
        chapter_rates=[(c.hs_chapter, c.rate) for c in body.chapter_rates],
        exchange_rates=[(r.currency, r.rate) for r in body.exchange_rates],
        now=rt.clock.now(),
    )
    return duty_table_out(view)
