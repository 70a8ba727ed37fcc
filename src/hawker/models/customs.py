"""Cross-border customs: what a product declares, how a shop ships (DDP or DDU), the duty
table of each destination market, and the declaration and duties fixed on each order.

A CROSS_BORDER shop's product needs a customs profile before it can be bought: HS code,
declared value per unit (with its currency), country of origin and an English description.
At checkout the order's lines are valued in the destination's currency, duties come from the
destination's duty table (per HS chapter, nothing at or below the de-minimis value) and the
import VAT on them from the market's tax rate; a DDP order charges them, a DDU order leaves
them to be paid on delivery. `order_customs` keeps that assessment and the declaration, so
the label's customs block shows exactly what the buyer was told.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from hawker.db import Base
from hawker.models.types import UTCDateTime


class DutyMode(StrEnum):
    DDP = "DDP"  # delivered duty paid: duties and import taxes are charged at checkout
    DDU = "DDU"  # delivered duty unpaid: the buyer pays them to the carrier on delivery


class CustomsProfile(Base):
    """A product's customs declaration, the same for each of its SKUs."""

    __tablename__ = "customs_profiles"

    product_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("products.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    shop_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("shops.id", ondelete="CASCADE"))
    hs_code: Mapped[str] = mapped_column(String(10))  # 6 to 10 digits
    declared_value_minor: Mapped[int]  # per unit
    declared_currency: Mapped[str] = mapped_column(String(3))
    origin_country: Mapped[str] = mapped_column(String(2))
    description_en: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("declared_value_minor > 0", name="declared_value_positive"),
        Index("ix_customs_profiles_shop", "shop_id", "product_id"),
    )


class ShopCustoms(Base):
    """A shop's customs terms (no row: DDP, the default for cross-border shops)."""

    __tablename__ = "shop_customs"

    shop_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("shops.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    duty_mode: Mapped[str] = mapped_column(String(3), default=DutyMode.DDP)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DutyTable(Base):
    """A destination market's duty table, set by operators (no row: Hawker's reference
    table for the market, if it has one).

    `chapter_rates` maps a two-digit HS chapter to a rate ("61": "0.1200"), `default_rate`
    covers the other chapters; a consignment whose customs value is at or below
    `de_minimis_minor` (market currency) pays no duty. `exchange_rates` give the value of one
    unit of a foreign currency in the market's currency, for declared values.
    """

    __tablename__ = "customs_duty_tables"

    market_code: Mapped[str] = mapped_column(
        String(2), ForeignKey("markets.code"), primary_key=True
    )
    de_minimis_minor: Mapped[int]
    default_rate: Mapped[Decimal] = mapped_column(Numeric(6, 4))
    chapter_rates: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    exchange_rates: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))

    __table_args__ = (
        CheckConstraint("de_minimis_minor >= 0", name="de_minimis_nonnegative"),
        CheckConstraint("default_rate >= 0", name="default_rate_nonnegative"),
    )


class OrderCustoms(Base):
    """The customs assessment of a cross-border order, fixed when it was placed."""

    __tablename__ = "order_customs"

    order_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("orders.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    shop_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("shops.id"))
    duty_mode: Mapped[str] = mapped_column(String(3))
    currency: Mapped[str] = mapped_column(String(3))
    customs_value_minor: Mapped[int]
    de_minimis_minor: Mapped[int]  # the destination's, when the order was placed
    duty_minor: Mapped[int]
    import_tax_minor: Mapped[int]
    charged: Mapped[bool]  # DDP: duty and import tax are part of the order's total
    # Per order line: line_id, sku_id, product_id, hs_code, description, origin_country,
    # quantity, unit_value_minor, value_currency, customs_value_minor, rate, duty_minor.
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint(
            "duty_minor >= 0 AND import_tax_minor >= 0 AND customs_value_minor >= 0",
            name="amounts_nonnegative",
        ),
        Index("ix_order_customs_shop", "shop_id"),
    )
