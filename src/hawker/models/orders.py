from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hawker.db import Base
from hawker.models.types import UTCDateTime, id_column


class OrderStatus(StrEnum):
    UNPAID = "UNPAID"
    ON_HOLD = "ON_HOLD"
    AWAITING_SHIPMENT = "AWAITING_SHIPMENT"
    PARTIALLY_SHIPPING = "PARTIALLY_SHIPPING"
    AWAITING_COLLECTION = "AWAITING_COLLECTION"
    IN_TRANSIT = "IN_TRANSIT"
    DELIVERED = "DELIVERED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class OrderType(StrEnum):
    NORMAL = "NORMAL"
    ZERO_LOTTERY = "ZERO_LOTTERY"
    AUCTION = "AUCTION"
    PRE_ORDER = "PRE_ORDER"


class AllocationStatus(StrEnum):
    RESERVED = "RESERVED"
    RELEASED = "RELEASED"
    SHIPPED = "SHIPPED"


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = id_column()
    checkout_id: Mapped[int] = mapped_column(BigInteger)
    shop_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("shops.id"))
    buyer_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    market_code: Mapped[str] = mapped_column(String(2))
    order_type: Mapped[str] = mapped_column(String(16), default=OrderType.NORMAL)
    status: Mapped[str] = mapped_column(String(24), default=OrderStatus.UNPAID)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal_minor: Mapped[int]
    shipping_fee_minor: Mapped[int]
    seller_discount_minor: Mapped[int] = mapped_column(default=0)
    platform_discount_minor: Mapped[int] = mapped_column(default=0)
    tax_minor: Mapped[int]
    tax_included: Mapped[bool]
    total_minor: Mapped[int]
    recipient_name: Mapped[str] = mapped_column(String(120))
    recipient_phone: Mapped[str] = mapped_column(String(32))
    address_line1: Mapped[str] = mapped_column(String(200))
    address_line2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20))
    country_code: Mapped[str] = mapped_column(String(2))
    buyer_note: Mapped[str] = mapped_column(String(500), default="")
    search_text: Mapped[str] = mapped_column(String(2000), default="")
    cancel_reason: Mapped[str | None] = mapped_column(String(255))
    cancelled_by: Mapped[str | None] = mapped_column(String(16))  # BUYER | SELLER | SYSTEM
    pay_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hold_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("total_minor >= 0", name="total_nonnegative"),
        Index("ix_orders_buyer", "buyer_id", "id"),
        Index("ix_orders_shop", "shop_id", "id"),
        Index("ix_orders_status_pay_by", "status", "pay_by"),
        Index("ix_orders_status_hold_until", "status", "hold_until"),
        Index("ix_orders_checkout", "checkout_id"),
    )


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = id_column()
    order_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("orders.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(BigInteger)
    sku_id: Mapped[int] = mapped_column(BigInteger)
    product_name: Mapped[str] = mapped_column(String(255))
    sku_name: Mapped[str] = mapped_column(String(255))
    seller_sku: Mapped[str] = mapped_column(String(64))
    image_uri: Mapped[str | None] = mapped_column(String(255))
    quantity: Mapped[int]
    original_price_minor: Mapped[int]
    sale_price_minor: Mapped[int]
    line_total_minor: Mapped[int]
    package_weight_g: Mapped[int]

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_order_lines_order", "order_id"),
    )


class OrderAllocation(Base):
    """Units of one order line reserved in one warehouse."""

    __tablename__ = "order_allocations"

    id: Mapped[int] = id_column()
    order_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("orders.id", ondelete="CASCADE"))
    line_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("order_lines.id", ondelete="CASCADE")
    )
    sku_id: Mapped[int] = mapped_column(BigInteger)
    warehouse_id: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=AllocationStatus.RESERVED)

    __table_args__ = (Index("ix_order_allocations_order", "order_id"),)


class OrderHistory(Base):
    """One row per status change; the order's full story."""

    __tablename__ = "order_history"

    id: Mapped[int] = id_column()
    order_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("orders.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    actor_role: Mapped[str] = mapped_column(String(16))  # BUYER | SELLER | SYSTEM | OPERATOR
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_order_history_order", "order_id", "id"),)
