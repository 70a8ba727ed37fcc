"""The shop state machine as plain functions."""

from __future__ import annotations

import pytest

from hawker.models import ShopStatus
from hawker.shops.lifecycle import (
    ACTIONS,
    ALLOWED_TRANSITIONS,
    InvalidShopTransition,
    ReviewAction,
    can_transition,
    next_status,
)

P, A, S, C = (
    ShopStatus.PENDING_REVIEW,
    ShopStatus.ACTIVE,
    ShopStatus.SUSPENDED,
    ShopStatus.CLOSED,
)

EXPECTED_ACTIONS = {
    (P, ReviewAction.APPROVE): A,
    (P, ReviewAction.REJECT): C,
    (P, ReviewAction.CLOSE): C,
    (A, ReviewAction.SUSPEND): S,
    (A, ReviewAction.CLOSE): C,
    (S, ReviewAction.REINSTATE): A,
    (S, ReviewAction.CLOSE): C,
}


def test_status_table() -> None:
    allowed = {(src, dst) for src in ShopStatus for dst in ShopStatus if can_transition(src, dst)}
    assert allowed == {(P, A), (P, C), (A, S), (A, C), (S, A), (S, C)}
    assert ALLOWED_TRANSITIONS[C] == frozenset()


def test_unknown_statuses_never_transition() -> None:
    assert can_transition("DRAFT", "ACTIVE") is False
    assert can_transition("PENDING_REVIEW", "DELETED") is False


@pytest.mark.parametrize("status", list(ShopStatus))
@pytest.mark.parametrize("action", list(ReviewAction))
def test_every_action_from_every_status(status: ShopStatus, action: ReviewAction) -> None:
    expected = EXPECTED_ACTIONS.get((status, action))
    if expected is None:
        with pytest.raises(InvalidShopTransition) as err:
            next_status(status, action)
        assert err.value.code == "invalid_state"
        assert err.value.status_code == 409
        assert err.value.details == {"status": str(status), "action": str(action)}
    else:
        assert next_status(status, action) == expected


def test_every_action_edge_is_an_allowed_transition() -> None:
    for sources, target in ACTIONS.values():
        for source in sources:
            assert can_transition(source, target)
