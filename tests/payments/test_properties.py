"""Property: any sequence of charges (paid or declined) and refunds keeps every journal entry
balanced, the per-currency total of all balances at zero, and each shop's escrow equal to
what it was paid minus what was refunded."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hawker.payments import service as payments
from hawker.payments.service import CardDetails, OrderShare
from hawker.runtime import Runtime
from tests.factories.inventory import insert_order, insert_shop, insert_user

SHOPS = 3
CARDS = ["4242424242424242", "4242424242424242", "4000000000000002", "4000000000000119"]

# ("charge", currency, [(shop index, amount)], card number) | ("refund", order index, [], "")
charge_op = st.tuples(
    st.just("charge"),
    st.sampled_from(["USD", "EUR", "JPY"]),
    st.lists(st.tuples(st.integers(0, SHOPS - 1), st.integers(0, 50_000)), min_size=1, max_size=3),
    st.sampled_from(CARDS),
)
refund_op = st.tuples(
    st.just("refund"), st.integers(0, 30), st.just(list[tuple[int, int]]()), st.just("")
)
Step = tuple[str, Any, list[tuple[int, int]], str]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.one_of(charge_op, refund_op), min_size=1, max_size=12))
async def test_any_sequence_keeps_the_ledger_balanced(rt: Runtime, steps: list[Step]) -> None:
    now = rt.clock.now()
    async with rt.db.session() as s:
        buyer = await insert_user(s, now=now)
        shops = [(await insert_shop(s, now=now)).id for _ in range(SHOPS)]
    escrow: dict[tuple[int, str], int] = defaultdict(int)
    paid_orders: dict[int, tuple[int, str, int]] = {}  # order -> (shop, currency, amount)
    refunded: set[int] = set()
    all_orders: list[int] = []

    for op, arg, shares, number in steps:
        if op == "charge":
            currency: str = arg
            async with rt.db.session() as s:
                order_shares = []
                for shop_index, amount in shares:
                    order, _ = await insert_order(
                        s, buyer_id=buyer.id, shop_id=shops[shop_index], now=now, currency=currency
                    )
                    order_shares.append(OrderShare(order.id, shops[shop_index], amount))
                    all_orders.append(order.id)
                if sum(x.amount_minor for x in order_shares) == 0:
                    continue  # refused as nothing to charge (covered elsewhere)
                payment = await payments.charge(
                    s,
                    buyer_id=buyer.id,
                    currency=currency,
                    shares=order_shares,
                    card=CardDetails(number, 12, 2030, "123", "Prop Buyer"),
                    now=now,
                )
            if payment.status == "SUCCEEDED":
                for x in order_shares:
                    escrow[(x.shop_id, currency)] += x.amount_minor
                    paid_orders[x.order_id] = (x.shop_id, currency, x.amount_minor)
        elif all_orders:
            order_id = all_orders[arg % len(all_orders)]
            async with rt.db.session() as s:
                refund = await payments.refund_order(s, order_id=order_id, reason="prop", now=now)
            if order_id in paid_orders:
                shop_id, cur, amount = paid_orders[order_id]
                assert refund is not None and refund.amount_minor == amount
                if order_id not in refunded:
                    escrow[(shop_id, cur)] -= amount
                    refunded.add(order_id)
            else:
                assert refund is None

        async with rt.db.read_session() as s:
            assert await payments.check_ledger(s) == []
            for shop_id in shops:
                held = dict(await payments.shop_escrow(s, shop_id))
                expected = {cur: v for (sid, cur), v in escrow.items() if sid == shop_id}
                assert {cur: held.get(cur, 0) for cur in expected} == expected
                assert set(held) <= set(expected)

    async with rt.db.read_session() as s:
        report = await payments.ledger_check(s)
        assert report.problems == []
        for by_kind in report.totals.values():
            assert sum(by_kind.values()) == 0
