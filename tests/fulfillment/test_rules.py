"""Allocation, the weight check and status rules as plain functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hawker.fulfillment import allocation, statuses, weight_check
from hawker.fulfillment.allocation import Item, OrderRequest, Site
from hawker.logistics.rates import RateCard
from hawker.logistics.zones import Point
from hawker.models import OrderStatus, PackageStatus

S, P = OrderStatus, PackageStatus

NYC = Point(40.7128, -74.006)
BOSTON = Point(42.3601, -71.0589)
LA = Point(34.0522, -118.2437)
CHICAGO = Point(41.8781, -87.6298)


def rates(factor: int = 1, service_id: int = 1) -> RateCard:
    rows = [
        (zone, max_g, (base + 50 * (zone - 1)) * factor)
        for zone in range(1, 7)
        for max_g, base in ((500, 400), (1000, 500), (5000, 800))
    ]
    return RateCard.build(
        service_id=service_id,
        currency="USD",
        divisor=5000,
        max_weight_g=30000,
        extra_kg_minor=100,
        rows=rows,
    )


def site(wid: int, at: Point, stock: dict[int, int], card: RateCard | None = None) -> Site:
    return Site(wid, at, "US", dict(stock), card if card is not None else rates())


def order(*items: Item, to: Point | None = NYC, order_id: int = 1) -> OrderRequest:
    return OrderRequest(order_id, tuple(items), to, "US")


def item(line: int, sku: int, qty: int, grams: int = 200) -> Item:
    return Item(line, sku, qty, grams, 10, 10, 5)


# --- allocation -----------------------------------------------------------------------------------


def test_one_package_from_the_cheapest_site_that_holds_everything() -> None:
    near = site(1, BOSTON, {10: 5, 11: 5})  # 306 km: zone 2
    far = site(2, LA, {10: 5, 11: 5})  # zone 5
    a = allocation.allocate(order(item(1, 10, 2), item(2, 11, 1)), [far, near])
    (parcel,) = a.parcels
    assert parcel.warehouse_id == 1
    assert parcel.zone == 2
    assert parcel.weight_g == 600
    assert parcel.box.height_cm == 15
    assert parcel.chargeable_weight_g == 600  # 10×10×15 = 1500 cm³ = 300 g volumetric
    assert parcel.cost_minor == 550  # the 1 kg bracket of zone 2
    assert parcel.items == ((1, 10, 2), (2, 11, 1))
    assert a.ok and a.cost_minor == 550


def test_fewest_packages_beats_a_cheaper_split() -> None:
    # the near sites each hold one line; only the far one holds both
    near_a = site(1, NYC, {10: 1})
    near_b = site(2, NYC, {11: 1})
    far = site(3, LA, {10: 1, 11: 1})
    a = allocation.allocate(order(item(1, 10, 1), item(2, 11, 1)), [near_a, near_b, far])
    assert [p.warehouse_id for p in a.parcels] == [3]


def test_equal_cost_goes_to_the_nearer_site_then_the_lower_id() -> None:
    # both in zone 1 at the same price: distance decides
    closer = site(7, Point(40.72, -74.0), {10: 1})
    further = site(3, Point(40.9, -74.2), {10: 1})
    a = allocation.allocate(order(item(1, 10, 1)), [further, closer])
    assert a.parcels[0].warehouse_id == 7
    twin = site(2, Point(40.72, -74.0), {10: 1})
    assert allocation.allocate(order(item(1, 10, 1)), [closer, twin]).parcels[0].warehouse_id == 2


def test_priced_sites_win_over_unpriced_ones() -> None:
    unpriced = Site(1, NYC, "US", {10: 1}, None)
    priced = site(2, LA, {10: 1})
    a = allocation.allocate(order(item(1, 10, 1)), [unpriced, priced])
    assert a.parcels[0].warehouse_id == 2
    only = allocation.allocate(order(item(1, 10, 1)), [unpriced])
    assert only.parcels[0].cost_minor is None and only.ok


def test_split_uses_the_fewest_sites_and_can_split_a_line() -> None:
    a_site = site(1, NYC, {10: 2, 11: 0})
    b_site = site(2, BOSTON, {10: 1, 11: 3})
    c_site = site(3, CHICAGO, {11: 3})
    a = allocation.allocate(order(item(1, 10, 3), item(2, 11, 2)), [a_site, b_site, c_site])
    assert sorted(p.warehouse_id for p in a.parcels) == [1, 2]
    by_site = {p.warehouse_id: p.items for p in a.parcels}
    assert by_site[1] == ((1, 10, 2),)
    assert by_site[2] == ((1, 10, 1), (2, 11, 2))
    assert a.ok


def test_among_equal_splits_the_cheapest_wins() -> None:
    line_a = site(1, NYC, {10: 1})
    line_b_far = site(2, LA, {11: 1})
    line_b_near = site(3, BOSTON, {11: 1})
    a = allocation.allocate(
        order(item(1, 10, 1), item(2, 11, 1)), [line_a, line_b_far, line_b_near]
    )
    assert sorted(p.warehouse_id for p in a.parcels) == [1, 3]


def test_not_enough_stock_reports_the_short_lines() -> None:
    a = allocation.allocate(order(item(1, 10, 3), item(2, 11, 1)), [site(1, NYC, {10: 2, 11: 1})])
    assert not a.ok
    assert a.parcels == ()
    assert a.unserved == ((1, 1),)


def test_allocate_many_takes_stock_as_it_goes() -> None:
    near = site(1, BOSTON, {10: 1})
    far = site(2, LA, {10: 5})
    first, second = allocation.allocate_many(
        [order(item(1, 10, 1), order_id=1), order(item(1, 10, 1), order_id=2)], [near, far]
    )
    assert [p.warehouse_id for p in first.parcels] == [1]
    assert [p.warehouse_id for p in second.parcels] == [2]
    assert near.stock == {10: 0} and far.stock == {10: 4}


def test_greedy_cover_past_the_combination_budget() -> None:
    sites = [site(i, NYC, {10 + i: 1}) for i in range(6)]
    request = order(*(item(i, 10 + i, 1) for i in range(6)))
    a = allocation.allocate(request, sites, max_combinations=3)
    assert sorted(p.warehouse_id for p in a.parcels) == list(range(6))
    assert a.ok


def test_assign_fixed_prices_a_given_split() -> None:
    sites = {1: site(1, NYC, {}), 2: site(2, LA, {})}
    request = order(item(1, 10, 2), item(2, 11, 1))
    a = allocation.assign_fixed(request, sites, {1: {0: 2}, 2: {1: 1, 0: 0}})
    assert [(p.warehouse_id, p.items, p.zone) for p in a.parcels] == [
        (1, ((1, 10, 2),), 1),
        (2, ((2, 11, 1),), 5),
    ]


def test_unknown_destination_counts_as_the_nearest_zone() -> None:
    a = allocation.allocate(order(item(1, 10, 1), to=None), [site(1, LA, {10: 1})])
    assert a.parcels[0].zone == 1 and a.parcels[0].distance_km == 0


# --- the weight check ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "measured", "short"),
    [
        (100, 70, False),  # 30 g short: the 30 g floor is not exceeded
        (100, 69, True),
        (120, 90, False),  # 25 % of 120 is exactly 30 g
        (120, 89, True),
        (121, 91, False),  # 30 g short of 121: under 30.25 g
        (121, 90, True),  # 31 g short of 121: over 30.25 g
        (1000, 750, False),  # 25 % exactly
        (1000, 749, True),
        (1000, 0, True),  # an empty box
        (500, 520, False),  # heavier is never short
        (20, 0, False),  # a 20 g item cannot be 30 g short
        (0, 0, False),
    ],
)
def test_weight_tolerance_boundaries(expected: int, measured: int, short: bool) -> None:
    assert weight_check.is_short(expected, measured) is short


def test_weight_tolerance_settings_and_helpers() -> None:
    assert weight_check.is_short(100, 89, min_g=10, pct=10)
    assert not weight_check.is_short(100, 90, min_g=10, pct=10)
    assert weight_check.expected_weight([(250, 2), (100, 3)]) == 800
    assert weight_check.allowed_shortfall_g(121, min_g=30, pct=25) == 30.25
    assert weight_check.allowed_shortfall_g(40, min_g=30, pct=25) == 30.0
    with pytest.raises(ValueError):
        weight_check.is_short(-1, 0)


# --- statuses ---------------------------------------------------------------------------------


def test_order_follows_its_packages() -> None:
    target = statuses.order_target
    assert target([P.TO_FULFILL]) == S.AWAITING_SHIPMENT
    assert target([P.PROCESSING, P.TO_FULFILL]) == S.AWAITING_SHIPMENT
    assert target([P.PROCESSING, P.PROCESSING]) == S.AWAITING_COLLECTION
    assert target([P.FULFILLING, P.PROCESSING]) == S.PARTIALLY_SHIPPING
    assert target([P.COMPLETED, P.TO_FULFILL]) == S.PARTIALLY_SHIPPING
    assert target([P.FULFILLING, P.COMPLETED]) == S.IN_TRANSIT
    assert target([P.COMPLETED, P.CANCELLED]) == S.DELIVERED
    assert target([P.CANCELLED]) is None


def test_orders_only_move_forward_along_legal_edges() -> None:
    path = statuses.order_path
    assert path(S.AWAITING_SHIPMENT, S.AWAITING_COLLECTION) == [S.AWAITING_COLLECTION]
    assert path(S.AWAITING_COLLECTION, S.PARTIALLY_SHIPPING) == [S.PARTIALLY_SHIPPING]
    assert path(S.AWAITING_COLLECTION, S.DELIVERED) == [S.IN_TRANSIT, S.DELIVERED]
    assert path(S.PARTIALLY_SHIPPING, S.DELIVERED) == [S.IN_TRANSIT, S.DELIVERED]
    assert path(S.IN_TRANSIT, S.DELIVERED) == [S.DELIVERED]
    assert path(S.IN_TRANSIT, S.PARTIALLY_SHIPPING) == []  # never backwards
    assert path(S.PARTIALLY_SHIPPING, S.AWAITING_COLLECTION) == []
    assert path(S.CANCELLED, S.IN_TRANSIT) == []
    assert path(S.AWAITING_SHIPMENT, None) == []


def test_event_order_acceptance_and_delivery() -> None:
    t0 = datetime(2026, 1, 5, 15, tzinfo=UTC)
    ev = statuses.EventView
    events = [
        ev(4, "OUT_FOR_DELIVERY", t0 + timedelta(hours=40), None),
        ev(5, "IN_TRANSIT", t0 + timedelta(hours=30), None),  # arrived late, older
        ev(2, "IN_TRANSIT", t0 - timedelta(hours=1), None),  # before the scan arrived
        ev(3, "ACCEPTED", t0, 498),
    ]
    assert statuses.latest(events) == events[0]
    assert statuses.acceptance_scan(events) == events[3]
    assert statuses.delivery(events) is None
    assert [e.id for e in statuses.ordered(events)] == [2, 3, 5, 4]
    delivered = [ev(9, "DELIVERED", t0, None)]
    assert statuses.acceptance_scan(delivered) == delivered[0]  # delivery proves acceptance
    assert statuses.latest([]) is None
