"""Which warehouse ships which units of an order: a pure function, no database.

RULES.md: the fewest packages first (one warehouse that holds every line), then the lowest
shipping cost, then the shortest distance.

- One package: every site that holds all the lines is priced (its rate card, the zone from
  its distance to the destination, the parcel's chargeable weight) and the cheapest wins;
  distance, then warehouse id, break ties. A site without a rate card for the zone is
  "unpriced" and only wins when no site is priced.
- Several packages, whole lines (the usual split): every group of lines a site can ship
  whole is priced at the cheapest site for it, and a dynamic programme over the groups
  finds the partition of the lines with the fewest packages, then the lowest total cost —
  the exact optimum among splits that keep each line in one parcel (up to
  `MAX_EXACT_LINES` lines). When that takes three or more packages, splitting a line
  between sites might save one, so combinations of fewer sites are tried as below.
- Several packages, split lines (no site holds a line's units, or the order is large): the
  smallest k for which some k sites together hold every line (a line may be split between
  sites) is found by trying combinations of the sites that hold anything the order needs,
  k = 2, 3, ...; within each feasible combination the lines are placed greedily (heaviest
  first, each on the site where it adds the least cost), and the cheapest combination
  wins. Past `max_combinations` the search falls back to a greedy cover (most needed units
  first), which may use more packages than the minimum.

`allocate_many` serves orders one after another against the same stock, so a benchmark or
a batch can allocate thousands of orders in one call (bench/allocation.py measures it
against an exact CP-SAT optimum).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hawker.logistics.rates import RateCard
from hawker.logistics.weights import Box, chargeable_weight_g, pack_box
from hawker.logistics.zones import EARTH_RADIUS_KM, Point, distance_km, zone_for

DEFAULT_BANDS = (100, 400, 1000, 2500)
UNPRICED = 10**15  # sorts after every real price
MAX_EXACT_LINES = 8  # the exact split search looks at every group of lines (2^lines)


@dataclass(frozen=True, slots=True)
class Item:
    """One order line to ship: `quantity` units of `sku_id`, each in its own package box."""

    line_id: int
    sku_id: int
    quantity: int
    unit_weight_g: int
    length_cm: int = 0
    width_cm: int = 0
    height_cm: int = 0


@dataclass(frozen=True, slots=True)
class OrderRequest:
    order_id: int
    items: tuple[Item, ...]
    destination: Point | None
    country_code: str


@dataclass(slots=True)
class Site:
    """A warehouse that may ship: where it is, what it holds free for this order, its rates."""

    warehouse_id: int
    location: Point
    country_code: str
    stock: dict[int, int]  # sku id -> units available (changed by allocate_many)
    rates: RateCard | None = None
    # latitude in radians and its cosine, worked out on first use (locations do not move)
    where: tuple[float, float] | None = field(default=None, init=False, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Parcel:
    warehouse_id: int
    items: tuple[tuple[int, int, int], ...]  # (line id, sku id, quantity)
    weight_g: int
    box: Box
    chargeable_weight_g: int
    zone: int
    distance_km: float
    cost_minor: int | None  # None: the site has no rate for this parcel


@dataclass(frozen=True, slots=True)
class Assignment:
    order_id: int
    parcels: tuple[Parcel, ...]
    unserved: tuple[tuple[int, int], ...] = ()  # (line id, units no site could give)

    @property
    def ok(self) -> bool:
        return not self.unserved

    @property
    def cost_minor(self) -> int:
        return sum(p.cost_minor or 0 for p in self.parcels)

    @property
    def distance_km(self) -> float:
        return sum(p.distance_km for p in self.parcels)

    def key(self) -> tuple[int, int, int, float, tuple[int, ...]]:
        """Ranking: fewer parcels, fewer unpriced parcels, lower cost, shorter distance."""
        unpriced = sum(1 for p in self.parcels if p.cost_minor is None)
        return (
            len(self.parcels),
            unpriced,
            self.cost_minor,
            round(self.distance_km, 6),
            tuple(sorted(p.warehouse_id for p in self.parcels)),
        )


@dataclass(slots=True)
class _Geo:
    """Per order and site: distance and zone, computed once."""

    distance: float
    zone: int


@dataclass(slots=True)
class _Load:
    items: dict[int, int] = field(default_factory=dict)  # item index -> units
    weight_g: int = 0


def _geo(order: OrderRequest, site: Site, bands: Sequence[int]) -> _Geo:
    if order.destination is None:
        return _Geo(0.0, 1 if site.country_code == order.country_code else len(bands) + 2)
    d = distance_km(site.location, order.destination)
    return _Geo(d, zone_for(d, same_country=site.country_code == order.country_code, bands=bands))


def _box(items: Sequence[Item], load: Mapping[int, int]) -> Box:
    return pack_box(
        (items[i].length_cm, items[i].width_cm, items[i].height_cm, q) for i, q in load.items()
    )


def _price(site: Site, geo: _Geo, weight_g: int, box: Box) -> tuple[int, int | None]:
    divisor = site.rates.divisor if site.rates is not None else 5000
    chargeable = chargeable_weight_g(
        weight_g, box.length_cm, box.width_cm, box.height_cm, divisor=divisor
    )
    cost = site.rates.price(geo.zone, chargeable) if site.rates is not None else None
    return chargeable, cost


def _parcel(order: OrderRequest, site: Site, geo: _Geo, load: _Load) -> Parcel:
    box = _box(order.items, load.items)
    chargeable, cost = _price(site, geo, load.weight_g, box)
    return Parcel(
        warehouse_id=site.warehouse_id,
        items=tuple(
            (order.items[i].line_id, order.items[i].sku_id, q)
            for i, q in sorted(load.items.items())
        ),
        weight_g=load.weight_g,
        box=box,
        chargeable_weight_g=chargeable,
        zone=geo.zone,
        distance_km=geo.distance,
        cost_minor=cost,
    )


def _latitude(site: Site) -> tuple[float, float]:
    where = site.where
    if where is None:
        lat = math.radians(site.location.latitude)
        where = site.where = (lat, math.cos(lat))
    return where


def _distance(site: Site, dest: tuple[float, float, float]) -> float:
    """`zones.distance_km` from the site to a destination given as (latitude in radians,
    its cosine, longitude in degrees): the same operations, so the same float."""
    lat2, cos2, lon2 = dest
    lat1, cos1 = _latitude(site)
    dlon = math.radians(lon2 - site.location.longitude)
    h = math.sin((lat2 - lat1) / 2) ** 2 + cos1 * cos2 * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _zone(distance: float, same_country: bool, bands: Sequence[int]) -> int:
    """`zones.zone_for`, inlined for the hot path."""
    if not same_country:
        return len(bands) + 2
    zone = 1
    for limit in bands:
        if distance <= limit:
            return zone
        zone += 1
    return zone


class _Order:
    """What allocation needs of one order, computed once: the needs per SKU, each group of
    lines' weight and box, and the distance and zone of each site it looks at."""

    __slots__ = ("_charge", "_dest", "_geos", "bands", "dims", "needs", "request")

    def __init__(self, request: OrderRequest, bands: Sequence[int]) -> None:
        self.request = request
        self.bands = bands
        needs: dict[int, int] = {}
        for item in request.items:
            needs[item.sku_id] = needs.get(item.sku_id, 0) + item.quantity
        self.needs = tuple(needs.items())
        self.dims = [
            tuple(sorted((i.length_cm, i.width_cm, i.height_cm), reverse=True))
            for i in request.items
        ]
        dest = request.destination
        if dest is None:
            self._dest: tuple[float, float, float] | None = None
        else:
            lat = math.radians(dest.latitude)
            self._dest = (lat, math.cos(lat), dest.longitude)
        self._geos: dict[int, _Geo] = {}
        self._charge: dict[tuple[int, int], tuple[int, int]] = {}

    @property
    def distinct_skus(self) -> bool:
        return len(self.needs) == len(self.request.items)

    def geo(self, site: Site) -> _Geo:
        """Distance and zone (the same figures as `zones.distance_km` and `zone_for`)."""
        found = self._geos.get(site.warehouse_id)
        if found is not None:
            return found
        same = site.country_code == self.request.country_code
        if self._dest is None:
            geo = _Geo(0.0, 1 if same else len(self.bands) + 2)
        else:
            d = _distance(site, self._dest)
            geo = _Geo(d, _zone(d, same, self.bands))
        self._geos[site.warehouse_id] = geo
        return geo

    def charge(self, group: int, divisor: int) -> tuple[int, int]:
        """(weight, chargeable weight) in grams of a parcel holding the lines of `group`
        (bit i: line i, all its units), packed as `pack_box` packs them."""
        key = (group, divisor)
        found = self._charge.get(key)
        if found is not None:
            return found
        weight = length = width = height = 0
        items = self.request.items
        for i, (big, mid, small) in enumerate(self.dims):
            if group >> i & 1:
                quantity = items[i].quantity
                weight += items[i].unit_weight_g * quantity
                length = max(length, big)
                width = max(width, mid)
                height += small * quantity
        volume_g = -(-(length * width * height * 1000) // divisor)
        found = (weight, max(weight, volume_g))
        self._charge[key] = found
        return found

    def cost(self, site: Site, group: int) -> int | None:
        card = site.rates
        if card is None:
            return None
        return card.price(self.geo(site).zone, self.charge(group, card.divisor)[1])


def _rank(ctx: _Order, site: Site, group: int) -> tuple[int, int, float, int]:
    """A parcel's rank: priced first, then cost, distance, warehouse id."""
    cost = ctx.cost(site, group)
    distance = ctx.geo(site).distance
    if cost is None:
        return (1, UNPRICED, distance, site.warehouse_id)
    return (0, cost, distance, site.warehouse_id)


def _whole_parcel(ctx: _Order, site: Site, group: int) -> Parcel:
    items = ctx.request.items
    load = _Load({i: items[i].quantity for i in range(len(items)) if group >> i & 1})
    load.weight_g = ctx.charge(group, 5000)[0]
    return _parcel(ctx.request, site, ctx.geo(site), load)


def _single(ctx: _Order, sites: Sequence[Site]) -> Assignment | None:
    """The best site that holds every line. The hot path: one pass, distance (the same
    operations as `_distance`) and zone inlined, each rate card priced once per zone."""
    request = ctx.request
    full = (1 << len(request.items)) - 1
    needs = ctx.needs
    dest = ctx._dest
    bands = ctx.bands
    abroad = len(bands) + 2
    country = request.country_code
    sin, asin, sqrt, radians = math.sin, math.asin, math.sqrt, math.radians
    prices: dict[tuple[int, int], int | None] = {}
    chargeable: dict[int, int] = {}
    best: tuple[tuple[int, int, float, int], Site] | None = None
    for site in sites:
        stock = site.stock
        for sku, qty in needs:
            if stock.get(sku, 0) < qty:
                break
        else:
            if dest is None:
                distance = 0.0
                zone = 1 if site.country_code == country else abroad
            else:
                lat2, cos2, lon2 = dest
                lat1, cos1 = site.where or _latitude(site)
                h = (
                    sin((lat2 - lat1) / 2) ** 2
                    + cos1 * cos2 * sin(radians(lon2 - site.location.longitude) / 2) ** 2
                )
                distance = 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(h)))
                zone = _zone(distance, site.country_code == country, bands)
            card = site.rates
            cost = None
            if card is not None:
                memo = (id(card), zone)
                if memo in prices:
                    cost = prices[memo]
                else:
                    charge = chargeable.get(card.divisor)
                    if charge is None:
                        charge = chargeable[card.divisor] = ctx.charge(full, card.divisor)[1]
                    cost = prices[memo] = card.price(zone, charge)
            if cost is None:
                key = (1, UNPRICED, distance, site.warehouse_id)
            else:
                key = (0, cost, distance, site.warehouse_id)
            if best is None or key < best[0]:
                best = (key, site)
    if best is None:
        return None
    return Assignment(request.order_id, (_whole_parcel(ctx, best[1], full),))


@dataclass(frozen=True, slots=True)
class _Plan:
    """A partition of the lines into parcels: (packages, unpriced, cost, distance) and the
    parcels as (group of lines, site)."""

    packages: int
    unpriced: int
    cost: int
    distance: float
    parts: tuple[tuple[int, Site], ...]

    def key(self) -> tuple[int, int, int, float, tuple[int, ...]]:
        return (
            self.packages,
            self.unpriced,
            self.cost,
            round(self.distance, 6),
            tuple(sorted(site.warehouse_id for _, site in self.parts)),
        )


def _by_groups(ctx: _Order, sites: Sequence[Site]) -> Assignment | None:
    """The exact best split that keeps every line whole: the cheapest site for each group of
    lines a site can ship, then the best partition of the lines into such groups (dynamic
    programme over subsets). None when some line is not held whole by any site."""
    items = ctx.request.items
    n = len(items)
    full = (1 << n) - 1
    cheapest: dict[int, tuple[tuple[int, int, float, int], Site]] = {}
    for site in sites:
        stock = site.stock
        held = 0
        for i, item in enumerate(items):
            if stock.get(item.sku_id, 0) >= item.quantity:
                held |= 1 << i
        group = held
        while group:
            rank = _rank(ctx, site, group)
            found = cheapest.get(group)
            if found is None or rank < found[0]:
                cheapest[group] = (rank, site)
            group = (group - 1) & held
    if any(1 << i not in cheapest for i in range(n)):
        return None
    plans: dict[int, _Plan] = {0: _Plan(0, 0, 0, 0.0, ())}
    for lines in range(1, full + 1):
        low = lines & -lines
        rest = lines ^ low
        best: _Plan | None = None
        sub = rest
        while True:
            group = sub | low
            found = cheapest.get(group)
            before = plans.get(lines ^ group)
            if found is not None and before is not None:
                (unpriced, cost, distance, _), site = found
                plan = _Plan(
                    before.packages + 1,
                    before.unpriced + unpriced,
                    before.cost + (0 if unpriced else cost),
                    before.distance + distance,
                    (*before.parts, (group, site)),
                )
                if best is None or plan.key() < best.key():
                    best = plan
            if sub == 0:
                break
            sub = (sub - 1) & rest
        if best is not None:
            plans[lines] = best
    plan = plans[full]
    if plan.packages == 2:
        shared = _rebalance(ctx, plan)
        if shared is not None:
            return shared
    parcels = sorted(
        (_whole_parcel(ctx, site, group) for group, site in plan.parts),
        key=lambda p: p.warehouse_id,
    )
    return Assignment(ctx.request.order_id, tuple(parcels))


def _load_cost(ctx: _Order, site: Site, load: Mapping[int, int]) -> int | None:
    """The price of a parcel of `load` (item index -> units) from the site."""
    card = site.rates
    if card is None:
        return None
    items = ctx.request.items
    weight = length = width = height = 0
    for i, quantity in load.items():
        if quantity:
            big, mid, small = ctx.dims[i]
            weight += items[i].unit_weight_g * quantity
            length = max(length, big)
            width = max(width, mid)
            height += small * quantity
    volume_g = -(-(length * width * height * 1000) // card.divisor)
    return card.price(ctx.geo(site).zone, max(weight, volume_g))


def _rebalance(ctx: _Order, plan: _Plan) -> Assignment | None:
    """Two parcels: sharing a line's units between the two sites can drop a parcel into a
    cheaper weight bracket. Every way to share them (as stock allows) is priced; the
    cheapest wins if it beats the whole-line plan (None otherwise)."""
    (_, a), (_, b) = plan.parts
    if a.rates is None or b.rates is None or plan.unpriced:
        return None
    items = ctx.request.items
    ranges = []
    for item in items:
        low = max(0, item.quantity - b.stock.get(item.sku_id, 0))
        high = min(item.quantity, a.stock.get(item.sku_id, 0))
        if low > high:
            return None
        ranges.append(range(low, high + 1))
    best_cost = plan.cost
    best: tuple[dict[int, int], dict[int, int]] | None = None
    for split in itertools.product(*ranges):
        here = dict(enumerate(split))
        there = {i: item.quantity - here[i] for i, item in enumerate(items)}
        if not any(split) or not any(there.values()):
            continue
        cost_a = _load_cost(ctx, a, here)
        cost_b = _load_cost(ctx, b, there)
        if cost_a is not None and cost_b is not None and cost_a + cost_b < best_cost:
            best_cost = cost_a + cost_b
            best = (here, there)
    if best is None:
        return None
    parcels = []
    for site, load in ((a, best[0]), (b, best[1])):
        units = {i: q for i, q in load.items() if q}
        weight = sum(items[i].unit_weight_g * q for i, q in units.items())
        parcels.append(_parcel(ctx.request, site, ctx.geo(site), _Load(units, weight)))
    parcels.sort(key=lambda p: p.warehouse_id)
    return Assignment(ctx.request.order_id, tuple(parcels))


def _place(
    order: OrderRequest, combo: Sequence[Site], geos: Mapping[int, _Geo]
) -> Assignment | None:
    """Greedy placement of the lines on the sites of one feasible combination."""
    left = {s.warehouse_id: dict(s.stock) for s in combo}
    loads = {s.warehouse_id: _Load() for s in combo}
    order_idx = sorted(
        range(len(order.items)),
        key=lambda i: (-order.items[i].unit_weight_g * order.items[i].quantity, i),
    )
    for i in order_idx:
        item = order.items[i]
        whole: list[tuple[int, int, float, int]] = []
        for site in combo:
            wid = site.warehouse_id
            if left[wid].get(item.sku_id, 0) >= item.quantity:
                load = loads[wid]
                geo = geos[wid]
                before = _price(site, geo, load.weight_g, _box(order.items, load.items))[1]
                trial = dict(load.items)
                trial[i] = trial.get(i, 0) + item.quantity
                after_weight = load.weight_g + item.unit_weight_g * item.quantity
                after = _price(site, geo, after_weight, _box(order.items, trial))[1]
                if after is None:
                    delta = UNPRICED
                elif before is None or not load.items:
                    delta = after
                else:
                    delta = after - before
                whole.append((delta, 0 if load.items else 1, geo.distance, wid))
        if whole:
            wid = min(whole)[3]
            takes = [(wid, item.quantity)]
        else:
            takes = []
            wanted = item.quantity
            for site in sorted(combo, key=lambda s: -left[s.warehouse_id].get(item.sku_id, 0)):
                if wanted == 0:
                    break
                take = min(wanted, left[site.warehouse_id].get(item.sku_id, 0))
                if take > 0:
                    takes.append((site.warehouse_id, take))
                    wanted -= take
            if wanted:
                return None
        for wid, quantity in takes:
            left[wid][item.sku_id] -= quantity
            load = loads[wid]
            load.items[i] = load.items.get(i, 0) + quantity
            load.weight_g += item.unit_weight_g * quantity
    by_id = {s.warehouse_id: s for s in combo}
    parcels = tuple(
        _parcel(order, by_id[wid], geos[wid], load)
        for wid, load in sorted(loads.items())
        if load.items
    )
    return Assignment(order.order_id, parcels)


def _covers(combo: Sequence[Site], needs: Mapping[int, int]) -> bool:
    return all(sum(s.stock.get(sku, 0) for s in combo) >= qty for sku, qty in needs.items())


def _greedy_cover(
    order: OrderRequest,
    sites: Sequence[Site],
    needs: Mapping[int, int],
    geos: Mapping[int, _Geo],
) -> Assignment | None:
    """Pick sites one by one, each time the one giving the most still-needed units."""
    remaining = dict(needs)
    chosen: list[Site] = []
    pool = list(sites)
    while any(remaining.values()) and pool:
        site = max(
            pool,
            key=lambda s: (
                sum(min(s.stock.get(k, 0), q) for k, q in remaining.items()),
                -geos[s.warehouse_id].distance,
                -s.warehouse_id,
            ),
        )
        gives = {k: min(site.stock.get(k, 0), q) for k, q in remaining.items()}
        if not any(gives.values()):
            break
        chosen.append(site)
        pool.remove(site)
        for k, q in gives.items():
            remaining[k] -= q
    if any(remaining.values()):
        return None
    return _place(order, chosen, geos)


def _shortfall(order: OrderRequest, sites: Sequence[Site]) -> tuple[tuple[int, int], ...]:
    totals: dict[int, int] = {}
    for site in sites:
        for sku, units in site.stock.items():
            totals[sku] = totals.get(sku, 0) + max(units, 0)
    out: list[tuple[int, int]] = []
    for item in order.items:
        have = totals.get(item.sku_id, 0)
        take = min(have, item.quantity)
        totals[item.sku_id] = have - take
        if take < item.quantity:
            out.append((item.line_id, item.quantity - take))
    return tuple(out)


def _by_combinations(
    order: OrderRequest,
    useful: Sequence[Site],
    needs: Mapping[int, int],
    geos: Mapping[int, _Geo],
    *,
    max_packages: int,
    max_combinations: int,
) -> Assignment | None:
    """The best split over the fewest sites (lines may be split), trying k = 2, 3, ... up to
    `max_packages` sites; past the budget, the greedy cover (None when it is no better)."""
    tried = 0
    for k in range(2, min(len(useful), max_packages) + 1):
        best: Assignment | None = None
        for combo in itertools.combinations(useful, k):
            tried += 1
            if tried > max_combinations:
                if best is not None:
                    return best
                return _greedy_cover(order, useful, needs, geos)
            if not _covers(combo, needs):
                continue
            placed = _place(order, combo, geos)
            if placed is not None and (best is None or placed.key() < best.key()):
                best = placed
        if best is not None:
            return best
    return None


def allocate(
    order: OrderRequest,
    sites: Sequence[Site],
    *,
    bands: Sequence[int] = DEFAULT_BANDS,
    max_combinations: int = 20_000,
) -> Assignment:
    """The best assignment of the order to the sites (stock is read, not changed)."""
    if not order.items:
        return Assignment(order.order_id, ())
    ctx = _Order(order, bands)
    single = _single(ctx, sites)
    if single is not None:
        return single
    needs = dict(ctx.needs)
    useful = [s for s in sites if any(s.stock.get(sku, 0) > 0 for sku in needs)]
    if not _covers(useful, needs):
        return Assignment(order.order_id, (), _shortfall(order, useful))
    whole: Assignment | None = None
    if len(order.items) <= MAX_EXACT_LINES and ctx.distinct_skus:
        whole = _by_groups(ctx, useful)
        if whole is not None and len(whole.parcels) <= 2:
            return whole  # two is the fewest a split can take
    geos = {s.warehouse_id: ctx.geo(s) for s in useful}
    limit = len(useful) if whole is None else len(whole.parcels) - 1
    split = _by_combinations(
        order, useful, needs, geos, max_packages=limit, max_combinations=max_combinations
    )
    candidates = [a for a in (whole, split) if a is not None]
    if not candidates:
        fallback = _greedy_cover(order, useful, needs, geos)
        assert fallback is not None  # the sites cover the needs
        return fallback
    return min(candidates, key=lambda a: a.key())


def assign_fixed(
    order: OrderRequest,
    sites: Mapping[int, Site],
    groups: Mapping[int, Mapping[int, int]],
    *,
    bands: Sequence[int] = DEFAULT_BANDS,
) -> Assignment:
    """Price a split that is already decided: warehouse id -> {item index: units}."""
    parcels: list[Parcel] = []
    for wid, units in sorted(groups.items()):
        load = {i: q for i, q in units.items() if q > 0}
        if not load:
            continue
        site = sites[wid]
        weight = sum(order.items[i].unit_weight_g * q for i, q in load.items())
        parcels.append(_parcel(order, site, _geo(order, site, bands), _Load(load, weight)))
    return Assignment(order.order_id, tuple(parcels))


def take_stock(sites: Mapping[int, Site], assignment: Assignment) -> None:
    """Remove the assignment's units from the sites' stock."""
    for parcel in assignment.parcels:
        stock = sites[parcel.warehouse_id].stock
        for _, sku, quantity in parcel.items:
            stock[sku] = stock.get(sku, 0) - quantity


def allocate_many(
    orders: Sequence[OrderRequest],
    sites: Sequence[Site],
    *,
    bands: Sequence[int] = DEFAULT_BANDS,
    max_combinations: int = 20_000,
) -> list[Assignment]:
    """Allocate orders in turn, each taking its units from the sites' stock."""
    by_id = {s.warehouse_id: s for s in sites}
    out: list[Assignment] = []
    for order in orders:
        assignment = allocate(order, sites, bands=bands, max_combinations=max_combinations)
        if assignment.ok:
            take_stock(by_id, assignment)
        out.append(assignment)
    return out
