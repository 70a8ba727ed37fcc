"""Every SQL statement of the logistics domain."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.models import (
    Carrier,
    CarrierService,
    DeliveryOption,
    FulfilmentCentre,
    Market,
    PostalArea,
    ServiceRate,
    Shop,
    TransitTime,
    Warehouse,
    WarehouseLogistics,
)

# --- carriers and services ---------------------------------------------------------------------


async def carrier_by_code(session: AsyncSession, code: str) -> Carrier | None:
    return (await session.scalars(select(Carrier).where(Carrier.code == code))).first()


async def get_carrier(session: AsyncSession, carrier_id: int) -> Carrier | None:
    return await session.get(Carrier, carrier_id)


async def carriers_by_ids(session: AsyncSession, ids: Collection[int]) -> dict[int, Carrier]:
    if not ids:
        return {}
    rows = await session.scalars(select(Carrier).where(Carrier.id.in_(set(ids))))
    return {c.id: c for c in rows}


async def list_carriers(
    session: AsyncSession,
    *,
    active_only: bool,
    q: str | None,
    before_id: int | None,
    limit: int,
) -> list[Carrier]:
    stmt = select(Carrier)
    if active_only:
        stmt = stmt.where(Carrier.is_active.is_(True))
    if q:
        pattern = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(func.lower(Carrier.code).like(pattern), func.lower(Carrier.name).like(pattern))
        )
    if before_id is not None:
        stmt = stmt.where(Carrier.id < before_id)
    stmt = stmt.order_by(Carrier.id.desc()).limit(limit)
    return list((await session.scalars(stmt)).all())


async def get_service(session: AsyncSession, service_id: int) -> CarrierService | None:
    return await session.get(CarrierService, service_id)


async def services_by_ids(session: AsyncSession, ids: Collection[int]) -> dict[int, CarrierService]:
    if not ids:
        return {}
    rows = await session.scalars(select(CarrierService).where(CarrierService.id.in_(set(ids))))
    return {s.id: s for s in rows}


async def service_by_code(
    session: AsyncSession, carrier_id: int, code: str
) -> CarrierService | None:
    q = select(CarrierService).where(
        CarrierService.carrier_id == carrier_id, CarrierService.code == code
    )
    return (await session.scalars(q)).first()


async def list_services(
    session: AsyncSession,
    *,
    carrier_id: int | None = None,
    market_code: str | None = None,
    level: str | None = None,
    active_only: bool = False,
) -> list[CarrierService]:
    stmt = select(CarrierService)
    if carrier_id is not None:
        stmt = stmt.where(CarrierService.carrier_id == carrier_id)
    if market_code is not None:
        stmt = stmt.where(CarrierService.market_code == market_code)
    if level is not None:
        stmt = stmt.where(CarrierService.level == level)
    if active_only:
        stmt = stmt.where(CarrierService.is_active.is_(True))
    stmt = stmt.order_by(CarrierService.market_code, CarrierService.level, CarrierService.id)
    return list((await session.scalars(stmt)).all())


async def default_services(
    session: AsyncSession, market_codes: Collection[str]
) -> list[CarrierService]:
    """The active default service of each level in the given markets."""
    if not market_codes:
        return []
    q = (
        select(CarrierService)
        .join(Carrier, Carrier.id == CarrierService.carrier_id)
        .where(
            CarrierService.market_code.in_(set(market_codes)),
            CarrierService.is_default.is_(True),
            CarrierService.is_active.is_(True),
            Carrier.is_active.is_(True),
        )
        .order_by(CarrierService.id)
    )
    return list((await session.scalars(q)).all())


async def unset_other_defaults(
    session: AsyncSession, *, market_code: str, level: str, keep_id: int
) -> None:
    rows = await session.scalars(
        select(CarrierService).where(
            CarrierService.market_code == market_code,
            CarrierService.level == level,
            CarrierService.is_default.is_(True),
            CarrierService.id != keep_id,
        )
    )
    for row in rows:
        row.is_default = False


async def rates_of(
    session: AsyncSession, service_ids: Collection[int]
) -> list[tuple[int, int, int, int]]:
    """(service id, zone, max weight g, price minor)."""
    if not service_ids:
        return []
    q = (
        select(
            ServiceRate.service_id,
            ServiceRate.zone,
            ServiceRate.max_weight_g,
            ServiceRate.price_minor,
        )
        .where(ServiceRate.service_id.in_(set(service_ids)))
        .order_by(ServiceRate.service_id, ServiceRate.zone, ServiceRate.max_weight_g)
    )
    return [(r[0], r[1], r[2], r[3]) for r in (await session.execute(q)).all()]


async def transits_of(
    session: AsyncSession, service_ids: Collection[int]
) -> list[tuple[int, int, int, int]]:
    """(service id, zone, p50 days, p90 days)."""
    if not service_ids:
        return []
    q = (
        select(TransitTime.service_id, TransitTime.zone, TransitTime.p50_days, TransitTime.p90_days)
        .where(TransitTime.service_id.in_(set(service_ids)))
        .order_by(TransitTime.service_id, TransitTime.zone)
    )
    return [(r[0], r[1], r[2], r[3]) for r in (await session.execute(q)).all()]


async def replace_rates(
    session: AsyncSession, service_id: int, rows: Sequence[tuple[int, int, int]]
) -> None:
    await session.execute(delete(ServiceRate).where(ServiceRate.service_id == service_id))
    session.add_all(
        ServiceRate(service_id=service_id, zone=z, max_weight_g=w, price_minor=p)
        for z, w, p in rows
    )
    await session.flush()


async def replace_transits(
    session: AsyncSession, service_id: int, rows: Sequence[tuple[int, int, int]]
) -> None:
    await session.execute(delete(TransitTime).where(TransitTime.service_id == service_id))
    session.add_all(
        TransitTime(service_id=service_id, zone=z, p50_days=a, p90_days=b) for z, a, b in rows
    )
    await session.flush()


# --- fulfilment centres and warehouses ---------------------------------------------------------


async def get_centre(session: AsyncSession, centre_id: int) -> FulfilmentCentre | None:
    return await session.get(FulfilmentCentre, centre_id)


async def centre_by_code(session: AsyncSession, code: str) -> FulfilmentCentre | None:
    q = select(FulfilmentCentre).where(FulfilmentCentre.code == code)
    return (await session.scalars(q)).first()


async def centres_by_ids(
    session: AsyncSession, ids: Collection[int]
) -> dict[int, FulfilmentCentre]:
    if not ids:
        return {}
    rows = await session.scalars(select(FulfilmentCentre).where(FulfilmentCentre.id.in_(set(ids))))
    return {c.id: c for c in rows}


async def list_centres(
    session: AsyncSession,
    *,
    market_code: str | None,
    active_only: bool,
    before_id: int | None,
    limit: int,
) -> list[FulfilmentCentre]:
    stmt = select(FulfilmentCentre)
    if market_code is not None:
        stmt = stmt.where(FulfilmentCentre.market_code == market_code)
    if active_only:
        stmt = stmt.where(FulfilmentCentre.is_active.is_(True))
    if before_id is not None:
        stmt = stmt.where(FulfilmentCentre.id < before_id)
    stmt = stmt.order_by(FulfilmentCentre.id.desc()).limit(limit)
    return list((await session.scalars(stmt)).all())


async def warehouses_with_shops(
    session: AsyncSession, warehouse_ids: Collection[int]
) -> list[tuple[Warehouse, Shop]]:
    if not warehouse_ids:
        return []
    q = (
        select(Warehouse, Shop)
        .join(Shop, Shop.id == Warehouse.shop_id)
        .where(Warehouse.id.in_(set(warehouse_ids)))
        .order_by(Warehouse.id)
    )
    return [(w, s) for w, s in (await session.execute(q)).all()]


async def shop_warehouses(
    session: AsyncSession, shop_id: int, *, type: str | None = None
) -> list[Warehouse]:
    q = select(Warehouse).where(Warehouse.shop_id == shop_id)
    if type is not None:
        q = q.where(Warehouse.type == type)
    return list((await session.scalars(q.order_by(Warehouse.id))).all())


async def warehouse_logistics(
    session: AsyncSession, warehouse_ids: Collection[int]
) -> dict[int, WarehouseLogistics]:
    if not warehouse_ids:
        return {}
    q = select(WarehouseLogistics).where(WarehouseLogistics.warehouse_id.in_(set(warehouse_ids)))
    return {row.warehouse_id: row for row in await session.scalars(q)}


async def upsert_warehouse_logistics(
    session: AsyncSession,
    *,
    warehouse_id: int,
    values: dict[str, Any],
    now: datetime,
) -> WarehouseLogistics:
    row = await session.get(WarehouseLogistics, warehouse_id)
    if row is None:
        row = WarehouseLogistics(warehouse_id=warehouse_id, updated_at=now, **values)
        session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = now
    await session.flush()
    return row


async def centre_shop_warehouse(
    session: AsyncSession, shop_id: int, centre_id: int
) -> Warehouse | None:
    q = (
        select(Warehouse)
        .join(WarehouseLogistics, WarehouseLogistics.warehouse_id == Warehouse.id)
        .where(Warehouse.shop_id == shop_id, WarehouseLogistics.centre_id == centre_id)
    )
    return (await session.scalars(q)).first()


async def options_of(
    session: AsyncSession,
    *,
    warehouse_ids: Collection[int] = (),
    centre_ids: Collection[int] = (),
) -> list[DeliveryOption]:
    conditions = []
    if warehouse_ids:
        conditions.append(DeliveryOption.warehouse_id.in_(set(warehouse_ids)))
    if centre_ids:
        conditions.append(DeliveryOption.centre_id.in_(set(centre_ids)))
    if not conditions:
        return []
    q = select(DeliveryOption).where(or_(*conditions)).order_by(DeliveryOption.id)
    return list((await session.scalars(q)).all())


async def set_option(
    session: AsyncSession,
    *,
    warehouse_id: int | None,
    centre_id: int | None,
    level: str,
    service_id: int | None,
    now: datetime,
) -> None:
    """Point one level at a service (or remove it with None); one row per owner and level."""
    owner = (
        DeliveryOption.warehouse_id == warehouse_id
        if warehouse_id is not None
        else DeliveryOption.centre_id == centre_id
    )
    await session.execute(delete(DeliveryOption).where(owner, DeliveryOption.level == level))
    if service_id is not None:
        session.add(
            DeliveryOption(
                warehouse_id=warehouse_id,
                centre_id=centre_id,
                level=level,
                service_id=service_id,
                created_at=now,
            )
        )
    await session.flush()


# --- places -----------------------------------------------------------------------------------


async def postal_areas(session: AsyncSession, country_code: str) -> list[PostalArea]:
    q = select(PostalArea).where(PostalArea.country_code == country_code)
    return list((await session.scalars(q.order_by(PostalArea.prefix))).all())


async def insert_postal_area(session: AsyncSession, *, values: dict[str, Any]) -> None:
    """Insert unless (country, prefix) exists; safe against a racing insert."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        pg = postgresql.insert(PostalArea).values(**values)
        await session.execute(pg.on_conflict_do_nothing(index_elements=["country_code", "prefix"]))
    else:
        lite = sqlite.insert(PostalArea).values(**values)
        await session.execute(
            lite.on_conflict_do_nothing(index_elements=["country_code", "prefix"])
        )


async def markets(session: AsyncSession) -> dict[str, Market]:
    return {m.code: m for m in await session.scalars(select(Market))}
