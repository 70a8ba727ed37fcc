"""The network operators manage: fulfilment centres, carriers, services, rates, transit times.

Every change is a privileged action with an audit row. `ensure_default_network` seeds a
market's reference network (two simulated carriers, three services, rate tables, transit
times, postal areas, one fulfilment centre) and is safe to run again: it only adds what is
missing.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.service import audit
from hawker.config import Settings
from hawker.errors import id_after_cursor
from hawker.kit.ids import new_id
from hawker.kit.pagination import Page, encode_cursor
from hawker.logistics import network_data as data
from hawker.logistics import repository as repo
from hawker.logistics.service.errors import (
    CarrierCodeTaken,
    CarrierNotFound,
    CarrierServiceNotFound,
    CentreCodeTaken,
    CentreNotFound,
    InvalidNetworkField,
    InvalidRateTable,
    InvalidTrackingPattern,
    InvalidTransitTimes,
    ServiceCodeTaken,
    ServiceNotInMarket,
)
from hawker.models import (
    Carrier,
    CarrierAdapterKind,
    CarrierService,
    DeliveryLevel,
    FulfilmentCentre,
    User,
)
from hawker.regions import service as regions

T = TypeVar("T")
MAX_DB_ID = 2**63 - 1
MAX_ZONE = 20
MAX_BRACKETS = 200


# --- pages ------------------------------------------------------------------------------------


def page_of(rows: list[T], limit: int, key: Any) -> Page[T]:
    items = rows[:limit]
    more = len(rows) > limit
    return Page(items, encode_cursor({"id": str(key(items[-1]))}) if more and items else None)


def _valid_id(value: int) -> bool:
    return 0 < value <= MAX_DB_ID


# --- carriers ---------------------------------------------------------------------------------


def check_pattern(pattern: str) -> str:
    pattern = pattern.strip()
    if not pattern or len(pattern) > 255:
        raise InvalidTrackingPattern("The tracking pattern must have 1 to 255 characters.")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise InvalidTrackingPattern(
            f"The tracking pattern is not a valid regular expression: {exc}."
        ) from exc
    return pattern


async def get_carrier(session: AsyncSession, carrier_id: int) -> Carrier:
    found = await repo.get_carrier(session, carrier_id) if _valid_id(carrier_id) else None
    if found is None:
        raise CarrierNotFound(f"There is no carrier {carrier_id}.")
    return found


async def list_carriers(
    session: AsyncSession,
    *,
    active_only: bool,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> Page[Carrier]:
    rows = await repo.list_carriers(
        session, active_only=active_only, q=q, before_id=id_after_cursor(cursor), limit=limit + 1
    )
    return page_of(rows, limit, lambda c: c.id)


async def create_carrier(
    session: AsyncSession,
    operator: User,
    *,
    code: str,
    name: str,
    tracking_pattern: str,
    webhook_secret: str | None,
    api_base_url: str | None,
    now: datetime,
) -> Carrier:
    code = code.strip().upper()
    if await repo.carrier_by_code(session, code) is not None:
        raise CarrierCodeTaken(f"A carrier with code {code} exists.", details={"code": code})
    carrier = Carrier(
        code=code,
        name=name.strip(),
        tracking_pattern=check_pattern(tracking_pattern),
        webhook_secret=webhook_secret or secrets.token_urlsafe(32),
        adapter=CarrierAdapterKind.SIMULATOR,
        api_base_url=api_base_url,
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    session.add(carrier)
    await session.flush()
    audit(
        session,
        actor_id=operator.id,
        action="carrier.create",
        target_type="carrier",
        target_id=carrier.id,
        now=now,
        details={"code": code},
    )
    return carrier


async def update_carrier(
    session: AsyncSession,
    operator: User,
    carrier_id: int,
    *,
    changes: dict[str, Any],
    rotate_secret: bool,
    now: datetime,
) -> Carrier:
    carrier = await get_carrier(session, carrier_id)
    if "tracking_pattern" in changes:
        changes["tracking_pattern"] = check_pattern(changes["tracking_pattern"])
    if "name" in changes:
        changes["name"] = str(changes["name"]).strip()
    changed = sorted(k for k, v in changes.items() if getattr(carrier, k) != v)
    for key in changed:
        setattr(carrier, key, changes[key])
    if rotate_secret:
        carrier.webhook_secret = secrets.token_urlsafe(32)
        changed.append("webhook_secret")
    if changed:
        carrier.updated_at = now
        await session.flush()
        audit(
            session,
            actor_id=operator.id,
            action="carrier.update",
            target_type="carrier",
            target_id=carrier.id,
            now=now,
            details={"changed": changed},
        )
    return carrier


# --- services, rates, transit times -----------------------------------------------------------


async def get_service(session: AsyncSession, service_id: int) -> CarrierService:
    found = await repo.get_service(session, service_id) if _valid_id(service_id) else None
    if found is None:
        raise CarrierServiceNotFound(f"There is no carrier service {service_id}.")
    return found


async def list_services(
    session: AsyncSession,
    *,
    carrier_id: int | None = None,
    market_code: str | None = None,
    level: str | None = None,
) -> list[CarrierService]:
    return await repo.list_services(
        session, carrier_id=carrier_id, market_code=market_code, level=level
    )


def _check_service_fields(fields: dict[str, Any]) -> None:
    if "level" in fields and fields["level"] not in set(DeliveryLevel):
        raise InvalidNetworkField("level must be STANDARD, EXPRESS or ECONOMY.")
    for key in ("volumetric_divisor", "max_weight_g"):
        if key in fields and int(fields[key]) <= 0:
            raise InvalidNetworkField(f"{key} must be positive.")
    if "extra_kg_minor" in fields and int(fields["extra_kg_minor"]) < 0:
        raise InvalidNetworkField("extra_kg_minor must not be negative.")


async def create_service(
    session: AsyncSession,
    operator: User,
    carrier_id: int,
    *,
    code: str,
    name: str,
    market_code: str,
    level: str,
    max_weight_g: int,
    volumetric_divisor: int,
    extra_kg_minor: int,
    is_default: bool,
    now: datetime,
) -> CarrierService:
    carrier = await get_carrier(session, carrier_id)
    market = await regions.get_market(session, market_code)
    code = code.strip().upper()
    fields = {
        "level": level,
        "max_weight_g": max_weight_g,
        "volumetric_divisor": volumetric_divisor,
        "extra_kg_minor": extra_kg_minor,
    }
    _check_service_fields(fields)
    if await repo.service_by_code(session, carrier.id, code) is not None:
        raise ServiceCodeTaken(
            f"This carrier already has a service {code}.", details={"code": code}
        )
    service = CarrierService(
        carrier_id=carrier.id,
        code=code,
        name=name.strip(),
        market_code=market.code,
        currency=market.currency,
        is_default=is_default,
        is_active=True,
        created_at=now,
        updated_at=now,
        **fields,
    )
    session.add(service)
    await session.flush()
    if is_default:
        await repo.unset_other_defaults(
            session, market_code=market.code, level=level, keep_id=service.id
        )
    audit(
        session,
        actor_id=operator.id,
        action="carrier_service.create",
        target_type="carrier_service",
        target_id=service.id,
        now=now,
        details={"carrier": carrier.code, "code": code, "market": market.code, "level": level},
    )
    return service


async def update_service(
    session: AsyncSession,
    operator: User,
    service_id: int,
    *,
    changes: dict[str, Any],
    now: datetime,
) -> CarrierService:
    service = await get_service(session, service_id)
    _check_service_fields(changes)
    if "name" in changes:
        changes["name"] = str(changes["name"]).strip()
    changed = sorted(k for k, v in changes.items() if getattr(service, k) != v)
    for key in changed:
        setattr(service, key, changes[key])
    if changed:
        service.updated_at = now
        await session.flush()
        if service.is_default:
            await repo.unset_other_defaults(
                session, market_code=service.market_code, level=service.level, keep_id=service.id
            )
        audit(
            session,
            actor_id=operator.id,
            action="carrier_service.update",
            target_type="carrier_service",
            target_id=service.id,
            now=now,
            details={"changed": changed},
        )
    return service


def check_rate_rows(rows: Sequence[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """(zone, max_weight_g, price_minor) rows: zones 1-20, weights and prices sane, no twins."""
    if not rows:
        raise InvalidRateTable("A rate table needs at least one bracket.")
    if len(rows) > MAX_BRACKETS:
        raise InvalidRateTable(f"A rate table has at most {MAX_BRACKETS} brackets.")
    seen: set[tuple[int, int]] = set()
    for zone, weight, price in rows:
        if not 1 <= zone <= MAX_ZONE:
            raise InvalidRateTable(f"Zones run from 1 to {MAX_ZONE}; got {zone}.")
        if weight <= 0 or price < 0:
            raise InvalidRateTable("Bracket weights must be positive and prices not negative.")
        if (zone, weight) in seen:
            raise InvalidRateTable(f"Zone {zone} lists the {weight} g bracket twice.")
        seen.add((zone, weight))
    return sorted(rows)


def check_transit_rows(rows: Sequence[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    if not rows:
        raise InvalidTransitTimes("Give the transit time of at least one zone.")
    zones: set[int] = set()
    for zone, p50, p90 in rows:
        if not 1 <= zone <= MAX_ZONE:
            raise InvalidTransitTimes(f"Zones run from 1 to {MAX_ZONE}; got {zone}.")
        if not 0 <= p50 <= p90 <= 60:
            raise InvalidTransitTimes("Days must satisfy 0 <= p50 <= p90 <= 60.")
        if zone in zones:
            raise InvalidTransitTimes(f"Zone {zone} is listed twice.")
        zones.add(zone)
    return sorted(rows)


async def replace_rates(
    session: AsyncSession,
    operator: User,
    service_id: int,
    rows: Sequence[tuple[int, int, int]],
    *,
    extra_kg_minor: int | None,
    now: datetime,
) -> CarrierService:
    service = await get_service(session, service_id)
    checked = check_rate_rows(rows)
    if extra_kg_minor is not None:
        if extra_kg_minor < 0:
            raise InvalidRateTable("extra_kg_minor must not be negative.")
        service.extra_kg_minor = extra_kg_minor
    service.updated_at = now
    await repo.replace_rates(session, service.id, checked)
    audit(
        session,
        actor_id=operator.id,
        action="carrier_service.rates",
        target_type="carrier_service",
        target_id=service.id,
        now=now,
        details={"brackets": len(checked)},
    )
    return service


async def replace_transits(
    session: AsyncSession,
    operator: User,
    service_id: int,
    rows: Sequence[tuple[int, int, int]],
    *,
    now: datetime,
) -> CarrierService:
    service = await get_service(session, service_id)
    checked = check_transit_rows(rows)
    service.updated_at = now
    await repo.replace_transits(session, service.id, checked)
    audit(
        session,
        actor_id=operator.id,
        action="carrier_service.transit_times",
        target_type="carrier_service",
        target_id=service.id,
        now=now,
        details={"zones": [z for z, _, _ in checked]},
    )
    return service


# --- fulfilment centres -----------------------------------------------------------------------


def check_centre_fields(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    for key, bound in (("latitude", 90), ("longitude", 180)):
        if key in out:
            value = Decimal(str(out[key]))
            if not value.is_finite() or not -bound <= value <= bound:
                raise InvalidNetworkField(f"{key} must lie between -{bound} and {bound}.")
            out[key] = value.quantize(Decimal("0.000001"))
    if "cutoff_hour" in out and not 0 <= int(out["cutoff_hour"]) <= 23:
        raise InvalidNetworkField("cutoff_hour must be a whole hour from 0 to 23.")
    if "handling_days" in out and not 0 <= int(out["handling_days"]) <= 30:
        raise InvalidNetworkField("handling_days must be between 0 and 30.")
    if "country_code" in out:
        out["country_code"] = str(out["country_code"]).strip().upper()
    for key in ("name", "address_line1", "city", "region", "postal_code"):
        if key in out:
            out[key] = str(out[key]).strip()
            if key != "region" and not out[key]:
                raise InvalidNetworkField(f"{key} must not be empty.")
    return out


async def get_centre(session: AsyncSession, centre_id: int) -> FulfilmentCentre:
    found = await repo.get_centre(session, centre_id) if _valid_id(centre_id) else None
    if found is None:
        raise CentreNotFound(f"There is no fulfilment centre {centre_id}.")
    return found


async def list_centres(
    session: AsyncSession,
    *,
    market_code: str | None = None,
    active_only: bool = False,
    cursor: str | None = None,
    limit: int = 20,
) -> Page[FulfilmentCentre]:
    rows = await repo.list_centres(
        session,
        market_code=market_code.upper() if market_code else None,
        active_only=active_only,
        before_id=id_after_cursor(cursor),
        limit=limit + 1,
    )
    return page_of(rows, limit, lambda c: c.id)


async def create_centre(
    session: AsyncSession,
    operator: User | None,
    *,
    fields: dict[str, Any],
    now: datetime,
) -> FulfilmentCentre:
    checked = check_centre_fields(fields)
    market = await regions.get_market(session, checked["market_code"])
    checked["market_code"] = market.code
    code = str(checked.pop("code")).strip().upper()
    if await repo.centre_by_code(session, code) is not None:
        raise CentreCodeTaken(f"A fulfilment centre with code {code} exists.")
    centre = FulfilmentCentre(code=code, created_at=now, updated_at=now, is_active=True, **checked)
    session.add(centre)
    await session.flush()
    audit(
        session,
        actor_id=operator.id if operator else None,
        action="fulfilment_centre.create",
        target_type="fulfilment_centre",
        target_id=centre.id,
        now=now,
        details={"code": code, "market": market.code},
    )
    return centre


async def update_centre(
    session: AsyncSession,
    operator: User,
    centre_id: int,
    *,
    changes: dict[str, Any],
    now: datetime,
) -> FulfilmentCentre:
    centre = await get_centre(session, centre_id)
    checked = check_centre_fields(changes)
    changed = sorted(k for k, v in checked.items() if getattr(centre, k) != v)
    for key in changed:
        setattr(centre, key, checked[key])
    if changed:
        centre.updated_at = now
        await session.flush()
        audit(
            session,
            actor_id=operator.id,
            action="fulfilment_centre.update",
            target_type="fulfilment_centre",
            target_id=centre.id,
            now=now,
            details={"changed": changed},
        )
    return centre


async def set_centre_option(
    session: AsyncSession,
    operator: User,
    centre_id: int,
    *,
    level: str,
    service_id: int | None,
    now: datetime,
) -> FulfilmentCentre:
    centre = await get_centre(session, centre_id)
    if level not in set(DeliveryLevel):
        raise InvalidNetworkField("level must be STANDARD, EXPRESS or ECONOMY.")
    if service_id is not None:
        service = await get_service(session, service_id)
        if service.market_code != centre.market_code:
            raise ServiceNotInMarket(
                f"Service {service.code} serves {service.market_code}, "
                f"the centre is in {centre.market_code}."
            )
    await repo.set_option(
        session, warehouse_id=None, centre_id=centre.id, level=level, service_id=service_id, now=now
    )
    audit(
        session,
        actor_id=operator.id,
        action="fulfilment_centre.delivery_option",
        target_type="fulfilment_centre",
        target_id=centre.id,
        now=now,
        details={"level": level, "service_id": str(service_id) if service_id else None},
    )
    return centre


# --- the default network ----------------------------------------------------------------------


@dataclass
class NetworkSeeded:
    market_code: str
    carriers: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    postal_areas: int = 0
    centre: str | None = None


async def ensure_default_network(
    session: AsyncSession, market_code: str, *, now: datetime, settings: Settings
) -> NetworkSeeded:
    """Seed the market's default network where it is missing (idempotent)."""
    market = await regions.get_market(session, market_code)
    out = NetworkSeeded(market.code)
    carriers: dict[str, Carrier] = {}
    for spec in data.CARRIERS:
        carrier = await repo.carrier_by_code(session, spec.code)
        if carrier is None:
            carrier = Carrier(
                code=spec.code,
                name=spec.name,
                tracking_pattern=spec.tracking_pattern,
                webhook_secret=settings.carrier_sim_secret,
                adapter=CarrierAdapterKind.SIMULATOR,
                api_base_url=None,
                is_active=True,
                created_at=now,
                updated_at=now,
            )
            session.add(carrier)
            await session.flush()
            out.carriers.append(spec.code)
        carriers[spec.code] = carrier
    existing_defaults = {s.level for s in await repo.default_services(session, [market.code])}
    for svc in data.SERVICES:
        carrier = carriers[svc.carrier]
        code = f"{market.code}_{svc.suffix}"
        if await repo.service_by_code(session, carrier.id, code) is not None:
            continue
        service = CarrierService(
            carrier_id=carrier.id,
            code=code,
            name=f"{svc.name} ({market.code})",
            market_code=market.code,
            level=svc.level,
            currency=market.currency,
            volumetric_divisor=settings.volumetric_divisor_cm_kg,
            max_weight_g=data.MAX_WEIGHT_G,
            extra_kg_minor=data.extra_kg_minor(svc.price_factor, market.shipping_fee_minor),
            is_default=svc.level not in existing_defaults,
            is_active=True,
            created_at=now,
            updated_at=now,
        )
        session.add(service)
        await session.flush()
        existing_defaults.add(svc.level)
        await repo.replace_rates(
            session, service.id, data.rate_rows(svc.price_factor, market.shipping_fee_minor)
        )
        await repo.replace_transits(
            session,
            service.id,
            [(zone, p50, p90) for zone, (p50, p90) in data.TRANSIT[svc.level].items()],
        )
        out.services.append(code)
    known = {a.prefix for a in await repo.postal_areas(session, market.code)}
    for prefix, (name, lat, lon) in data.POSTAL_AREAS.get(market.code, {}).items():
        if prefix in known:
            continue
        await repo.insert_postal_area(
            session,
            values={
                "id": new_id(),
                "country_code": market.code,
                "prefix": prefix,
                "name": name,
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
            },
        )
        out.postal_areas += 1
    spec_c = data.centre_for(market.code)
    if await repo.centre_by_code(session, spec_c.code) is None:
        session.add(
            FulfilmentCentre(
                code=spec_c.code,
                name=spec_c.name,
                market_code=market.code,
                address_line1=spec_c.address_line1,
                city=spec_c.city,
                region="",
                postal_code=spec_c.postal_code,
                country_code=market.code,
                latitude=Decimal(spec_c.latitude),
                longitude=Decimal(spec_c.longitude),
                cutoff_hour=settings.default_cutoff_hour,
                handling_days=0,
                is_active=True,
                created_at=now,
                updated_at=now,
            )
        )
        out.centre = spec_c.code
    await session.flush()
    return out


def audit_network_seed(
    session: AsyncSession, operator: User, seeded: NetworkSeeded, *, now: datetime
) -> None:
    audit(
        session,
        actor_id=operator.id,
        action="logistics.default_network",
        target_type="market",
        target_id=0,
        now=now,
        details={
            "market": seeded.market_code,
            "carriers": seeded.carriers,
            "services": seeded.services,
            "postal_areas": seeded.postal_areas,
            "centre": seeded.centre,
        },
    )


async def service_tables(
    session: AsyncSession, service_id: int
) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, int]]]:
    """The service's rate brackets (zone, max g, price) and transit (zone, p50, p90)."""
    rates = [(z, w, p) for _, z, w, p in await repo.rates_of(session, [service_id])]
    transits = [(z, a, b) for _, z, a, b in await repo.transits_of(session, [service_id])]
    return rates, transits


async def market_locale(session: AsyncSession, market_code: str) -> str:
    markets = await repo.markets(session)
    market = markets.get(market_code)
    return market.locale if market else "en_US"
