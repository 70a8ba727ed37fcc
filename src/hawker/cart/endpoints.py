from __future__ import annotations

from typing import TypeVar

from fastapi import Response

from hawker.cart import service
from hawker.cart.schemas import CartItemIn, CartOut, CartQuantityIn, QuoteOut, cart_out, quote_out
from hawker.deps import CurrentUser, RuntimeDep, SessionDep
from hawker.fulfillment import service as fulfillment
from hawker.fulfillment.schemas import estimate_out
from hawker.routing import router as make_router
from hawker.runtime import Runtime
from hawker.schemas import Id

router = make_router(prefix="/cart", tags=["cart"])

Q = TypeVar("Q", bound=QuoteOut)


async def _estimated(session: SessionDep, rt: Runtime, out: Q) -> Q:
    """Each shop's delivery estimate, from the fulfilment rules."""
    found = await fulfillment.estimate_shops(
        session,
        {s.shop_id: [(ln.sku_id, ln.quantity) for ln in s.lines] for s in out.shops},
        market_by_shop={s.shop_id: s.market_code for s in out.shops},
        country_code=None,
        postal_code=None,
        now=rt.clock.now(),
        settings=rt.settings,
    )
    for shop in out.shops:
        shop.delivery_estimate = estimate_out(found.get(shop.shop_id))
    return out


@router.get("", response_model=CartOut)
async def get_cart(session: SessionDep, user: CurrentUser, rt: RuntimeDep) -> CartOut:
    return await _estimated(session, rt, cart_out(await service.view(session, user)))


@router.get("/quote", response_model=QuoteOut)
async def get_quote(session: SessionDep, user: CurrentUser, rt: RuntimeDep) -> QuoteOut:
    view = await service.view(session, user)
    return await _estimated(
        session, rt, quote_out(view.quote, view.lines, view.locales, view.customs)
    )


@router.post("/items", response_model=CartOut)
async def add_item(
    body: CartItemIn, session: SessionDep, user: CurrentUser, rt: RuntimeDep
) -> CartOut:
    await service.add_item(
        session,
        user,
        sku_id=body.sku_id,
        quantity=body.quantity,
        now=rt.clock.now(),
        settings=rt.settings,
    )
    return await _estimated(session, rt, cart_out(await service.view(session, user)))


@router.patch("/items/{sku_id}", response_model=CartOut)
async def set_quantity(
    sku_id: Id, body: CartQuantityIn, session: SessionDep, user: CurrentUser, rt: RuntimeDep
) -> CartOut:
    await service.set_quantity(
        session, user, sku_id=sku_id, quantity=body.quantity, settings=rt.settings
    )
    return await _estimated(session, rt, cart_out(await service.view(session, user)))


@router.delete("/items/{sku_id}", response_model=CartOut)
async def remove_item(
    sku_id: Id, session: SessionDep, user: CurrentUser, rt: RuntimeDep
) -> CartOut:
    await service.remove_item(session, user, sku_id=sku_id)
    return await _estimated(session, rt, cart_out(await service.view(session, user)))


@router.delete("", status_code=204)
async def clear_cart(session: SessionDep, user: CurrentUser) -> Response:
    await service.clear(session, user)
    return Response(status_code=204)
