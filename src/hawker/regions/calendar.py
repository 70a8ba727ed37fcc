"""Business days per market: weekends plus the country's public holidays."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import holidays


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> Any:
    return holidays.country_holidays(country, years=year)


def is_business_day(country: str, day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(country, day.year)


def add_business_days(country: str, start: date, days: int) -> date:
    """The date `days` business days after `start` (start itself does not count)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_business_day(country, current):
            remaining -= 1
    return current
