from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hawker.db import Base
from hawker.models.types import UTCDateTime, id_column


class FlashDealStatus(StrEnum):
    SCHEDULED = "SCHEDULED"  # created, not yet announced to the room
    COUNTDOWN = "COUNTDOWN"  # announced; buying opens at starts_at
    LIVE = "LIVE"  # buying is open until ends_at or the units run out
    ENDED = "ENDED"  # time up or sold out; leftover units went back to the warehouse
    CANCELLED = "CANCELLED"  # stopped by the host or because the live ended


class FlashPurchaseStatus(StrEnum):
    ACTIVE = "ACTIVE"  # the order holds the units
    RETURNING = "RETURNING"  # the order was cancelled; the units are back in the deal's
    # figures in the database, and the hot counters have not taken them back yet
    RETURNED = "RETURNED"  # back in the deal (or the warehouse), counters included


class FlashDeal(Base):
    """A live flash deal on one SKU shown in a live session.

    The deal's units are reserved in one sales warehouse's stock row when the deal is
    created (a RESERVATION movement referring to the deal). While it runs,
    `stock_remaining + units_sold + units_returned == stock_cap`: units move from the deal's
    stock to orders (sold), back from cancelled orders (returned to the deal's stock while
    it runs), and the leftover goes back to the warehouse when it ends (returned).
    """

    __tablename__ = "flash_deals"

    id: Mapped[int] = id_column()
    session_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("live_sessions.id", ondelete="CASCADE")
    )
    shop_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("shops.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("products.id", ondelete="CASCADE")
    )
    sku_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("skus.id", ondelete="CASCADE"))
    warehouse_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("warehouses.id", ondelete="CASCADE")
    )
    created_by: Mapped[int] = mapped_column(BigInteger)
    market_code: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    price_minor: Mapped[int]
    # the SKU's regular price and its lowest price of the last 30 days, when created
    regular_price_minor: Mapped[int]
    lowest_30d_minor: Mapped[int]
    stock_cap: Mapped[int]
    per_buyer_limit: Mapped[int]
    countdown_seconds: Mapped[int]
    duration_seconds: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=FlashDealStatus.COUNTDOWN)
    stock_remaining: Mapped[int]
    units_sold: Mapped[int] = mapped_column(default=0)
    units_returned: Mapped[int] = mapped_column(default=0)
    announced_at: Mapped[datetime] = mapped_column(UTCDateTime())
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(16))  # SOLD_OUT | TIME_UP | CANCELLED
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("stock_remaining >= 0", name="stock_remaining_nonnegative"),
        CheckConstraint("units_sold >= 0", name="units_sold_nonnegative"),
        CheckConstraint("units_returned >= 0", name="units_returned_nonnegative"),
        CheckConstraint(
            "stock_remaining + units_sold + units_returned = stock_cap", name="units_add_up"
        ),
        CheckConstraint("price_minor > 0", name="price_positive"),
        Index("ix_flash_deals_status", "status", "id"),
        Index("ix_flash_deals_session", "session_id", "id"),
        Index("ix_flash_deals_sku_warehouse", "sku_id", "warehouse_id"),
    )


class FlashPurchase(Base):
    """One press of "buy" that became an order: the deal's units the order holds."""

    __tablename__ = "flash_purchases"

    id: Mapped[int] = id_column()
    deal_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("flash_deals.id", ondelete="CASCADE")
    )
    buyer_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("orders.id", ondelete="CASCADE"), unique=True
    )
    quantity: Mapped[int]
    # the client's Idempotency-Key; NULL when it sent none (NULLs never collide)
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=FlashPurchaseStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("deal_id", "buyer_id", "idempotency_key"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_flash_purchases_deal_buyer", "deal_id", "buyer_id"),
        Index("ix_flash_purchases_status", "status", "deal_id"),
    )
