from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hawker.db import Base
from hawker.models.types import UTCDateTime, id_column


class MovementKind(StrEnum):
    RECEIPT = "RECEIPT"  # on_hand +n
    RESERVATION = "RESERVATION"  # reserved +n
    RELEASE = "RELEASE"  # reserved -n
    SHIPMENT = "SHIPMENT"  # on_hand -n, reserved -n
    ADJUSTMENT = "ADJUSTMENT"  # on_hand ±n (count correction, damage)
    RETURN = "RETURN"  # on_hand +n


class Stock(Base):
    """Units of one SKU in one warehouse. Only ever changed together with a movement."""

    __tablename__ = "stock"

    id: Mapped[int] = id_column()
    sku_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("skus.id", ondelete="CASCADE"))
    warehouse_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("warehouses.id", ondelete="CASCADE")
    )
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("sku_id", "warehouse_id"),
        CheckConstraint("on_hand >= 0", name="on_hand_nonnegative"),
        CheckConstraint("reserved >= 0", name="reserved_nonnegative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
        Index("ix_stock_warehouse", "warehouse_id"),
    )


class StockMovement(Base):
    """Append-only. Per (sku, warehouse) the deltas sum to the Stock row."""

    __tablename__ = "stock_movements"

    id: Mapped[int] = id_column()
    sku_id: Mapped[int] = mapped_column(BigInteger)
    warehouse_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    on_hand_delta: Mapped[int]
    reserved_delta: Mapped[int]
    ref_type: Mapped[str | None] = mapped_column(String(32))
    ref_id: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(String(255), default="")
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_stock_movements_sku_wh", "sku_id", "warehouse_id"),
        Index("ix_stock_movements_ref", "ref_type", "ref_id"),
    )
