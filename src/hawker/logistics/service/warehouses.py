"""What a seller sets about shipping from its warehouses: handling days, delivery options,
and storing stock in a platform fulfilment centre."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.service import audit
from hawker.config import Settings
from hawker.errors import InvalidState
from hawker.logistics import repository as repo
from hawker.logistics.service.errors import (
    AlreadyEnrolled,
    InvalidNetworkField,
    ServiceNotInMarket,
)
from hawker.logistics.service.lookups import SiteProfile, shop_sites, site_profiles
from hawker.logistics.service.network import get_centre, get_service
from hawker.models import DeliveryLevel, User, WarehouseType
from hawker.shops import service as shops
from hawker.shops import warehouses as shop_warehouses

MAX_HANDLING_DAYS = 30


class CentreNotInMarket(InvalidState):
    """That fulfilment centre is not in the shop's market."""

    code = "centre_not_in_market"


async def shop_network(
    session: AsyncSession, user: User, shop_id: int, *, settings: Settings
) -> list[SiteProfile]:
    await shops.require_member(session, user, shop_id)
    return await shop_sites(session, shop_id, settings=settings)


async def _profile(
    session: AsyncSession, shop_id: int, warehouse_id: int, settings: Settings
) -> SiteProfile:
    await shop_warehouses.shop_warehouse(session, shop_id, warehouse_id)
    return (await site_profiles(session, [warehouse_id], settings=settings))[warehouse_id]


async def set_handling_days(
    session: AsyncSession,
    user: User,
    shop_id: int,
    warehouse_id: int,
    *,
    handling_days: int,
    now: datetime,
    settings: Settings,
) -> SiteProfile:
    await shops.require_member(session, user, shop_id)
    profile = await _profile(session, shop_id, warehouse_id, settings)
    if not 0 <= handling_days <= MAX_HANDLING_DAYS:
        raise InvalidNetworkField(f"handling_days must be between 0 and {MAX_HANDLING_DAYS}.")
    if profile.centre_id is not None:
        raise InvalidNetworkField(
            "A fulfilment centre's handling days are set by the platform, not the shop."
        )
    await repo.upsert_warehouse_logistics(
        session, warehouse_id=warehouse_id, values={"handling_days": handling_days}, now=now
    )
    audit(
        session,
        actor_id=user.id,
        action="warehouse.handling_days",
        target_type="warehouse",
        target_id=warehouse_id,
        now=now,
        details={"shop_id": str(shop_id), "handling_days": handling_days},
    )
    return await _profile(session, shop_id, warehouse_id, settings)


async def set_delivery_option(
    session: AsyncSession,
    user: User,
    shop_id: int,
    warehouse_id: int,
    *,
    level: str,
    service_id: int | None,
    now: datetime,
    settings: Settings,
) -> SiteProfile:
    """Back a delivery level of the warehouse with a service of the shop's market (None:
    go back to the default)."""
    shop = await shops.require_member(session, user, shop_id)
    await _profile(session, shop_id, warehouse_id, settings)
    if level not in set(DeliveryLevel):
        raise InvalidNetworkField("level must be STANDARD, EXPRESS or ECONOMY.")
    if service_id is not None:
        service = await get_service(session, service_id)
        if service.market_code != shop.market_code or not service.is_active:
            raise ServiceNotInMarket(
                f"Service {service.code} does not serve {shop.market_code}.",
                details={"service_market": service.market_code, "shop_market": shop.market_code},
            )
        if service.level != level:
            raise InvalidNetworkField(f"Service {service.code} is {service.level}, not {level}.")
    await repo.set_option(
        session,
        warehouse_id=warehouse_id,
        centre_id=None,
        level=level,
        service_id=service_id,
        now=now,
    )
    audit(
        session,
        actor_id=user.id,
        action="warehouse.delivery_option",
        target_type="warehouse",
        target_id=warehouse_id,
        now=now,
        details={"level": level, "service_id": str(service_id) if service_id else None},
    )
    return await _profile(session, shop_id, warehouse_id, settings)


async def enrol_in_centre(
    session: AsyncSession,
    user: User,
    shop_id: int,
    centre_id: int,
    *,
    now: datetime,
    settings: Settings,
) -> SiteProfile:
    """Give the shop a sales warehouse inside a platform fulfilment centre."""
    shop = await shops.require_member(session, user, shop_id)
    centre = await get_centre(session, centre_id)
    if not centre.is_active or centre.market_code != shop.market_code:
        raise CentreNotInMarket(
            f"Fulfilment centre {centre.code} does not serve {shop.market_code}.",
            details={"centre_market": centre.market_code, "shop_market": shop.market_code},
        )
    if await repo.centre_shop_warehouse(session, shop.id, centre.id) is not None:
        raise AlreadyEnrolled(f"The shop already stores stock in {centre.name}.")
    warehouse = await shop_warehouses.create_warehouse(
        session,
        user,
        shop.id,
        type=WarehouseType.SALES_WAREHOUSE,
        name=f"{centre.name} ({centre.code})"[:120],
        address_line1=centre.address_line1,
        city=centre.city,
        region=centre.region,
        postal_code=centre.postal_code,
        country_code=centre.country_code,
        latitude=centre.latitude,
        longitude=centre.longitude,
        cutoff_hour=centre.cutoff_hour,
        is_default=False,
        now=now,
    )
    await repo.upsert_warehouse_logistics(
        session,
        warehouse_id=warehouse.id,
        values={"centre_id": centre.id, "handling_days": centre.handling_days},
        now=now,
    )
    audit(
        session,
        actor_id=user.id,
        action="fulfilment_centre.enrol",
        target_type="fulfilment_centre",
        target_id=centre.id,
        now=now,
        details={"shop_id": str(shop.id), "warehouse_id": str(warehouse.id)},
    )
    return await _profile(session, shop.id, warehouse.id, settings)
