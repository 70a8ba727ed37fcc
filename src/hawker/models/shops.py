from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hawker.db import Base
from hawker.models.types import UTCDateTime, id_column


class ShopStatus(StrEnum):
    PENDING_REVIEW = "PENDING_REVIEW"
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    CLOSED = "CLOSED"


class SellerType(StrEnum):
    LOCAL = "LOCAL"
    CROSS_BORDER = "CROSS_BORDER"


class ShopRole(StrEnum):
    OWNER = "owner"
    STAFF = "staff"


class WarehouseType(StrEnum):
    SALES_WAREHOUSE = "SALES_WAREHOUSE"
    RETURN_WAREHOUSE = "RETURN_WAREHOUSE"


class Shop(Base):
    __tablename__ = "shops"

    id: Mapped[int] = id_column()
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(String(2000), default="")
    market_code: Mapped[str] = mapped_column(String(2), ForeignKey("markets.code"))
    seller_type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20), default=ShopStatus.PENDING_REVIEW)
    status_reason: Mapped[str | None] = mapped_column(String(500))
    on_probation: Mapped[bool] = mapped_column(default=True)
    contact_email: Mapped[str] = mapped_column(String(320))
    business_name: Mapped[str] = mapped_column(String(200))
    business_registration_number: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_shops_status", "status"),)


class ShopMember(Base):
    __tablename__ = "shop_members"

    id: Mapped[int] = id_column()
    shop_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("shops.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("shop_id", "user_id"),
        Index("ix_shop_members_user", "user_id"),
    )


class Warehouse(Base):
    __tablename__ = "warehouses"

    id: Mapped[int] = id_column()
    shop_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("shops.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(120))
    address_line1: Mapped[str] = mapped_column(String(200))
    address_line2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20))
    country_code: Mapped[str] = mapped_column(String(2))
    latitude: Mapped[Decimal] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal] = mapped_column(Numeric(9, 6))
    cutoff_hour: Mapped[int] = mapped_column(default=14)
    is_default: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_warehouses_shop", "shop_id"),)
