"""Seller center: the product list, creating and editing products (images, variants,
prices), the audit status with its reasons, and activate / deactivate / delete.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import Query, Request, Response

from hawker.catalog import service as catalog
from hawker.catalog.schemas import MAX_SALES_ATTRIBUTES, ProductCreate, ProductUpdate
from hawker.catalog.service.errors import ProductNotFound
from hawker.deps import RuntimeDep, SessionDep
from hawker.errors import HawkerError
from hawker.models import ProductStatus
from hawker.routing import router as make_router
from hawker.runtime import Runtime
from hawker.web.category_choices import leaf_groups
from hawker.web.forms import FieldErrors, Form, attempt, parse_id, read_form, validate
from hawker.web.product_form import ProductDraft, draft_of, padded, read_draft
from hawker.web.rendering import redirect, render
from hawker.web.seller_context import SellerShop, seller_shop
from hawker.web.shop_images import shop_images
from hawker.web.visitor import MemberDep, Visitor, user_of

router = make_router(prefix="/seller/shops/{shop_id}/products", include_in_schema=False)

PAGE_SIZE = 20
STATUS_TABS: tuple[tuple[str, str], ...] = (
    ("", "All"),
    (ProductStatus.ACTIVATE, "Live"),
    (ProductStatus.PENDING, "In review"),
    (ProductStatus.FAILED, "Failed review"),
    (ProductStatus.SELLER_DEACTIVATED, "Deactivated"),
    (ProductStatus.PLATFORM_DEACTIVATED, "Taken down"),
)
CATEGORY_ERRORS = ("unknown_category", "category_not_leaf")


def _product_id(value: str) -> int:
    product_id = parse_id(value)
    if product_id is None:
        raise ProductNotFound("There is no such product.")
    return product_id


@router.get("")
async def product_list(
    request: Request,
    shop_id: str,
    visitor: MemberDep,
    session: SessionDep,
    status: Annotated[str | None, Query(max_length=30)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    ctx = await seller_shop(session, user_of(visitor), shop_id)
    chosen = status if status in {s for s, _ in STATUS_TABS} else ""
    page = await catalog.seller_products(
        session,
        ctx.shop,
        status=chosen or None,
        q=(q or "").strip() or None,
        category_id=None,
        cursor=cursor,
        limit=PAGE_SIZE,
    )
    return render(
        request,
        "seller/products.html",
        visitor,
        {
            "seller": ctx,
            "section": "products",
            "tabs": STATUS_TABS,
            "status": chosen,
            "q": q or "",
            "items": page.items,
            "locale": await catalog.shop_locale(session, ctx.shop),
            "next_cursor": page.next_cursor,
            "paged": cursor is not None,
        },
    )


async def _form_page(
    request: Request,
    visitor: Visitor,
    session: SessionDep,
    ctx: SellerShop,
    draft: ProductDraft,
    errors: FieldErrors,
    *,
    view: catalog.ProductView | None = None,
    status_code: int = 200,
) -> Response:
    images = []
    if draft.image_ids:
        library = {i.id: i for i in (view.images if view else [])}
        missing = [i for i in draft.image_ids if i not in library]
        if missing:
            library.update({i.id: i for i in await shop_images(session, ctx.shop.id, missing)})
        images = [library[i] for i in draft.image_ids if i in library]
    tree = await catalog.category_tree(session)
    market = visitor.market_of(ctx.shop.market_code)
    return render(
        request,
        "seller/product_form.html",
        visitor,
        {
            "seller": ctx,
            "section": "products",
            "view": view,
            "draft": draft,
            "rows": padded(draft.rows),
            "option_count": MAX_SALES_ATTRIBUTES,
            "images": images,
            "groups": leaf_groups(tree),
            "currency": market.currency,
            "locale": market.locale,
            "market": market,
            "errors": errors,
        },
        status_code=status_code,
    )


@router.get("/new")
async def new_product(
    request: Request, shop_id: str, visitor: MemberDep, session: SessionDep
) -> Response:
    ctx = await seller_shop(session, user_of(visitor), shop_id)
    draft = ProductDraft(
        values={"origin_country": ctx.shop.market_code},
        options=["", "", ""],
        rows=[],
        image_ids=[],
    )
    return await _form_page(request, visitor, session, ctx, draft, FieldErrors())


async def _upload_images(
    session: SessionDep, ctx: SellerShop, form: Form, rt: Runtime, errors: FieldErrors
) -> list[int]:
    """Store the chosen files in the shop's image library; problems go next to the field."""
    ids: list[int] = []
    for upload in form.files("images"):
        data = await upload.read(rt.settings.image_max_bytes + 1)
        upload_one = partial(
            catalog.upload_image,
            session,
            shop_id=ctx.shop.id,
            data=data,
            settings=rt.settings,
            now=rt.clock.now(),
        )
        try:
            image = await attempt(session, upload_one)
        except HawkerError as exc:
            errors.add("images", f"{upload.filename}: {exc.message}")
        else:
            ids.append(image.id)
    return ids


def _service_error(exc: HawkerError, errors: FieldErrors) -> None:
    if exc.code in CATEGORY_ERRORS:
        errors.add("category_id", exc.message)
    elif exc.code in ("image_not_found", "image_in_use", "duplicate_image"):
        errors.add("images", exc.message)
    else:
        errors.add("_form", exc.message)


@router.post("/new")
async def create_product(
    request: Request, shop_id: str, visitor: MemberDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    form = await read_form(request)
    ctx = await seller_shop(session, user_of(visitor), shop_id)
    market = visitor.market_of(ctx.shop.market_code)
    errors = FieldErrors()
    uploaded = await _upload_images(session, ctx, form, rt, errors)
    draft = read_draft(form, currency=market.currency, errors=errors)
    draft.image_ids += uploaded
    draft.payload["image_ids"] = [str(i) for i in draft.image_ids]
    body = validate(ProductCreate, draft.payload, errors, field_name=draft.field_name)
    if body is not None and not errors:
        checked = body
        try:
            product = await attempt(
                session,
                lambda: catalog.create_product(session, ctx.shop, checked, now=rt.clock.now()),
            )
        except HawkerError as exc:
            _service_error(exc, errors)
        else:
            return redirect(
                request,
                f"{ctx.base}/products/{product.id}",
                flash="Product submitted. It goes live as soon as it passes review.",
            )
    if uploaded:
        errors.add("images", "Your new images are saved; no need to choose them again.")
    return await _form_page(request, visitor, session, ctx, draft, errors, status_code=400)


@router.get("/{product_id}")
async def edit_product(
    request: Request, shop_id: str, product_id: str, visitor: MemberDep, session: SessionDep
) -> Response:
    ctx = await seller_shop(session, user_of(visitor), shop_id)
    view = await catalog.seller_product_view(session, ctx.shop, _product_id(product_id))
    draft = draft_of(view.product, view.skus, view.images)
    return await _form_page(request, visitor, session, ctx, draft, FieldErrors(), view=view)


@router.post("/{product_id}")
async def update_product(
    request: Request,
    shop_id: str,
    product_id: str,
    visitor: MemberDep,
    session: SessionDep,
    rt: RuntimeDep,
) -> Response:
    form = await read_form(request)
    ctx = await seller_shop(session, user_of(visitor), shop_id)
    pid = _product_id(product_id)
    await catalog.seller_product_view(session, ctx.shop, pid)  # 404 before any upload
    market = visitor.market_of(ctx.shop.market_code)
    errors = FieldErrors()
    uploaded = await _upload_images(session, ctx, form, rt, errors)
    draft = read_draft(form, currency=market.currency, errors=errors)
    draft.image_ids += uploaded
    draft.payload["image_ids"] = [str(i) for i in draft.image_ids]
    body = validate(ProductUpdate, draft.payload, errors, field_name=draft.field_name)
    if body is not None and not errors:
        checked = body
        try:
            product = await attempt(
                session,
                lambda: catalog.update_product(session, ctx.shop, pid, checked, now=rt.clock.now()),
            )
        except HawkerError as exc:
            _service_error(exc, errors)
        else:
            message = (
                "Saved. The changes go live once they pass review."
                if product.status == ProductStatus.PENDING
                else "Saved."
            )
            return redirect(request, f"{ctx.base}/products/{pid}", flash=message)
    if uploaded:
        errors.add("images", "Your new images are saved; no need to choose them again.")
    view = await catalog.seller_product_view(session, ctx.shop, pid)
    return await _form_page(
        request, visitor, session, ctx, draft, errors, view=view, status_code=400
    )


async def _status_action(
    request: Request,
    shop_id: str,
    product_id: str,
    visitor: Visitor,
    session: SessionDep,
    rt: Runtime,
    action: str,
) -> Response:
    form = await read_form(request)
    ctx = await seller_shop(session, user_of(visitor), shop_id)
    pid = _product_id(product_id)
    now = rt.clock.now()
    try:
        if action == "activate":
            await attempt(
                session, lambda: catalog.activate_product(session, ctx.shop, pid, now=now)
            )
            message = "The product is live again."
        elif action == "deactivate":
            await attempt(
                session, lambda: catalog.deactivate_product(session, ctx.shop, pid, now=now)
            )
            message = "The product is no longer for sale. You can activate it again."
        else:
            if not form.checked("confirm"):
                return redirect(
                    request,
                    f"{ctx.base}/products/{pid}",
                    flash="Tick the box to confirm you want to delete the product.",
                    level="error",
                )
            await attempt(session, lambda: catalog.delete_product(session, ctx.shop, pid, now=now))
            return redirect(request, f"{ctx.base}/products", flash="The product is deleted.")
    except ProductNotFound:
        raise
    except HawkerError as exc:
        return redirect(request, f"{ctx.base}/products/{pid}", flash=exc.message, level="error")
    return redirect(request, f"{ctx.base}/products/{pid}", flash=message)


@router.post("/{product_id}/activate")
async def activate(
    request: Request,
    shop_id: str,
    product_id: str,
    visitor: MemberDep,
    session: SessionDep,
    rt: RuntimeDep,
) -> Response:
    return await _status_action(request, shop_id, product_id, visitor, session, rt, "activate")


@router.post("/{product_id}/deactivate")
async def deactivate(
    request: Request,
    shop_id: str,
    product_id: str,
    visitor: MemberDep,
    session: SessionDep,
    rt: RuntimeDep,
) -> Response:
    return await _status_action(request, shop_id, product_id, visitor, session, rt, "deactivate")


@router.post("/{product_id}/delete")
async def delete(
    request: Request,
    shop_id: str,
    product_id: str,
    visitor: MemberDep,
    session: SessionDep,
    rt: RuntimeDep,
) -> Response:
    return await _status_action(request, shop_id, product_id, visitor, session, rt, "delete")
