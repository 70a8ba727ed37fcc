"""HTTP wiring for the seller center's inventory: stock levels, receipts, adjustments, movements."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from hawker.deps import CurrentUser, RuntimeDep, SessionDep
from hawker.inventory import service
from hawker.inventory.schemas import AdjustmentIn, MovementOut, ReceiptIn, StockOut
from hawker.models import MovementKind, Stock
from hawker.routing import router as make_router
from hawker.schemas import Id, Page
from hawker.shops.service import require_member

seller_router = make_router(prefix="/seller/shops/{shop_id}/stock", tags=["seller: inventory"])

Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=500)]


def stock_out(view: service.StockView) -> StockOut:
    s = view.stock
    return StockOut(
        id=s.id,
        sku_id=s.sku_id,
        seller_sku=view.sku.seller_sku,
        sku_name=service.sku_name(view.sku),
        product_id=view.product.id,
        product_name=view.product.title,
        warehouse_id=s.warehouse_id,
        warehouse_name=view.warehouse.name,
        warehouse_type=view.warehouse.type,
        on_hand=s.on_hand,
        reserved=s.reserved,
        available=s.on_hand - s.reserved,
        updated_at=s.updated_at,
    )


@seller_router.get("", response_model=Page[StockOut])
async def list_stock(
    shop_id: Id,
    user: CurrentUser,
    session: SessionDep,
    warehouse_id: Id | None = None,
    sku_id: Id | None = None,
    product_id: Id | None = None,
    low_stock: Annotated[
        int | None, Query(ge=0, description="Only rows with at most this many available.")
    ] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Product title or seller SKU.")
    ] = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> Page[StockOut]:
    await require_member(session, user, shop_id)
    views, next_cursor = await service.list_stock(
        session,
        shop_id=shop_id,
        warehouse_id=warehouse_id,
        sku_id=sku_id,
        product_id=product_id,
        low_stock=low_stock,
        q=q,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=[stock_out(v) for v in views], next_cursor=next_cursor)


async def _require_shop_stock(
    session: SessionDep, user: CurrentUser, shop_id: int, sku_id: int, warehouse_id: int
) -> None:
    """The user is a member, and the SKU and the warehouse are this shop's (404 otherwise)."""
    await require_member(session, user, shop_id)
    await service.require_sku_in_shop(session, shop_id, sku_id)
    await service.require_warehouse_in_shop(session, shop_id, warehouse_id)


async def _out(session: SessionDep, shop_id: int, stock: Stock) -> StockOut:
    return stock_out(await service.stock_view(session, shop_id=shop_id, stock=stock))


@seller_router.post("/receipts", response_model=StockOut, status_code=201)
async def receive_stock(
    shop_id: Id, body: ReceiptIn, user: CurrentUser, session: SessionDep, rt: RuntimeDep
) -> StockOut:
    await _require_shop_stock(session, user, shop_id, body.sku_id, body.warehouse_id)
    stock = await service.receive(
        session,
        sku_id=body.sku_id,
        warehouse_id=body.warehouse_id,
        quantity=body.quantity,
        now=rt.clock.now(),
        actor_id=user.id,
        note=body.note.strip(),
    )
    return await _out(session, shop_id, stock)


@seller_router.post("/adjustments", response_model=StockOut, status_code=201)
async def adjust_stock(
    shop_id: Id, body: AdjustmentIn, user: CurrentUser, session: SessionDep, rt: RuntimeDep
) -> StockOut:
    await _require_shop_stock(session, user, shop_id, body.sku_id, body.warehouse_id)
    stock = await service.adjust(
        session,
        sku_id=body.sku_id,
        warehouse_id=body.warehouse_id,
        delta=body.delta,
        now=rt.clock.now(),
        actor_id=user.id,
        note=body.note,
    )
    return await _out(session, shop_id, stock)


@seller_router.get("/movements", response_model=Page[MovementOut])
async def list_movements(
    shop_id: Id,
    user: CurrentUser,
    session: SessionDep,
    sku_id: Id | None = None,
    warehouse_id: Id | None = None,
    kind: MovementKind | None = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> Page[MovementOut]:
    await require_member(session, user, shop_id)
    items, next_cursor = await service.list_movements(
        session,
        shop_id=shop_id,
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        kind=kind,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=[MovementOut.model_validate(m) for m in items], next_cursor=next_cursor)
