from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hawker.db import Base
from hawker.models.types import UTCDateTime, id_column


class PaymentStatus(StrEnum):
    SUCCEEDED = "SUCCEEDED"
    DECLINED = "DECLINED"
    FAILED = "FAILED"  # provider unreachable / network error: retryable


class LedgerAccount(Base):
    """A ledger account in one currency. Balance = sum of its postings (debit +, credit -)."""

    __tablename__ = "ledger_accounts"

    id: Mapped[int] = id_column()
    code: Mapped[str] = mapped_column(String(96), unique=True)  # e.g. "escrow:shop:123:USD"
    kind: Mapped[str] = mapped_column(String(16))  # asset | liability | revenue | expense
    currency: Mapped[str] = mapped_column(String(3))
    shop_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class JournalEntry(Base):
    """One balanced money movement: its postings sum to zero."""

    __tablename__ = "journal_entries"

    id: Mapped[int] = id_column()
    kind: Mapped[str] = mapped_column(String(32))  # payment | refund | ...
    currency: Mapped[str] = mapped_column(String(3))
    ref_type: Mapped[str] = mapped_column(String(32))
    ref_id: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_journal_entries_ref", "ref_type", "ref_id"),)


class Posting(Base):
    __tablename__ = "postings"

    id: Mapped[int] = id_column()
    entry_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("journal_entries.id", ondelete="RESTRICT")
    )
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("ledger_accounts.id", ondelete="RESTRICT")
    )
    amount_minor: Mapped[int]  # debit positive, credit negative
    currency: Mapped[str] = mapped_column(String(3))

    __table_args__ = (
        Index("ix_postings_account", "account_id"),
        Index("ix_postings_entry", "entry_id"),
    )


class Payment(Base):
    """One attempt to charge a buyer for one checkout's orders through the payment provider."""

    __tablename__ = "payments"

    id: Mapped[int] = id_column()
    buyer_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    provider: Mapped[str] = mapped_column(String(32))
    provider_ref: Mapped[str | None] = mapped_column(String(64))
    card_brand: Mapped[str | None] = mapped_column(String(16))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    failure_code: Mapped[str | None] = mapped_column(String(48))
    failure_message: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_payments_buyer", "buyer_id", "id"),)


class PaymentOrder(Base):
    """The share of a payment that belongs to one order."""

    __tablename__ = "payment_orders"

    id: Mapped[int] = id_column()
    payment_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("payments.id"))
    order_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("orders.id"))
    amount_minor: Mapped[int]

    __table_args__ = (Index("ix_payment_orders_order", "order_id"),)


class Refund(Base):
    __tablename__ = "refunds"

    id: Mapped[int] = id_column()
    payment_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("payments.id"))
    order_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("orders.id"))
    amount_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    # one full refund per order for now: a cancellation can never refund twice
    __table_args__ = (UniqueConstraint("order_id"),)
