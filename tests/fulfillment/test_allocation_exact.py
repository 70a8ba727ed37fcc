"""The split search: exact among whole-line splits, line sharing between two parcels, the
fallback when splitting a line saves a parcel; checked against brute force."""

from __future__ import annotations

import itertools
import random

from hawker.fulfillment import allocation
from hawker.fulfillment.allocation import Assignment, Item, OrderRequest, Site
from hawker.logistics.rates import RateCard
from hawker.logistics.zones import Point, distance_km, zone_for

NYC = Point(40.7128, -74.006)
BOSTON = Point(42.3601, -71.0589)
PHILLY = Point(39.9526, -75.1652)
CHICAGO = Point(41.8781, -87.6298)
LA = Point(34.0522, -118.2437)


def card(factor: int = 1, service_id: int = 1) -> RateCard:
    # brackets of 500 g, 1 kg, 2 kg and 5 kg; 50 more per zone
    rows = [
        (zone, max_g, (base + 50 * (zone - 1)) * factor)
        for zone in range(1, 7)
        for max_g, base in ((500, 400), (1000, 500), (2000, 700), (5000, 1000))
    ]
    return RateCard.build(
        service_id=service_id,
        currency="USD",
        divisor=5000,
        max_weight_g=30000,
        extra_kg_minor=100,
        rows=rows,
    )


def site(wid: int, at: Point, stock: dict[int, int], rates: RateCard | None = None) -> Site:
    return Site(wid, at, "US", dict(stock), rates or card())


def item(line: int, sku: int, qty: int, grams: int) -> Item:
    return Item(line, sku, qty, grams, 10, 10, 2)


def order(*items: Item) -> OrderRequest:
    return OrderRequest(1, tuple(items), NYC, "US")


def by_site(a: Assignment) -> dict[int, tuple[tuple[int, int, int], ...]]:
    return {p.warehouse_id: p.items for p in a.parcels}


def test_whole_line_splits_take_the_cheapest_site_for_each_group() -> None:
    # no site holds all three lines: {A, B} from Boston (450 g) and {C} from Philadelphia
    # (900 g), both in zone 2, is the cheapest of the two-parcel plans
    sites = [
        site(1, BOSTON, {10: 1, 11: 1}),
        site(2, PHILLY, {11: 1, 12: 1}),
        site(3, CHICAGO, {10: 1, 11: 1, 12: 0}),
        site(4, PHILLY, {12: 1}),
    ]
    a = allocation.allocate(
        order(item(1, 10, 1, 300), item(2, 11, 1, 150), item(3, 12, 1, 900)), sites
    )
    assert len(a.parcels) == 2
    assert a.cost_minor == 450 + 550  # 450 g and 900 g, both zone 2
    assert sorted(by_site(a)) in ([1, 2], [1, 4])
    assert by_site(a)[1] == ((1, 10, 1), (2, 11, 1))


def test_sharing_a_line_between_two_sites_beats_whole_lines() -> None:
    boston = site(1, BOSTON, {10: 2, 11: 1})
    philly = site(2, PHILLY, {10: 2, 12: 1})
    # whole lines: A (2 × 450 g) must go whole with B (500 g) or C (500 g):
    # {A, B} 1.4 kg = 750 + {C} 0.5 kg = 450 → 1200; sharing: {1 A, B} 0.95 kg = 550 +
    # {1 A, C} 0.95 kg = 550 → 1100
    a = allocation.allocate(
        order(item(1, 10, 2, 450), item(2, 11, 1, 500), item(3, 12, 1, 500)), [boston, philly]
    )
    assert a.cost_minor == 1100
    assert by_site(a) == {1: ((1, 10, 1), (2, 11, 1)), 2: ((1, 10, 1), (3, 12, 1))}


def test_splitting_a_line_can_save_a_parcel() -> None:
    # whole lines need three parcels ({A} from site 3, {B} from 1, {C} from 2), but one unit
    # of A from each of sites 1 and 2 makes two
    sites = [
        site(1, BOSTON, {10: 1, 11: 1}),
        site(2, PHILLY, {10: 1, 12: 1}),
        site(3, LA, {10: 2}),
    ]
    a = allocation.allocate(
        order(item(1, 10, 2, 100), item(2, 11, 1, 100), item(3, 12, 1, 100)), sites
    )
    assert sorted(by_site(a)) == [1, 2]
    assert a.ok


def test_the_inlined_distance_is_the_zones_distance() -> None:
    rng = random.Random(3)
    for _ in range(500):
        here = Point(rng.uniform(-60, 70), rng.uniform(-180, 180))
        there = Point(rng.uniform(-60, 70), rng.uniform(-180, 180))
        a = allocation.allocate(
            OrderRequest(1, (item(1, 10, 1, 100),), there, "US"), [site(1, here, {10: 1})]
        )
        d = distance_km(here, there)
        assert a.parcels[0].distance_km == d  # the same float, not merely close
        assert a.parcels[0].zone == zone_for(d, same_country=True, bands=(100, 400, 1000, 2500))


def brute_force(request: OrderRequest, sites: list[Site]) -> tuple[int, int]:
    """(fewest packages, lowest cost among whole-line plans with that many) by enumeration
    of every assignment of units to sites."""
    items = request.items
    per_item = []
    for it in items:
        options = []
        for split in itertools.product(range(it.quantity + 1), repeat=len(sites)):
            if sum(split) == it.quantity and all(
                q <= s.stock.get(it.sku_id, 0) for q, s in zip(split, sites, strict=True)
            ):
                options.append(split)
        per_item.append(options)
    best_packages = 10**9
    best_whole = 10**12
    by_id = {s.warehouse_id: s for s in sites}
    for choice in itertools.product(*per_item):
        groups: dict[int, dict[int, int]] = {}
        for i, split in enumerate(choice):
            for k, q in enumerate(split):
                if q:
                    groups.setdefault(sites[k].warehouse_id, {})[i] = q
        packages = len(groups)
        whole = all(sum(1 for q in split if q) == 1 for split in choice)
        cost = allocation.assign_fixed(request, by_id, groups).cost_minor
        if packages < best_packages:
            best_packages, best_whole = packages, 10**12
        if packages == best_packages and whole:
            best_whole = min(best_whole, cost)
    return best_packages, best_whole


def test_random_small_orders_against_brute_force() -> None:
    rng = random.Random(11)
    places = [NYC, BOSTON, PHILLY, CHICAGO, LA]
    checked = 0
    for n in range(250):
        lines = rng.randint(1, 3)
        request = OrderRequest(
            n,
            tuple(
                item(i + 1, 10 + i, rng.randint(1, 2), rng.choice((150, 300, 450, 800)))
                for i in range(lines)
            ),
            rng.choice(places),
            "US",
        )
        sites = [
            site(
                k + 1,
                rng.choice(places),
                {10 + i: rng.randint(0, 2) for i in range(lines)},
                card(rng.randint(1, 2), k),
            )
            for k in range(3)
        ]
        a = allocation.allocate(request, sites)
        packages, whole_cost = brute_force(request, sites)
        if packages == 10**9:
            assert not a.ok
            continue
        assert a.ok
        assert len(a.parcels) == packages  # always the fewest packages
        if whole_cost < 10**12:
            assert a.cost_minor <= whole_cost  # never worse than the best whole-line plan
        checked += 1
    assert checked > 150
