"""The flash deal rules as plain functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hawker.flash import rules
from hawker.flash.rules import Phase, Terms

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def terms(**changes: object) -> Terms:
    base = {
        "price_minor": 999,
        "currency": "USD",
        "stock_cap": 100,
        "per_buyer_limit": 2,
        "countdown_seconds": 10,
        "duration_minutes": 1,
    }
    base.update(changes)
    return Terms(**base)  # type: ignore[arg-type]


def test_terms_within_every_rule_pass() -> None:
    rules.check_terms(terms(), sku_currency="USD", lowest_30d_minor=1000)
    rules.check_terms(
        terms(countdown_seconds=300, duration_minutes=20), sku_currency="USD", lowest_30d_minor=1000
    )  # no exception: every rule holds


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"countdown_seconds": 9}, "countdown_out_of_range"),
        ({"countdown_seconds": 301}, "countdown_out_of_range"),
        ({"duration_minutes": 0}, "duration_out_of_range"),
        ({"duration_minutes": 21}, "duration_out_of_range"),
        ({"stock_cap": 0}, "invalid_stock_cap"),
        ({"per_buyer_limit": 0}, "invalid_buyer_limit"),
        ({"per_buyer_limit": 101}, "invalid_buyer_limit"),
        ({"currency": "EUR"}, "currency_mismatch"),
        ({"price_minor": 1000}, "price_not_below_lowest"),
        ({"price_minor": 0}, "price_not_below_lowest"),
    ],
)
def test_each_broken_rule_has_its_code(changes: dict[str, object], code: str) -> None:
    with pytest.raises(rules.InvalidDeal) as err:
        rules.check_terms(terms(**changes), sku_currency="USD", lowest_30d_minor=1000)
    assert err.value.code == code
    assert err.value.status_code == 400


def test_schedule_and_phases() -> None:
    s = rules.schedule(T0, countdown_seconds=30, duration_minutes=2)
    assert (s.announced_at, s.starts_at, s.ends_at) == (
        T0,
        T0 + timedelta(seconds=30),
        T0 + timedelta(seconds=150),
    )

    def at(seconds: float, status: str = "COUNTDOWN") -> Phase:
        return rules.phase(
            status, starts_at=s.starts_at, ends_at=s.ends_at, now=T0 + timedelta(seconds=seconds)
        )

    assert at(29.999) == Phase.COUNTDOWN
    assert at(30) == Phase.LIVE  # the times decide, whatever a timer has done
    assert at(149.999, "LIVE") == Phase.LIVE
    assert at(150, "LIVE") == Phase.ENDED
    assert at(60, "ENDED") == Phase.ENDED  # sold out early
    assert at(60, "CANCELLED") == Phase.ENDED
    assert rules.refusal_for(Phase.COUNTDOWN) is rules.NotStarted
    assert rules.refusal_for(Phase.ENDED) is rules.Ended
    assert rules.refusal_for(Phase.LIVE) is None


def test_admit_takes_asks_in_order_within_stock_and_limit() -> None:
    accepted, refused = rules.admit(
        [(1, 1), (2, 2), (1, 1), (3, 1), (4, 1)], stock=3, limit=2, bought={1: 1}
    )
    assert accepted == [0, 1]
    assert refused == {2: rules.LimitReached, 3: rules.SoldOut, 4: rules.SoldOut}


def test_refusal_codes_are_stable() -> None:
    assert [
        (e.code, e.status_code)
        for e in (
            rules.SoldOut,
            rules.LimitReached,
            rules.NotStarted,
            rules.Ended,
            rules.NotLoggedIn,
        )
    ] == [
        ("sold_out", 409),
        ("limit_reached", 409),
        ("not_started", 409),
        ("ended", 409),
        ("not_logged_in", 401),
    ]
