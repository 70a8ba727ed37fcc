"""The buyer's shop: home feed, search, product pages, shop pages, adding to the cart."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Query, Request, Response

from hawker.cart import service as cart
from hawker.catalog import service as catalog
from hawker.deps import RuntimeDep, SessionDep
from hawker.errors import HawkerError, NotFound
from hawker.routing import router as make_router
from hawker.shops import service as shops
from hawker.web.category_choices import all_choices, path_to
from hawker.web.feed import home_feed
from hawker.web.forms import FieldErrors, attempt, parse_id, parse_int, parse_price, read_form
from hawker.web.rendering import redirect, render, safe_next
from hawker.web.variant_picker import match, options_of, picker_data, variants_of
from hawker.web.visitor import Visitor, VisitorDep

router = make_router(include_in_schema=False)

HOME_PRODUCTS = 12
PAGE_SIZE = 24
SORTS = {"newest": "Newest", "price_asc": "Price: low to high", "price_desc": "Price: high to low"}
Text = Annotated[str | None, Query(max_length=200)]
Cursor = Annotated[str | None, Query(max_length=500)]


class PageNotFound(NotFound):
    """We couldn't find that page."""

    code = "page_not_found"


def _id_or_404(value: str) -> int:
    parsed = parse_id(value)
    if parsed is None:
        raise PageNotFound("We couldn't find that page.")
    return parsed


# Home -----------------------------------------------------------------------------------------


@router.get("/")
async def home(
    request: Request, visitor: VisitorDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    tree = await catalog.category_tree(session)
    feed = await home_feed(session, rt.broker)
    page = await catalog.public_products(
        session,
        q=None,
        category_id=None,
        shop_id=None,
        market_code=visitor.market.code,
        min_price=None,
        max_price=None,
        sort="newest",
        cursor=None,
        limit=HOME_PRODUCTS,
    )
    return render(
        request,
        "buyer/home.html",
        visitor,
        {
            "section": "home",
            "feed": feed,
            "now": rt.clock.now(),
            "categories": [node.category for node in tree],
            "products": page.items,
            "more": page.next_cursor is not None,
        },
    )


# Search ---------------------------------------------------------------------------------------


def _price_filter(text: str, currency: str, errors: FieldErrors, field: str) -> int | None:
    if not text:
        return None
    if text.strip() in ("0", "0.0", "0.00"):
        return 0
    try:
        return parse_price(text, currency)
    except ValueError as exc:
        errors.add(field, str(exc))
        return None


@router.get("/search")
async def search(
    request: Request,
    visitor: VisitorDep,
    session: SessionDep,
    q: Text = None,
    category: Annotated[str | None, Query(max_length=20)] = None,
    min: Annotated[str | None, Query(max_length=20)] = None,
    max: Annotated[str | None, Query(max_length=20)] = None,
    sort: Annotated[str | None, Query(max_length=20)] = None,
    shop: Annotated[str | None, Query(max_length=20)] = None,
    cursor: Cursor = None,
) -> Response:
    market = visitor.market
    errors = FieldErrors()
    params = {
        "q": (q or "").strip(),
        "category": category or "",
        "min": (min or "").strip(),
        "max": (max or "").strip(),
        "sort": sort if sort in SORTS else "newest",
        "shop": shop or "",
    }
    category_id = parse_id(params["category"])
    shop_id = parse_id(params["shop"])
    min_price = _price_filter(params["min"], market.currency, errors, "min")
    max_price = _price_filter(params["max"], market.currency, errors, "max")
    if min_price is not None and max_price is not None and min_price > max_price:
        errors.add("max", "The highest price must not be below the lowest.")
    tree = await catalog.category_tree(session)
    items: list[catalog.PublicListItem] = []
    next_cursor = None
    if not errors:
        page = await catalog.public_products(
            session,
            q=params["q"] or None,
            category_id=category_id,
            shop_id=shop_id,
            market_code=market.code,
            min_price=min_price,
            max_price=max_price,
            sort=params["sort"],
            cursor=cursor,
            limit=PAGE_SIZE,
        )
        items, next_cursor = page.items, page.next_cursor
    return render(
        request,
        "buyer/search.html",
        visitor,
        {
            "section": "discover",
            "search_q": params["q"],
            "params": params,
            "errors": errors,
            "categories": all_choices(tree),
            "sorts": SORTS,
            "products": items,
            "next_cursor": next_cursor,
            "paged": cursor is not None,
        },
        status_code=400 if errors else 200,
    )


# Product page ---------------------------------------------------------------------------------


async def _product_page(
    request: Request,
    visitor: Visitor,
    session: SessionDep,
    product_id: int,
    *,
    back: str | None,
    chosen: list[str] | None = None,
    quantity: int = 1,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> Response:
    view = await catalog.public_product(session, product_id)
    locale = view.market.locale
    options = options_of(view.skus)
    variants = variants_of(view.skus, options, view.available)
    tree = await catalog.category_tree(session)
    selected = match(variants, chosen) if chosen is not None else None
    if selected is None and len(variants) == 1:
        selected = variants[0]
    return render(
        request,
        "buyer/product.html",
        visitor,
        {
            "section": "discover",
            "view": view,
            "product": view.product,
            "locale": locale,
            "options": options,
            "variants": variants,
            "selected": selected,
            "chosen": chosen or [],
            "quantity": quantity,
            "picker": picker_data(variants, locale=locale),
            "in_stock": any(v.available > 0 for v in variants),
            "crumbs": path_to(tree, view.product.category_id),
            "back": safe_next(back, "/"),
            "errors": errors or FieldErrors(),
        },
        status_code=status_code,
    )


@router.get("/products/{product_id}")
async def product_page(
    request: Request,
    product_id: str,
    visitor: VisitorDep,
    session: SessionDep,
    back: Annotated[str | None, Query(max_length=600)] = None,
) -> Response:
    return await _product_page(request, visitor, session, _id_or_404(product_id), back=back)


@router.post("/cart/items")
async def add_to_cart(
    request: Request, visitor: VisitorDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    """Add the chosen variant; "Buy now" goes straight on to checkout."""
    form = await read_form(request)
    product_id = parse_id(form.get("product_id"))
    if product_id is None:
        raise PageNotFound("We couldn't find that product.")
    back = safe_next(form.get("back"), "/")
    product_path = f"/products/{product_id}?back={quote(back, safe='')}"
    if visitor.user is None:
        return redirect(
            request,
            f"/login?next={quote(product_path, safe='')}",
            flash="Log in or sign up to add things to your cart.",
            level="info",
        )
    user = visitor.user
    view = await catalog.public_product(session, product_id)
    options = options_of(view.skus)
    variants = variants_of(view.skus, options, view.available)
    chosen = [form.get(f"option-{i}") for i in range(len(options))]
    errors = FieldErrors()
    quantity = 1
    try:
        quantity = parse_int(
            form.get("quantity") or "1", minimum=1, maximum=rt.settings.max_line_quantity
        )
    except ValueError as exc:
        errors.add("quantity", str(exc))
    for i, option in enumerate(options):
        if not chosen[i]:
            errors.add(f"option-{i}", f"Choose a {option.name.lower()}.")
    selected = match(variants, chosen) if not errors else None
    if not errors and selected is None:
        errors.add("_form", "That combination isn't available. Choose another.")
    if selected is not None and selected.available < quantity:
        errors.add(
            "quantity",
            "Sold out." if selected.available == 0 else f"Only {selected.available} left.",
        )
    if selected is not None and not errors:
        try:
            await attempt(
                session,
                lambda: cart.add_item(
                    session,
                    user,
                    sku_id=selected.sku.id,
                    quantity=quantity,
                    now=rt.clock.now(),
                    settings=rt.settings,
                ),
            )
        except HawkerError as exc:
            errors.add("_form", exc.message)
        else:
            # from a live room: checkout knows the live, and adding goes back to the room
            from_live = parse_id(form.get("live"))
            if form.get("action") == "buy":
                where = f"/checkout?live={from_live}" if from_live is not None else "/checkout"
                return redirect(request, where)
            return redirect(
                request,
                back if from_live is not None else "/cart",
                flash=f"Added {view.product.title} ({selected.name}) to your cart.",
            )
    return await _product_page(
        request,
        visitor,
        session,
        product_id,
        back=back,
        chosen=chosen,
        quantity=quantity,
        errors=errors,
        status_code=409 if "_form" in errors else 400,
    )


# Shop page ------------------------------------------------------------------------------------


@router.get("/shops/{shop_id}")
async def shop_page(
    request: Request,
    shop_id: str,
    visitor: VisitorDep,
    session: SessionDep,
    cursor: Cursor = None,
) -> Response:
    shop = await shops.get_public_shop(session, _id_or_404(shop_id))
    page = await catalog.public_products(
        session,
        q=None,
        category_id=None,
        shop_id=shop.id,
        market_code=None,
        min_price=None,
        max_price=None,
        sort="newest",
        cursor=cursor,
        limit=PAGE_SIZE,
    )
    return render(
        request,
        "buyer/shop.html",
        visitor,
        {
            "section": "discover",
            "shop": shop,
            "market": visitor.market_of(shop.market_code),
            "products": page.items,
            "next_cursor": page.next_cursor,
            "paged": cursor is not None,
        },
    )
