"""Catalog HTTP wiring: categories, seller center products and images, browse, operator."""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Query, Response, UploadFile

from hawker.catalog import responses, service
from hawker.catalog.schemas import (
    MAX_PRICE_MINOR,
    AuditQueuePage,
    CategoryCreate,
    CategoryOut,
    DeactivateIn,
    ImageOut,
    PriceUpdate,
    ProductCreate,
    ProductOut,
    ProductPage,
    ProductUpdate,
    PublicProductOut,
    PublicProductPage,
    PublicSort,
    ReinstateIn,
)
from hawker.deps import CurrentOperator, CurrentUser, RuntimeDep, SessionDep
from hawker.models import ProductStatus
from hawker.routing import router as make_router
from hawker.schemas import Id
from hawker.shops.service import get_shop, require_member

categories_router = make_router(prefix="/categories", tags=["catalog"])
seller_router = make_router(prefix="/seller/shops", tags=["catalog"])
products_router = make_router(prefix="/products", tags=["catalog"])
operator_router = make_router(prefix="/operator", tags=["catalog"])

Limit = Annotated[int, Query(ge=1, le=100)]
PriceQuery = Annotated[int | None, Query(ge=0, le=MAX_PRICE_MINOR)]


# Categories


@categories_router.get("", response_model=list[CategoryOut])
async def list_categories(session: SessionDep) -> list[CategoryOut]:
    return [responses.category_out(n) for n in await service.category_tree(session)]


@operator_router.post("/categories", response_model=CategoryOut, status_code=201)
async def create_category(
    body: CategoryCreate, operator: CurrentOperator, session: SessionDep, rt: RuntimeDep
) -> CategoryOut:
    category = await service.create_category(
        session,
        operator,
        name=body.name,
        parent_id=body.parent_id,
        hs_chapter=body.hs_chapter,
        now=rt.clock.now(),
    )
    return responses.category_out(service.CategoryNode(category))


# Seller center: images


@seller_router.post("/{shop_id}/images", response_model=ImageOut, status_code=201)
async def upload_image(
    shop_id: Id,
    user: CurrentUser,
    session: SessionDep,
    rt: RuntimeDep,
    file: Annotated[UploadFile, File(description="A JPEG, PNG or WebP image.")],
) -> ImageOut:
    shop = await require_member(session, user, shop_id)
    data = await file.read(rt.settings.image_max_bytes + 1)
    image = await service.upload_image(
        session, shop_id=shop.id, data=data, settings=rt.settings, now=rt.clock.now()
    )
    return ImageOut.model_validate(image)


# Seller center: products


@seller_router.post("/{shop_id}/products", response_model=ProductOut, status_code=201)
async def create_product(
    shop_id: Id, body: ProductCreate, user: CurrentUser, session: SessionDep, rt: RuntimeDep
) -> ProductOut:
    shop = await require_member(session, user, shop_id)
    product = await service.create_product(session, shop, body, now=rt.clock.now())
    return responses.product_out(await service.seller_product_view(session, shop, product.id))


@seller_router.get("/{shop_id}/products", response_model=ProductPage)
async def list_products(
    shop_id: Id,
    user: CurrentUser,
    session: SessionDep,
    status: ProductStatus | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    category_id: Id | None = None,
    cursor: str | None = None,
    limit: Limit = 20,
) -> ProductPage:
    shop = await require_member(session, user, shop_id)
    page = await service.seller_products(
        session, shop, status=status, q=q, category_id=category_id, cursor=cursor, limit=limit
    )
    locale = await service.shop_locale(session, shop)
    return ProductPage(
        items=[responses.product_summary(i, locale) for i in page.items],
        next_cursor=page.next_cursor,
    )


@seller_router.get("/{shop_id}/products/{product_id}", response_model=ProductOut)
async def get_product(
    shop_id: Id, product_id: Id, user: CurrentUser, session: SessionDep
) -> ProductOut:
    shop = await require_member(session, user, shop_id)
    return responses.product_out(await service.seller_product_view(session, shop, product_id))


@seller_router.put("/{shop_id}/products/{product_id}", response_model=ProductOut)
async def update_product(
    shop_id: Id,
    product_id: Id,
    body: ProductUpdate,
    user: CurrentUser,
    session: SessionDep,
    rt: RuntimeDep,
) -> ProductOut:
    shop = await require_member(session, user, shop_id)
    await service.update_product(session, shop, product_id, body, now=rt.clock.now())
    return responses.product_out(await service.seller_product_view(session, shop, product_id))


@seller_router.post("/{shop_id}/products/{product_id}/prices", response_model=ProductOut)
async def update_prices(
    shop_id: Id,
    product_id: Id,
    body: PriceUpdate,
    user: CurrentUser,
    session: SessionDep,
    rt: RuntimeDep,
) -> ProductOut:
    shop = await require_member(session, user, shop_id)
    await service.update_prices(session, shop, product_id, body, now=rt.clock.now())
    return responses.product_out(await service.seller_product_view(session, shop, product_id))


@seller_router.post("/{shop_id}/products/{product_id}/activate", response_model=ProductOut)
async def activate_product(
    shop_id: Id, product_id: Id, user: CurrentUser, session: SessionDep, rt: RuntimeDep
) -> ProductOut:
    shop = await require_member(session, user, shop_id)
    await service.activate_product(session, shop, product_id, now=rt.clock.now())
    return responses.product_out(await service.seller_product_view(session, shop, product_id))


@seller_router.post("/{shop_id}/products/{product_id}/deactivate", response_model=ProductOut)
async def deactivate_product(
    shop_id: Id, product_id: Id, user: CurrentUser, session: SessionDep, rt: RuntimeDep
) -> ProductOut:
    shop = await require_member(session, user, shop_id)
    await service.deactivate_product(session, shop, product_id, now=rt.clock.now())
    return responses.product_out(await service.seller_product_view(session, shop, product_id))


@seller_router.delete("/{shop_id}/products/{product_id}", status_code=204)
async def delete_product(
    shop_id: Id, product_id: Id, user: CurrentUser, session: SessionDep, rt: RuntimeDep
) -> Response:
    shop = await require_member(session, user, shop_id)
    await service.delete_product(session, shop, product_id, now=rt.clock.now())
    return Response(status_code=204)


# Public browse


@products_router.get("", response_model=PublicProductPage)
async def browse_products(
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    category_id: Id | None = None,
    shop_id: Id | None = None,
    market_code: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    min_price: PriceQuery = None,
    max_price: PriceQuery = None,
    sort: PublicSort = "newest",
    cursor: str | None = None,
    limit: Limit = 20,
) -> PublicProductPage:
    page = await service.public_products(
        session,
        q=q,
        category_id=category_id,
        shop_id=shop_id,
        market_code=market_code,
        min_price=min_price,
        max_price=max_price,
        sort=sort,
        cursor=cursor,
        limit=limit,
    )
    return PublicProductPage(
        items=[responses.public_summary(i) for i in page.items], next_cursor=page.next_cursor
    )


@products_router.get("/{product_id}", response_model=PublicProductOut)
async def product_detail(product_id: Id, session: SessionDep) -> PublicProductOut:
    return responses.public_product_out(await service.public_product(session, product_id))


# Operator


@operator_router.get("/product-audits", response_model=AuditQueuePage)
async def audit_queue(
    operator: CurrentOperator,
    session: SessionDep,
    status: str | None = None,
    cursor: str | None = None,
    limit: Limit = 20,
) -> AuditQueuePage:
    page = await service.audit_queue(session, status=status, cursor=cursor, limit=limit)
    return AuditQueuePage(
        items=[responses.audit_queue_item(e) for e in page.items], next_cursor=page.next_cursor
    )


@operator_router.post("/products/{product_id}/deactivate", response_model=ProductOut)
async def platform_deactivate(
    product_id: Id,
    body: DeactivateIn,
    operator: CurrentOperator,
    session: SessionDep,
    rt: RuntimeDep,
) -> ProductOut:
    product = await service.platform_deactivate(
        session, operator, product_id, reason=body.reason, now=rt.clock.now()
    )
    return await _operator_view(session, product.shop_id, product.id)


@operator_router.post("/products/{product_id}/reinstate", response_model=ProductOut)
async def reinstate(
    product_id: Id,
    operator: CurrentOperator,
    session: SessionDep,
    rt: RuntimeDep,
    body: ReinstateIn | None = None,
) -> ProductOut:
    product = await service.reinstate(
        session, operator, product_id, note=body.note if body else None, now=rt.clock.now()
    )
    return await _operator_view(session, product.shop_id, product.id)


async def _operator_view(session: SessionDep, shop_id: int, product_id: int) -> ProductOut:
    shop = await get_shop(session, shop_id)
    return responses.product_out(await service.seller_product_view(session, shop, product_id))
