"""The seller's packages to ship: filtered by deadline (overdue, due today, later) and
warehouse, newest first with keyset pagination."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.config import Settings
from hawker.errors import id_after_cursor
from hawker.fulfillment import repository as repo
from hawker.fulfillment.service.allocating import market_tz
from hawker.fulfillment.service.performance import end_of_local_day
from hawker.fulfillment.service.shipping import shop_package
from hawker.fulfillment.service.views import PackageView, package_views
from hawker.kit.pagination import Page, encode_cursor
from hawker.logistics import service as logistics
from hawker.models import Carrier, Package, PackageItem, PackageStatus, User
from hawker.orders import service as orders
from hawker.shops import service as shops
from hawker.shops import warehouses as shop_warehouses

TO_SHIP = (PackageStatus.TO_FULFILL, PackageStatus.PROCESSING)


class Due(StrEnum):
    OVERDUE = "overdue"  # the dispatch deadline has passed without an acceptance scan
    TODAY = "today"  # the deadline closes before the end of today (market time)
    LATER = "later"


@dataclass(frozen=True)
class PackageSummary:
    package: Package
    items: list[PackageItem]
    carrier: Carrier | None
    warehouse_name: str
    due: Due | None  # None once the carrier has the parcel or the package is closed


def due_state(package: Package, *, now: datetime, end_of_today: datetime) -> Due | None:
    if package.accepted_at is not None or package.status not in TO_SHIP:
        return None
    if package.dispatch_deadline <= now:
        return Due.OVERDUE
    if package.dispatch_deadline <= end_of_today:
        return Due.TODAY
    return Due.LATER


async def summaries(
    session: AsyncSession,
    packages: Sequence[Package],
    *,
    now: datetime,
    end_of_today: datetime,
    settings: Settings,
) -> list[PackageSummary]:
    ids = [p.id for p in packages]
    items = await repo.items_of(session, ids)
    carriers = await logistics.carriers(
        session, {p.carrier_id for p in packages if p.carrier_id is not None}
    )
    profiles = await logistics.site_profiles(
        session, {p.warehouse_id for p in packages}, settings=settings
    )
    return [
        PackageSummary(
            package=p,
            items=items[p.id],
            carrier=carriers.get(p.carrier_id) if p.carrier_id is not None else None,
            warehouse_name=profiles[p.warehouse_id].name if p.warehouse_id in profiles else "",
            due=due_state(p, now=now, end_of_today=end_of_today),
        )
        for p in packages
    ]


@dataclass(frozen=True)
class ShopPackages:
    page: Page[PackageSummary]
    end_of_today: datetime  # the "due today" boundary in the shop's market time
    locale: str


@dataclass(frozen=True)
class PackageDetail:
    summary: PackageSummary
    view: PackageView
    locale: str


async def package_detail(
    session: AsyncSession,
    user: User,
    shop_id: int,
    package_id: int,
    *,
    now: datetime,
    settings: Settings,
) -> PackageDetail:
    """One of the shop's packages with its timeline and estimate (404 for any other)."""
    package = await shop_package(session, user, shop_id, package_id)
    shop = await shops.get_shop(session, shop_id)
    order = await orders.get_order(session, package.order_id)
    end_of_today = end_of_local_day(now, await market_tz(session, shop.market_code))
    (summary,) = await summaries(
        session, [package], now=now, end_of_today=end_of_today, settings=settings
    )
    (view,) = await package_views(session, order, [package], now=now, settings=settings)
    return PackageDetail(summary, view, await logistics.market_locale(session, shop.market_code))


async def list_shop_packages(
    session: AsyncSession,
    user: User,
    shop_id: int,
    *,
    due: Due | None,
    warehouse_id: int | None,
    statuses: tuple[str, ...],
    q: str | None,
    cursor: str | None,
    limit: int,
    now: datetime,
    settings: Settings,
) -> ShopPackages:
    """A page of the shop's packages (default: those still to ship)."""
    shop = await shops.require_member(session, user, shop_id)
    if warehouse_id is not None:
        await shop_warehouses.shop_warehouse(session, shop.id, warehouse_id)
    end_of_today = end_of_local_day(now, await market_tz(session, shop.market_code))
    deadline_from: datetime | None = None
    deadline_to: datetime | None = None
    if due == Due.OVERDUE:
        deadline_to = now
    elif due == Due.TODAY:
        deadline_from, deadline_to = now, end_of_today
    elif due == Due.LATER:
        deadline_from = end_of_today
    rows = await repo.shop_packages(
        session,
        shop_id=shop.id,
        statuses=statuses or (TO_SHIP if due is not None or not q else ()),
        warehouse_id=warehouse_id,
        deadline_from=deadline_from,
        deadline_to=deadline_to,
        unaccepted_only=due is not None,
        q=q,
        before_id=id_after_cursor(cursor),
        limit=limit + 1,
    )
    page_rows = rows[:limit]
    more = len(rows) > limit
    items = await summaries(
        session, page_rows, now=now, end_of_today=end_of_today, settings=settings
    )
    next_cursor = encode_cursor({"id": str(page_rows[-1].id)}) if more and page_rows else None
    return ShopPackages(
        Page(items, next_cursor),
        end_of_today,
        await logistics.market_locale(session, shop.market_code),
    )
