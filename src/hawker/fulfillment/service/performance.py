"""A shop's fulfilment figures over a window (default the last 30 days).

- Late dispatch rate = orders dispatched late / orders due, over the orders whose dispatch
  deadline fell in the window (deadline <= now). Due: every such order except those
  cancelled before their deadline without a scan. Late: no acceptance scan of every
  package before the deadline (including orders auto-cancelled for that reason).
- Valid tracking rate = packages the carrier scanned / packages with a tracking number,
  over the packages whose dispatch deadline fell in the window, except those cancelled
  before their deadline. A tracking number that never produces an acceptance scan is not
  valid tracking.
- Short boxes: weight reviews confirmed short (and still open) among those opened in the
  window.
Rates are Decimal fractions rounded half-up to 4 places, None when nothing was due.
Thresholds (RULES.md, settings): late dispatch <= 4 %, valid tracking >= 95 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.config import Settings
from hawker.fulfillment import repository as repo
from hawker.models import User, WeightReviewStatus
from hawker.shops import service as shops

PLACES = Decimal("0.0001")


def rate(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class DispatchRate:
    due: int
    late: int

    @property
    def rate(self) -> Decimal | None:
        return rate(self.late, self.due)


@dataclass(frozen=True)
class TrackingRate:
    with_tracking: int
    valid: int

    @property
    def rate(self) -> Decimal | None:
        return rate(self.valid, self.with_tracking)


@dataclass(frozen=True)
class Performance:
    shop_id: int
    window_start: datetime
    window_end: datetime
    window_days: int
    late_dispatch: DispatchRate
    valid_tracking: TrackingRate
    late_dispatch_max: Decimal
    valid_tracking_min: Decimal
    short_boxes_confirmed: int
    weight_reviews_open: int
    weight_reviews_cleared: int
    to_ship: int
    overdue: int
    due_today: int

    @property
    def late_dispatch_ok(self) -> bool | None:
        r = self.late_dispatch.rate
        return None if r is None else r <= self.late_dispatch_max

    @property
    def valid_tracking_ok(self) -> bool | None:
        r = self.valid_tracking.rate
        return None if r is None else r >= self.valid_tracking_min


async def late_dispatch_rate(
    session: AsyncSession, shop_id: int, *, start: datetime, end: datetime
) -> DispatchRate:
    due, late = await repo.dispatch_figures(session, shop_id, start=start, end=end)
    return DispatchRate(due, late)


def end_of_local_day(now: datetime, tz: ZoneInfo) -> datetime:
    """The instant (UTC) today ends in the time zone `tz`."""
    today: date = now.astimezone(tz).date()
    return datetime.combine(today + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


async def shop_performance(
    session: AsyncSession, user: User, shop_id: int, *, now: datetime, settings: Settings
) -> Performance:
    shop = await shops.require_member(session, user, shop_id)
    days = settings.performance_window_days
    start = now - timedelta(days=days)
    due, late = await repo.dispatch_figures(session, shop.id, start=start, end=now)
    tracked, valid = await repo.tracking_figures(session, shop.id, start=start, end=now)
    reviews = await repo.review_counts(session, shop.id, since=start)
    market = await repo.market(session, shop.market_code)
    tz = ZoneInfo(market.timezone if market else "UTC")
    to_ship, overdue, today = await repo.open_package_counts(
        session, shop.id, now=now, end_of_today=end_of_local_day(now, tz)
    )
    return Performance(
        shop_id=shop.id,
        window_start=start,
        window_end=now,
        window_days=days,
        late_dispatch=DispatchRate(due, late),
        valid_tracking=TrackingRate(tracked, valid),
        late_dispatch_max=settings.late_dispatch_rate_max,
        valid_tracking_min=settings.valid_tracking_rate_min,
        short_boxes_confirmed=reviews[WeightReviewStatus.CONFIRMED_SHORT],
        weight_reviews_open=reviews[WeightReviewStatus.OPEN],
        weight_reviews_cleared=reviews[WeightReviewStatus.CLEARED],
        to_ship=to_ship,
        overdue=overdue,
        due_today=today,
    )
