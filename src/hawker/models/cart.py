from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hawker.db import Base
from hawker.models.types import UTCDateTime, id_column


class CartItem(Base):
    __tablename__ = "cart_items"

    id: Mapped[int] = id_column()
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    sku_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("skus.id", ondelete="CASCADE"))
    quantity: Mapped[int]
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("user_id", "sku_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )
