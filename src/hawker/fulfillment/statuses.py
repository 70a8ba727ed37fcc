"""How packages move their order, and how carrier events move a package: pure functions.

An order follows its packages (cancelled packages do not count):
- every package delivered (COMPLETED)                     -> DELIVERED
- every package accepted by the carrier (FULFILLING+)     -> IN_TRANSIT
- some but not all accepted                               -> PARTIALLY_SHIPPING
- none accepted, every shipment arranged (PROCESSING)     -> AWAITING_COLLECTION
- otherwise                                               -> AWAITING_SHIPMENT
Orders only move forward; where the state machine has no direct edge the order walks
through IN_TRANSIT (e.g. AWAITING_COLLECTION -> IN_TRANSIT -> DELIVERED), so every step
is a legal, recorded transition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from hawker.models import OrderStatus, PackageStatus, TrackingStatus

S = OrderStatus
P = PackageStatus
T = TrackingStatus

ORDER_RANK: dict[str, int] = {
    S.AWAITING_SHIPMENT: 0,
    S.AWAITING_COLLECTION: 1,
    S.PARTIALLY_SHIPPING: 2,
    S.IN_TRANSIT: 3,
    S.DELIVERED: 4,
}

ACCEPTED_STATUSES = frozenset({P.FULFILLING, P.COMPLETED})
PACKAGE_RANK: dict[str, int] = {P.TO_FULFILL: 0, P.PROCESSING: 1, P.FULFILLING: 2, P.COMPLETED: 3}


def order_target(package_statuses: Sequence[str]) -> OrderStatus | None:
    """The order status its packages call for (None when every package is cancelled)."""
    live = [s for s in package_statuses if s != P.CANCELLED]
    if not live:
        return None
    if all(s == P.COMPLETED for s in live):
        return S.DELIVERED
    accepted = sum(1 for s in live if s in ACCEPTED_STATUSES)
    if accepted == len(live):
        return S.IN_TRANSIT
    if accepted:
        return S.PARTIALLY_SHIPPING
    if all(s == P.PROCESSING for s in live):
        return S.AWAITING_COLLECTION
    return S.AWAITING_SHIPMENT


def order_path(current: str, target: OrderStatus | None) -> list[OrderStatus]:
    """The transitions that take an order from `current` forward to `target` ([] if none)."""
    if target is None or current not in ORDER_RANK:
        return []
    if ORDER_RANK[target] <= ORDER_RANK[current]:
        return []
    if target == S.DELIVERED and current != S.IN_TRANSIT:
        return [S.IN_TRANSIT, S.DELIVERED]
    return [target]


@dataclass(frozen=True, slots=True)
class EventView:
    """What the rules need of a stored carrier event."""

    id: int
    status: str
    event_time: datetime
    measured_weight_g: int | None


def ordered(events: Sequence[EventView]) -> list[EventView]:
    """Carrier time order; the id (arrival order) breaks ties."""
    return sorted(events, key=lambda e: (e.event_time, e.id))


def latest(events: Sequence[EventView]) -> EventView | None:
    """The newest event by carrier time: what the parcel's status is now. An older event
    arriving late never replaces it."""
    return max(events, key=lambda e: (e.event_time, e.id), default=None)


def acceptance_scan(events: Sequence[EventView]) -> EventView | None:
    """The carrier's first acceptance scan; a delivery proves acceptance when the scan
    itself never arrived (it then carries no weight)."""
    by_time = ordered(events)
    for e in by_time:
        if e.status == T.ACCEPTED:
            return e
    for e in by_time:
        if e.status == T.DELIVERED:
            return e
    return None


def delivery(events: Sequence[EventView]) -> EventView | None:
    for e in ordered(events):
        if e.status == T.DELIVERED:
            return e
    return None
