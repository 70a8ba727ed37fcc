from __future__ import annotations

from fastapi import Response

from hawker.cart import service
from hawker.cart.schemas import CartItemIn, CartOut, CartQuantityIn, QuoteOut, cart_out, quote_out
from hawker.deps import CurrentUser, RuntimeDep, SessionDep
from hawker.routing import router as make_router

router = make_router(prefix="/cart", tags=["cart"])


@router.get("", response_model=CartOut)
async def get_cart(session: SessionDep, user: CurrentUser) -> CartOut:
    return cart_out(await service.view(session, user))


@router.get("/quote", response_model=QuoteOut)
async def get_quote(session: SessionDep, user: CurrentUser) -> QuoteOut:
    view = await service.view(session, user)
    return quote_out(view.quote, view.lines, view.locales)


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
    return cart_out(await service.view(session, user))


@router.patch("/items/{sku_id}", response_model=CartOut)
async def set_quantity(
    sku_id: int, body: CartQuantityIn, session: SessionDep, user: CurrentUser, rt: RuntimeDep
) -> CartOut:
    await service.set_quantity(
        session, user, sku_id=sku_id, quantity=body.quantity, settings=rt.settings
    )
    return cart_out(await service.view(session, user))


@router.delete("/items/{sku_id}", response_model=CartOut)
async def remove_item(sku_id: int, session: SessionDep, user: CurrentUser) -> CartOut:
    await service.remove_item(session, user, sku_id=sku_id)
    return cart_out(await service.view(session, user))


@router.delete("", status_code=204)
async def clear_cart(session: SessionDep, user: CurrentUser) -> Response:
    await service.clear(session, user)
    return Response(status_code=204)
