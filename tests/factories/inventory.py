"""Rows for service-level inventory and payments tests, inserted directly with the ORM,
and stock put in through the seller endpoint for API tests."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.kit.ids import new_id
from hawker.models import (
    Category,
    Order,
    OrderLine,
    Product,
    ProductStatus,
    Shop,
    ShopMember,
    ShopRole,
    ShopStatus,
    Sku,
    Stock,
    StockMovement,
    User,
    UserRole,
    Warehouse,
    WarehouseType,
)
from tests.factories.accounts import Actor

_seq = itertools.count(1)


async def insert_user(s: AsyncSession, *, now: datetime, role: str = UserRole.BUYER) -> User:
    n = next(_seq)
    user = User(
        email=f"row-user-{n}-{new_id()}@example.com",
        password_hash="not-a-real-hash",
        display_name=f"Row User {n}",
        role=role,
        market_code="US",
        created_at=now,
    )
    s.add(user)
    await s.flush()
    return user


async def insert_shop(
    s: AsyncSession, *, now: datetime, owner_id: int | None = None, market_code: str = "US"
) -> Shop:
    n = next(_seq)
    shop = Shop(
        name=f"Row Shop {n} {new_id()}",
        market_code=market_code,
        seller_type="LOCAL",
        status=ShopStatus.ACTIVE,
        contact_email="shop@example.com",
        business_name=f"Row Business {n}",
        business_registration_number=f"ROW-{n}",
        created_at=now,
        updated_at=now,
    )
    s.add(shop)
    await s.flush()
    if owner_id is not None:
        s.add(ShopMember(shop_id=shop.id, user_id=owner_id, role=ShopRole.OWNER, created_at=now))
        await s.flush()
    return shop


async def insert_warehouse(
    s: AsyncSession,
    *,
    shop_id: int,
    now: datetime,
    type: str = WarehouseType.SALES_WAREHOUSE,
    is_default: bool = False,
    name: str | None = None,
) -> Warehouse:
    warehouse = Warehouse(
        shop_id=shop_id,
        type=type,
        name=name or f"Row Warehouse {next(_seq)}",
        address_line1="1 Test Street",
        city="Testville",
        postal_code="10001",
        country_code="US",
        latitude=Decimal("40.7"),
        longitude=Decimal("-74.0"),
        is_default=is_default,
        created_at=now,
    )
    s.add(warehouse)
    await s.flush()
    return warehouse


async def insert_sku(
    s: AsyncSession,
    *,
    shop_id: int,
    now: datetime,
    title: str = "Row Product",
    seller_sku: str | None = None,
    attributes: list[dict[str, Any]] | None = None,
    price_minor: int = 1000,
    currency: str = "USD",
) -> Sku:
    category = Category(name="Row Category", slug=f"row-category-{new_id()}", is_leaf=True)
    s.add(category)
    await s.flush()
    product = Product(
        shop_id=shop_id,
        category_id=category.id,
        title=title,
        status=ProductStatus.ACTIVATE,
        package_weight_g=250,
        package_length_cm=30,
        package_width_cm=20,
        package_height_cm=5,
        origin_country="US",
        currency=currency,
        min_price_minor=price_minor,
        max_price_minor=price_minor,
        created_at=now,
        updated_at=now,
    )
    s.add(product)
    await s.flush()
    sku = Sku(
        product_id=product.id,
        seller_sku=seller_sku or f"ROW-SKU-{next(_seq)}",
        sales_attributes=attributes if attributes is not None else [],
        price_minor=price_minor,
        currency=currency,
        created_at=now,
        updated_at=now,
    )
    s.add(sku)
    await s.flush()
    return sku


async def insert_order(
    s: AsyncSession,
    *,
    buyer_id: int,
    shop_id: int,
    now: datetime,
    lines: Sequence[tuple[int, int]] = (),
    total_minor: int = 1000,
    currency: str = "USD",
) -> tuple[Order, list[OrderLine]]:
    """An UNPAID order with (sku id, quantity) lines."""
    order = Order(
        checkout_id=new_id(),
        shop_id=shop_id,
        buyer_id=buyer_id,
        market_code="US",
        currency=currency,
        subtotal_minor=total_minor,
        shipping_fee_minor=0,
        tax_minor=0,
        tax_included=False,
        total_minor=total_minor,
        recipient_name="Buyer",
        recipient_phone="+15550100",
        address_line1="2 Buyer Road",
        city="Buyertown",
        postal_code="10002",
        country_code="US",
        created_at=now,
        updated_at=now,
    )
    s.add(order)
    await s.flush()
    out: list[OrderLine] = []
    for sku_id, quantity in lines:
        line = OrderLine(
            order_id=order.id,
            product_id=0,
            sku_id=sku_id,
            product_name="Row Product",
            sku_name="Default",
            seller_sku="ROW",
            quantity=quantity,
            original_price_minor=1000,
            sale_price_minor=1000,
            line_total_minor=1000 * quantity,
            package_weight_g=250,
        )
        s.add(line)
        out.append(line)
    await s.flush()
    return order, out


async def stock_figures(s: AsyncSession, sku_id: int, warehouse_id: int) -> tuple[int, int] | None:
    """(on_hand, reserved) of one stock row, read fresh; None when there is no row."""
    q = (
        select(Stock)
        .where(Stock.sku_id == sku_id, Stock.warehouse_id == warehouse_id)
        .execution_options(populate_existing=True)
    )
    stock = (await s.scalars(q)).first()
    return None if stock is None else (stock.on_hand, stock.reserved)


async def movement_count(s: AsyncSession) -> int:
    return int(await s.scalar(select(func.count()).select_from(StockMovement)) or 0)


async def receive_via_api(
    client: httpx.AsyncClient,
    actor: Actor,
    shop_id: str,
    *,
    sku_id: str,
    warehouse_id: str,
    quantity: int,
    note: str = "",
) -> dict[str, Any]:
    r = await client.post(
        f"/api/v1/seller/shops/{shop_id}/stock/receipts",
        json={"sku_id": sku_id, "warehouse_id": warehouse_id, "quantity": quantity, "note": note},
        headers=actor.headers,
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


class StockWorld:
    """A seller's shop with sales warehouses and one SKU, and a buyer, as plain ids."""

    def __init__(
        self, *, owner_id: int, buyer_id: int, shop_id: int, sku_id: int, warehouses: list[int]
    ) -> None:
        self.owner_id = owner_id
        self.buyer_id = buyer_id
        self.shop_id = shop_id
        self.sku_id = sku_id
        self.warehouses = warehouses


async def make_stock_world(
    s: AsyncSession, *, now: datetime, warehouses: int = 1, default_index: int | None = 0
) -> StockWorld:
    owner = await insert_user(s, now=now)
    buyer = await insert_user(s, now=now)
    shop = await insert_shop(s, now=now, owner_id=owner.id)
    ids = []
    for i in range(warehouses):
        wh = await insert_warehouse(s, shop_id=shop.id, now=now, is_default=i == default_index)
        ids.append(wh.id)
    sku = await insert_sku(s, shop_id=shop.id, now=now)
    return StockWorld(
        owner_id=owner.id, buyer_id=buyer.id, shop_id=shop.id, sku_id=sku.id, warehouses=ids
    )
