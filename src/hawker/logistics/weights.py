"""Parcel weights and boxes as pure functions.

Carriers charge the greater of the actual weight and the volumetric weight
L×W×H / divisor: 5000 for centimetres and kilograms, 166 for inches and pounds (RULES.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

CM_KG_DIVISOR = 5000
IN_LB_DIVISOR = 166


def volumetric_weight(
    length: Decimal | int, width: Decimal | int, height: Decimal | int, *, divisor: int
) -> Decimal:
    """L×W×H / divisor, exactly (kg for cm with 5000, lb for inches with 166)."""
    if divisor <= 0:
        raise ValueError("divisor must be positive")
    dims = [Decimal(length), Decimal(width), Decimal(height)]
    if any(d < 0 for d in dims):
        raise ValueError("dimensions must not be negative")
    return dims[0] * dims[1] * dims[2] / Decimal(divisor)


def chargeable_weight(
    actual: Decimal | int,
    length: Decimal | int,
    width: Decimal | int,
    height: Decimal | int,
    *,
    divisor: int,
    step: Decimal | None = None,
) -> Decimal:
    """max(actual, L×W×H / divisor), rounded up to a multiple of `step` when one is given
    (carriers bill whole pounds or half kilograms)."""
    if Decimal(actual) < 0:
        raise ValueError("weight must not be negative")
    weight = max(Decimal(actual), volumetric_weight(length, width, height, divisor=divisor))
    if step is None:
        return weight
    if step <= 0:
        raise ValueError("step must be positive")
    return (weight / step).to_integral_value(rounding=ROUND_CEILING) * step


def chargeable_weight_g(
    weight_g: int, length_cm: int, width_cm: int, height_cm: int, *, divisor: int = CM_KG_DIVISOR
) -> int:
    """Chargeable weight in whole grams (volumetric grams rounded up): integer arithmetic."""
    if weight_g < 0 or min(length_cm, width_cm, height_cm) < 0:
        raise ValueError("weights and dimensions must not be negative")
    volume_g = -(-(length_cm * width_cm * height_cm * 1000) // divisor)
    return max(weight_g, volume_g)


@dataclass(frozen=True, slots=True)
class Box:
    length_cm: int
    width_cm: int
    height_cm: int

    @property
    def volume_cm3(self) -> int:
        return self.length_cm * self.width_cm * self.height_cm


def pack_box(items: Iterable[tuple[int, int, int, int]]) -> Box:
    """The box for (length, width, height, quantity) items stacked flat: as long and as wide
    as the largest item lying on its biggest face, as tall as all the items together."""
    length = width = height = 0
    for a, b, c, quantity in items:
        if quantity <= 0:
            continue
        big, mid, small = sorted((a, b, c), reverse=True)
        length = max(length, big)
        width = max(width, mid)
        height += small * quantity
    return Box(length, width, height)
