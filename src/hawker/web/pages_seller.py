"""Seller center: applying for a shop, my shops, warehouses, stock and orders.

Products live in `hawker.web.pages_seller_products`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Query, Request, Response

from hawker.deps import RuntimeDep, SessionDep
from hawker.errors import HawkerError
from hawker.inventory import service as inventory
from hawker.models import OrderStatus, Stock, UserRole
from hawker.orders import service as orders
from hawker.orders.state import SELLER_CANCELLABLE
from hawker.routing import router as make_router
from hawker.shops import service as shops
from hawker.shops import warehouses
from hawker.shops.schemas import ShopApply, WarehouseCreate
from hawker.web.forms import FieldErrors, Form, attempt, parse_id, parse_int, read_form, validate
from hawker.web.order_timeline import timeline
from hawker.web.pages_orders import Tab, cancel_reason, tab_of
from hawker.web.rendering import redirect, render
from hawker.web.seller_context import SellerShop, seller_shop
from hawker.web.shop_skus import shop_sku_choices
from hawker.web.visitor import MemberDep, Visitor, user_of

router = make_router(prefix="/seller", include_in_schema=False)

S = OrderStatus
PAGE_SIZE = 20
Cursor = Annotated[str | None, Query(max_length=500)]

SELLER_ORDER_TABS: tuple[Tab, ...] = (
    Tab("to_ship", "To ship", (S.AWAITING_SHIPMENT, S.PARTIALLY_SHIPPING)),
    Tab("on_hold", "On hold", (S.ON_HOLD,)),
    Tab("unpaid", "Unpaid", (S.UNPAID,)),
    Tab("shipped", "Shipped", (S.AWAITING_COLLECTION, S.IN_TRANSIT)),
    Tab("delivered", "Delivered", (S.DELIVERED, S.COMPLETED)),
    Tab("cancelled", "Cancelled", (S.CANCELLED,)),
    Tab("all", "All", ()),
)
SELLER_CANCEL_REASONS = (
    "Out of stock",
    "Pricing error",
    "The buyer asked to cancel",
    "Cannot ship to this address",
)


def _page(
    request: Request,
    template: str,
    visitor: Visitor,
    ctx: SellerShop | None,
    context: dict[str, Any],
    *,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        template,
        visitor,
        {"seller": ctx, **context},
        status_code=status_code,
    )


# My shops and applying ------------------------------------------------------------------------


@router.get("")
async def my_shops(
    request: Request, visitor: MemberDep, session: SessionDep, cursor: Cursor = None
) -> Response:
    page = await shops.my_shops(session, user_of(visitor), cursor=cursor, limit=PAGE_SIZE)
    return _page(
        request,
        "seller/index.html",
        visitor,
        None,
        {
            "section": "shops",
            "shops": page.items,
            "next_cursor": page.next_cursor,
            "paged": cursor is not None,
        },
    )


def _apply_page(
    request: Request,
    visitor: Visitor,
    values: dict[str, str],
    errors: FieldErrors,
    *,
    status_code: int = 200,
) -> Response:
    return _page(
        request,
        "seller/apply.html",
        visitor,
        None,
        {"section": "shops", "values": values, "errors": errors},
        status_code=status_code,
    )


@router.get("/apply")
async def apply_page(request: Request, visitor: MemberDep) -> Response:
    user = user_of(visitor)
    values = {
        "market_code": visitor.market.code,
        "seller_type": "LOCAL",
        "contact_email": user.email,
    }
    return _apply_page(request, visitor, values, FieldErrors())


APPLY_FIELDS = (
    "name",
    "market_code",
    "seller_type",
    "description",
    "contact_email",
    "business_name",
    "business_registration_number",
)


@router.post("/apply")
async def apply(
    request: Request, visitor: MemberDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    form = await read_form(request)
    user = user_of(visitor)
    values = {f: form.get(f) for f in APPLY_FIELDS}
    errors = FieldErrors()
    if user.role == UserRole.OPERATOR:
        errors.add("_form", "Platform operators cannot own shops.")
    body = validate(ShopApply, dict(values), errors)
    if body is not None and not errors:
        try:
            shop, _ = await attempt(
                session,
                lambda: shops.apply_for_shop(
                    session,
                    user,
                    name=body.name,
                    market_code=body.market_code,
                    seller_type=body.seller_type,
                    description=body.description,
                    contact_email=str(body.contact_email),
                    business_name=body.business_name,
                    business_registration_number=body.business_registration_number,
                    now=rt.clock.now(),
                ),
            )
        except shops.ShopNameTaken as exc:
            errors.add("name", exc.message)
        except HawkerError as exc:
            errors.add("_form", exc.message)
        else:
            return redirect(
                request,
                f"/seller/shops/{shop.id}",
                flash="Application sent! We'll review your shop shortly.",
            )
    return _apply_page(request, visitor, values, errors, status_code=400)


# Shop overview --------------------------------------------------------------------------------


@router.get("/shops/{shop_id}")
async def overview(
    request: Request, shop_id: str, visitor: MemberDep, session: SessionDep
) -> Response:
    user = user_of(visitor)
    ctx = await seller_shop(session, user, shop_id)
    to_ship = await orders.list_for_shop(
        session,
        user,
        ctx.shop.id,
        orders.OrderFilters(statuses=SELLER_ORDER_TABS[0].statuses),
        cursor=None,
        limit=50,
    )
    stock_rows, _ = await inventory.list_stock(session, shop_id=ctx.shop.id, low_stock=3, limit=50)
    return _page(
        request,
        "seller/overview.html",
        visitor,
        ctx,
        {
            "section": "overview",
            "to_ship": len(to_ship.items),
            "to_ship_more": to_ship.next_cursor is not None,
            "low_stock": len(stock_rows),
            "warehouse_count": len(await shops.list_warehouses(session, ctx.shop.id)),
        },
    )


# Warehouses -----------------------------------------------------------------------------------

WAREHOUSE_FIELDS = (
    "type",
    "name",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country_code",
    "latitude",
    "longitude",
    "cutoff_hour",
)


async def _warehouses_page(
    request: Request,
    visitor: Visitor,
    session: SessionDep,
    ctx: SellerShop,
    values: dict[str, str],
    errors: FieldErrors,
    *,
    status_code: int = 200,
) -> Response:
    return _page(
        request,
        "seller/warehouses.html",
        visitor,
        ctx,
        {
            "section": "warehouses",
            "warehouses": await shops.list_warehouses(session, ctx.shop.id),
            "values": values,
            "errors": errors,
        },
        status_code=status_code,
    )


@router.get("/shops/{shop_id}/warehouses")
async def warehouses_page(
    request: Request, shop_id: str, visitor: MemberDep, session: SessionDep
) -> Response:
    ctx = await seller_shop(session, user_of(visitor), shop_id)
    values = {
        "type": "SALES_WAREHOUSE",
        "country_code": ctx.shop.market_code,
        "cutoff_hour": "14",
    }
    return await _warehouses_page(request, visitor, session, ctx, values, FieldErrors())


def _warehouse_data(form: Form) -> dict[str, Any]:
    data: dict[str, Any] = {f: form.get(f) for f in WAREHOUSE_FIELDS}
    data["is_default"] = form.checked("is_default")
    if data["cutoff_hour"].isdigit():
        data["cutoff_hour"] = int(data["cutoff_hour"])
    for key in ("latitude", "longitude"):
        with contextlib.suppress(ArithmeticError):  # left as typed: validation explains
            data[key] = Decimal(data[key]) if data[key] else None
    return data


@router.post("/shops/{shop_id}/warehouses")
async def create_warehouse(
    request: Request, shop_id: str, visitor: MemberDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    form = await read_form(request)
    user = user_of(visitor)
    ctx = await seller_shop(session, user, shop_id)
    values = form.values()
    errors = FieldErrors()
    body = validate(WarehouseCreate, _warehouse_data(form), errors)
    if body is not None and not errors:
        fields = body.model_dump()
        try:
            created = await attempt(
                session,
                lambda: warehouses.create_warehouse(
                    session, user, ctx.shop.id, **fields, now=rt.clock.now()
                ),
            )
        except HawkerError as exc:
            errors.add("_form", exc.message)
        else:
            return redirect(
                request, f"{ctx.base}/warehouses", flash=f"Warehouse {created.name} added."
            )
    return await _warehouses_page(request, visitor, session, ctx, values, errors, status_code=400)


@router.post("/shops/{shop_id}/warehouses/{warehouse_id}/default")
async def make_default(
    request: Request,
    shop_id: str,
    warehouse_id: str,
    visitor: MemberDep,
    session: SessionDep,
    rt: RuntimeDep,
) -> Response:
    await read_form(request)
    user = user_of(visitor)
    ctx = await seller_shop(session, user, shop_id)
    wid = parse_id(warehouse_id)
    if wid is None:
        raise warehouses.WarehouseNotFound("There is no such warehouse in this shop.")
    try:
        done = await attempt(
            session,
            lambda: warehouses.update_warehouse(
                session, user, ctx.shop.id, wid, changes={"is_default": True}, now=rt.clock.now()
            ),
        )
    except HawkerError as exc:
        return redirect(request, f"{ctx.base}/warehouses", flash=exc.message, level="error")
    return redirect(
        request, f"{ctx.base}/warehouses", flash=f"{done.name} is now the default warehouse."
    )


# Stock ----------------------------------------------------------------------------------------


async def _stock_page(
    request: Request,
    visitor: Visitor,
    session: SessionDep,
    ctx: SellerShop,
    *,
    warehouse: str | None,
    q: str | None,
    cursor: str | None,
    values: dict[str, str],
    errors: FieldErrors,
    status_code: int = 200,
) -> Response:
    warehouse_id = parse_id(warehouse)
    rows, next_cursor = await inventory.list_stock(
        session,
        shop_id=ctx.shop.id,
        warehouse_id=warehouse_id,
        q=q or None,
        cursor=cursor,
        limit=PAGE_SIZE,
    )
    return _page(
        request,
        "seller/stock.html",
        visitor,
        ctx,
        {
            "section": "stock",
            "rows": rows,
            "next_cursor": next_cursor,
            "paged": cursor is not None,
            "filters": {"warehouse": warehouse or "", "q": q or ""},
            "warehouses": await shops.list_warehouses(session, ctx.shop.id),
            "skus": await shop_sku_choices(session, ctx.shop.id),
            "values": values,
            "errors": errors,
        },
        status_code=status_code,
    )


@router.get("/shops/{shop_id}/stock")
async def stock_page(
    request: Request,
    shop_id: str,
    visitor: MemberDep,
    session: SessionDep,
    warehouse: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    sku: Annotated[str | None, Query(max_length=20)] = None,
    cursor: Cursor = None,
) -> Response:
    ctx = await seller_shop(session, user_of(visitor), shop_id)
    values = {"receipt-sku_id": sku or "", "adjust-sku_id": sku or ""}
    return await _stock_page(
        request,
        visitor,
        session,
        ctx,
        warehouse=warehouse,
        q=q,
        cursor=cursor,
        values=values,
        errors=FieldErrors(),
    )


async def _stock_target(
    session: SessionDep, ctx: SellerShop, form: Form, prefix: str, errors: FieldErrors
) -> tuple[int, int] | None:
    sku_id = parse_id(form.get(f"{prefix}-sku_id"))
    warehouse_id = parse_id(form.get(f"{prefix}-warehouse_id"))
    if sku_id is None:
        errors.add(f"{prefix}-sku_id", "Choose a product variant.")
    if warehouse_id is None:
        errors.add(f"{prefix}-warehouse_id", "Choose a warehouse.")
    if sku_id is None or warehouse_id is None:
        return None
    try:
        await inventory.require_sku_in_shop(session, ctx.shop.id, sku_id)
    except HawkerError:
        errors.add(f"{prefix}-sku_id", "Choose a product variant of this shop.")
        return None
    try:
        await inventory.require_warehouse_in_shop(session, ctx.shop.id, warehouse_id)
    except HawkerError:
        errors.add(f"{prefix}-warehouse_id", "Choose one of this shop's warehouses.")
        return None
    return sku_id, warehouse_id


@router.post("/shops/{shop_id}/stock/receipts")
async def receive_stock(
    request: Request, shop_id: str, visitor: MemberDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    form = await read_form(request)
    user = user_of(visitor)
    ctx = await seller_shop(session, user, shop_id)
    errors = FieldErrors()
    target = await _stock_target(session, ctx, form, "receipt", errors)
    quantity = 0
    try:
        quantity = parse_int(
            form.get("receipt-quantity"), minimum=1, maximum=inventory.MAX_QUANTITY
        )
    except ValueError as exc:
        errors.add("receipt-quantity", str(exc))
    note = form.get("receipt-note")
    if len(note) > 255:
        errors.add("receipt-note", "Keep the note under 255 characters.")

    async def receive() -> Stock:
        assert target is not None
        return await inventory.receive(
            session,
            sku_id=target[0],
            warehouse_id=target[1],
            quantity=quantity,
            now=rt.clock.now(),
            actor_id=user.id,
            note=note,
        )

    def done(stock: Stock) -> str:
        available = stock.on_hand - stock.reserved
        return f"Received {quantity} units; {available} available in that warehouse."

    return await _stock_change(
        request,
        visitor,
        session,
        ctx,
        form,
        errors,
        "receipt",
        receive if target is not None else None,
        done,
    )


@router.post("/shops/{shop_id}/stock/adjustments")
async def adjust_stock(
    request: Request, shop_id: str, visitor: MemberDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    form = await read_form(request)
    user = user_of(visitor)
    ctx = await seller_shop(session, user, shop_id)
    errors = FieldErrors()
    target = await _stock_target(session, ctx, form, "adjust", errors)
    delta = 0
    try:
        delta = parse_int(
            form.get("adjust-delta"),
            minimum=-inventory.MAX_QUANTITY,
            maximum=inventory.MAX_QUANTITY,
        )
        if delta == 0:
            errors.add("adjust-delta", "Enter the units to add (like 5) or remove (like -2).")
    except ValueError as exc:
        errors.add("adjust-delta", str(exc))
    note = form.get("adjust-note")
    if not note:
        errors.add("adjust-note", 'Say why the count changes, e.g. "damaged in storage".')
    elif len(note) > 255:
        errors.add("adjust-note", "Keep the note under 255 characters.")

    async def adjust() -> Stock:
        assert target is not None
        return await inventory.adjust(
            session,
            sku_id=target[0],
            warehouse_id=target[1],
            delta=delta,
            now=rt.clock.now(),
            actor_id=user.id,
            note=note,
        )

    def done(stock: Stock) -> str:
        return f"Stock adjusted by {delta:+d}; {stock.on_hand} on hand."

    return await _stock_change(
        request,
        visitor,
        session,
        ctx,
        form,
        errors,
        "adjust",
        adjust if target is not None else None,
        done,
    )


async def _stock_change(
    request: Request,
    visitor: Visitor,
    session: SessionDep,
    ctx: SellerShop,
    form: Form,
    errors: FieldErrors,
    prefix: str,
    change: Callable[[], Awaitable[Stock]] | None,
    done: Callable[[Stock], str],
) -> Response:
    """A stock form's change (None when it names no SKU and warehouse): made, then back to
    the stock page with `done`'s notice; or the page again with what was wrong (400)."""
    if change is not None and not errors:
        try:
            stock = await attempt(session, change)
        except HawkerError as exc:
            errors.add(f"{prefix}-_form", exc.message)
        else:
            return redirect(request, f"{ctx.base}/stock", flash=done(stock))
    return await _stock_page(
        request,
        visitor,
        session,
        ctx,
        warehouse=None,
        q=None,
        cursor=None,
        values=form.values(),
        errors=errors,
        status_code=400,
    )


# Orders ---------------------------------------------------------------------------------------


@router.get("/shops/{shop_id}/orders")
async def shop_orders(
    request: Request,
    shop_id: str,
    visitor: MemberDep,
    session: SessionDep,
    status: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    cursor: Cursor = None,
) -> Response:
    user = user_of(visitor)
    ctx = await seller_shop(session, user, shop_id)
    tab = tab_of(SELLER_ORDER_TABS, status)
    page = await orders.list_for_shop(
        session,
        user,
        ctx.shop.id,
        orders.OrderFilters(statuses=tab.statuses, q=(q or "").strip() or None),
        cursor=cursor,
        limit=PAGE_SIZE,
    )
    return _page(
        request,
        "seller/orders.html",
        visitor,
        ctx,
        {
            "section": "orders",
            "tabs": SELLER_ORDER_TABS,
            "tab": tab,
            "q": q or "",
            "views": await orders.views(session, page.items),
            "market": visitor.market_of(ctx.shop.market_code),
            "next_cursor": page.next_cursor,
            "paged": cursor is not None,
        },
    )


async def _shop_order_page(
    request: Request,
    visitor: Visitor,
    session: SessionDep,
    ctx: SellerShop,
    order_id: int,
    *,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> Response:
    order = await orders.get_for_shop(session, user_of(visitor), ctx.shop.id, order_id)
    view = await orders.view(session, order)
    return _page(
        request,
        "seller/order.html",
        visitor,
        ctx,
        {
            "section": "orders",
            "view": view,
            "order": view.order,
            "market": visitor.market_of(order.market_code),
            "steps": timeline(view.order, view.history, for_seller=True),
            "can_cancel": view.order.status in SELLER_CANCELLABLE,
            "reasons": SELLER_CANCEL_REASONS,
            "errors": errors or FieldErrors(),
        },
        status_code=status_code,
    )


def _order_id(value: str) -> int:
    order_id = parse_id(value)
    if order_id is None:
        raise orders.OrderNotFound("There is no such order.")
    return order_id


@router.get("/shops/{shop_id}/orders/{order_id}")
async def shop_order(
    request: Request, shop_id: str, order_id: str, visitor: MemberDep, session: SessionDep
) -> Response:
    ctx = await seller_shop(session, user_of(visitor), shop_id)
    return await _shop_order_page(request, visitor, session, ctx, _order_id(order_id))


@router.post("/shops/{shop_id}/orders/{order_id}/cancel")
async def cancel_shop_order(
    request: Request,
    shop_id: str,
    order_id: str,
    visitor: MemberDep,
    session: SessionDep,
    rt: RuntimeDep,
) -> Response:
    form = await read_form(request)
    user = user_of(visitor)
    ctx = await seller_shop(session, user, shop_id)
    oid = _order_id(order_id)
    errors = FieldErrors()
    reason = cancel_reason(form.get("reason"), form.get("other"), errors)
    if reason is not None:
        why = reason
        try:
            await attempt(
                session,
                lambda: orders.seller_cancel(
                    session, user, ctx.shop.id, oid, reason=why, now=rt.clock.now()
                ),
            )
        except HawkerError as exc:
            errors.add("_form", exc.message)
        else:
            return redirect(
                request,
                f"{ctx.base}/orders/{oid}",
                flash="Order cancelled; the buyer is refunded and the stock released.",
            )
    return await _shop_order_page(
        request,
        visitor,
        session,
        ctx,
        oid,
        errors=errors,
        status_code=409 if "_form" in errors else 400,
    )
