"""An order's story as a timeline: what happened (from its history) and, while it is still
open, the steps still to come. Pure functions shared by the buyer's and the seller's pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from hawker.models import Order, OrderHistory, OrderStatus

S = OrderStatus

# The happy path, in order; an order moves along it unless it is cancelled.
HAPPY_PATH: tuple[OrderStatus, ...] = (
    S.UNPAID,
    S.ON_HOLD,
    S.AWAITING_SHIPMENT,
    S.IN_TRANSIT,
    S.DELIVERED,
    S.COMPLETED,
)

STEP_TITLES: dict[str, str] = {
    S.UNPAID: "Order placed",
    S.ON_HOLD: "Paid",
    S.AWAITING_SHIPMENT: "Preparing to ship",
    S.PARTIALLY_SHIPPING: "Partly shipped",
    S.AWAITING_COLLECTION: "Waiting for the carrier",
    S.IN_TRANSIT: "On its way",
    S.DELIVERED: "Delivered",
    S.COMPLETED: "Completed",
    S.CANCELLED: "Cancelled",
}

ACTORS = {"BUYER": "you", "SELLER": "the shop", "SYSTEM": "Hawker", "OPERATOR": "Hawker"}
ACTORS_FOR_SELLER = {"BUYER": "the buyer", "SELLER": "your shop", "SYSTEM": "Hawker"}


@dataclass(frozen=True)
class Step:
    status: str
    title: str
    at: datetime | None  # None for a step still to come
    note: str
    state: str  # done | current | upcoming | cancelled


def _note(row: OrderHistory, order: Order, actors: dict[str, str]) -> str:
    who = actors.get(row.actor_role, "Hawker")
    if row.to_status == S.CANCELLED:
        reason = f": {row.reason}" if row.reason else ""
        return f"Cancelled by {who}{reason}"
    if row.to_status == S.ON_HOLD and order.hold_until is not None:
        return "Payment received. The order can be cancelled during a short hold."
    if row.to_status == S.UNPAID:
        return "Waiting for payment."
    return row.reason.capitalize() if row.reason else ""


def timeline(
    order: Order, history: Sequence[OrderHistory], *, for_seller: bool = False
) -> list[Step]:
    actors = ACTORS_FOR_SELLER if for_seller else ACTORS
    steps = [
        Step(
            status=row.to_status,
            title=STEP_TITLES.get(row.to_status, row.to_status),
            at=row.created_at,
            note=_note(row, order, actors),
            state="cancelled" if row.to_status == S.CANCELLED else "done",
        )
        for row in history
    ]
    if steps and steps[-1].state == "done" and order.status not in (S.CANCELLED, S.COMPLETED):
        last = steps[-1]
        steps[-1] = Step(last.status, last.title, last.at, last.note, "current")
    if order.status == S.CANCELLED:
        return steps
    reached = {row.to_status for row in history}
    try:
        position = HAPPY_PATH.index(S(order.status))
    except ValueError:  # partly shipped or awaiting collection: next comes "on its way"
        position = HAPPY_PATH.index(S.AWAITING_SHIPMENT)
    for status in HAPPY_PATH[position + 1 :]:
        if status not in reached:
            steps.append(Step(status, STEP_TITLES[status], None, "", "upcoming"))
    return steps
