"""Weights, zones, rate tables and promised dates as plain functions, with exact values."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from hawker.logistics import estimate, network_data
from hawker.logistics.rates import RateCard, Transit, transit_for
from hawker.logistics.weights import (
    CM_KG_DIVISOR,
    IN_LB_DIVISOR,
    Box,
    chargeable_weight,
    chargeable_weight_g,
    pack_box,
    volumetric_weight,
)
from hawker.logistics.zones import Point, best_prefix_match, distance_km, zone_for

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")


# --- chargeable weight ----------------------------------------------------------------------------


def test_volumetric_weight_is_exact_for_cm_kg_and_in_lb() -> None:
    assert volumetric_weight(40, 30, 20, divisor=CM_KG_DIVISOR) == Decimal("4.8")
    assert volumetric_weight(12, 12, 12, divisor=IN_LB_DIVISOR) == Decimal(1728) / Decimal(166)
    assert volumetric_weight(Decimal("10.5"), 10, 10, divisor=CM_KG_DIVISOR) == Decimal("0.21")


def test_chargeable_weight_takes_the_greater_and_rounds_up_to_the_step() -> None:
    # a light bulky box pays for its volume, a dense one for its weight
    assert chargeable_weight(Decimal("3.2"), 40, 30, 20, divisor=CM_KG_DIVISOR) == Decimal("4.8")
    assert chargeable_weight(Decimal("6"), 40, 30, 20, divisor=CM_KG_DIVISOR) == Decimal("6")
    # 12 in cube = 10.4096... lb, billed in whole pounds
    assert chargeable_weight(
        Decimal("4"), 12, 12, 12, divisor=IN_LB_DIVISOR, step=Decimal(1)
    ) == Decimal(11)
    assert chargeable_weight(Decimal("3.2"), 40, 30, 20, divisor=5000, step=Decimal("0.5")) == (
        Decimal("5.0")
    )
    # exactly on a step stays there
    assert chargeable_weight(Decimal(2), 10, 10, 10, divisor=5000, step=Decimal("0.5")) == 2
    with pytest.raises(ValueError):
        chargeable_weight(-1, 1, 1, 1, divisor=5000)
    with pytest.raises(ValueError):
        volumetric_weight(1, 1, 1, divisor=0)


def test_chargeable_weight_in_grams_rounds_volume_up() -> None:
    assert chargeable_weight_g(250, 30, 20, 5) == 600  # 3000 cm³ / 5000 = 0.6 kg
    assert chargeable_weight_g(700, 30, 20, 5) == 700
    assert chargeable_weight_g(1, 1, 1, 1) == 1  # 0.2 g of volume rounds up to 1 g
    assert chargeable_weight_g(0, 3, 1, 1) == 1  # 0.6 g -> 1 g
    assert chargeable_weight_g(0, 0, 0, 0) == 0


def test_pack_box_stacks_items_on_their_largest_face() -> None:
    assert pack_box([(30, 20, 5, 2)]) == Box(30, 20, 10)
    assert pack_box([(5, 30, 20, 1), (10, 10, 40, 1), (1, 1, 1, 0)]) == Box(40, 20, 15)
    assert pack_box([]) == Box(0, 0, 0)


# --- zones and rates ------------------------------------------------------------------------------


def test_distance_and_zones() -> None:
    nyc, albany_area, la = Point(40.7128, -74.006), Point(41.5, -76.0), Point(34.0522, -118.2437)
    assert round(distance_km(nyc, albany_area)) == 189
    assert round(distance_km(nyc, la)) == 3936
    assert distance_km(nyc, nyc) == 0
    bands = (100, 400, 1000, 2500)
    assert [zone_for(d, same_country=True, bands=bands) for d in (0, 100, 100.1, 400, 2500)] == [
        1,
        1,
        2,
        2,
        4,
    ]
    assert zone_for(2500.01, same_country=True, bands=bands) == 5
    assert zone_for(3, same_country=False, bands=bands) == 6


def test_postal_prefixes_match_the_longest() -> None:
    prefixes = ["", "1", "10", "9", "94"]
    assert best_prefix_match("10001", prefixes) == "10"
    assert best_prefix_match("12345", prefixes) == "1"
    assert best_prefix_match("94105", prefixes) == "94"
    assert best_prefix_match("55401", prefixes) == ""
    assert best_prefix_match("ec1a 1bb", ["", "E", "EC"]) == "EC"
    assert best_prefix_match("12345", ["1x"]) is None


def card() -> RateCard:
    return RateCard.build(
        service_id=1,
        currency="USD",
        divisor=5000,
        max_weight_g=30000,
        extra_kg_minor=180,
        rows=[(1, 1000, 520), (1, 500, 450), (2, 500, 486), (1, 20000, 2200)],
    )


def test_rate_card_brackets_extra_kilograms_and_limits() -> None:
    rates = card()
    assert rates.price(1, 1) == 450
    assert rates.price(1, 500) == 450  # up to and including the bracket
    assert rates.price(1, 501) == 520
    assert rates.price(1, 1000) == 520
    assert rates.price(1, 1001) == 2200
    assert rates.price(1, 20001) == 2200 + 180  # one started kilogram more
    assert rates.price(1, 22000) == 2200 + 2 * 180
    assert rates.price(1, 30000) == 2200 + 10 * 180
    assert rates.price(1, 30001) is None  # beyond the service's maximum
    assert rates.price(2, 600) == 486 + 180  # above zone 2's only bracket
    no_extra = RateCard.build(
        service_id=2,
        currency="USD",
        divisor=5000,
        max_weight_g=30000,
        extra_kg_minor=0,
        rows=[(1, 500, 450)],
    )
    assert no_extra.price(1, 501) is None  # nothing priced above the top bracket
    assert rates.price(3, 100) is None  # a zone the service does not serve
    assert rates.zones() == [1, 2]


def test_transit_falls_back_to_the_next_slower_zone() -> None:
    table = {1: Transit(1, 2), 3: Transit(2, 4)}
    assert transit_for(table, 1) == Transit(1, 2)
    assert transit_for(table, 2) == Transit(2, 4)
    assert transit_for(table, 4) is None


def test_default_rates_scale_with_the_market_fee() -> None:
    us = network_data.rate_rows(Decimal(1), 599)
    assert us[:2] == [(1, 500, 450), (1, 1000, 520)]
    assert (2, 2000, 691) in us  # 640 × 1.08 = 691.2
    assert (6, 500, 1350) in us  # cross-border: 3 ×
    gb = network_data.rate_rows(Decimal(1), 399)
    assert gb[0] == (1, 500, 300)  # 450 × 399 / 599 = 299.75 -> 300
    assert network_data.extra_kg_minor(Decimal("1.8"), 599) == 324


# --- promised dates -----------------------------------------------------------------------------


def at(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def test_cutoff_weekend_and_public_holiday() -> None:
    def window(now: str, handling: int = 1) -> tuple[date, date, date]:
        w = estimate.delivery_window(
            at(now),
            tz=NY,
            cutoff_hour=14,
            handling_days=handling,
            country="US",
            p50_days=2,
            p90_days=3,
        )
        return w.handover, w.earliest, w.latest

    # Monday before the cut-off: handling starts that day, handed over Tuesday
    assert window("2026-01-05T13:59:00-05:00") == (
        date(2026, 1, 6),
        date(2026, 1, 8),
        date(2026, 1, 9),
    )
    # at the cut-off it starts Tuesday
    assert window("2026-01-05T14:00:00-05:00")[0] == date(2026, 1, 7)
    # Friday after the cut-off: the weekend is skipped
    assert window("2026-01-09T15:00:00-05:00") == (
        date(2026, 1, 13),
        date(2026, 1, 15),
        date(2026, 1, 16),
    )
    # Thursday 2 July 2026 after the cut-off: Friday 3 July is Independence Day (observed)
    assert window("2026-07-02T15:00:00-04:00") == (
        date(2026, 7, 7),
        date(2026, 7, 9),
        date(2026, 7, 10),
    )
    # the same Thursday before the cut-off: handling starts Thursday, handover skips Friday
    assert window("2026-07-02T13:00:00-04:00") == (
        date(2026, 7, 6),
        date(2026, 7, 8),
        date(2026, 7, 9),
    )
    # a Saturday order with no handling days is handed over on Monday
    assert window("2026-01-10T09:00:00-05:00", handling=0)[0] == date(2026, 1, 12)
    # the cut-off is the warehouse's local hour: 18:59 UTC is 13:59 in New York in January
    assert window("2026-01-05T18:59:00+00:00")[0] == date(2026, 1, 6)


def test_christmas_in_great_britain() -> None:
    w = estimate.delivery_window(
        at("2025-12-24T10:00:00+00:00"),
        tz=LONDON,
        cutoff_hour=14,
        handling_days=1,
        country="GB",
        p50_days=1,
        p90_days=2,
    )
    # Christmas Day and Boxing Day, then the weekend: handed over Monday 29 December
    assert (w.handover, w.earliest, w.latest) == (
        date(2025, 12, 29),
        date(2025, 12, 30),
        date(2025, 12, 31),
    )


def test_business_deadlines_end_at_local_midnight() -> None:
    monday = at("2026-01-05T10:00:00+00:00")
    assert estimate.business_deadline(monday, tz=NY, country="US", business_days=2) == at(
        "2026-01-08T05:00:00+00:00"
    )
    assert estimate.business_deadline(monday, tz=NY, country="US", business_days=7) == at(
        "2026-01-15T05:00:00+00:00"
    )
    # released on Thursday 2 July: Friday is a holiday, so Monday and Tuesday count (EDT)
    thursday = at("2026-07-02T14:00:00+00:00")
    deadline = estimate.business_deadline(thursday, tz=NY, country="US", business_days=2)
    assert deadline == at("2026-07-08T04:00:00+00:00")
    assert estimate.deadline_day(deadline, tz=NY) == date(2026, 7, 7)
    assert estimate.delivery_due(deadline, tz=NY, country="US", p90_days=3) == date(2026, 7, 10)
    # released late on Saturday UTC is still Saturday in New York
    saturday = at("2026-01-10T23:30:00+00:00")
    assert estimate.business_deadline(saturday, tz=NY, country="US", business_days=2) == at(
        "2026-01-14T05:00:00+00:00"
    )


def test_pending_and_in_transit_windows() -> None:
    released = at("2026-01-05T10:00:00+00:00")
    planned = estimate.pending_window(
        released,
        released,
        tz=NY,
        cutoff_hour=14,
        handling_days=1,
        country="US",
        p50_days=2,
        p90_days=3,
    )
    assert (planned.handover, planned.latest) == (date(2026, 1, 6), date(2026, 1, 9))
    # Thursday afternoon and still not handed over: the earliest handover is Friday
    late = estimate.pending_window(
        released,
        at("2026-01-08T20:00:00+00:00"),
        tz=NY,
        cutoff_hour=14,
        handling_days=1,
        country="US",
        p50_days=2,
        p90_days=3,
    )
    assert (late.handover, late.earliest, late.latest) == (
        date(2026, 1, 9),
        date(2026, 1, 13),
        date(2026, 1, 14),
    )
    moving = estimate.in_transit_window(
        at("2026-01-09T22:00:00+00:00"), tz=NY, country="US", p50_days=1, p90_days=2
    )
    assert (moving.handover, moving.earliest, moving.latest) == (
        date(2026, 1, 9),
        date(2026, 1, 12),
        date(2026, 1, 13),
    )
