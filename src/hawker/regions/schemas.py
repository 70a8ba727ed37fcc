from __future__ import annotations

from decimal import Decimal

from hawker.schemas import MoneyOut, Schema


class MarketOut(Schema):
    code: str
    name: str
    currency: str
    locale: str
    timezone: str
    tax_mode: str
    tax_rate: Decimal
    shipping_fee: MoneyOut
    free_shipping_threshold: MoneyOut | None
