"""Packages as their readers see them: contents, carrier, the tracking timeline, the estimate.

The timeline merges Hawker's own notices (package prepared, shipment arranged, the weight
check and its outcome, cancellation) with the carrier's events, in time order. The
estimated delivery window is, for a parcel not yet with the carrier, its planned handover
(warehouse cut-off in local time, handling days, the market's business days) plus the
carrier's p50/p90 transit for its zone; once accepted, the acceptance day plus transit.
The delivery due date (RULES.md) is the dispatch deadline's day plus p90 transit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.config import Settings
from hawker.fulfillment import repository as repo
from hawker.fulfillment.service.allocating import market_tz
from hawker.logistics import estimate
from hawker.logistics import service as logistics
from hawker.logistics.rates import Transit, transit_for
from hawker.models import (
    Carrier,
    Order,
    OrderFulfilment,
    Package,
    PackageItem,
    PackageStatus,
    ShippingType,
    TrackingEvent,
    User,
    WeightReview,
    WeightReviewStatus,
)
from hawker.orders import service as orders

NOTICE = "NOTICE"
CARRIER = "CARRIER"


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # NOTICE (Hawker) or CARRIER (a carrier event)
    code: str  # the notice, or the normalised tracking status
    title: str
    description: str = ""
    location: str = ""
    raw_code: str | None = None


@dataclass(frozen=True)
class PackageView:
    package: Package
    items: list[PackageItem]
    carrier: Carrier | None
    warehouse_name: str
    review: WeightReview | None
    events: list[TrackingEvent]
    timeline: list[TimelineEntry]
    window: estimate.DeliveryWindow | None
    delivery_due: date | None


@dataclass(frozen=True)
class TrackingView:
    order: Order
    clock: OrderFulfilment | None
    packages: list[PackageView]

    @property
    def window(self) -> estimate.DeliveryWindow | None:
        """The order arrives when its last package does."""
        windows = [p.window for p in self.packages if p.window is not None]
        if not windows:
            return None
        return max(windows, key=lambda w: w.latest)

    @property
    def delivery_due(self) -> date | None:
        dues = [p.delivery_due for p in self.packages if p.delivery_due is not None]
        return max(dues) if dues else None


def timeline(
    package: Package,
    events: Sequence[TrackingEvent],
    review: WeightReview | None,
    carrier: Carrier | None,
) -> list[TimelineEntry]:
    entries = [
        TimelineEntry(
            package.created_at, NOTICE, "PREPARING", "The seller is preparing your parcel"
        )
    ]
    if package.arranged_at is not None:
        if package.shipping_type == ShippingType.SELLER:
            title = f"The seller shipped with {carrier.name if carrier else 'their carrier'}"
        else:
            title = "Shipping label created"
        entries.append(TimelineEntry(package.arranged_at, NOTICE, "SHIPMENT_ARRANGED", title))
    entries += [
        TimelineEntry(
            e.event_time,
            CARRIER,
            e.status,
            e.description or e.status.replace("_", " ").capitalize(),
            location=e.location,
            raw_code=e.raw_code,
        )
        for e in events
    ]
    if review is not None:
        entries.append(
            TimelineEntry(
                review.opened_at,
                NOTICE,
                "PARCEL_CHECK",
                "Your parcel is being checked",
                "Its weight did not match its contents; Hawker is checking it before it continues.",
            )
        )
        if review.decided_at is not None and review.status == WeightReviewStatus.CLEARED:
            entries.append(
                TimelineEntry(
                    review.decided_at, NOTICE, "PARCEL_CHECK_PASSED", "Check passed: on its way"
                )
            )
        elif review.decided_at is not None:
            entries.append(
                TimelineEntry(
                    review.decided_at,
                    NOTICE,
                    "PARCEL_CHECK_FAILED",
                    "The parcel failed the check: your order is cancelled and refunded",
                )
            )
    if package.cancelled_at is not None:
        entries.append(TimelineEntry(package.cancelled_at, NOTICE, "CANCELLED", "Cancelled"))
    return sorted(entries, key=lambda e: e.at)


async def package_views(
    session: AsyncSession,
    order: Order,
    packages: Sequence[Package],
    *,
    now: datetime,
    settings: Settings,
) -> list[PackageView]:
    ids = [p.id for p in packages]
    items = await repo.items_of(session, ids)
    events = await repo.events_of(session, ids)
    reviews = await repo.reviews_of_packages(session, ids)
    carriers = await logistics.carriers(
        session, {p.carrier_id for p in packages if p.carrier_id is not None}
    )
    profiles = await logistics.site_profiles(
        session, {p.warehouse_id for p in packages}, settings=settings
    )
    service_of = {
        p.id: p.service_id
        or (
            profiles[p.warehouse_id].service_for(p.delivery_level)
            if p.warehouse_id in profiles
            else None
        )
        for p in packages
    }
    tables = await logistics.transit_tables(
        session, {sid for sid in service_of.values() if sid is not None}
    )
    clock = await repo.get_fulfilment(session, order.id)
    market_zone = await market_tz(session, order.market_code)
    out: list[PackageView] = []
    for p in packages:
        profile = profiles.get(p.warehouse_id)
        sid = service_of[p.id]
        table = tables.get(sid, {}) if sid is not None else {}
        transit: Transit | None = None
        if table:
            transit = transit_for(table, p.zone if p.zone is not None else max(table))
        window: estimate.DeliveryWindow | None = None
        due: date | None = None
        if transit is not None:
            due = estimate.delivery_due(
                p.dispatch_deadline,
                tz=market_zone,
                country=order.market_code,
                p90_days=transit.p90_days,
            )
            waiting = p.status in (PackageStatus.TO_FULFILL, PackageStatus.PROCESSING)
            if waiting and not p.held and p.accepted_at is None and profile is not None:
                window = estimate.pending_window(
                    clock.released_at if clock else p.created_at,
                    now,
                    tz=profile.tz,
                    cutoff_hour=profile.cutoff_hour,
                    handling_days=profile.handling_days,
                    country=order.market_code,
                    p50_days=transit.p50_days,
                    p90_days=transit.p90_days,
                )
            if p.status == PackageStatus.FULFILLING and p.accepted_at is not None:
                window = estimate.in_transit_window(
                    p.accepted_at,
                    tz=market_zone,
                    country=order.market_code,
                    p50_days=transit.p50_days,
                    p90_days=transit.p90_days,
                )
        carrier = carriers.get(p.carrier_id) if p.carrier_id is not None else None
        review = reviews.get(p.id)
        out.append(
            PackageView(
                package=p,
                items=items[p.id],
                carrier=carrier,
                warehouse_name=profile.name if profile else "",
                review=review,
                events=events[p.id],
                timeline=timeline(p, events[p.id], review, carrier),
                window=window,
                delivery_due=due,
            )
        )
    return out


async def tracking_view(
    session: AsyncSession, order: Order, *, now: datetime, settings: Settings
) -> TrackingView:
    packages = await repo.packages_of_orders(session, [order.id])
    return TrackingView(
        order=order,
        clock=await repo.get_fulfilment(session, order.id),
        packages=await package_views(session, order, packages, now=now, settings=settings),
    )


async def tracking_for_buyer(
    session: AsyncSession, buyer: User, order_id: int, *, now: datetime, settings: Settings
) -> TrackingView:
    """The buyer's own order (another buyer's order answers 404)."""
    order = await orders.get_for_buyer(session, buyer, order_id)
    return await tracking_view(session, order, now=now, settings=settings)


async def tracking_for_shop(
    session: AsyncSession,
    user: User,
    shop_id: int,
    order_id: int,
    *,
    now: datetime,
    settings: Settings,
) -> TrackingView:
    order = await orders.get_for_shop(session, user, shop_id, order_id)
    return await tracking_view(session, order, now=now, settings=settings)


async def tracking_for_operator(
    session: AsyncSession, order_id: int, *, now: datetime, settings: Settings
) -> TrackingView:
    order = await orders.get_order(session, order_id)
    return await tracking_view(session, order, now=now, settings=settings)
