"""Arranging shipment: a platform label bought from the carrier, or the seller's own.

Platform shipping (TIKTOK): Hawker buys the label for the package's delivery level from
the carrier service backing it at the package's warehouse, and keeps the label data and
the tracking number. Seller shipping (SELLER): the seller names the carrier and the
tracking number, which must have the carrier's format and be new to Hawker; Hawker asks
the carrier to follow that parcel. Either way the package waits (PROCESSING) for the
carrier's acceptance scan, and the order is AWAITING_COLLECTION once every package is
arranged. Nothing is dispatched by a click: only a carrier scan moves it further.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.config import Settings
from hawker.fulfillment import repository as repo
from hawker.fulfillment.service.errors import (
    NoDeliveryOption,
    PackageNotFound,
    PackageNotToFulfill,
    ShippingDetailsRequired,
    TrackingNumberInUse,
)
from hawker.fulfillment.service.progress import change_package, follow_packages
from hawker.logistics import carrier_protocol as wire
from hawker.logistics import service as logistics
from hawker.models import (
    Order,
    OrderStatus,
    Package,
    PackageStatus,
    ShippingType,
    User,
    Warehouse,
)
from hawker.orders import service as orders
from hawker.orders.state import ActorRole
from hawker.shops import service as shops
from hawker.shops import warehouses as shop_warehouses

ARRANGEABLE_ORDER = frozenset(
    {OrderStatus.AWAITING_SHIPMENT, OrderStatus.AWAITING_COLLECTION, OrderStatus.PARTIALLY_SHIPPING}
)
MAX_DB_ID = 2**63 - 1


async def shop_package(session: AsyncSession, user: User, shop_id: int, package_id: int) -> Package:
    """A package of one of the user's shops; anything else answers 404 (tenancy)."""
    await shops.require_member(session, user, shop_id)
    if not 0 < package_id <= MAX_DB_ID:
        raise PackageNotFound(f"There is no package {package_id}.")
    package = await repo.get_package(session, package_id)
    if package is None or package.shop_id != shop_id:
        raise PackageNotFound(f"There is no package {package_id}.")
    return package


def _recipient(order: Order) -> wire.Address:
    return wire.Address(
        name=order.recipient_name,
        line1=order.address_line1,
        line2=order.address_line2,
        city=order.city,
        region=order.region,
        postal_code=order.postal_code,
        country_code=order.country_code,
        phone=order.recipient_phone,
    )


def _sender(warehouse: Warehouse, shop_name: str) -> wire.Address:
    return wire.Address(
        name=shop_name,
        line1=warehouse.address_line1,
        line2=warehouse.address_line2,
        city=warehouse.city,
        region=warehouse.region,
        postal_code=warehouse.postal_code,
        country_code=warehouse.country_code,
    )


async def arrange_shipment(
    session: AsyncSession,
    user: User,
    shop_id: int,
    package_id: int,
    *,
    shipping_type: ShippingType,
    carrier_code: str | None,
    tracking_number: str | None,
    now: datetime,
    settings: Settings,
) -> Package:
    found = await shop_package(session, user, shop_id, package_id)
    # locks: the order, then its package (everywhere in fulfilment, so none can deadlock)
    (order,) = await orders.lock_orders(session, [found.order_id])
    package = await repo.lock_package(session, found.id)
    assert package is not None
    if package.status != PackageStatus.TO_FULFILL or order.status not in ARRANGEABLE_ORDER:
        raise PackageNotToFulfill(
            f"Package {package.id} is {package.status} (order {order.status}); "
            "only a package TO_FULFILL of an open order can be shipped.",
            details={"package_status": package.status, "order_status": order.status},
        )
    warehouse = await shop_warehouses.shop_warehouse(session, shop_id, package.warehouse_id)
    shop = await shops.get_shop(session, shop_id)
    if shipping_type == ShippingType.SELLER:
        if not carrier_code or not tracking_number:
            raise ShippingDetailsRequired("Seller shipping needs carrier_code and tracking_number.")
        carrier, number = await logistics.check_tracking_number(
            session, carrier_code, tracking_number
        )
        if await repo.tracking_number_taken(session, carrier.id, number):
            raise TrackingNumberInUse(
                f"{carrier.name} tracking number {number} is already used by another package.",
                details={"carrier": carrier.code, "tracking_number": number},
            )
        adapter = logistics.adapter_for(carrier, settings)
        await adapter.register_tracking(
            wire.TrackerRequest(
                tracking_number=number,
                reference=str(package.id),
                weight_g=package.expected_weight_g,
                recipient=_recipient(order),
            )
        )
        values: dict[str, object] = {
            "carrier_id": carrier.id,
            "service_id": None,
            "tracking_number": number,
        }
    else:
        profile = (await logistics.site_profiles(session, [warehouse.id], settings=settings)).get(
            warehouse.id
        )
        service_id = profile.service_for(package.delivery_level) if profile else None
        offered = await logistics.services(session, [service_id] if service_id else [])
        service = offered.get(service_id) if service_id else None
        backing = await logistics.carrier(session, service.carrier_id) if service else None
        if service is None or backing is None or not service.is_active or not backing.is_active:
            raise NoDeliveryOption(
                f"No carrier service offers {package.delivery_level} delivery from "
                f"{warehouse.name}; ask the platform or choose seller shipping.",
                details={"warehouse_id": str(warehouse.id), "level": package.delivery_level},
            )
        carrier = backing
        adapter = logistics.adapter_for(carrier, settings)
        bought = await adapter.create_shipment(
            wire.ShipmentRequest(
                reference=str(package.id),
                service_code=service.code,
                sender=_sender(warehouse, shop.name),
                recipient=_recipient(order),
                weight_g=package.expected_weight_g,
                length_cm=package.length_cm,
                width_cm=package.width_cm,
                height_cm=package.height_cm,
                currency=order.currency,
            )
        )
        values = {
            "carrier_id": carrier.id,
            "service_id": service.id,
            "tracking_number": bought.tracking_number.upper(),
            "carrier_shipment_id": bought.shipment_id,
            "label": {**bought.label, "order_id": str(order.id), "package_id": str(package.id)},
            "label_cost_minor": bought.price_minor if bought.currency == order.currency else None,
        }
    await change_package(
        session,
        package,
        now=now,
        status=PackageStatus.PROCESSING,
        shipping_type=shipping_type.value,
        arranged_at=now,
        **values,
    )
    await follow_packages(
        session,
        order.id,
        now=now,
        actor_role=ActorRole.SELLER,
        actor_id=user.id,
        reason=f"shipment arranged ({shipping_type.value})",
    )
    return package
