from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query

from hawker.deps import CurrentOperator, CurrentUser, RuntimeDep, SessionDep
from hawker.kit.clock import as_utc
from hawker.kit.pagination import Page
from hawker.models import Order, OrderStatus
from hawker.orders import service
from hawker.orders.schemas import (
    CancelIn,
    OrderDetailOut,
    OrderPageOut,
    order_detail_out,
    order_out,
)
from hawker.routing import router as make_router
from hawker.schemas import Id

router = make_router(prefix="/orders", tags=["orders"])
seller_router = make_router(prefix="/seller/shops/{shop_id}/orders", tags=["orders"])
operator_router = make_router(prefix="/operator/orders", tags=["orders"])

StatusQuery = Annotated[
    list[OrderStatus] | None, Query(description="Repeat to match any of several statuses.")
]
FromQuery = Annotated[datetime | None, Query(description="Created at or after (UTC).")]
ToQuery = Annotated[datetime | None, Query(description="Created before (UTC).")]
TextQuery = Annotated[
    str | None,
    Query(max_length=100, description="Order id, product or SKU name, recipient name."),
]
LimitQuery = Annotated[int, Query(ge=1, le=100)]


def _filters(
    status: list[OrderStatus] | None,
    created_from: datetime | None,
    created_to: datetime | None,
    q: str | None,
) -> service.OrderFilters:
    return service.OrderFilters(
        statuses=tuple(s.value for s in status or ()),
        created_from=as_utc(created_from) if created_from else None,
        created_to=as_utc(created_to) if created_to else None,
        q=(q.strip() or None) if q else None,
    )


async def _page_out(session: SessionDep, page: Page[Order]) -> OrderPageOut:
    views = await service.views(session, page.items)
    return OrderPageOut(
        items=[order_out(v.order, v.lines, v.locale) for v in views],
        next_cursor=page.next_cursor,
    )


async def _detail_out(session: SessionDep, order: Order) -> OrderDetailOut:
    v = await service.view(session, order)
    return order_detail_out(
        v.order, v.lines, v.history, v.locale, payments=v.payments, refunds=v.refunds
    )


# --- buyer -------------------------------------------------------------------------------


@router.get("", response_model=OrderPageOut)
async def list_my_orders(
    session: SessionDep,
    user: CurrentUser,
    status: StatusQuery = None,
    created_from: FromQuery = None,
    created_to: ToQuery = None,
    q: TextQuery = None,
    cursor: str | None = None,
    limit: LimitQuery = 20,
) -> OrderPageOut:
    page = await service.list_for_buyer(
        session, user, _filters(status, created_from, created_to, q), cursor=cursor, limit=limit
    )
    return await _page_out(session, page)


@router.get("/{order_id}", response_model=OrderDetailOut)
async def get_my_order(order_id: Id, session: SessionDep, user: CurrentUser) -> OrderDetailOut:
    return await _detail_out(session, await service.get_for_buyer(session, user, order_id))


@router.post("/{order_id}/cancel", response_model=OrderDetailOut)
async def cancel_my_order(
    order_id: Id, body: CancelIn, session: SessionDep, user: CurrentUser, rt: RuntimeDep
) -> OrderDetailOut:
    order = await service.buyer_cancel(
        session, user, order_id, reason=body.reason, now=rt.clock.now()
    )
    return await _detail_out(session, order)


# --- seller ------------------------------------------------------------------------------


@seller_router.get("", response_model=OrderPageOut)
async def list_shop_orders(
    shop_id: Id,
    session: SessionDep,
    user: CurrentUser,
    status: StatusQuery = None,
    created_from: FromQuery = None,
    created_to: ToQuery = None,
    q: TextQuery = None,
    cursor: str | None = None,
    limit: LimitQuery = 20,
) -> OrderPageOut:
    page = await service.list_for_shop(
        session,
        user,
        shop_id,
        _filters(status, created_from, created_to, q),
        cursor=cursor,
        limit=limit,
    )
    return await _page_out(session, page)


@seller_router.get("/{order_id}", response_model=OrderDetailOut)
async def get_shop_order(
    shop_id: Id, order_id: Id, session: SessionDep, user: CurrentUser
) -> OrderDetailOut:
    return await _detail_out(session, await service.get_for_shop(session, user, shop_id, order_id))


@seller_router.post("/{order_id}/cancel", response_model=OrderDetailOut)
async def cancel_shop_order(
    shop_id: Id,
    order_id: Id,
    body: CancelIn,
    session: SessionDep,
    user: CurrentUser,
    rt: RuntimeDep,
) -> OrderDetailOut:
    order = await service.seller_cancel(
        session, user, shop_id, order_id, reason=body.reason, now=rt.clock.now()
    )
    return await _detail_out(session, order)


# --- operator ----------------------------------------------------------------------------


@operator_router.get("/{order_id}", response_model=OrderDetailOut)
async def get_any_order(
    order_id: Id, session: SessionDep, _operator: CurrentOperator
) -> OrderDetailOut:
    return await _detail_out(session, await service.get_order(session, order_id))
