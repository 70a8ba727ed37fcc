from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from hawker.db import Base


class TaxMode(StrEnum):
    INCLUSIVE = "INCLUSIVE"  # VAT/GST included in the displayed price (GB, EU, ...)
    EXCLUSIVE = "EXCLUSIVE"  # sales tax added at checkout (US)


class Market(Base):
    __tablename__ = "markets"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    locale: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    tax_mode: Mapped[str] = mapped_column(String(16))
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(6, 4))
    shipping_fee_minor: Mapped[int]
    free_shipping_threshold_minor: Mapped[int | None]
    is_active: Mapped[bool] = mapped_column(default=True)
