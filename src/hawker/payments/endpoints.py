"""HTTP wiring for payments: the test cards, a shop's escrow balance, the operator's ledger."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from hawker.deps import CurrentOperator, CurrentUser, SessionDep
from hawker.models import LedgerAccount
from hawker.payments import service
from hawker.payments.schemas import (
    EscrowBalanceOut,
    JournalEntryOut,
    LedgerAccountOut,
    PostingOut,
    ShopBalanceOut,
    TestCardOut,
    TestCardsOut,
)
from hawker.payments.simulator import TEST_CARDS, TestCardProvider
from hawker.regions import service as regions
from hawker.routing import router as make_router
from hawker.schemas import Id, MoneyOut, Page
from hawker.shops.service import require_member

router = make_router(prefix="/payments", tags=["payments"])
seller_router = make_router(prefix="/seller/shops/{shop_id}/balance", tags=["seller: finance"])
operator_router = make_router(prefix="/operator/ledger", tags=["operator: ledger"])

Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=500)]

TEST_CARD_RULES = [
    "Any other number that passes the Luhn check succeeds.",
    "Use any expiry month in the future and any 3-digit security code (4 for American Express).",
    "A number that fails the Luhn check, a past expiry or a malformed security code is "
    "refused with 400 invalid_card before any charge.",
]


@router.get("/test-cards", response_model=TestCardsOut)
async def list_test_cards() -> TestCardsOut:
    return TestCardsOut(
        provider=TestCardProvider().name,
        cards=[TestCardOut.model_validate(card) for card in TEST_CARDS],
        rules=TEST_CARD_RULES,
    )


@seller_router.get("", response_model=ShopBalanceOut)
async def shop_balance(shop_id: Id, user: CurrentUser, session: SessionDep) -> ShopBalanceOut:
    shop = await require_member(session, user, shop_id)
    market = await regions.get_market(session, shop.market_code)
    held = dict(await service.shop_escrow(session, shop.id))
    held.setdefault(market.currency, 0)
    return ShopBalanceOut(
        shop_id=shop.id,
        balances=[
            EscrowBalanceOut(currency=cur, escrow=MoneyOut.of(amount, cur, market.locale))
            for cur, amount in sorted(held.items())
        ],
    )


def account_out(account: LedgerAccount, balance: int) -> LedgerAccountOut:
    return LedgerAccountOut(
        id=account.id,
        code=account.code,
        kind=account.kind,
        currency=account.currency,
        shop_id=account.shop_id,
        balance=MoneyOut.of(balance, account.currency),
        created_at=account.created_at,
    )


@operator_router.get("/accounts", response_model=Page[LedgerAccountOut])
async def ledger_accounts(
    _: CurrentOperator,
    session: SessionDep,
    shop_id: Id | None = None,
    currency: Annotated[str | None, Query(pattern="^[A-Z]{3}$")] = None,
    kind: Annotated[str | None, Query(pattern="^(asset|liability|equity|revenue|expense)$")] = None,
    q: Annotated[str | None, Query(max_length=96, description="Account code prefix.")] = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> Page[LedgerAccountOut]:
    items, next_cursor = await service.list_accounts(
        session, shop_id=shop_id, currency=currency, kind=kind, q=q, cursor=cursor, limit=limit
    )
    return Page(items=[account_out(a, b) for a, b in items], next_cursor=next_cursor)


@operator_router.get("/entries", response_model=Page[JournalEntryOut])
async def ledger_entries(
    _: CurrentOperator,
    session: SessionDep,
    ref_type: Annotated[str | None, Query(max_length=32)] = None,
    ref_id: Id | None = None,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> Page[JournalEntryOut]:
    views, next_cursor = await service.list_entries(
        session, ref_type=ref_type, ref_id=ref_id, kind=kind, cursor=cursor, limit=limit
    )
    return Page(
        items=[
            JournalEntryOut(
                id=v.entry.id,
                kind=v.entry.kind,
                currency=v.entry.currency,
                ref_type=v.entry.ref_type,
                ref_id=v.entry.ref_id,
                description=v.entry.description,
                created_at=v.entry.created_at,
                postings=[
                    PostingOut(
                        id=p.id,
                        account_id=a.id,
                        account_code=a.code,
                        account_kind=a.kind,
                        amount=MoneyOut.of(p.amount_minor, p.currency),
                    )
                    for p, a in v.postings
                ],
            )
            for v in views
        ],
        next_cursor=next_cursor,
    )
