"""Shipping pages: the seller's packages to ship (deadlines, arranging shipment with a platform
label or the seller's own carrier, the printable label) and the operator's weight-check
review cases (suspected empty or short boxes: list, look, decide).

The buyer's tracking timeline is on the order page (pages_orders).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request, Response

from hawker.deps import RuntimeDep, SessionDep
from hawker.errors import HawkerError
from hawker.fulfillment import service as fulfillment
from hawker.logistics import service as logistics
from hawker.models import PackageStatus, ShippingType, WeightReviewStatus
from hawker.routing import router as make_router
from hawker.shops import service as shops
from hawker.web.forms import FieldErrors, attempt, parse_id, read_form
from hawker.web.rendering import redirect, render
from hawker.web.seller_context import SellerShop, seller_shop
from hawker.web.visitor import MemberDep, OperatorDep, Visitor, user_of

router = make_router(include_in_schema=False)

PAGE_SIZE = 20
Cursor = Annotated[str | None, Query(max_length=500)]
Text = Annotated[str | None, Query(max_length=64)]

DUE_TABS: tuple[tuple[str, str], ...] = (
    ("all", "To ship"),
    ("overdue", "Overdue"),
    ("today", "Due today"),
    ("later", "Later"),
    ("shipped", "Shipped"),
    ("done", "Delivered"),
)
REVIEW_TABS: tuple[tuple[str, str], ...] = (
    (WeightReviewStatus.OPEN, "Waiting"),
    (WeightReviewStatus.CONFIRMED_SHORT, "Confirmed short"),
    (WeightReviewStatus.CLEARED, "Cleared"),
    ("all", "All"),
)
DECISIONS = {
    WeightReviewStatus.CONFIRMED_SHORT: "Confirmed short: the order is cancelled and refunded.",
    WeightReviewStatus.CLEARED: "Cleared: the parcel goes on to the buyer.",
}


def _package_or_404(value: str) -> int:
    parsed = parse_id(value)
    if parsed is None:
        raise fulfillment.PackageNotFound("There is no such package.")
    return parsed


def _review_or_404(value: str) -> int:
    parsed = parse_id(value)
    if parsed is None:
        raise fulfillment.WeightReviewNotFound("There is no such weight review.")
    return parsed


# Seller: packages ----------------------------------------------------------------------------


def _due_filter(tab: str) -> tuple[fulfillment.Due | None, tuple[str, ...]]:
    if tab in ("overdue", "today", "later"):
        return fulfillment.Due(tab), ()
    if tab == "shipped":
        return None, (PackageStatus.FULFILLING,)
    if tab == "done":
        return None, (PackageStatus.COMPLETED,)
    return None, (PackageStatus.TO_FULFILL, PackageStatus.PROCESSING)


@router.get("/seller/shops/{shop_id}/packages")
async def packages(
    request: Request,
    shop_id: str,
    visitor: MemberDep,
    session: SessionDep,
    rt: RuntimeDep,
    due: Annotated[str | None, Query(max_length=20)] = None,
    q: Text = None,
    cursor: Cursor = None,
) -> Response:
    user = user_of(visitor)
    ctx = await seller_shop(session, user, shop_id)
    tab = due if due in dict(DUE_TABS) else "all"
    due_state, statuses = _due_filter(tab)
    text = (q or "").strip()
    found = await fulfillment.list_shop_packages(
        session,
        user,
        ctx.shop.id,
        due=due_state,
        warehouse_id=None,
        statuses=statuses,
        q=text or None,
        cursor=cursor,
        limit=PAGE_SIZE,
        now=rt.clock.now(),
        settings=rt.settings,
    )
    market = visitor.market_of(ctx.shop.market_code)
    return render(
        request,
        "seller/packages.html",
        visitor,
        {
            "seller": ctx,
            "section": "packages",
            "tabs": DUE_TABS,
            "tab": tab,
            "q": text,
            "items": found.page.items,
            "next_cursor": found.page.next_cursor,
            "paged": cursor is not None,
            "market": market,
        },
    )


async def _package_page(
    request: Request,
    visitor: Visitor,
    session: SessionDep,
    rt: RuntimeDep,
    ctx: SellerShop,
    package_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> Response:
    detail = await fulfillment.package_detail(
        session,
        user_of(visitor),
        ctx.shop.id,
        package_id,
        now=rt.clock.now(),
        settings=rt.settings,
    )
    carriers = await logistics.active_carriers(session)
    return render(
        request,
        "seller/package.html",
        visitor,
        {
            "seller": ctx,
            "section": "packages",
            "detail": detail,
            "package": detail.summary.package,
            "summary": detail.summary,
            "view": detail.view,
            "carriers": [(c.code, c.name) for c in carriers],
            "market": visitor.market_of(ctx.shop.market_code),
            "can_ship": detail.summary.package.status == PackageStatus.TO_FULFILL,
            "values": values or {"shipping_type": ShippingType.TIKTOK},
            "errors": errors or FieldErrors(),
        },
        status_code=status_code,
    )


@router.get("/seller/shops/{shop_id}/packages/{package_id}")
async def package_page(
    request: Request,
    shop_id: str,
    package_id: str,
    visitor: MemberDep,
    session: SessionDep,
    rt: RuntimeDep,
) -> Response:
    ctx = await seller_shop(session, user_of(visitor), shop_id)
    return await _package_page(request, visitor, session, rt, ctx, _package_or_404(package_id))


@router.post("/seller/shops/{shop_id}/packages/{package_id}/ship")
async def ship(
    request: Request,
    shop_id: str,
    package_id: str,
    visitor: MemberDep,
    session: SessionDep,
    rt: RuntimeDep,
) -> Response:
    form = await read_form(request)
    user = user_of(visitor)
    ctx = await seller_shop(session, user, shop_id)
    pid = _package_or_404(package_id)
    errors = FieldErrors()
    kind = form.get("shipping_type")
    shipping_type = ShippingType.SELLER if kind == ShippingType.SELLER else ShippingType.TIKTOK
    carrier = form.get("carrier_code")[:16] or None
    tracking = form.get("tracking_number")[:64] or None
    if shipping_type == ShippingType.SELLER:
        if not carrier:
            errors.add("carrier_code", "Choose the carrier you ship with.")
        if not tracking:
            errors.add("tracking_number", "Enter the tracking number the carrier gave you.")
    if not errors:
        try:
            await attempt(
                session,
                lambda: fulfillment.arrange_shipment(
                    session,
                    user,
                    ctx.shop.id,
                    pid,
                    shipping_type=shipping_type,
                    carrier_code=carrier if shipping_type == ShippingType.SELLER else None,
                    tracking_number=tracking if shipping_type == ShippingType.SELLER else None,
                    now=rt.clock.now(),
                    settings=rt.settings,
                ),
            )
        except HawkerError as exc:
            errors.add("_form", exc.message)
        else:
            message = (
                "Label ready: print it and hand the parcel to the carrier."
                if shipping_type == ShippingType.TIKTOK
                else "Shipment saved with your tracking number."
            )
            return redirect(request, f"{ctx.base}/packages/{pid}", flash=message)
    return await _package_page(
        request,
        visitor,
        session,
        rt,
        ctx,
        pid,
        values=form.values(),
        errors=errors,
        status_code=409 if "_form" in errors else 400,
    )


@router.get("/seller/shops/{shop_id}/packages/{package_id}/label")
async def label(
    request: Request,
    shop_id: str,
    package_id: str,
    visitor: MemberDep,
    session: SessionDep,
    rt: RuntimeDep,
) -> Response:
    """The platform label as a printable page (the carrier's data and barcode number)."""
    user = user_of(visitor)
    ctx = await seller_shop(session, user, shop_id)
    detail = await fulfillment.package_detail(
        session,
        user,
        ctx.shop.id,
        _package_or_404(package_id),
        now=rt.clock.now(),
        settings=rt.settings,
    )
    data: dict[str, Any] | None = detail.summary.package.label
    if not data:
        raise fulfillment.PackageNotFound("This package has no label yet.")
    return render(
        request,
        "seller/label.html",
        visitor,
        {"seller": ctx, "section": "packages", "package": detail.summary.package, "label": data},
    )


# Operator: weight-check review cases ---------------------------------------------------------


@router.get("/operator/weight-reviews")
async def weight_reviews(
    request: Request,
    visitor: OperatorDep,
    session: SessionDep,
    status: Annotated[str | None, Query(max_length=20)] = None,
    cursor: Cursor = None,
) -> Response:
    tab = status if status in dict(REVIEW_TABS) else WeightReviewStatus.OPEN
    page = await fulfillment.list_reviews(
        session,
        statuses=() if tab == "all" else (tab,),
        shop_id=None,
        cursor=cursor,
        limit=PAGE_SIZE,
    )
    names = {
        shop_id: (await shops.get_shop(session, shop_id)).name
        for shop_id in {r.shop_id for r in page.items}
    }
    return render(
        request,
        "operator/weight_reviews.html",
        visitor,
        {
            "section": "weight_reviews",
            "tabs": REVIEW_TABS,
            "tab": tab,
            "reviews": page.items,
            "shop_names": names,
            "next_cursor": page.next_cursor,
            "paged": cursor is not None,
        },
    )


async def _review_page(
    request: Request,
    visitor: Visitor,
    session: SessionDep,
    rt: RuntimeDep,
    review_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> Response:
    view = await fulfillment.get_review(
        session, review_id, now=rt.clock.now(), settings=rt.settings
    )
    shop = await shops.get_shop(session, view.review.shop_id)
    return render(
        request,
        "operator/weight_review.html",
        visitor,
        {
            "section": "weight_reviews",
            "view": view,
            "review": view.review,
            "package": view.package.package,
            "shop": shop,
            "market": visitor.market_of(shop.market_code),
            "values": values or {},
            "errors": errors or FieldErrors(),
        },
        status_code=status_code,
    )


@router.get("/operator/weight-reviews/{review_id}")
async def weight_review(
    request: Request, review_id: str, visitor: OperatorDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    return await _review_page(request, visitor, session, rt, _review_or_404(review_id))


@router.post("/operator/weight-reviews/{review_id}/decision")
async def decide(
    request: Request, review_id: str, visitor: OperatorDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    form = await read_form(request)
    rid = _review_or_404(review_id)
    errors = FieldErrors()
    choice = form.get("decision")
    notes = form.get("notes")
    if choice not in DECISIONS:
        errors.add("decision", "Choose a decision.")
    if len(notes) > 1000:
        errors.add("notes", "Keep the notes under 1000 characters.")
    if not errors:
        decision = WeightReviewStatus(choice)
        try:
            await attempt(
                session,
                lambda: fulfillment.decide(
                    session,
                    user_of(visitor),
                    rid,
                    decision=decision,
                    notes=notes,
                    now=rt.clock.now(),
                    settings=rt.settings,
                ),
            )
        except HawkerError as exc:
            errors.add("_form", exc.message)
        else:
            return redirect(request, f"/operator/weight-reviews/{rid}", flash=DECISIONS[decision])
    return await _review_page(
        request,
        visitor,
        session,
        rt,
        rid,
        values=form.values(),
        errors=errors,
        status_code=409 if "_form" in errors else 400,
    )
