"""Opaque keyset cursors: a page is everything after the last id seen."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

MAX_CURSOR_ID = 2**63 - 1  # ids are signed 64-bit integers


class InvalidCursor(ValueError):
    pass


def encode_cursor(values: dict[str, Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor("cursor is not valid") from exc
    if not isinstance(data, dict):
        raise InvalidCursor("cursor is not valid")
    return data


def cursor_id_value(value: object) -> int:
    """`value` as a keyset id: an int, or a string of at most 19 digits, in 0..2^63-1.

    Raises InvalidCursor for anything else (a bool, a float, a negative or too large number).
    """
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_CURSOR_ID:
        raise InvalidCursor("cursor is not valid")
    return value


def cursor_id(cursor: str) -> int:
    """The id an `{"id": ...}` cursor points after; InvalidCursor for any other cursor."""
    return cursor_id_value(decode_cursor(cursor).get("id"))


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
