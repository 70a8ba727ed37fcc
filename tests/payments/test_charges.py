"""Charges, refunds and ledger entries at the service level, against the real database."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from hawker.kit.money import Money
from hawker.models import JournalEntry, LedgerAccount, Payment, PaymentOrder, Posting, Refund
from hawker.payments import service as payments
from hawker.payments.provider import ChargeResult, ProviderUnavailable, RefundResult
from hawker.payments.service import CardDetails, InvalidAmount, InvalidCard, OrderShare
from hawker.payments.simulator import TestCardProvider
from hawker.runtime import Runtime
from tests.factories.inventory import insert_order, insert_shop, insert_user


def card(number: str = "4242424242424242") -> CardDetails:
    return CardDetails(
        number=number, exp_month=12, exp_year=2030, cvc="123", holder_name="Ada Lovelace"
    )


class SpyProvider:
    """The simulator, recording what it was asked."""

    def __init__(self) -> None:
        self.inner = TestCardProvider()
        self.charges: list[tuple[str, Money, str]] = []
        self.refunds: list[tuple[str, Money]] = []

    @property
    def name(self) -> str:
        return "test"

    async def charge(self, card: CardDetails, amount: Money, *, reference: str) -> ChargeResult:
        self.charges.append((card.number, amount, reference))
        return await self.inner.charge(card, amount, reference=reference)

    async def refund(self, provider_ref: str, amount: Money) -> RefundResult:
        self.refunds.append((provider_ref, amount))
        return await self.inner.refund(provider_ref, amount)


@dataclass
class Checkout:
    buyer_id: int
    shops: list[int]
    orders: list[int]


async def make_checkout(rt: Runtime, shops: int = 2) -> Checkout:
    now = rt.clock.now()
    async with rt.db.session() as s:
        buyer = await insert_user(s, now=now)
        shop_ids, order_ids = [], []
        for _ in range(shops):
            shop = await insert_shop(s, now=now)
            order, _ = await insert_order(s, buyer_id=buyer.id, shop_id=shop.id, now=now)
            shop_ids.append(shop.id)
            order_ids.append(order.id)
    return Checkout(buyer.id, shop_ids, order_ids)


async def pay(
    rt: Runtime,
    co: Checkout,
    amounts: list[int],
    *,
    number: str = "4242424242424242",
    currency: str = "USD",
    provider: SpyProvider | None = None,
) -> Payment:
    async with rt.db.session() as s:
        return await payments.charge(
            s,
            buyer_id=co.buyer_id,
            currency=currency,
            shares=[
                OrderShare(order_id, shop_id, amount)
                for order_id, shop_id, amount in zip(co.orders, co.shops, amounts, strict=False)
            ],
            card=card(number),
            now=rt.clock.now(),
            provider=provider,
        )


async def balances(rt: Runtime) -> dict[str, int]:
    async with rt.db.read_session() as s:
        return {a.code: b for a, b in await payments.account_balances(s)}


async def count(rt: Runtime, model: type[object]) -> int:
    async with rt.db.read_session() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_successful_charge_posts_one_balanced_entry(rt: Runtime) -> None:
    co = await make_checkout(rt)
    spy = SpyProvider()
    payment = await pay(rt, co, [2500, 1499], provider=spy)

    assert payment.status == "SUCCEEDED"
    assert payment.amount_minor == 3999
    assert (payment.card_brand, payment.card_last4) == ("visa", "4242")
    assert payment.provider == "test"
    assert payment.provider_ref is not None and payment.provider_ref.startswith("ch_test_")
    assert (payment.failure_code, payment.failure_message) == (None, None)
    assert spy.charges == [("4242424242424242", Money(3999, "USD"), f"payment:{payment.id}")]
    shop_a, shop_b = co.shops
    assert await balances(rt) == {
        "clearing:test:USD": 3999,
        f"escrow:shop:{shop_a}:USD": -2500,
        f"escrow:shop:{shop_b}:USD": -1499,
    }
    async with rt.db.read_session() as s:
        entries = (await s.scalars(select(JournalEntry))).all()
        assert [(e.kind, e.ref_type, e.ref_id, e.currency) for e in entries] == [
            ("payment", "payment", payment.id, "USD")
        ]
        shares = await payments.payment_orders(s, payment.id)
        assert sorted((p.order_id, p.amount_minor) for p in shares) == sorted(
            zip(co.orders, [2500, 1499], strict=True)
        )
        accounts = {a.code: a for a, _ in await payments.account_balances(s, shop_id=shop_a)}
        assert list(accounts) == [f"escrow:shop:{shop_a}:USD"]
        assert accounts[f"escrow:shop:{shop_a}:USD"].kind == "liability"
        assert await payments.shop_escrow(s, shop_a) == [("USD", 2500)]
        assert await payments.check_ledger(s) == []


@pytest.mark.parametrize(
    ("number", "status", "code", "message"),
    [
        ("4000000000000002", "DECLINED", "card_declined", "The card was declined."),
        ("4000000000009995", "DECLINED", "insufficient_funds", "The card has insufficient funds."),
        ("4000000000000069", "DECLINED", "expired_card", "The card has expired."),
        (
            "4000000000000119",
            "FAILED",
            "provider_unavailable",
            "The payment provider did not answer; try again.",
        ),
    ],
)
async def test_declines_and_network_errors_move_no_money(
    rt: Runtime, number: str, status: str, code: str, message: str
) -> None:
    co = await make_checkout(rt, shops=1)
    payment = await pay(rt, co, [1000], number=number)
    assert (payment.status, payment.failure_code, payment.failure_message) == (
        status,
        code,
        message,
    )
    assert payment.card_last4 == number[-4:]
    assert await count(rt, JournalEntry) == 0
    assert await balances(rt) == {}
    assert await count(rt, PaymentOrder) == 1
    async with rt.db.session() as s:  # never paid: nothing to refund
        assert (
            await payments.refund_order(s, order_id=co.orders[0], reason="x", now=rt.clock.now())
            is None
        )
    assert await count(rt, Refund) == 0


async def test_any_other_luhn_valid_number_succeeds(rt: Runtime) -> None:
    co = await make_checkout(rt, shops=1)
    payment = await pay(rt, co, [1000], number="5555 5555 5555 4444")
    assert (payment.status, payment.card_brand, payment.card_last4) == (
        "SUCCEEDED",
        "mastercard",
        "4444",
    )


async def test_invalid_cards_are_refused_before_any_charge(rt: Runtime) -> None:
    co = await make_checkout(rt, shops=1)
    spy = SpyProvider()
    for bad in (
        card("4242424242424241"),
        CardDetails("4242424242424242", 1, 2025, "123", "Ada"),
        CardDetails("4242424242424242", 12, 2030, "12", "Ada"),
    ):
        with pytest.raises(InvalidCard):
            async with rt.db.session() as s:
                await payments.charge(
                    s,
                    buyer_id=co.buyer_id,
                    currency="USD",
                    shares=[OrderShare(co.orders[0], co.shops[0], 1000)],
                    card=bad,
                    now=rt.clock.now(),
                    provider=spy,
                )
    assert spy.charges == []
    assert await count(rt, Payment) == 0


@pytest.mark.parametrize(
    ("shares", "currency"),
    [
        ([], "USD"),
        ([(0, -1)], "USD"),
        ([(0, 0)], "USD"),
        ([(0, 100), (0, 100)], "USD"),
        ([(0, 100)], "usd"),
    ],
)
async def test_bad_amounts_are_refused(
    rt: Runtime, shares: list[tuple[int, int]], currency: str
) -> None:
    co = await make_checkout(rt, shops=1)
    spy = SpyProvider()
    with pytest.raises(InvalidAmount):
        async with rt.db.session() as s:
            await payments.charge(
                s,
                buyer_id=co.buyer_id,
                currency=currency,
                shares=[OrderShare(co.orders[i], co.shops[i], a) for i, a in shares],
                card=card(),
                now=rt.clock.now(),
                provider=spy,
            )
    assert spy.charges == []
    assert await count(rt, Payment) == 0


async def test_the_full_card_number_is_never_stored(rt: Runtime) -> None:
    co = await make_checkout(rt, shops=1)
    await pay(rt, co, [1000])
    await pay(rt, co, [1000], number="4000000000000002")
    async with rt.db.read_session() as s:
        rows = (await s.scalars(select(Payment))).all()
        stored = " ".join(str(v) for p in rows for v in p.__dict__.values())
        stored += " ".join(e.description for e in (await s.scalars(select(JournalEntry))).all())
    assert "4242424242424242" not in stored
    assert "4000000000000002" not in stored
    assert "424242424242" not in stored


async def test_refund_is_the_orders_share_once(rt: Runtime) -> None:
    co = await make_checkout(rt)
    shop_a, shop_b = co.shops
    await pay(rt, co, [1000], number="4000000000000002")  # declined first attempt
    payment = await pay(rt, co, [2500, 1499])
    spy = SpyProvider()
    now = rt.clock.now()

    async with rt.db.session() as s:
        refund = await payments.refund_order(
            s, order_id=co.orders[1], reason="buyer cancelled", now=now, provider=spy
        )
    assert refund is not None
    assert (refund.order_id, refund.payment_id, refund.amount_minor, refund.currency) == (
        co.orders[1],
        payment.id,
        1499,
        "USD",
    )
    assert refund.reason == "buyer cancelled"
    assert spy.refunds == [(payment.provider_ref, Money(1499, "USD"))]
    assert await balances(rt) == {
        "clearing:test:USD": 2500,
        f"escrow:shop:{shop_a}:USD": -2500,
        f"escrow:shop:{shop_b}:USD": 0,
    }

    async with rt.db.session() as s:  # again: the same refund, nothing new
        again = await payments.refund_order(
            s, order_id=co.orders[1], reason="twice", now=now, provider=spy
        )
    assert again is not None and again.id == refund.id and again.reason == "buyer cancelled"
    assert len(spy.refunds) == 1
    assert await count(rt, Refund) == 1
    async with rt.db.read_session() as s:
        entries = (await s.scalars(select(JournalEntry).order_by(JournalEntry.id))).all()
        assert [(e.kind, e.ref_type, e.ref_id) for e in entries] == [
            ("payment", "payment", payment.id),
            ("refund", "refund", refund.id),
        ]
        assert entries[1].description.startswith("Refund re_test_")
        assert await payments.check_ledger(s) == []


async def test_concurrent_refunds_refund_once(rt: Runtime) -> None:
    co = await make_checkout(rt, shops=1)
    await pay(rt, co, [5000])
    spy = SpyProvider()

    async def refund() -> int | None:
        async with rt.db.session() as s:
            r = await payments.refund_order(
                s, order_id=co.orders[0], reason="cancel", now=rt.clock.now(), provider=spy
            )
            return None if r is None else r.id

    ids = await asyncio.gather(*(refund() for _ in range(8)))
    assert len(set(ids)) == 1 and ids[0] is not None
    assert len(spy.refunds) == 1
    assert await count(rt, Refund) == 1
    assert await balances(rt) == {"clearing:test:USD": 0, f"escrow:shop:{co.shops[0]}:USD": 0}


async def test_a_refund_the_provider_cannot_make_changes_nothing(rt: Runtime) -> None:
    co = await make_checkout(rt, shops=1)
    await pay(rt, co, [5000])

    class Down(SpyProvider):
        async def refund(self, provider_ref: str, amount: Money) -> RefundResult:
            raise ProviderUnavailable("The payment provider did not answer; try again.")

    with pytest.raises(ProviderUnavailable):
        async with rt.db.session() as s:
            await payments.refund_order(
                s, order_id=co.orders[0], reason="cancel", now=rt.clock.now(), provider=Down()
            )
    assert await count(rt, Refund) == 0
    assert await count(rt, JournalEntry) == 1


async def test_post_entry_refuses_what_does_not_balance(rt: Runtime) -> None:
    now = rt.clock.now()
    bad: list[tuple[type[Exception], str, list[tuple[str, str, int | None, int]]]] = [
        (payments.UnbalancedEntry, "USD", [("a:USD", "asset", None, 10)]),
        (
            payments.UnbalancedEntry,
            "USD",
            [("a:USD", "asset", None, 10), ("l", "liability", None, -9)],
        ),
        (
            payments.UnbalancedEntry,
            "USD",
            [("a:USD", "asset", None, 0), ("l", "liability", None, 0)],
        ),
        (payments.LedgerError, "USD", [("a:USD", "cash", None, 10), ("l", "liability", None, -10)]),
        (
            payments.CurrencyMismatch,
            "usd",
            [("a", "asset", None, 10), ("l", "liability", None, -10)],
        ),
    ]
    for error, currency, lines in bad:
        with pytest.raises(error):
            async with rt.db.session() as s:
                await payments.post_entry(
                    s,
                    kind="test",
                    ref_type="test",
                    ref_id=1,
                    currency=currency,
                    lines=lines,
                    now=now,
                )
    async with rt.db.session() as s:
        await payments.post_entry(
            s,
            kind="test",
            ref_type="test",
            ref_id=1,
            currency="USD",
            lines=[("cash:USD", "asset", None, 10), ("equity:USD", "equity", None, -10)],
            now=now,
        )
    with pytest.raises(payments.CurrencyMismatch):  # the account holds USD
        async with rt.db.session() as s:
            await payments.post_entry(
                s,
                kind="test",
                ref_type="test",
                ref_id=2,
                currency="EUR",
                lines=[("cash:USD", "asset", None, 10), ("equity:EUR", "equity", None, -10)],
                now=now,
            )
    assert await count(rt, JournalEntry) == 1
    assert await count(rt, Posting) == 2
    assert await balances(rt) == {"cash:USD": 10, "equity:USD": -10}


async def test_accounts_are_created_once_under_concurrency(rt: Runtime) -> None:
    now = rt.clock.now()

    async def post(i: int) -> None:
        async with rt.db.session() as s:
            await payments.post_entry(
                s,
                kind="test",
                ref_type="test",
                ref_id=i,
                currency="EUR",
                lines=[("new:asset:EUR", "asset", None, i), ("new:equity:EUR", "equity", None, -i)],
                now=now,
            )

    await asyncio.gather(*(post(i) for i in range(1, 11)))
    assert await count(rt, LedgerAccount) == 2
    assert await balances(rt) == {"new:asset:EUR": 55, "new:equity:EUR": -55}
    async with rt.db.read_session() as s:
        assert await payments.check_ledger(s) == []
