"""The order state machine, as data: which status may follow which.

UNPAID -> ON_HOLD (paid) | CANCELLED
ON_HOLD -> AWAITING_SHIPMENT (remorse window over) | CANCELLED (by the buyer alone)
AWAITING_SHIPMENT -> PARTIALLY_SHIPPING | AWAITING_COLLECTION | IN_TRANSIT | CANCELLED
PARTIALLY_SHIPPING -> AWAITING_COLLECTION | IN_TRANSIT | CANCELLED
AWAITING_COLLECTION -> PARTIALLY_SHIPPING (one of several packages accepted) | IN_TRANSIT
    | CANCELLED
IN_TRANSIT -> DELIVERED -> COMPLETED
COMPLETED and CANCELLED are final.
"""

from __future__ import annotations

from enum import StrEnum

from hawker.errors import InvalidState
from hawker.models import OrderStatus

S = OrderStatus

TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.UNPAID: frozenset({S.ON_HOLD, S.CANCELLED}),
    S.ON_HOLD: frozenset({S.AWAITING_SHIPMENT, S.CANCELLED}),
    S.AWAITING_SHIPMENT: frozenset(
        {S.PARTIALLY_SHIPPING, S.AWAITING_COLLECTION, S.IN_TRANSIT, S.CANCELLED}
    ),
    S.PARTIALLY_SHIPPING: frozenset({S.AWAITING_COLLECTION, S.IN_TRANSIT, S.CANCELLED}),
    S.AWAITING_COLLECTION: frozenset({S.PARTIALLY_SHIPPING, S.IN_TRANSIT, S.CANCELLED}),
    S.IN_TRANSIT: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}

FINAL: frozenset[OrderStatus] = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)


class ActorRole(StrEnum):
    BUYER = "BUYER"
    SELLER = "SELLER"
    SYSTEM = "SYSTEM"
    OPERATOR = "OPERATOR"


# Who may cancel in which status (RULES.md: the buyer alone during the remorse window;
# the seller only before anything has shipped; the system for unpaid expiry and SLA breaches).
BUYER_CANCELLABLE: frozenset[OrderStatus] = frozenset({S.UNPAID, S.ON_HOLD})
SELLER_CANCELLABLE: frozenset[OrderStatus] = frozenset({S.AWAITING_SHIPMENT})


class InvalidTransition(InvalidState):
    """That status change is not allowed."""

    code = "invalid_state"


def can_transition(current: str, to: str) -> bool:
    try:
        return OrderStatus(to) in TRANSITIONS[OrderStatus(current)]
    except ValueError:
        return False


def ensure_transition(current: str, to: str) -> None:
    if not can_transition(current, to):
        raise InvalidTransition(
            f"An order that is {current} cannot become {to}.",
            details={"status": current, "requested": to},
        )


def is_final(status: str) -> bool:
    return OrderStatus(status) in FINAL
