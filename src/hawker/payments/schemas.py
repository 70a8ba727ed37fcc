from __future__ import annotations

from datetime import datetime

from hawker.schemas import Id, MoneyOut, Schema


class TestCardOut(Schema):
    __test__ = False  # not a pytest test class

    number: str
    brand: str
    outcome: str
    failure_code: str | None
    description: str


class TestCardsOut(Schema):
    __test__ = False

    provider: str
    cards: list[TestCardOut]
    rules: list[str]


class EscrowBalanceOut(Schema):
    currency: str
    escrow: MoneyOut


class ShopBalanceOut(Schema):
    shop_id: Id
    balances: list[EscrowBalanceOut]


class LedgerAccountOut(Schema):
    id: Id
    code: str
    kind: str
    currency: str
    shop_id: Id | None
    balance: MoneyOut
    created_at: datetime


class PostingOut(Schema):
    id: Id
    account_id: Id
    account_code: str
    account_kind: str
    amount: MoneyOut


class JournalEntryOut(Schema):
    id: Id
    kind: str
    currency: str
    ref_type: str
    ref_id: Id
    description: str
    created_at: datetime
    postings: list[PostingOut]
