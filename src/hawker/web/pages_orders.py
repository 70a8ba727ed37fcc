"""The buyer's orders: the list with a status filter, the detail with its timeline, and
cancelling while the order is unpaid or on hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Query, Request, Response

from hawker.deps import RuntimeDep, SessionDep
from hawker.errors import HawkerError
from hawker.fulfillment import service as fulfillment
from hawker.models import Order, OrderStatus
from hawker.orders import service as orders
from hawker.orders.state import BUYER_CANCELLABLE
from hawker.routing import router as make_router
from hawker.runtime import Runtime
from hawker.shops import service as shops
from hawker.web.forms import FieldErrors, attempt, parse_id, read_form
from hawker.web.order_timeline import timeline
from hawker.web.rendering import redirect, render
from hawker.web.visitor import MemberDep, Visitor, user_of

router = make_router(include_in_schema=False)

PAGE_SIZE = 10
S = OrderStatus


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    statuses: tuple[str, ...]


BUYER_TABS: tuple[Tab, ...] = (
    Tab("all", "All", ()),
    Tab("unpaid", "To pay", (S.UNPAID,)),
    Tab("on_hold", "On hold", (S.ON_HOLD,)),
    Tab("to_ship", "To ship", (S.AWAITING_SHIPMENT, S.PARTIALLY_SHIPPING, S.AWAITING_COLLECTION)),
    Tab("shipped", "Shipped", (S.IN_TRANSIT,)),
    Tab("delivered", "Delivered", (S.DELIVERED, S.COMPLETED)),
    Tab("cancelled", "Cancelled", (S.CANCELLED,)),
)

CANCEL_REASONS = (
    "Changed my mind",
    "Ordered by mistake",
    "Found a better price",
    "Delivery takes too long",
)


def tab_of(tabs: tuple[Tab, ...], key: str | None) -> Tab:
    return next((t for t in tabs if t.key == key), tabs[0])


async def shop_names(session: SessionDep, items: list[Order]) -> dict[int, str]:
    return {
        shop_id: (await shops.get_shop(session, shop_id)).name
        for shop_id in {o.shop_id for o in items}
    }


def _order_or_404(value: str) -> int:
    order_id = parse_id(value)
    if order_id is None:
        raise orders.OrderNotFound("There is no such order.")
    return order_id


@router.get("/orders")
async def order_list(
    request: Request,
    visitor: MemberDep,
    session: SessionDep,
    status: Annotated[str | None, Query(max_length=20)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    tab = tab_of(BUYER_TABS, status)
    page = await orders.list_for_buyer(
        session,
        user_of(visitor),
        orders.OrderFilters(statuses=tab.statuses),
        cursor=cursor,
        limit=PAGE_SIZE,
    )
    views = await orders.views(session, page.items)
    return render(
        request,
        "buyer/orders.html",
        visitor,
        {
            "section": "orders",
            "tabs": BUYER_TABS,
            "tab": tab,
            "views": views,
            "shop_names": await shop_names(session, page.items),
            "next_cursor": page.next_cursor,
            "paged": cursor is not None,
        },
    )


async def _order_page(
    request: Request,
    visitor: Visitor,
    session: SessionDep,
    rt: Runtime,
    order: Order,
    *,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> Response:
    view = await orders.view(session, order)
    shop = await shops.get_shop(session, order.shop_id)
    tracking = await fulfillment.tracking_for_buyer(
        session, user_of(visitor), order.id, now=rt.clock.now(), settings=rt.settings
    )
    return render(
        request,
        "buyer/order.html",
        visitor,
        {
            "section": "orders",
            "view": view,
            "order": view.order,
            "shop": shop,
            "market": visitor.market_of(order.market_code),
            "steps": timeline(view.order, view.history),
            "can_cancel": view.order.status in BUYER_CANCELLABLE,
            "tracking": tracking,
            "reasons": CANCEL_REASONS,
            "errors": errors or FieldErrors(),
        },
        status_code=status_code,
    )


@router.get("/orders/{order_id}")
async def order_page(
    request: Request, order_id: str, visitor: MemberDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    order = await orders.get_for_buyer(session, user_of(visitor), _order_or_404(order_id))
    return await _order_page(request, visitor, session, rt, order)


def cancel_reason(choice: str, other: str, errors: FieldErrors) -> str | None:
    """The reason a cancel form gives: a listed one, or the buyer's own words for "Other"."""
    reason = other if choice == "other" else choice
    if not reason:
        errors.add("other" if choice == "other" else "reason", "Tell us why you're cancelling.")
        return None
    if len(reason) > 255:
        errors.add("other", "Keep the reason under 255 characters.")
        return None
    return reason


@router.post("/orders/{order_id}/cancel")
async def cancel(
    request: Request, order_id: str, visitor: MemberDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    form = await read_form(request)
    user = user_of(visitor)
    oid = _order_or_404(order_id)
    order = await orders.get_for_buyer(session, user, oid)
    errors = FieldErrors()
    reason = cancel_reason(form.get("reason"), form.get("other"), errors)
    if reason is not None:
        why = reason
        try:
            await attempt(
                session,
                lambda: orders.buyer_cancel(session, user, oid, reason=why, now=rt.clock.now()),
            )
        except HawkerError as exc:
            errors.add("_form", exc.message)
        else:
            return redirect(
                request,
                f"/orders/{oid}",
                flash="Your order is cancelled. Any payment is refunded to your card.",
            )
        order = await orders.get_for_buyer(session, user, oid)
    return await _order_page(
        request,
        visitor,
        session,
        rt,
        order,
        errors=errors,
        status_code=409 if "_form" in errors else 400,
    )
