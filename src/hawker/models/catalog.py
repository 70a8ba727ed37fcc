from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hawker.db import Base
from hawker.models.types import UTCDateTime, id_column


class ProductStatus(StrEnum):
    DRAFT = "DRAFT"
    PENDING = "PENDING"
    FAILED = "FAILED"
    ACTIVATE = "ACTIVATE"
    SELLER_DEACTIVATED = "SELLER_DEACTIVATED"
    PLATFORM_DEACTIVATED = "PLATFORM_DEACTIVATED"
    FREEZE = "FREEZE"
    DELETED = "DELETED"


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = id_column()
    parent_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("categories.id"))
    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    is_leaf: Mapped[bool] = mapped_column(default=True)
    # HS chapter hint for cross-border declarations (issue: logistics), optional.
    hs_chapter: Mapped[str | None] = mapped_column(String(2))


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = id_column()
    shop_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("shops.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("categories.id"))
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    brand: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(24), default=ProductStatus.DRAFT)
    audit_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    package_weight_g: Mapped[int]
    package_length_cm: Mapped[int]
    package_width_cm: Mapped[int]
    package_height_cm: Mapped[int]
    origin_country: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    # lowest and highest SKU price, kept in step with the SKUs for listing and filters
    min_price_minor: Mapped[int] = mapped_column(default=0)
    max_price_minor: Mapped[int] = mapped_column(default=0)
    search_text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("package_weight_g > 0", name="weight_positive"),
        Index("ix_products_shop_status", "shop_id", "status"),
        Index("ix_products_status_category", "status", "category_id"),
    )


class Sku(Base):
    __tablename__ = "skus"

    id: Mapped[int] = id_column()
    product_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("products.id", ondelete="CASCADE")
    )
    seller_sku: Mapped[str] = mapped_column(String(64))
    # [{"name": "Colour", "value_name": "Red"}, ...]
    sales_attributes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    price_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("price_minor > 0", name="price_positive"),
        Index("ix_skus_product", "product_id"),
    )


class PriceHistory(Base):
    """Every price a SKU has had, for "lowest price of the last 30 days" rules."""

    __tablename__ = "price_history"

    id: Mapped[int] = id_column()
    sku_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("skus.id", ondelete="CASCADE"))
    price_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_price_history_sku_time", "sku_id", "effective_at"),)


class ProductImage(Base):
    __tablename__ = "product_images"

    id: Mapped[int] = id_column()
    shop_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("shops.id", ondelete="CASCADE"))
    product_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("products.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(default=0)
    uri: Mapped[str] = mapped_column(String(255))
    thumb_uri: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int]
    height: Mapped[int]
    size_bytes: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_product_images_product", "product_id"),)


class ProductAudit(Base):
    """One audit of one product version: PENDING, then ACTIVATE or FAILED with reasons."""

    __tablename__ = "product_audits"

    id: Mapped[int] = id_column()
    product_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("products.id", ondelete="CASCADE")
    )
    product_version: Mapped[int]
    status: Mapped[str] = mapped_column(String(24))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    decided_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_product_audits_product", "product_id"),
        Index("ix_product_audits_status", "status"),
    )
