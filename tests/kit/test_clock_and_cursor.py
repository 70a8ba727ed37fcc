from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hawker.kit.clock import FrozenClock, as_utc
from hawker.kit.pagination import (
    InvalidCursor,
    cursor_id,
    cursor_id_value,
    decode_cursor,
    encode_cursor,
)


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


def test_cursor_id_takes_ints_and_digit_strings_in_range() -> None:
    for value, expected in [
        (0, 0),
        (123456789012345678, 123456789012345678),
        ("123456789012345678", 123456789012345678),
        (2**63 - 1, 2**63 - 1),
        (str(2**63 - 1), 2**63 - 1),
    ]:
        assert cursor_id(encode_cursor({"id": value})) == expected
        assert cursor_id_value(value) == expected
    for bad_value in [
        2**63,
        "9999999999999999999",  # 19 digits, above 2^63 - 1
        99999999999999999999,
        "1" * 20,
        -1,
        "-1",
        True,
        1.0,
        "12a",
        "١٢",  # digits, but not ASCII ones
        "",
        None,
        [1],
        {"id": 1},
    ]:
        with pytest.raises(InvalidCursor):
            cursor_id(encode_cursor({"id": bad_value}))
    for bad_cursor in ["!!!", encode_cursor({}), encode_cursor({"ID": 1}), "WzFd"]:  # WzFd: [1]
        with pytest.raises(InvalidCursor):
            cursor_id(bad_cursor)
