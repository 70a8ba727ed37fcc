"""The empty-or-short-box rule (RULES.md), as a pure function.

A parcel is suspect when its measured weight is lighter than the expected weight of its
contents by more than max(30 g, 25 % of the expected weight). Exactly at the tolerance it
passes. Integer arithmetic only: 25 % of 121 g is 30.25 g, so 31 g short is suspect.
"""

from __future__ import annotations


def expected_weight(items: list[tuple[int, int]]) -> int:
    """Σ unit package weight × quantity over (unit_weight_g, quantity) items."""
    return sum(weight * quantity for weight, quantity in items)


def allowed_shortfall_g(expected_g: int, *, min_g: int, pct: int) -> float:
    """For display: the tolerance in grams, max(min_g, pct % of expected)."""
    return max(float(min_g), expected_g * pct / 100)


def is_short(expected_g: int, measured_g: int, *, min_g: int = 30, pct: int = 25) -> bool:
    """True when `measured_g` is lighter than `expected_g` by more than max(min_g, pct %)."""
    if expected_g < 0 or measured_g < 0:
        raise ValueError("weights must not be negative")
    shortfall = expected_g - measured_g
    return shortfall > min_g and shortfall * 100 > expected_g * pct
