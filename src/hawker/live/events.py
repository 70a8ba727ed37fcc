"""What changes a room, as published on the broker channel `live:{session_id}`.

Every process that has viewers of the room receives these and folds them into its next
coalesced frame (see room.py and docs/live-protocol.md). Publishing happens after the change
has been committed; delivery is best effort (a viewer that misses one reconnects to a fresh
snapshot).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from hawker.broker import Broker

log = logging.getLogger("hawker.live")

Event = dict[str, Any]


def channel(session_id: int) -> str:
    # the braces are a Redis Cluster hash tag: every key of one room lives on one node
    return f"live:{{{session_id}}}"


def encode(event: Event) -> bytes:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()


async def publish(broker: Broker, session_id: int, events: Sequence[Event]) -> None:
    for event in events:
        try:
            await broker.publish(channel(session_id), encode(event))
        except Exception:  # fan-out is best effort; the change itself is committed
            log.exception("publishing a room event for live %s failed", session_id)


def iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def comment_payload(
    *, comment_id: int, user_id: int, name: str, text: str, at: datetime
) -> dict[str, Any]:
    return {
        "id": str(comment_id),
        "user": {"id": str(user_id), "name": name},
        "text": text,
        "at": iso(at),
    }


def comment(payload: dict[str, Any]) -> Event:
    return {"k": "comment", "comment": payload}


def removed(comment_id: int) -> Event:
    return {"k": "removed", "id": str(comment_id)}


def pinned(card: dict[str, Any] | None) -> Event:
    return {"k": "pin", "product": card}


def bag(cards: list[dict[str, Any]]) -> Event:
    return {"k": "bag", "items": cards}


def status(value: str, playback: dict[str, Any] | None) -> Event:
    return {"k": "status", "status": value, "playback": playback}


def bought(
    *, buyer: str, product: str, product_id: int | None, orders: int, gmv_minor: int
) -> Event:
    return {
        "k": "bought",
        "notice": {
            "buyer": buyer,
            "product": product,
            "product_id": str(product_id) if product_id is not None else None,
        },
        "orders": orders,
        "gmv_minor": gmv_minor,
    }


def likes(total: int) -> Event:
    return {"k": "likes", "total": total}


def deal(card: dict[str, Any] | None) -> Event:
    """A live flash deal was announced, started or ended: its whole card (None: no deal)."""
    return {"k": "deal", "deal": card}


def deal_remaining(deal_id: int, remaining: int) -> Event:
    """Units left in a running deal (coalesced by the sender and again by the room)."""
    return {"k": "deal_remaining", "deal_id": str(deal_id), "remaining": remaining}


def stock(product_id: int, available: int) -> Event:
    """Units of a bag product left to sell (frames carry the latest figure per product)."""
    return {"k": "stock", "product_id": str(product_id), "available": available}
