from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from hawker.checkout.schemas import AddressIn
from hawker.flash import rules
from hawker.schemas import Id, MoneyOut, Schema

Text = Annotated[str, StringConstraints(strip_whitespace=True)]


class DealIn(BaseModel):
    sku_id: Id
    price_minor: int = Field(description="Below the SKU's lowest price of the last 30 days.")
    currency: Annotated[Text, StringConstraints(to_upper=True, pattern=r"^[A-Za-z]{3}$")]
    stock_cap: int = Field(description="Units set aside for the deal from one sales warehouse.")
    per_buyer_limit: int = Field(default=1, description="Units one buyer may hold.")
    countdown_seconds: int = Field(
        default=30,
        description=f"{rules.COUNTDOWN_MIN_SECONDS}-{rules.COUNTDOWN_MAX_SECONDS} s.",
    )
    duration_minutes: int = Field(
        default=5,
        description=f"{rules.DURATION_MIN_MINUTES}-{rules.DURATION_MAX_MINUTES} min.",
    )
    warehouse_id: Id | None = Field(
        default=None, description="Set the units aside here (default: the shop's choice)."
    )


class BuyIn(BaseModel):
    quantity: int = Field(default=1, ge=1, le=rules.MAX_PER_BUYER)
    address: AddressIn | None = Field(
        default=None, description="Default: the shipping address of your latest order."
    )


class DealProductOut(Schema):
    id: Id
    title: str
    sku_id: Id
    sku_name: str
    image_url: str | None


class DealOut(Schema):
    """A live flash deal: the card a room shows and the API returns."""

    id: Id
    session_id: Id
    shop_id: Id
    product: DealProductOut
    price: MoneyOut
    regular_price: MoneyOut
    lowest_price_30d: MoneyOut
    stock_cap: int
    remaining: int
    sold: int
    per_buyer_limit: int
    status: str
    announced_at: datetime
    starts_at: datetime
    ends_at: datetime
    ended_at: datetime | None
    end_reason: str | None
    buy_url: str


class BoughtOut(Schema):
    """The answer to a buy press that became an order (201)."""

    order_id: Id
    deal_id: Id
    status: str
    quantity: int
    pay_by: datetime
    total: MoneyOut
    pay_url: str
