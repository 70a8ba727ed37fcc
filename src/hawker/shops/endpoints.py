"""HTTP wiring for shops: applications, public profiles, the seller center, operator review."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Query, Response

from hawker.deps import CurrentOperator, CurrentUser, RuntimeDep, SessionDep
from hawker.kit.pagination import Page as KitPage
from hawker.models import Shop, ShopMember, User
from hawker.routing import router as make_router
from hawker.schemas import Id, Page
from hawker.shops import review, service, warehouses
from hawker.shops.lifecycle import ReviewAction
from hawker.shops.schemas import (
    AuditEntryOut,
    MemberAdd,
    MemberOut,
    MyShopOut,
    OperatorShopDetail,
    OperatorShopOut,
    ReasonIn,
    ShopApply,
    ShopOut,
    ShopPublic,
    ShopStatusIn,
    ShopUpdate,
    WarehouseCreate,
    WarehouseOut,
    WarehouseTypeIn,
    WarehouseUpdate,
)

router = make_router(prefix="/shops", tags=["shops"])
seller_router = make_router(prefix="/seller/shops", tags=["seller: shops"])
operator_router = make_router(prefix="/operator/shops", tags=["operator: shops"])
audit_router = make_router(prefix="/operator/audit-log", tags=["operator: audit log"])

T = TypeVar("T")
Out = TypeVar("Out")

Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=500)]


def my_shop_out(shop: Shop, role: str) -> MyShopOut:
    return MyShopOut(**ShopOut.model_validate(shop).model_dump(), role=role)


def member_out(member: ShopMember, user: User) -> MemberOut:
    return MemberOut(
        user_id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=member.role,
        created_at=member.created_at,
    )


async def operator_detail(session: SessionDep, shop: Shop) -> OperatorShopDetail:
    members = await service.shop_members(session, shop.id)
    return OperatorShopDetail(
        **OperatorShopOut.model_validate(shop).model_dump(),
        members=[member_out(m, u) for m, u in members],
    )


# Applying and public profiles ---------------------------------------------------------------


@router.post("", response_model=MyShopOut, status_code=201)
async def apply_for_shop(
    body: ShopApply, user: CurrentUser, session: SessionDep, rt: RuntimeDep
) -> MyShopOut:
    shop, member = await service.apply_for_shop(
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
    )
    return my_shop_out(shop, member.role)


@router.get("/{shop_id}", response_model=ShopPublic)
async def get_public_shop(shop_id: Id, session: SessionDep) -> ShopPublic:
    return ShopPublic.model_validate(await service.get_public_shop(session, shop_id))


# Seller center ------------------------------------------------------------------------------


@seller_router.get("", response_model=Page[MyShopOut])
async def my_shops(
    user: CurrentUser, session: SessionDep, cursor: Cursor = None, limit: Limit = 20
) -> Page[MyShopOut]:
    page = await service.my_shops(session, user, cursor=cursor, limit=limit)
    return Page(items=[my_shop_out(s, r) for s, r in page.items], next_cursor=page.next_cursor)


@seller_router.get("/{shop_id}", response_model=MyShopOut)
async def my_shop(shop_id: Id, user: CurrentUser, session: SessionDep) -> MyShopOut:
    member = await service.get_membership(session, user, shop_id)
    return my_shop_out(await service.get_shop(session, shop_id), member.role)


@seller_router.patch("/{shop_id}", response_model=MyShopOut)
async def update_shop(
    shop_id: Id, body: ShopUpdate, user: CurrentUser, session: SessionDep, rt: RuntimeDep
) -> MyShopOut:
    shop = await service.update_shop(
        session,
        user,
        shop_id,
        description=body.description,
        contact_email=str(body.contact_email) if body.contact_email is not None else None,
        now=rt.clock.now(),
    )
    member = await service.get_membership(session, user, shop_id)
    return my_shop_out(shop, member.role)


@seller_router.get("/{shop_id}/members", response_model=Page[MemberOut])
async def list_members(
    shop_id: Id,
    user: CurrentUser,
    session: SessionDep,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> Page[MemberOut]:
    page = await service.list_members(session, user, shop_id, cursor=cursor, limit=limit)
    return Page(items=[member_out(m, u) for m, u in page.items], next_cursor=page.next_cursor)


@seller_router.post("/{shop_id}/members", response_model=MemberOut, status_code=201)
async def add_member(
    shop_id: Id, body: MemberAdd, user: CurrentUser, session: SessionDep, rt: RuntimeDep
) -> MemberOut:
    member, target = await service.add_staff(
        session, user, shop_id, email=str(body.email), now=rt.clock.now()
    )
    return member_out(member, target)


@seller_router.delete("/{shop_id}/members/{user_id}", status_code=204)
async def remove_member(
    shop_id: Id, user_id: Id, user: CurrentUser, session: SessionDep, rt: RuntimeDep
) -> Response:
    await service.remove_staff(session, user, shop_id, user_id=user_id, now=rt.clock.now())
    return Response(status_code=204)


@seller_router.get("/{shop_id}/warehouses", response_model=Page[WarehouseOut])
async def list_warehouses(
    shop_id: Id,
    user: CurrentUser,
    session: SessionDep,
    type: WarehouseTypeIn | None = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> Page[WarehouseOut]:
    page = await warehouses.list_shop_warehouses(
        session, user, shop_id, type=type, cursor=cursor, limit=limit
    )
    return _page(page, WarehouseOut.model_validate)


@seller_router.post("/{shop_id}/warehouses", response_model=WarehouseOut, status_code=201)
async def create_warehouse(
    shop_id: Id, body: WarehouseCreate, user: CurrentUser, session: SessionDep, rt: RuntimeDep
) -> WarehouseOut:
    warehouse = await warehouses.create_warehouse(
        session, user, shop_id, **body.model_dump(), now=rt.clock.now()
    )
    return WarehouseOut.model_validate(warehouse)


@seller_router.get("/{shop_id}/warehouses/{warehouse_id}", response_model=WarehouseOut)
async def get_warehouse(
    shop_id: Id, warehouse_id: Id, user: CurrentUser, session: SessionDep
) -> WarehouseOut:
    warehouse = await warehouses.get_warehouse(session, user, shop_id, warehouse_id)
    return WarehouseOut.model_validate(warehouse)


@seller_router.patch("/{shop_id}/warehouses/{warehouse_id}", response_model=WarehouseOut)
async def update_warehouse(
    shop_id: Id,
    warehouse_id: Id,
    body: WarehouseUpdate,
    user: CurrentUser,
    session: SessionDep,
    rt: RuntimeDep,
) -> WarehouseOut:
    warehouse = await warehouses.update_warehouse(
        session, user, shop_id, warehouse_id, changes=body.changes(), now=rt.clock.now()
    )
    return WarehouseOut.model_validate(warehouse)


# Operator console ---------------------------------------------------------------------------


@operator_router.get("", response_model=Page[OperatorShopOut])
async def operator_list_shops(
    _: CurrentOperator,
    session: SessionDep,
    status: ShopStatusIn | None = None,
    market_code: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> Page[OperatorShopOut]:
    page = await review.list_shops(
        session, status=status, market_code=market_code, q=q, cursor=cursor, limit=limit
    )
    return _page(page, OperatorShopOut.model_validate)


@operator_router.get("/{shop_id}", response_model=OperatorShopDetail)
async def operator_get_shop(
    shop_id: Id, _: CurrentOperator, session: SessionDep
) -> OperatorShopDetail:
    return await operator_detail(session, await service.get_shop(session, shop_id))


async def _review(
    session: SessionDep,
    rt: RuntimeDep,
    operator: User,
    shop_id: int,
    action: ReviewAction,
    reason: str | None = None,
) -> OperatorShopDetail:
    shop = await review.review(
        session, operator, shop_id, action, reason=reason, now=rt.clock.now()
    )
    return await operator_detail(session, shop)


@operator_router.post("/{shop_id}/approve", response_model=OperatorShopDetail)
async def approve_shop(
    shop_id: Id, operator: CurrentOperator, session: SessionDep, rt: RuntimeDep
) -> OperatorShopDetail:
    return await _review(session, rt, operator, shop_id, ReviewAction.APPROVE)


@operator_router.post("/{shop_id}/reject", response_model=OperatorShopDetail)
async def reject_shop(
    shop_id: Id, body: ReasonIn, operator: CurrentOperator, session: SessionDep, rt: RuntimeDep
) -> OperatorShopDetail:
    return await _review(session, rt, operator, shop_id, ReviewAction.REJECT, body.reason)


@operator_router.post("/{shop_id}/suspend", response_model=OperatorShopDetail)
async def suspend_shop(
    shop_id: Id, body: ReasonIn, operator: CurrentOperator, session: SessionDep, rt: RuntimeDep
) -> OperatorShopDetail:
    return await _review(session, rt, operator, shop_id, ReviewAction.SUSPEND, body.reason)


@operator_router.post("/{shop_id}/reinstate", response_model=OperatorShopDetail)
async def reinstate_shop(
    shop_id: Id, operator: CurrentOperator, session: SessionDep, rt: RuntimeDep
) -> OperatorShopDetail:
    return await _review(session, rt, operator, shop_id, ReviewAction.REINSTATE)


@operator_router.post("/{shop_id}/close", response_model=OperatorShopDetail)
async def close_shop(
    shop_id: Id, body: ReasonIn, operator: CurrentOperator, session: SessionDep, rt: RuntimeDep
) -> OperatorShopDetail:
    return await _review(session, rt, operator, shop_id, ReviewAction.CLOSE, body.reason)


@audit_router.get("", response_model=Page[AuditEntryOut])
async def audit_log(
    _: CurrentOperator,
    session: SessionDep,
    target_type: Annotated[str | None, Query(max_length=32)] = None,
    target_id: Id | None = None,
    actor_id: Id | None = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> Page[AuditEntryOut]:
    page = await review.list_audit_log(
        session,
        target_type=target_type,
        target_id=target_id,
        actor_id=actor_id,
        action=action,
        cursor=cursor,
        limit=limit,
    )
    return _page(page, AuditEntryOut.model_validate)


def _page(page: KitPage[T], convert: Callable[[T], Out]) -> Page[Out]:
    return Page(items=[convert(x) for x in page.items], next_cursor=page.next_cursor)
