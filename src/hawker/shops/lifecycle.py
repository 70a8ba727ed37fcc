"""The shop state machine, as plain data and functions (no database).

PENDING_REVIEW -> ACTIVE | CLOSED
ACTIVE         -> SUSPENDED | CLOSED
SUSPENDED      -> ACTIVE | CLOSED
CLOSED         -> (nothing; closing is final)

Operators move shops through it with named review actions; each action is allowed only from
some statuses, and every edge an action takes is an edge of the status table.
"""

from __future__ import annotations

from enum import StrEnum

from hawker.errors import InvalidState
from hawker.models import ShopStatus


class ReviewAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    CLOSE = "close"


ALLOWED_TRANSITIONS: dict[ShopStatus, frozenset[ShopStatus]] = {
    ShopStatus.PENDING_REVIEW: frozenset({ShopStatus.ACTIVE, ShopStatus.CLOSED}),
    ShopStatus.ACTIVE: frozenset({ShopStatus.SUSPENDED, ShopStatus.CLOSED}),
    ShopStatus.SUSPENDED: frozenset({ShopStatus.ACTIVE, ShopStatus.CLOSED}),
    ShopStatus.CLOSED: frozenset(),
}

# action -> (statuses it may start from, status it leads to)
ACTIONS: dict[ReviewAction, tuple[frozenset[ShopStatus], ShopStatus]] = {
    ReviewAction.APPROVE: (frozenset({ShopStatus.PENDING_REVIEW}), ShopStatus.ACTIVE),
    ReviewAction.REJECT: (frozenset({ShopStatus.PENDING_REVIEW}), ShopStatus.CLOSED),
    ReviewAction.SUSPEND: (frozenset({ShopStatus.ACTIVE}), ShopStatus.SUSPENDED),
    ReviewAction.REINSTATE: (frozenset({ShopStatus.SUSPENDED}), ShopStatus.ACTIVE),
    ReviewAction.CLOSE: (
        frozenset({ShopStatus.PENDING_REVIEW, ShopStatus.ACTIVE, ShopStatus.SUSPENDED}),
        ShopStatus.CLOSED,
    ),
}

# Actions that must say why (the reason is kept on the shop and shown to its owner).
ACTIONS_NEEDING_REASON = frozenset({ReviewAction.REJECT, ReviewAction.SUSPEND, ReviewAction.CLOSE})


class InvalidShopTransition(InvalidState):
    """That review action is not allowed in the shop's current status."""

    code = "invalid_state"


def can_transition(current: str, target: str) -> bool:
    """Whether a shop may go from status `current` to status `target`."""
    try:
        return ShopStatus(target) in ALLOWED_TRANSITIONS[ShopStatus(current)]
    except ValueError:
        return False


def next_status(current: str, action: ReviewAction) -> ShopStatus:
    """The status `action` leads to from `current`; InvalidShopTransition if not allowed."""
    sources, target = ACTIONS[action]
    if current not in sources or not can_transition(current, target):
        raise InvalidShopTransition(
            f"A shop that is {current} cannot be {_past(action)}.",
            details={"status": current, "action": str(action)},
        )
    return target


def _past(action: ReviewAction) -> str:
    return {
        ReviewAction.APPROVE: "approved",
        ReviewAction.REJECT: "rejected",
        ReviewAction.SUSPEND: "suspended",
        ReviewAction.REINSTATE: "reinstated",
        ReviewAction.CLOSE: "closed",
    }[action]
