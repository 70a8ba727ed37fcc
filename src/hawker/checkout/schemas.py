from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from hawker.customs.schemas import DutiesOut
from hawker.fulfillment.schemas import DeliveryEstimateOut
from hawker.models import Payment
from hawker.orders.schemas import OrderOut
from hawker.orders.service import Address
from hawker.schemas import Id, MoneyOut, Schema

Text = Annotated[str, StringConstraints(strip_whitespace=True)]


class AddressIn(BaseModel):
    name: Annotated[Text, StringConstraints(min_length=1, max_length=120)]
    phone: Annotated[Text, StringConstraints(min_length=3, max_length=32)]
    line1: Annotated[Text, StringConstraints(min_length=1, max_length=200)]
    line2: Annotated[Text, StringConstraints(max_length=200)] = ""
    city: Annotated[Text, StringConstraints(min_length=1, max_length=100)]
    region: Annotated[Text, StringConstraints(max_length=100)] = ""
    postal_code: Annotated[Text, StringConstraints(min_length=1, max_length=20)]
    country_code: Annotated[Text, StringConstraints(to_upper=True, pattern=r"^[A-Za-z]{2}$")]

    def to_address(self) -> Address:
        return Address(**self.model_dump())


class CheckoutItemIn(BaseModel):
    sku_id: Id
    quantity: int = Field(description="1 to 999 per SKU by default; else 400 invalid_quantity.")


class PlaceOrdersIn(BaseModel):
    shipping_address: AddressIn
    note: Annotated[Text, StringConstraints(max_length=500)] = ""
    items: list[CheckoutItemIn] | None = Field(
        default=None, min_length=1, max_length=100, description="Default: the whole cart."
    )


class OrderDeliveryEstimateOut(Schema):
    order_id: Id
    shop_id: Id
    estimate: DeliveryEstimateOut | None  # None where the market has no logistics network


class OrderDutiesOut(Schema):
    order_id: Id
    shop_id: Id
    duties: DutiesOut


class PlacedOut(Schema):
    checkout_id: Id
    orders: list[OrderOut]
    total: MoneyOut
    pay_by: datetime
    delivery_estimates: list[OrderDeliveryEstimateOut] = []
    # Orders of cross-border shops: duties and import taxes (in the order's total when DDP).
    duties: list[OrderDutiesOut] = []


class CardIn(BaseModel):
    number: Annotated[Text, StringConstraints(min_length=12, max_length=23)]
    exp_month: int = Field(ge=1, le=12)
    exp_year: int = Field(ge=0, le=9999)
    cvc: Annotated[Text, StringConstraints(min_length=3, max_length=4)]
    holder_name: Annotated[Text, StringConstraints(min_length=1, max_length=100)]


class PayIn(BaseModel):
    card: CardIn


class PaymentOut(Schema):
    id: Id
    status: str
    amount: MoneyOut
    provider: str
    card_brand: str | None
    card_last4: str | None
    failure_code: str | None
    failure_message: str | None
    created_at: datetime


class PaidOut(Schema):
    payment: PaymentOut
    orders: list[OrderOut]


def payment_out(p: Payment, locale: str) -> PaymentOut:
    return PaymentOut(
        id=p.id,
        status=p.status,
        amount=MoneyOut.of(p.amount_minor, p.currency, locale),
        provider=p.provider,
        card_brand=p.card_brand,
        card_last4=p.card_last4,
        failure_code=p.failure_code,
        failure_message=p.failure_message,
        created_at=p.created_at,
    )
