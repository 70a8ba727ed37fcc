from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hawker.kit.clock import FrozenClock, as_utc
from hawker.kit.pagination import InvalidCursor, decode_cursor, encode_cursor


def test_frozen_clock_moves_only_when_told() -> None:
    clock = FrozenClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    assert clock.now() == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    clock.advance(timedelta(minutes=15))
    assert clock.now() == datetime(2026, 3, 1, 12, 15, tzinfo=UTC)
    with pytest.raises(ValueError):
        FrozenClock(datetime(2026, 3, 1))


def test_as_utc() -> None:
    assert as_utc(datetime(2026, 1, 1, 8, 0)).tzinfo is UTC
    assert as_utc(datetime(2026, 1, 1, 8, 0)) == datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def test_cursor_round_trip_and_garbage() -> None:
    cursor = encode_cursor({"id": 123456789012345678})
    assert decode_cursor(cursor) == {"id": 123456789012345678}
    for bad in ("!!!", "bm90IGpzb24", encode_cursor({"id": 1})[:-3] + "###"):
        with pytest.raises(InvalidCursor):
            decode_cursor(bad)
