"""What fulfilment asks the network: where a warehouse is and how it ships, what a parcel
costs and how long it travels, where a postal code is, which carrier a code names."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.config import Settings
from hawker.logistics import repository as repo
from hawker.logistics.carriers import CarrierAdapter, HttpCarrier
from hawker.logistics.rates import RateCard, Transit
from hawker.logistics.service.errors import (
    CarrierNotFound,
    InvalidTrackingNumber,
    UnknownCarrier,
)
from hawker.logistics.zones import Point, best_prefix_match
from hawker.models import (
    Carrier,
    CarrierService,
    Market,
    WarehouseKind,
    WarehouseType,
)


@dataclass(frozen=True)
class SiteProfile:
    """A warehouse as logistics sees it."""

    warehouse_id: int
    shop_id: int
    market_code: str  # the shop's market (its parcels are domestic there)
    name: str
    kind: WarehouseKind
    type: str  # SALES_WAREHOUSE | RETURN_WAREHOUSE
    is_default: bool
    centre_id: int | None
    location: Point
    country_code: str
    timezone: str
    cutoff_hour: int
    handling_days: int
    # level -> (service id, where it came from: "warehouse" | "centre" | "market")
    options: dict[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def service_for(self, level: str) -> int | None:
        found = self.options.get(level)
        return found[0] if found else None


def market_tz(markets: dict[str, Market], *codes: str) -> str:
    for code in codes:
        if code in markets:
            return markets[code].timezone
    return "UTC"


async def site_profiles(
    session: AsyncSession, warehouse_ids: Collection[int], *, settings: Settings
) -> dict[int, SiteProfile]:
    """Profiles of the given warehouses (unknown ids are left out)."""
    pairs = await repo.warehouses_with_shops(session, warehouse_ids)
    if not pairs:
        return {}
    ids = [w.id for w, _ in pairs]
    extras = await repo.warehouse_logistics(session, ids)
    centres = await repo.centres_by_ids(
        session, {e.centre_id for e in extras.values() if e.centre_id is not None}
    )
    options = await repo.options_of(session, warehouse_ids=ids, centre_ids=list(centres))
    by_warehouse: dict[int, dict[str, int]] = {}
    by_centre: dict[int, dict[str, int]] = {}
    for o in options:
        if o.warehouse_id is not None:
            by_warehouse.setdefault(o.warehouse_id, {})[o.level] = o.service_id
        elif o.centre_id is not None:
            by_centre.setdefault(o.centre_id, {})[o.level] = o.service_id
    markets = await repo.markets(session)
    defaults: dict[str, dict[str, int]] = {}
    for s in await repo.default_services(session, {shop.market_code for _, shop in pairs}):
        defaults.setdefault(s.market_code, {}).setdefault(s.level, s.id)
    out: dict[int, SiteProfile] = {}
    for w, shop in pairs:
        extra = extras.get(w.id)
        centre = centres.get(extra.centre_id) if extra and extra.centre_id else None
        chosen: dict[str, tuple[int, str]] = {
            level: (sid, "market") for level, sid in defaults.get(shop.market_code, {}).items()
        }
        if centre is not None:
            chosen.update({k: (v, "centre") for k, v in by_centre.get(centre.id, {}).items()})
        chosen.update({k: (v, "warehouse") for k, v in by_warehouse.get(w.id, {}).items()})
        if centre is not None:
            cutoff, handling = centre.cutoff_hour, centre.handling_days
        else:
            cutoff = w.cutoff_hour
            handling = extra.handling_days if extra else settings.default_handling_days
        out[w.id] = SiteProfile(
            warehouse_id=w.id,
            shop_id=w.shop_id,
            market_code=shop.market_code,
            name=w.name,
            kind=WarehouseKind.FULFILMENT_CENTRE if centre else WarehouseKind(w.type),
            type=w.type,
            is_default=w.is_default,
            centre_id=centre.id if centre else None,
            location=Point(float(w.latitude), float(w.longitude)),
            country_code=w.country_code,
            timezone=market_tz(markets, w.country_code, shop.market_code),
            cutoff_hour=cutoff,
            handling_days=handling,
            options=chosen,
        )
    return out


async def shop_sales_sites(
    session: AsyncSession, shop_id: int, *, settings: Settings
) -> list[SiteProfile]:
    """The shop's sales warehouses (default first, then by id)."""
    rows = await repo.shop_warehouses(session, shop_id, type=WarehouseType.SALES_WAREHOUSE)
    profiles = await site_profiles(session, [w.id for w in rows], settings=settings)
    return sorted(profiles.values(), key=lambda p: (not p.is_default, p.warehouse_id))


async def shop_sites(
    session: AsyncSession, shop_id: int, *, settings: Settings
) -> list[SiteProfile]:
    rows = await repo.shop_warehouses(session, shop_id)
    profiles = await site_profiles(session, [w.id for w in rows], settings=settings)
    return [profiles[w.id] for w in rows if w.id in profiles]


async def rate_cards(session: AsyncSession, service_ids: Collection[int]) -> dict[int, RateCard]:
    services = await repo.services_by_ids(session, service_ids)
    rows: dict[int, list[tuple[int, int, int]]] = {}
    for sid, zone, max_g, price in await repo.rates_of(session, list(services)):
        rows.setdefault(sid, []).append((zone, max_g, price))
    return {
        sid: RateCard.build(
            service_id=sid,
            currency=s.currency,
            divisor=s.volumetric_divisor,
            max_weight_g=s.max_weight_g,
            extra_kg_minor=s.extra_kg_minor,
            rows=rows.get(sid, []),
        )
        for sid, s in services.items()
        if s.is_active
    }


async def transit_tables(
    session: AsyncSession, service_ids: Collection[int]
) -> dict[int, dict[int, Transit]]:
    out: dict[int, dict[int, Transit]] = {sid: {} for sid in service_ids}
    for sid, zone, p50, p90 in await repo.transits_of(session, service_ids):
        out.setdefault(sid, {})[zone] = Transit(p50, p90)
    return out


async def services(session: AsyncSession, ids: Collection[int]) -> dict[int, CarrierService]:
    return await repo.services_by_ids(session, ids)


async def destination_point(
    session: AsyncSession, country_code: str, postal_code: str | None
) -> Point | None:
    """Where parcels to this postal code go (longest known prefix), None if unknown."""
    areas = await repo.postal_areas(session, country_code.upper())
    if not areas:
        return None
    by_prefix = {a.prefix: a for a in areas}
    prefix = best_prefix_match(postal_code or "", list(by_prefix))
    if prefix is None:
        return None
    area = by_prefix[prefix]
    return Point(float(area.latitude), float(area.longitude))


# --- carriers ---------------------------------------------------------------------------------


async def carrier_by_code(session: AsyncSession, code: str) -> Carrier:
    carrier = await repo.carrier_by_code(session, code.strip().upper())
    if carrier is None:
        raise CarrierNotFound(f"There is no carrier {code}.")
    return carrier


async def carriers(session: AsyncSession, ids: Collection[int]) -> dict[int, Carrier]:
    return await repo.carriers_by_ids(session, ids)


async def carrier(session: AsyncSession, carrier_id: int) -> Carrier | None:
    return await repo.get_carrier(session, carrier_id)


def tracking_number_ok(pattern: str, tracking_number: str) -> bool:
    try:
        return re.fullmatch(pattern, tracking_number) is not None
    except re.error:
        return False


async def check_tracking_number(
    session: AsyncSession, carrier_code: str, tracking_number: str
) -> tuple[Carrier, str]:
    """The active carrier `carrier_code` and the normalised number (trimmed, upper case), if
    the number has the carrier's format.

    400 unknown_carrier for a code Hawker does not know; 400 invalid_tracking_number
    when the number does not match the carrier's pattern.
    """
    code = carrier_code.strip().upper()
    carrier = await repo.carrier_by_code(session, code)
    if carrier is None or not carrier.is_active:
        raise UnknownCarrier(f"Hawker does not know a carrier {code!r}.", details={"code": code})
    number = tracking_number.strip().upper()
    if not tracking_number_ok(carrier.tracking_pattern, number):
        raise InvalidTrackingNumber(
            f"{number!r} is not a {carrier.name} tracking number.",
            details={"carrier": carrier.code, "pattern": carrier.tracking_pattern},
        )
    return carrier, number


def adapter_for(carrier: Carrier, settings: Settings) -> CarrierAdapter:
    """The adapter that talks to this carrier."""
    base = carrier.api_base_url or settings.carrier_sim_url
    return HttpCarrier(carrier.code, base, timeout=settings.carrier_timeout_seconds)


async def active_carriers(session: AsyncSession) -> Sequence[Carrier]:
    return await repo.list_carriers(session, active_only=True, q=None, before_id=None, limit=500)
