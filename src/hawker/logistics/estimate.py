"""Dates promised to buyers and sellers, as pure functions of the clock and the calendar.

- Handover: an order placed on a business day before the warehouse's cut-off hour (in the
  warehouse's local time) starts its handling that day, otherwise on the next business
  day; the parcel is handed to the carrier `handling_days` business days after that start.
- Estimated delivery: handover + the carrier's transit in business days (p50 for the
  earliest date, p90 for the date shown as "arrives by").
- Deadlines (dispatch, auto-cancel): the end (local midnight) of the Nth business day after
  the day the clock started, in the market's time zone and calendar.
- Delivery due (RULES.md): the dispatch deadline's day + p90 transit in business days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hawker.regions.calendar import add_business_days, is_business_day


@dataclass(frozen=True, slots=True)
class DeliveryWindow:
    handover: date  # the business day the carrier takes the parcel
    earliest: date  # handover + p50 transit
    latest: date  # handover + p90 transit: "arrives by"


def next_business_day(country: str, day: date) -> date:
    return add_business_days(country, day, 1)


def handling_start(now: datetime, *, tz: ZoneInfo, cutoff_hour: int, country: str) -> date:
    """The business day handling starts for an order placed at `now`."""
    local = now.astimezone(tz)
    today = local.date()
    if is_business_day(country, today) and local.hour < cutoff_hour:
        return today
    return next_business_day(country, today)


def handover_day(
    now: datetime, *, tz: ZoneInfo, cutoff_hour: int, handling_days: int, country: str
) -> date:
    if handling_days < 0:
        raise ValueError("handling_days must be >= 0")
    start = handling_start(now, tz=tz, cutoff_hour=cutoff_hour, country=country)
    return add_business_days(country, start, handling_days)


def delivery_window(
    now: datetime,
    *,
    tz: ZoneInfo,
    cutoff_hour: int,
    handling_days: int,
    country: str,
    p50_days: int,
    p90_days: int,
) -> DeliveryWindow:
    handover = handover_day(
        now, tz=tz, cutoff_hour=cutoff_hour, handling_days=handling_days, country=country
    )
    return DeliveryWindow(
        handover=handover,
        earliest=add_business_days(country, handover, p50_days),
        latest=add_business_days(country, handover, p90_days),
    )


def pending_window(
    released_at: datetime,
    now: datetime,
    *,
    tz: ZoneInfo,
    cutoff_hour: int,
    handling_days: int,
    country: str,
    p50_days: int,
    p90_days: int,
) -> DeliveryWindow:
    """A parcel not yet with the carrier: handed over as planned from when the order was
    released, or as soon as it still can be when that day has passed."""
    planned = handover_day(
        released_at, tz=tz, cutoff_hour=cutoff_hour, handling_days=handling_days, country=country
    )
    handover = max(planned, handling_start(now, tz=tz, cutoff_hour=cutoff_hour, country=country))
    return DeliveryWindow(
        handover=handover,
        earliest=add_business_days(country, handover, p50_days),
        latest=add_business_days(country, handover, p90_days),
    )


def in_transit_window(
    accepted_at: datetime, *, tz: ZoneInfo, country: str, p50_days: int, p90_days: int
) -> DeliveryWindow:
    """Once the carrier has the parcel: transit counts from the day of the acceptance scan."""
    day = accepted_at.astimezone(tz).date()
    return DeliveryWindow(
        handover=day,
        earliest=add_business_days(country, day, p50_days),
        latest=add_business_days(country, day, p90_days),
    )


def business_deadline(
    start: datetime, *, tz: ZoneInfo, country: str, business_days: int
) -> datetime:
    """The end of the `business_days`-th business day after `start`'s local day (UTC)."""
    day = add_business_days(country, start.astimezone(tz).date(), business_days)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return end.astimezone(UTC)


def deadline_day(deadline: datetime, *, tz: ZoneInfo) -> date:
    """The local day a deadline from `business_deadline` closes."""
    return (deadline.astimezone(tz) - timedelta(microseconds=1)).date()


def delivery_due(deadline: datetime, *, tz: ZoneInfo, country: str, p90_days: int) -> date:
    return add_business_days(country, deadline_day(deadline, tz=tz), p90_days)
