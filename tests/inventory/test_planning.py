"""The allocation choice as a pure function: which warehouse gives how many units."""

from __future__ import annotations

from hawker.inventory.planning import (
    CandidateRow,
    LineRequest,
    Shortage,
    Slice,
    plan,
    touch_order,
)


def row(
    stock_id: int, warehouse_id: int, free: int, *, sku: int = 1, default: bool = False
) -> CandidateRow:
    return CandidateRow(stock_id, sku, warehouse_id, 100, default, free)


def test_default_warehouse_first_then_by_warehouse_id() -> None:
    rows = [row(10, 3, 5), row(11, 1, 5), row(12, 2, 5, default=True)]
    slices, short = plan([LineRequest(0, 1, 100, 4)], rows)
    assert short == []
    assert slices == [Slice(0, 12, 1, 2, 4)]

    slices, short = plan([LineRequest(0, 1, 100, 12)], rows)
    assert short == []
    assert slices == [Slice(0, 12, 1, 2, 5), Slice(0, 11, 1, 1, 5), Slice(0, 10, 1, 3, 2)]


def test_every_short_line_is_listed_and_short_lines_take_nothing() -> None:
    rows = [row(1, 1, 3, sku=1), row(2, 1, 1, sku=2), row(3, 1, 10, sku=3)]
    lines = [
        LineRequest(0, 1, 100, 5),  # 3 free: short
        LineRequest(1, 2, 100, 2),  # 1 free: short
        LineRequest(2, 3, 100, 4),  # fine
        LineRequest(3, 1, 100, 3),  # line 0 took nothing, so 3 are still free
        LineRequest(4, 9, 100, 1),  # no stock row at all
    ]
    slices, short = plan(lines, rows)
    assert short == [Shortage(0, 1, 5, 3), Shortage(1, 2, 2, 1), Shortage(4, 9, 1, 0)]
    assert slices == [Slice(2, 3, 3, 1, 4), Slice(3, 1, 1, 1, 3)]


def test_earlier_lines_use_up_units_for_later_lines_of_the_same_sku() -> None:
    rows = [row(1, 1, 10)]
    _, short = plan([LineRequest(0, 1, 100, 6), LineRequest(1, 1, 100, 6)], rows)
    assert short == [Shortage(1, 1, 6, 4)]


def test_rows_of_another_shop_are_not_candidates() -> None:
    other = CandidateRow(5, 1, 7, 200, True, 50)
    _, short = plan([LineRequest(0, 1, 100, 1)], [other])
    assert short == [Shortage(0, 1, 1, 0)]


def test_negative_free_counts_as_zero() -> None:
    _, short = plan([LineRequest(0, 1, 100, 1)], [row(1, 1, -3)])
    assert short == [Shortage(0, 1, 1, 0)]


def test_rows_are_touched_in_ascending_id_order() -> None:
    slices = [
        Slice(0, 9, 1, 1, 1),
        Slice(1, 3, 2, 1, 1),
        Slice(2, 9, 1, 1, 2),
        Slice(3, 5, 3, 1, 1),
    ]
    assert [(s.stock_id, s.index) for s in touch_order(slices)] == [(3, 1), (5, 3), (9, 0), (9, 2)]
