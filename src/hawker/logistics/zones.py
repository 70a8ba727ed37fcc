"""Distances and shipping zones as pure functions.

Zones grow with the great-circle distance from the warehouse to the destination: with the
default bands (100, 400, 1000, 2500 km) zone 1 is within 100 km, zone 5 is beyond 2500 km
in the same country, and a parcel crossing a border is in the zone after the last
domestic one (6). Distances are floats: they rank warehouses and pick zones, never money.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class Point:
    latitude: float
    longitude: float


def distance_km(a: Point, b: Point) -> float:
    """Great-circle (haversine) distance in kilometres."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def zone_for(distance: float, *, same_country: bool, bands: Sequence[int]) -> int:
    """1 for the nearest band, len(bands) + 1 beyond the last, len(bands) + 2 abroad."""
    if not same_country:
        return len(bands) + 2
    for i, limit in enumerate(bands):
        if distance <= limit:
            return i + 1
    return len(bands) + 1


def international_zone(bands: Sequence[int]) -> int:
    return len(bands) + 2


def best_prefix_match(postal_code: str, prefixes: Sequence[str]) -> str | None:
    """The longest prefix of the normalised postal code among `prefixes` ("" matches all)."""
    code = "".join(postal_code.split()).upper()
    best: str | None = None
    for prefix in prefixes:
        if code.startswith(prefix) and (best is None or len(prefix) > len(best)):
            best = prefix
    return best
