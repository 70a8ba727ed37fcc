"""HTTP wiring for fulfilment: the seller's packages and performance, tracking for buyers,
sellers and operators, weight reviews for operators, and the carriers' signed webhook."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any

from fastapi import Header, Query, Request, Response

from hawker.deps import CurrentOperator, CurrentUser, RuntimeDep, SessionDep
from hawker.fulfillment import service
from hawker.fulfillment.documents import DocumentType, render_pick_list
from hawker.fulfillment.schemas import (
    CarrierEventsOut,
    DecisionIn,
    PackagePageOut,
    PerformanceOut,
    PickListOut,
    SellerPackageOut,
    ShipIn,
    ShippingDocumentsIn,
    StaffTrackingOut,
    TrackingOut,
    WeightReviewDetailOut,
    WeightReviewPageOut,
    performance_out,
    pick_list_out,
    review_detail_out,
    review_out,
    seller_package_out,
    staff_tracking_out,
    summary_out,
    tracking_out,
)
from hawker.logistics.carrier_protocol import SIGNATURE_HEADER
from hawker.models import PackageStatus, WeightReviewStatus
from hawker.routing import router as make_router
from hawker.schemas import Id

seller_router = make_router(prefix="/seller/shops/{shop_id}", tags=["seller: fulfilment"])
buyer_router = make_router(prefix="/orders", tags=["orders"])
operator_router = make_router(prefix="/operator", tags=["operator: fulfilment"])
carrier_router = make_router(prefix="/logistics/carriers", tags=["carriers"])

Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=500)]
DueQuery = Annotated[
    service.Due | None, Query(description="overdue, today or later (by dispatch deadline).")
]
StatusQuery = Annotated[
    list[PackageStatus] | None, Query(description="Default: TO_FULFILL and PROCESSING.")
]
PackageText = Annotated[
    str | None, Query(max_length=64, description="A package id, order id or tracking number.")
]


# --- sellers ----------------------------------------------------------------------------------


@seller_router.get("/packages", response_model=PackagePageOut)
async def list_packages(
    shop_id: Id,
    session: SessionDep,
    user: CurrentUser,
    rt: RuntimeDep,
    due: DueQuery = None,
    warehouse_id: Id | None = None,
    status: StatusQuery = None,
    q: PackageText = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> PackagePageOut:
    found = await service.list_shop_packages(
        session,
        user,
        shop_id,
        due=due,
        warehouse_id=warehouse_id,
        statuses=tuple(s.value for s in status or ()),
        q=(q.strip() or None) if q else None,
        cursor=cursor,
        limit=limit,
        now=rt.clock.now(),
        settings=rt.settings,
    )
    return PackagePageOut(
        items=[summary_out(s, found.locale) for s in found.page.items],
        next_cursor=found.page.next_cursor,
        end_of_today=found.end_of_today,
    )


async def _seller_package(
    session: SessionDep, user: CurrentUser, rt: RuntimeDep, shop_id: int, package_id: int
) -> SellerPackageOut:
    detail = await service.package_detail(
        session, user, shop_id, package_id, now=rt.clock.now(), settings=rt.settings
    )
    return seller_package_out(detail.summary, detail.view, detail.locale)


@seller_router.get("/packages/{package_id}", response_model=SellerPackageOut)
async def get_package(
    shop_id: Id, package_id: Id, session: SessionDep, user: CurrentUser, rt: RuntimeDep
) -> SellerPackageOut:
    return await _seller_package(session, user, rt, shop_id, package_id)


@seller_router.post("/packages/{package_id}/ship", response_model=SellerPackageOut)
async def ship_package(
    shop_id: Id,
    package_id: Id,
    body: ShipIn,
    session: SessionDep,
    user: CurrentUser,
    rt: RuntimeDep,
) -> SellerPackageOut:
    """Arrange shipment: a platform label (TIKTOK) or the seller's carrier and tracking."""
    await service.arrange_shipment(
        session,
        user,
        shop_id,
        package_id,
        shipping_type=body.shipping_type,
        carrier_code=body.carrier_code,
        tracking_number=body.tracking_number,
        now=rt.clock.now(),
        settings=rt.settings,
    )
    return await _seller_package(session, user, rt, shop_id, package_id)


PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "A PDF, A6 pages."}
}


def _pdf(rendered: service.Rendered) -> Response:
    return Response(
        rendered.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{rendered.filename}"'},
    )


@seller_router.get(
    "/packages/{package_id}/shipping_documents", response_class=Response, responses=PDF
)
async def package_documents(
    shop_id: Id,
    package_id: Id,
    session: SessionDep,
    user: CurrentUser,
    document_type: DocumentType = DocumentType.SHIPPING_LABEL,
) -> Response:
    """The package's A6 shipping label, packing slip, or both (a page each), as PDF."""
    rendered = await service.shipping_documents(
        session, user, shop_id, [package_id], document_type=document_type
    )
    return _pdf(rendered)


@seller_router.post("/packages/shipping_documents", response_class=Response, responses=PDF)
async def batch_documents(
    shop_id: Id, body: ShippingDocumentsIn, session: SessionDep, user: CurrentUser
) -> Response:
    """Labels and/or slips of up to 100 packages in one PDF, a page per document."""
    rendered = await service.shipping_documents(
        session, user, shop_id, body.package_ids, document_type=body.document_type
    )
    return _pdf(rendered)


@seller_router.get(
    "/pick-list",
    response_model=PickListOut,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "PDF unless JSON is asked for."}
    },
)
async def pick_list(
    shop_id: Id,
    warehouse_id: Id,
    session: SessionDep,
    user: CurrentUser,
    rt: RuntimeDep,
    day: Annotated[
        date | None,
        Query(alias="date", description="YYYY-MM-DD in the market's time; default today."),
    ] = None,
    accept: Annotated[str, Header()] = "",
) -> Any:
    """The warehouse's packages of the day still to leave it, grouped by SKU in shelf order:
    a PDF, or JSON with `Accept: application/json`."""
    pick = await service.pick_list(
        session, user, shop_id, warehouse_id=warehouse_id, day=day, now=rt.clock.now()
    )
    if "application/json" in accept.lower():
        return pick_list_out(pick)
    name = f"pick-list-{pick.warehouse_id}-{pick.day.isoformat()}.pdf"
    return Response(
        await asyncio.to_thread(render_pick_list, pick),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@seller_router.get("/performance", response_model=PerformanceOut)
async def performance(
    shop_id: Id, session: SessionDep, user: CurrentUser, rt: RuntimeDep
) -> PerformanceOut:
    figures = await service.shop_performance(
        session, user, shop_id, now=rt.clock.now(), settings=rt.settings
    )
    return performance_out(figures)


@seller_router.get("/orders/{order_id}/tracking", response_model=StaffTrackingOut)
async def shop_order_tracking(
    shop_id: Id, order_id: Id, session: SessionDep, user: CurrentUser, rt: RuntimeDep
) -> StaffTrackingOut:
    view = await service.tracking_for_shop(
        session, user, shop_id, order_id, now=rt.clock.now(), settings=rt.settings
    )
    return staff_tracking_out(view)


# --- buyers -----------------------------------------------------------------------------------


@buyer_router.get("/{order_id}/tracking", response_model=TrackingOut)
async def my_order_tracking(
    order_id: Id, session: SessionDep, user: CurrentUser, rt: RuntimeDep
) -> TrackingOut:
    view = await service.tracking_for_buyer(
        session, user, order_id, now=rt.clock.now(), settings=rt.settings
    )
    return tracking_out(view)


# --- operators --------------------------------------------------------------------------------


@operator_router.get("/orders/{order_id}/tracking", response_model=StaffTrackingOut)
async def any_order_tracking(
    order_id: Id, session: SessionDep, _operator: CurrentOperator, rt: RuntimeDep
) -> StaffTrackingOut:
    view = await service.tracking_for_operator(
        session, order_id, now=rt.clock.now(), settings=rt.settings
    )
    return staff_tracking_out(view)


@operator_router.get("/weight-reviews", response_model=WeightReviewPageOut)
async def list_weight_reviews(
    session: SessionDep,
    _operator: CurrentOperator,
    status: Annotated[
        list[WeightReviewStatus] | None, Query(description="Default: every status.")
    ] = None,
    shop_id: Id | None = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> WeightReviewPageOut:
    page = await service.list_reviews(
        session,
        statuses=tuple(s.value for s in status or ()),
        shop_id=shop_id,
        cursor=cursor,
        limit=limit,
    )
    return WeightReviewPageOut(
        items=[review_out(r) for r in page.items], next_cursor=page.next_cursor
    )


@operator_router.get("/weight-reviews/{review_id}", response_model=WeightReviewDetailOut)
async def get_weight_review(
    review_id: Id, session: SessionDep, _operator: CurrentOperator, rt: RuntimeDep
) -> WeightReviewDetailOut:
    view = await service.get_review(session, review_id, now=rt.clock.now(), settings=rt.settings)
    return review_detail_out(view)


@operator_router.post("/weight-reviews/{review_id}/decision", response_model=WeightReviewDetailOut)
async def decide_weight_review(
    review_id: Id,
    body: DecisionIn,
    session: SessionDep,
    operator: CurrentOperator,
    rt: RuntimeDep,
) -> WeightReviewDetailOut:
    view = await service.decide(
        session,
        operator,
        review_id,
        decision=WeightReviewStatus(body.decision),
        notes=body.notes,
        now=rt.clock.now(),
        settings=rt.settings,
    )
    return review_detail_out(view)


# --- carriers ---------------------------------------------------------------------------------


@carrier_router.post("/{code}/events", response_model=CarrierEventsOut)
async def carrier_events(
    code: str,
    request: Request,
    session: SessionDep,
    rt: RuntimeDep,
    signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER)] = None,
) -> CarrierEventsOut:
    """Tracking events pushed by a carrier, signed with HMAC-SHA256 over the raw body."""
    result = await service.ingest_carrier_events(
        session,
        code,
        await request.body(),
        signature,
        now=rt.clock.now(),
        settings=rt.settings,
    )
    return CarrierEventsOut(
        accepted=result.accepted,
        duplicates=result.duplicates,
        unknown=result.unknown,
        ignored=result.ignored,
    )
