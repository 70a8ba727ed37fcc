"""The order state machine as plain data and functions."""

from __future__ import annotations

import pytest

from hawker.models import OrderStatus
from hawker.orders import state
from hawker.orders.state import InvalidTransition

S = OrderStatus

ALLOWED = {
    (S.UNPAID, S.ON_HOLD),
    (S.UNPAID, S.CANCELLED),
    (S.ON_HOLD, S.AWAITING_SHIPMENT),
    (S.ON_HOLD, S.CANCELLED),
    (S.AWAITING_SHIPMENT, S.PARTIALLY_SHIPPING),
    (S.AWAITING_SHIPMENT, S.AWAITING_COLLECTION),
    (S.AWAITING_SHIPMENT, S.IN_TRANSIT),
    (S.AWAITING_SHIPMENT, S.CANCELLED),
    (S.PARTIALLY_SHIPPING, S.AWAITING_COLLECTION),
    (S.PARTIALLY_SHIPPING, S.IN_TRANSIT),
    (S.PARTIALLY_SHIPPING, S.CANCELLED),
    (S.AWAITING_COLLECTION, S.PARTIALLY_SHIPPING),
    (S.AWAITING_COLLECTION, S.IN_TRANSIT),
    (S.AWAITING_COLLECTION, S.CANCELLED),
    (S.IN_TRANSIT, S.DELIVERED),
    (S.DELIVERED, S.COMPLETED),
}


def test_exactly_the_documented_transitions_are_allowed() -> None:
    for a in S:
        for b in S:
            assert state.can_transition(a, b) is ((a, b) in ALLOWED), (a, b)


def test_every_status_has_an_entry_and_finals_are_final() -> None:
    assert set(state.TRANSITIONS) == set(S)
    assert {S.COMPLETED, S.CANCELLED} == state.FINAL
    assert state.is_final("COMPLETED") and state.is_final("CANCELLED")
    assert not state.is_final("DELIVERED")


def test_ensure_transition_raises_invalid_state_with_details() -> None:
    state.ensure_transition("UNPAID", "ON_HOLD")
    with pytest.raises(InvalidTransition) as exc:
        state.ensure_transition("CANCELLED", "ON_HOLD")
    assert exc.value.status_code == 409
    assert exc.value.code == "invalid_state"
    assert exc.value.details == {"status": "CANCELLED", "requested": "ON_HOLD"}
    with pytest.raises(InvalidTransition):
        state.ensure_transition("IN_TRANSIT", "CANCELLED")  # too late to cancel
    with pytest.raises(InvalidTransition):
        state.ensure_transition("UNPAID", "NOT_A_STATUS")


def test_cancellation_rights() -> None:
    assert {S.UNPAID, S.ON_HOLD} == state.BUYER_CANCELLABLE
    assert {S.AWAITING_SHIPMENT} == state.SELLER_CANCELLABLE
    for s in state.BUYER_CANCELLABLE | state.SELLER_CANCELLABLE:
        assert state.can_transition(s, S.CANCELLED)
