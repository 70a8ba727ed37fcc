"""Operator console: shop applications (approve, reject), suspending and reinstating shops,
the product audit queue (take down, reinstate) and the audit log.

Every page answers 403 to anyone who is not a platform operator.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response

from hawker.catalog import service as catalog
from hawker.catalog.service.audit import AUDIT_STATUSES
from hawker.catalog.service.errors import ProductNotFound
from hawker.deps import RuntimeDep, SessionDep
from hawker.errors import HawkerError
from hawker.models import ShopStatus
from hawker.routing import router as make_router
from hawker.shops import review
from hawker.shops import service as shops
from hawker.shops.lifecycle import ACTIONS, ACTIONS_NEEDING_REASON, ReviewAction
from hawker.web.forms import FieldErrors, attempt, parse_id, read_form
from hawker.web.rendering import redirect, render
from hawker.web.visitor import OperatorDep, Visitor, user_of

router = make_router(prefix="/operator", include_in_schema=False)

PAGE_SIZE = 20
Cursor = Annotated[str | None, Query(max_length=500)]

SHOP_TABS: tuple[tuple[str, str], ...] = (
    (ShopStatus.PENDING_REVIEW, "Applications"),
    (ShopStatus.ACTIVE, "Active"),
    (ShopStatus.SUSPENDED, "Suspended"),
    (ShopStatus.CLOSED, "Closed"),
    ("all", "All"),
)
AUDIT_TABS: tuple[tuple[str, str], ...] = (
    ("PENDING", "Waiting"),
    ("FAILED", "Failed"),
    ("ACTIVATE", "Passed"),
    ("PLATFORM_DEACTIVATED", "Taken down"),
    ("all", "All"),
)
PAST = {
    ReviewAction.APPROVE: "approved",
    ReviewAction.REJECT: "rejected",
    ReviewAction.SUSPEND: "suspended",
    ReviewAction.REINSTATE: "reinstated",
    ReviewAction.CLOSE: "closed",
}


@router.get("")
async def console(request: Request, visitor: OperatorDep, session: SessionDep) -> Response:
    pending = await review.list_shops(session, status=ShopStatus.PENDING_REVIEW, limit=50)
    audits = await catalog.audit_queue(session, status="PENDING", cursor=None, limit=50)
    failed = await catalog.audit_queue(session, status="FAILED", cursor=None, limit=50)
    return render(
        request,
        "operator/index.html",
        visitor,
        {
            "section": "overview",
            "pending_shops": len(pending.items),
            "pending_shops_more": pending.next_cursor is not None,
            "pending_audits": len(audits.items),
            "failed_audits": len(failed.items),
        },
    )


# Shops ----------------------------------------------------------------------------------------


@router.get("/shops")
async def shop_list(
    request: Request,
    visitor: OperatorDep,
    session: SessionDep,
    status: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    cursor: Cursor = None,
) -> Response:
    chosen = status if status in {s for s, _ in SHOP_TABS} else ShopStatus.PENDING_REVIEW
    page = await review.list_shops(
        session,
        status=None if chosen == "all" else chosen,
        q=q,
        cursor=cursor,
        limit=PAGE_SIZE,
    )
    return render(
        request,
        "operator/shops.html",
        visitor,
        {
            "section": "shops",
            "tabs": SHOP_TABS,
            "status": chosen,
            "q": q or "",
            "shops": page.items,
            "next_cursor": page.next_cursor,
            "paged": cursor is not None,
        },
    )


def _shop_id(value: str) -> int:
    shop_id = parse_id(value)
    if shop_id is None:
        raise shops.ShopNotFound("There is no such shop.")
    return shop_id


async def _shop_page(
    request: Request,
    visitor: Visitor,
    session: SessionDep,
    shop_id: int,
    *,
    errors: FieldErrors | None = None,
    reasons: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    shop = await shops.get_shop(session, shop_id)
    history = await review.list_audit_log(
        session, target_type="shop", target_id=shop.id, limit=PAGE_SIZE
    )
    actions = [a for a, (sources, _) in ACTIONS.items() if shop.status in sources]
    return render(
        request,
        "operator/shop.html",
        visitor,
        {
            "section": "shops",
            "shop": shop,
            "market": visitor.market_of(shop.market_code),
            "members": await shops.shop_members(session, shop.id),
            "history": history.items,
            "actions": actions,
            "needs_reason": ACTIONS_NEEDING_REASON,
            "errors": errors or FieldErrors(),
            "reasons": reasons or {},
        },
        status_code=status_code,
    )


@router.get("/shops/{shop_id}")
async def shop_detail(
    request: Request, shop_id: str, visitor: OperatorDep, session: SessionDep
) -> Response:
    return await _shop_page(request, visitor, session, _shop_id(shop_id))


@router.post("/shops/{shop_id}/{action}")
async def review_shop(
    request: Request,
    shop_id: str,
    action: str,
    visitor: OperatorDep,
    session: SessionDep,
    rt: RuntimeDep,
) -> Response:
    form = await read_form(request)
    operator = user_of(visitor)
    sid = _shop_id(shop_id)
    try:
        chosen = ReviewAction(action)
    except ValueError as exc:
        raise shops.ShopNotFound("There is no such page.") from exc
    reason = form.get(f"{chosen}-reason") or None
    errors = FieldErrors()
    if chosen in ACTIONS_NEEDING_REASON and not reason:
        errors.add(f"{chosen}-reason", f"Say why the shop is {PAST[chosen]}; the seller sees it.")
    elif reason is not None and len(reason) > review.REASON_MAX_LENGTH:
        errors.add(f"{chosen}-reason", f"Keep it under {review.REASON_MAX_LENGTH} characters.")
    if not errors:
        try:
            shop = await attempt(
                session,
                lambda: review.review(
                    session, operator, sid, chosen, reason=reason, now=rt.clock.now()
                ),
            )
        except HawkerError as exc:
            errors.add("_form", exc.message)
        else:
            return redirect(
                request, f"/operator/shops/{sid}", flash=f"{shop.name} is {PAST[chosen]}."
            )
    return await _shop_page(
        request,
        visitor,
        session,
        sid,
        errors=errors,
        reasons={str(chosen): reason or ""},
        status_code=409 if "_form" in errors else 400,
    )


# Product audits -------------------------------------------------------------------------------


async def _audits_page(
    request: Request,
    visitor: Visitor,
    session: SessionDep,
    *,
    status: str | None,
    cursor: str | None,
    errors: FieldErrors | None = None,
    reasons: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    chosen = status if status in {s for s, _ in AUDIT_TABS} else "PENDING"
    page = await catalog.audit_queue(
        session,
        status=None if chosen == "all" or chosen not in AUDIT_STATUSES else chosen,
        cursor=cursor,
        limit=PAGE_SIZE,
    )
    return render(
        request,
        "operator/audits.html",
        visitor,
        {
            "section": "audits",
            "tabs": AUDIT_TABS,
            "status": chosen,
            "entries": page.items,
            "next_cursor": page.next_cursor,
            "paged": cursor is not None,
            "errors": errors or FieldErrors(),
            "reasons": reasons or {},
        },
        status_code=status_code,
    )


@router.get("/audits")
async def audits(
    request: Request,
    visitor: OperatorDep,
    session: SessionDep,
    status: Annotated[str | None, Query(max_length=30)] = None,
    cursor: Cursor = None,
) -> Response:
    return await _audits_page(request, visitor, session, status=status, cursor=cursor)


def _tab(value: str, default: str) -> str:
    return value if value in {s for s, _ in AUDIT_TABS} else default


def _product_id(value: str) -> int:
    product_id = parse_id(value)
    if product_id is None:
        raise ProductNotFound("There is no such product.")
    return product_id


@router.post("/products/{product_id}/deactivate")
async def take_down(
    request: Request, product_id: str, visitor: OperatorDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    form = await read_form(request)
    operator = user_of(visitor)
    pid = _product_id(product_id)
    back = _tab(form.get("status"), "PENDING")
    reason = form.get(f"reason-{pid}")
    errors = FieldErrors()
    if not reason:
        errors.add(f"reason-{pid}", "Say why the product is taken down; the seller sees it.")
    elif len(reason) > 500:
        errors.add(f"reason-{pid}", "Keep it under 500 characters.")
    if not errors:
        try:
            product = await attempt(
                session,
                lambda: catalog.platform_deactivate(
                    session, operator, pid, reason=reason, now=rt.clock.now()
                ),
            )
        except HawkerError as exc:
            errors.add(f"reason-{pid}", exc.message)
        else:
            return redirect(
                request,
                f"/operator/audits?status={back}",
                flash=f"{product.title} is taken down.",
            )
    return await _audits_page(
        request,
        visitor,
        session,
        status=back,
        cursor=None,
        errors=errors,
        reasons={str(pid): reason},
        status_code=400,
    )


@router.post("/products/{product_id}/reinstate")
async def reinstate(
    request: Request, product_id: str, visitor: OperatorDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    form = await read_form(request)
    operator = user_of(visitor)
    pid = _product_id(product_id)
    back = _tab(form.get("status"), "PLATFORM_DEACTIVATED")
    try:
        product = await attempt(
            session,
            lambda: catalog.reinstate(
                session, operator, pid, note=form.get("note") or None, now=rt.clock.now()
            ),
        )
    except HawkerError as exc:
        return redirect(
            request, f"/operator/audits?status={back}", flash=exc.message, level="error"
        )
    return redirect(
        request, f"/operator/audits?status={back}", flash=f"{product.title} is live again."
    )


# Audit log ------------------------------------------------------------------------------------


@router.get("/audit-log")
async def audit_log(
    request: Request,
    visitor: OperatorDep,
    session: SessionDep,
    target_type: Annotated[str | None, Query(max_length=32)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    target_id: Annotated[str | None, Query(max_length=20)] = None,
    cursor: Cursor = None,
) -> Response:
    page = await review.list_audit_log(
        session,
        target_type=target_type or None,
        target_id=parse_id(target_id),
        action=action or None,
        cursor=cursor,
        limit=PAGE_SIZE,
    )
    return render(
        request,
        "operator/audit_log.html",
        visitor,
        {
            "section": "audit_log",
            "entries": page.items,
            "filters": {
                "target_type": target_type or "",
                "action": action or "",
                "target_id": target_id or "",
            },
            "next_cursor": page.next_cursor,
            "paged": cursor is not None,
        },
    )
