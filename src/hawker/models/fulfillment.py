"""Fulfilment: packages from a paid order to the buyer's door, their tracking, and the checks.

Package statuses follow the Partner API: TO_FULFILL (allocated to a warehouse, waiting for
the seller to arrange shipment), PROCESSING (label bought or tracking entered, waiting for
the carrier's acceptance scan), FULFILLING (accepted by the carrier, on its way), COMPLETED
(delivered), CANCELLED. A package whose acceptance scan weighs too little is `held` in
PROCESSING until an operator decides its weight review.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hawker.db import Base
from hawker.models.types import UTCDateTime, id_column


class PackageStatus(StrEnum):
    PROCESSING = "PROCESSING"
    TO_FULFILL = "TO_FULFILL"
    FULFILLING = "FULFILLING"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class ShippingType(StrEnum):
    TIKTOK = "TIKTOK"  # the platform buys the label from the carrier
    SELLER = "SELLER"  # the seller ships and enters carrier and tracking number


class TrackingStatus(StrEnum):
    INFO_RECEIVED = "INFO_RECEIVED"
    ACCEPTED = "ACCEPTED"
    IN_TRANSIT = "IN_TRANSIT"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    DELIVERED = "DELIVERED"
    FAILED_ATTEMPT = "FAILED_ATTEMPT"
    EXCEPTION = "EXCEPTION"
    RETURNING = "RETURNING"
    RETURNED = "RETURNED"


class WeightReviewStatus(StrEnum):
    OPEN = "OPEN"
    CONFIRMED_SHORT = "CONFIRMED_SHORT"
    CLEARED = "CLEARED"


class OrderFulfilment(Base):
    """An order's fulfilment clock: when it left ON_HOLD, its dispatch deadline and
    auto-cancel time (business days of its market), and when its packages were accepted."""

    __tablename__ = "order_fulfilments"

    order_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("orders.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    shop_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("shops.id"))
    market_code: Mapped[str] = mapped_column(String(2))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the remorse window ended
    dispatch_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    auto_cancel_at: Mapped[datetime] = mapped_column(UTCDateTime())
    first_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # every package accepted
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    late_dispatch: Mapped[bool] = mapped_column(default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # cancelled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_order_fulfilments_shop_deadline", "shop_id", "dispatch_deadline"),
        Index("ix_order_fulfilments_due", "dispatched_at", "dispatch_deadline"),
        Index("ix_order_fulfilments_auto_cancel", "first_accepted_at", "auto_cancel_at"),
    )


class Package(Base):
    __tablename__ = "packages"

    id: Mapped[int] = id_column()
    order_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("orders.id", ondelete="CASCADE"))
    shop_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("shops.id"))
    warehouse_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("warehouses.id"))
    status: Mapped[str] = mapped_column(String(16), default=PackageStatus.TO_FULFILL)
    delivery_level: Mapped[str] = mapped_column(String(16))
    shipping_type: Mapped[str | None] = mapped_column(String(8))
    carrier_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("carriers.id"))
    service_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("carrier_services.id"))
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    carrier_shipment_id: Mapped[str | None] = mapped_column(String(64))
    label: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    label_cost_minor: Mapped[int | None]
    currency: Mapped[str] = mapped_column(String(3))
    # Rate-table figures from allocation: the zone and the cost of shipping this parcel.
    zone: Mapped[int | None]
    shipping_cost_minor: Mapped[int | None]
    expected_weight_g: Mapped[int]
    measured_weight_g: Mapped[int | None]
    length_cm: Mapped[int]
    width_cm: Mapped[int]
    height_cm: Mapped[int]
    chargeable_weight_g: Mapped[int]
    dispatch_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    arranged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # acceptance scan
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    tracking_status: Mapped[str | None] = mapped_column(String(20))
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    held: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("carrier_id", "tracking_number"),
        CheckConstraint("expected_weight_g >= 0", name="expected_weight_nonnegative"),
        Index("ix_packages_order", "order_id"),
        Index("ix_packages_shop_status_deadline", "shop_id", "status", "dispatch_deadline"),
        Index("ix_packages_warehouse_status", "warehouse_id", "status"),
    )


class PackageItem(Base):
    """Units of one order line travelling in one package."""

    __tablename__ = "package_items"

    id: Mapped[int] = id_column()
    package_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("packages.id", ondelete="CASCADE")
    )
    order_line_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("order_lines.id", ondelete="CASCADE")
    )
    sku_id: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int]
    unit_weight_g: Mapped[int]

    __table_args__ = (
        UniqueConstraint("package_id", "order_line_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )


class TrackingEvent(Base):
    """One carrier event, normalised; (carrier, carrier event id) is stored once."""

    __tablename__ = "tracking_events"

    id: Mapped[int] = id_column()
    carrier_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("carriers.id"))
    carrier_event_id: Mapped[str] = mapped_column(String(64))
    package_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("packages.id", ondelete="CASCADE")
    )
    tracking_number: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    raw_code: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(255), default="")
    location: Mapped[str] = mapped_column(String(120), default="")
    event_time: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    measured_weight_g: Mapped[int | None]

    __table_args__ = (
        UniqueConstraint("carrier_id", "carrier_event_id"),
        Index("ix_tracking_events_package_time", "package_id", "event_time"),
    )


class WeightReview(Base):
    """A suspected empty or short box, held for an operator's decision."""

    __tablename__ = "weight_reviews"

    id: Mapped[int] = id_column()
    package_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("packages.id", ondelete="CASCADE"), unique=True
    )
    order_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("orders.id", ondelete="CASCADE"))
    shop_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("shops.id"))
    expected_weight_g: Mapped[int]
    measured_weight_g: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default=WeightReviewStatus.OPEN)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    notes: Mapped[str] = mapped_column(String(1000), default="")

    __table_args__ = (
        Index("ix_weight_reviews_status", "status", "id"),
        Index("ix_weight_reviews_shop", "shop_id", "id"),
    )
