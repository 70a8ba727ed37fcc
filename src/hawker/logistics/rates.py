"""Rate tables and transit times as plain values: price and days for a zone and a weight."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RateCard:
    """A carrier service's prices: per zone, brackets of (max chargeable grams, price).

    A parcel pays the first bracket whose maximum it does not exceed; above the heaviest
    bracket it pays that bracket plus `extra_kg_minor` per started kilogram, up to
    `max_weight_g` (heavier parcels cannot go with this service).
    """

    service_id: int
    currency: str
    divisor: int
    max_weight_g: int
    extra_kg_minor: int
    brackets: Mapping[int, tuple[tuple[int, int], ...]]
    _limits: dict[int, list[int]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(
        cls,
        *,
        service_id: int,
        currency: str,
        divisor: int,
        max_weight_g: int,
        extra_kg_minor: int,
        rows: Iterable[tuple[int, int, int]],
    ) -> RateCard:
        """From (zone, max_weight_g, price_minor) rows in any order."""
        by_zone: dict[int, list[tuple[int, int]]] = {}
        for zone, max_g, price in rows:
            by_zone.setdefault(zone, []).append((max_g, price))
        brackets = {zone: tuple(sorted(rows_)) for zone, rows_ in by_zone.items()}
        card = cls(
            service_id=service_id,
            currency=currency,
            divisor=divisor,
            max_weight_g=max_weight_g,
            extra_kg_minor=extra_kg_minor,
            brackets=brackets,
        )
        for zone, rows_ in brackets.items():
            card._limits[zone] = [max_g for max_g, _ in rows_]
        return card

    def price(self, zone: int, chargeable_g: int) -> int | None:
        """The price of a parcel, or None when the service does not take it."""
        rows = self.brackets.get(zone)
        if not rows or chargeable_g > self.max_weight_g:
            return None
        limits = self._limits[zone]
        i = bisect.bisect_left(limits, chargeable_g)
        if i < len(rows):
            return rows[i][1]
        top_g, top_price = rows[-1]
        if self.extra_kg_minor <= 0:
            return None
        extra_kg = -(-(chargeable_g - top_g) // 1000)
        return top_price + extra_kg * self.extra_kg_minor

    def zones(self) -> list[int]:
        return sorted(self.brackets)


@dataclass(frozen=True, slots=True)
class Transit:
    """Business days from acceptance to delivery: the median and the 90th percentile."""

    p50_days: int
    p90_days: int


def transit_for(table: Mapping[int, Transit], zone: int) -> Transit | None:
    """The zone's transit, else the nearest slower zone's (a safe promise), else None."""
    if zone in table:
        return table[zone]
    slower = [z for z in table if z > zone]
    return table[min(slower)] if slower else None
