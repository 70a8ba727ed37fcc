"""Which warehouse gives how many units to which order line: a pure function, no database.

A reservation takes each line's units from the shop's sales warehouses, the default
warehouse first and then by warehouse id, splitting a line across warehouses when one
does not hold enough. Lines are served in the order given; a line that cannot be served
in full takes nothing and is reported short, and the remaining lines are still checked so
the buyer hears about every short line at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CandidateRow:
    """One stock row a line may draw from, with the units free in it when read."""

    stock_id: int
    sku_id: int
    warehouse_id: int
    shop_id: int
    is_default: bool
    free: int


@dataclass(frozen=True)
class LineRequest:
    index: int
    sku_id: int
    shop_id: int
    quantity: int


@dataclass(frozen=True)
class Slice:
    """`quantity` units of line `index` from stock row `stock_id`."""

    index: int
    stock_id: int
    sku_id: int
    warehouse_id: int
    quantity: int


@dataclass(frozen=True)
class Shortage:
    index: int
    sku_id: int
    requested: int
    available: int


def preference(row: CandidateRow) -> tuple[bool, int]:
    """Default warehouse first, then by warehouse id."""
    return (not row.is_default, row.warehouse_id)


def plan(
    lines: Sequence[LineRequest], rows: Sequence[CandidateRow]
) -> tuple[list[Slice], list[Shortage]]:
    """Slices that serve every line, or the shortages (then the slices are meaningless)."""
    by_key: dict[tuple[int, int], list[CandidateRow]] = {}
    for row in rows:
        by_key.setdefault((row.sku_id, row.shop_id), []).append(row)
    for group in by_key.values():
        group.sort(key=preference)
    free = {row.stock_id: max(row.free, 0) for row in rows}

    slices: list[Slice] = []
    short: list[Shortage] = []
    for line in lines:
        candidates = by_key.get((line.sku_id, line.shop_id), [])
        available = sum(free[row.stock_id] for row in candidates)
        if available < line.quantity:
            short.append(Shortage(line.index, line.sku_id, line.quantity, available))
            continue
        wanted = line.quantity
        for row in candidates:
            if wanted == 0:
                break
            take = min(wanted, free[row.stock_id])
            if take <= 0:
                continue
            free[row.stock_id] -= take
            wanted -= take
            slices.append(Slice(line.index, row.stock_id, row.sku_id, row.warehouse_id, take))
    return slices, short


def touch_order(slices: Sequence[Slice]) -> list[Slice]:
    """Stock rows are written in ascending id order, so two transactions cannot deadlock."""
    return sorted(slices, key=lambda s: (s.stock_id, s.index))
