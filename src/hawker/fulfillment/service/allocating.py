"""When an order leaves ON_HOLD: choose its warehouse(s), make its packages, start its clocks.

The choice is `hawker.fulfillment.allocation.allocate` over the shop's sales warehouses,
each offering its free units plus the units this order already holds there. When the
choice differs from where checkout reserved, the reservation moves
(`inventory.move_reservations`, all or nothing); if the stock moved meanwhile, checkout's
warehouses are kept. The units stay reserved until a carrier accepts the package.

The dispatch deadline and the auto-cancel time are the end of the 2nd and 7th business
day (settings) after the remorse window ended, in the market's time zone and calendar.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.config import Settings
from hawker.fulfillment import allocation
from hawker.fulfillment import repository as repo
from hawker.fulfillment.service.progress import PACKAGE_TOPIC, package_event
from hawker.inventory import service as inventory
from hawker.logistics import estimate
from hawker.logistics import service as logistics
from hawker.models import (
    DeliveryLevel,
    Order,
    OrderFulfilment,
    OrderLine,
    OrderStatus,
    Package,
    PackageItem,
    PackageStatus,
)
from hawker.orders import service as orders
from hawker.outbox.service import record_event

log = logging.getLogger("hawker.fulfillment")

DEFAULT_LEVEL = DeliveryLevel.STANDARD


async def market_tz(session: AsyncSession, market_code: str) -> ZoneInfo:
    market = await repo.market(session, market_code)
    return ZoneInfo(market.timezone if market else "UTC")


def deadlines(
    released_at: datetime, *, tz: ZoneInfo, country: str, settings: Settings
) -> tuple[datetime, datetime]:
    """(dispatch deadline, auto-cancel time) for an order released at `released_at`."""
    dispatch = estimate.business_deadline(
        released_at, tz=tz, country=country, business_days=settings.dispatch_business_days
    )
    cancel = estimate.business_deadline(
        released_at, tz=tz, country=country, business_days=settings.auto_cancel_business_days
    )
    return dispatch, cancel


async def build_request(
    session: AsyncSession, order: Order, lines: Sequence[OrderLine]
) -> allocation.OrderRequest:
    boxes = await repo.product_boxes(session, {line.product_id for line in lines})
    items = tuple(
        allocation.Item(
            line_id=line.id,
            sku_id=line.sku_id,
            quantity=line.quantity,
            unit_weight_g=line.package_weight_g,
            length_cm=boxes.get(line.product_id, (0, 0, 0))[0],
            width_cm=boxes.get(line.product_id, (0, 0, 0))[1],
            height_cm=boxes.get(line.product_id, (0, 0, 0))[2],
        )
        for line in lines
    )
    destination = await logistics.destination_point(session, order.country_code, order.postal_code)
    return allocation.OrderRequest(order.id, items, destination, order.country_code)


async def build_sites(
    session: AsyncSession,
    shop_id: int,
    sku_ids: set[int],
    *,
    settings: Settings,
    held: Sequence[tuple[int, int, int, int]] = (),
    level: str = DEFAULT_LEVEL,
) -> tuple[dict[int, allocation.Site], dict[int, logistics.SiteProfile]]:
    """Allocation sites of the shop: free units, plus `held` (line, sku, warehouse, units)
    the order being allocated already reserves."""
    sales = await logistics.shop_sales_sites(session, shop_id, settings=settings)
    profiles = {p.warehouse_id: p for p in sales}
    missing = {wid for _, _, wid, _ in held} - set(profiles)
    if missing:
        profiles.update(await logistics.site_profiles(session, missing, settings=settings))
    service_ids = {sid for p in profiles.values() if (sid := p.service_for(level)) is not None}
    cards = await logistics.rate_cards(session, service_ids)
    stock: dict[int, dict[int, int]] = {wid: {} for wid in profiles}
    for wid, sku, free in await repo.sales_stock(session, shop_id, sku_ids):
        if wid in stock:
            stock[wid][sku] = stock[wid].get(sku, 0) + max(free, 0)
    for _, sku, wid, qty in held:
        stock.setdefault(wid, {})
        stock[wid][sku] = stock[wid].get(sku, 0) + qty
    sites = {}
    for wid, p in profiles.items():
        sid = p.service_for(level)
        sites[wid] = allocation.Site(
            warehouse_id=wid,
            location=p.location,
            country_code=p.country_code,
            stock=stock.get(wid, {}),
            rates=cards.get(sid) if sid is not None else None,
        )
    return sites, profiles


def _order_sites(
    sites: dict[int, allocation.Site], profiles: dict[int, logistics.SiteProfile]
) -> list[allocation.Site]:
    """Default warehouse first, then by id: ties go to the shop's usual warehouse."""
    return sorted(
        sites.values(),
        key=lambda s: (
            not (profiles[s.warehouse_id].is_default if s.warehouse_id in profiles else False),
            s.warehouse_id,
        ),
    )


async def allocate_order(
    session: AsyncSession, order_id: int, *, now: datetime, settings: Settings
) -> list[Package]:
    """Make the order's packages (idempotent: an order with packages keeps them)."""
    (order,) = await orders.lock_orders(session, [order_id])
    if order.status != OrderStatus.AWAITING_SHIPMENT:
        return []
    existing = await repo.packages_of_orders(session, [order.id])
    if existing:
        return existing
    lines = await repo.order_lines(session, order.id)
    held = await repo.reserved_for_order(session, order.id)
    request = await build_request(session, order, lines)
    sites, profiles = await build_sites(
        session, order.shop_id, {line.sku_id for line in lines}, settings=settings, held=held
    )
    bands = settings.zone_bands_km
    chosen = allocation.allocate(request, _order_sites(sites, profiles), bands=bands)
    index = {item.line_id: i for i, item in enumerate(request.items)}
    moved = chosen.ok and await inventory.move_reservations(
        session,
        order.id,
        [
            inventory.PlannedSlice(
                line_id=line, sku_id=sku, warehouse_id=p.warehouse_id, quantity=q
            )
            for p in chosen.parcels
            for line, sku, q in p.items
        ],
        now=now,
        reason="allocated for fulfilment",
    )
    if not moved:
        groups: dict[int, dict[int, int]] = {}
        for line, _, wid, qty in held:
            by_item = groups.setdefault(wid, {})
            by_item[index[line]] = by_item.get(index[line], 0) + qty
        chosen = allocation.assign_fixed(request, sites, groups, bands=bands)
        log.info("order %s keeps checkout's warehouses %s", order.id, sorted(groups))
    tz = await market_tz(session, order.market_code)
    released = order.hold_until or order.paid_at or now
    dispatch_deadline, auto_cancel_at = deadlines(
        released, tz=tz, country=order.market_code, settings=settings
    )
    session.add(
        OrderFulfilment(
            order_id=order.id,
            shop_id=order.shop_id,
            market_code=order.market_code,
            released_at=released,
            dispatch_deadline=dispatch_deadline,
            auto_cancel_at=auto_cancel_at,
            late_dispatch=False,
            created_at=now,
            updated_at=now,
        )
    )
    packages: list[Package] = []
    by_line = {line.id: line for line in lines}
    for parcel in chosen.parcels:
        card = sites[parcel.warehouse_id].rates
        same_currency = card is not None and card.currency == order.currency
        package = Package(
            order_id=order.id,
            shop_id=order.shop_id,
            warehouse_id=parcel.warehouse_id,
            status=PackageStatus.TO_FULFILL,
            delivery_level=DEFAULT_LEVEL,
            currency=order.currency,
            zone=parcel.zone,
            shipping_cost_minor=parcel.cost_minor if same_currency else None,
            expected_weight_g=parcel.weight_g,
            length_cm=parcel.box.length_cm,
            width_cm=parcel.box.width_cm,
            height_cm=parcel.box.height_cm,
            chargeable_weight_g=parcel.chargeable_weight_g,
            dispatch_deadline=dispatch_deadline,
            held=False,
            version=1,
            created_at=now,
            updated_at=now,
        )
        session.add(package)
        await session.flush()
        for line_id, sku_id, qty in parcel.items:
            session.add(
                PackageItem(
                    package_id=package.id,
                    order_line_id=line_id,
                    sku_id=sku_id,
                    quantity=qty,
                    unit_weight_g=by_line[line_id].package_weight_g,
                )
            )
        record_event(
            session,
            topic=PACKAGE_TOPIC,
            aggregate_type="package",
            aggregate_id=package.id,
            payload=package_event(package, now),
            now=now,
        )
        packages.append(package)
    await session.flush()
    return packages
