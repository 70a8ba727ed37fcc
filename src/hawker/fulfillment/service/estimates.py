"""Delivery estimates shown before and at checkout, per shop.

The shop's lines are allocated as they would be now (the same rule as after payment,
against the free stock), and each package's window is its handover (warehouse cut-off in
the warehouse's local time, handling days, the market's business days) plus the carrier's
p50 / p90 transit for its zone. The shop's estimate is its slowest package. Without an
address yet (the cart), parcels are assumed to travel to the market's reference point.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.config import Settings
from hawker.fulfillment import allocation
from hawker.fulfillment import repository as repo
from hawker.fulfillment.service.allocating import DEFAULT_LEVEL, build_sites
from hawker.logistics import estimate
from hawker.logistics import service as logistics
from hawker.logistics.rates import transit_for


@dataclass(frozen=True)
class ShopEstimate:
    shop_id: int
    level: str
    handover: date  # when the slowest package is handed to the carrier
    earliest: date
    latest: date  # "arrives by"
    packages: int
    warehouse_ids: tuple[int, ...]


async def estimate_shops(
    session: AsyncSession,
    lines_by_shop: Mapping[int, Sequence[tuple[int, int]]],
    *,
    market_by_shop: Mapping[int, str],
    country_code: str | None,
    postal_code: str | None,
    now: datetime,
    settings: Settings,
) -> dict[int, ShopEstimate]:
    """Estimates for (sku id, quantity) lines per shop; shops without network data are left
    out."""
    skus = await repo.sku_packages(
        session, {sku for lines in lines_by_shop.values() for sku, _ in lines}
    )
    out: dict[int, ShopEstimate] = {}
    for shop_id, lines in lines_by_shop.items():
        market = market_by_shop[shop_id]
        country = country_code or market
        destination = await logistics.destination_point(
            session, country, postal_code if country_code else ""
        )
        items = tuple(
            allocation.Item(
                line_id=i,
                sku_id=sku,
                quantity=qty,
                unit_weight_g=skus.get(sku, (0, 0, 0, 0))[0],
                length_cm=skus.get(sku, (0, 0, 0, 0))[1],
                width_cm=skus.get(sku, (0, 0, 0, 0))[2],
                height_cm=skus.get(sku, (0, 0, 0, 0))[3],
            )
            for i, (sku, qty) in enumerate(lines)
        )
        request = allocation.OrderRequest(0, items, destination, country)
        sites, profiles = await build_sites(
            session, shop_id, {sku for sku, _ in lines}, settings=settings
        )
        if not profiles:
            continue
        ordered = sorted(
            sites.values(),
            key=lambda s: (not profiles[s.warehouse_id].is_default, s.warehouse_id),
        )
        chosen = allocation.allocate(request, ordered, bands=settings.zone_bands_km)
        if not chosen.ok or not chosen.parcels:
            first = ordered[0]
            chosen = allocation.assign_fixed(
                request,
                sites,
                {first.warehouse_id: {i: item.quantity for i, item in enumerate(items)}},
                bands=settings.zone_bands_km,
            )
        service_ids = {
            sid
            for p in chosen.parcels
            if (sid := profiles[p.warehouse_id].service_for(DEFAULT_LEVEL)) is not None
        }
        tables = await logistics.transit_tables(session, service_ids)
        windows: list[estimate.DeliveryWindow] = []
        for parcel in chosen.parcels:
            profile = profiles[parcel.warehouse_id]
            sid = profile.service_for(DEFAULT_LEVEL)
            transit = transit_for(tables.get(sid, {}), parcel.zone) if sid else None
            if transit is None:
                windows = []
                break
            windows.append(
                estimate.delivery_window(
                    now,
                    tz=profile.tz,
                    cutoff_hour=profile.cutoff_hour,
                    handling_days=profile.handling_days,
                    country=market,
                    p50_days=transit.p50_days,
                    p90_days=transit.p90_days,
                )
            )
        if not windows:
            continue
        slowest = max(windows, key=lambda w: (w.latest, w.earliest))
        out[shop_id] = ShopEstimate(
            shop_id=shop_id,
            level=DEFAULT_LEVEL,
            handover=slowest.handover,
            earliest=max(w.earliest for w in windows),
            latest=slowest.latest,
            packages=len(windows),
            warehouse_ids=tuple(p.warehouse_id for p in chosen.parcels),
        )
    return out
