from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from hawker.models import Order, OrderHistory, OrderLine, Payment, PaymentOrder, Refund
from hawker.schemas import Id, MoneyOut, Schema


class AddressOut(Schema):
    name: str
    phone: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country_code: str


class OrderPaymentOut(Schema):
    """The order's amounts (Partner API `payment`)."""

    currency: str
    sub_total: MoneyOut
    shipping_fee: MoneyOut
    seller_discount: MoneyOut
    platform_discount: MoneyOut
    tax: MoneyOut
    tax_included: bool
    total_amount: MoneyOut


class OrderLineOut(Schema):
    id: Id
    product_id: Id
    sku_id: Id
    product_name: str
    sku_name: str
    seller_sku: str
    image_uri: str | None
    quantity: int
    original_price: MoneyOut
    sale_price: MoneyOut
    line_total: MoneyOut
    package_weight_g: int


class OrderHistoryOut(Schema):
    from_status: str | None
    to_status: str
    actor_role: str
    reason: str
    created_at: datetime


class OrderOut(Schema):
    id: Id
    checkout_id: Id
    shop_id: Id
    buyer_id: Id
    status: str
    order_type: str
    market_code: str
    payment: OrderPaymentOut
    recipient_address: AddressOut
    buyer_note: str
    line_items: list[OrderLineOut]
    pay_by: datetime | None
    paid_at: datetime | None
    hold_until: datetime | None
    cancel_reason: str | None
    cancelled_by: str | None
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime


class OrderPaymentAttemptOut(Schema):
    """One attempt to pay for the order; `amount` is the order's share of the charge (a
    checkout's orders are paid with one charge)."""

    id: Id
    status: str  # SUCCEEDED | DECLINED | FAILED
    amount: MoneyOut
    card_brand: str | None
    card_last4: str | None
    created_at: datetime


class OrderRefundOut(Schema):
    id: Id
    amount: MoneyOut
    reason: str
    created_at: datetime


class OrderDetailOut(OrderOut):
    history: list[OrderHistoryOut]
    payments: list[OrderPaymentAttemptOut]
    refunds: list[OrderRefundOut]


class OrderPageOut(BaseModel):
    items: list[OrderOut]
    next_cursor: str | None = None


class CancelIn(BaseModel):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


def _money(amount: int, order: Order, locale: str) -> MoneyOut:
    return MoneyOut.of(amount, order.currency, locale)


def line_out(line: OrderLine, order: Order, locale: str) -> OrderLineOut:
    return OrderLineOut(
        id=line.id,
        product_id=line.product_id,
        sku_id=line.sku_id,
        product_name=line.product_name,
        sku_name=line.sku_name,
        seller_sku=line.seller_sku,
        image_uri=line.image_uri,
        quantity=line.quantity,
        original_price=_money(line.original_price_minor, order, locale),
        sale_price=_money(line.sale_price_minor, order, locale),
        line_total=_money(line.line_total_minor, order, locale),
        package_weight_g=line.package_weight_g,
    )


def _fields(order: Order, lines: Sequence[OrderLine], locale: str) -> dict[str, object]:
    return {
        "id": order.id,
        "checkout_id": order.checkout_id,
        "shop_id": order.shop_id,
        "buyer_id": order.buyer_id,
        "status": order.status,
        "order_type": order.order_type,
        "market_code": order.market_code,
        "payment": OrderPaymentOut(
            currency=order.currency,
            sub_total=_money(order.subtotal_minor, order, locale),
            shipping_fee=_money(order.shipping_fee_minor, order, locale),
            seller_discount=_money(order.seller_discount_minor, order, locale),
            platform_discount=_money(order.platform_discount_minor, order, locale),
            tax=_money(order.tax_minor, order, locale),
            tax_included=order.tax_included,
            total_amount=_money(order.total_minor, order, locale),
        ),
        "recipient_address": AddressOut(
            name=order.recipient_name,
            phone=order.recipient_phone,
            line1=order.address_line1,
            line2=order.address_line2,
            city=order.city,
            region=order.region,
            postal_code=order.postal_code,
            country_code=order.country_code,
        ),
        "buyer_note": order.buyer_note,
        "line_items": [line_out(line, order, locale) for line in lines],
        "pay_by": order.pay_by,
        "paid_at": order.paid_at,
        "hold_until": order.hold_until,
        "cancel_reason": order.cancel_reason,
        "cancelled_by": order.cancelled_by,
        "cancelled_at": order.cancelled_at,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
    }


def order_out(order: Order, lines: Sequence[OrderLine], locale: str) -> OrderOut:
    return OrderOut.model_validate(_fields(order, lines, locale))


def payment_attempt_out(
    payment: Payment, share: PaymentOrder, locale: str
) -> OrderPaymentAttemptOut:
    return OrderPaymentAttemptOut(
        id=payment.id,
        status=payment.status,
        amount=MoneyOut.of(share.amount_minor, payment.currency, locale),
        card_brand=payment.card_brand,
        card_last4=payment.card_last4,
        created_at=payment.created_at,
    )


def refund_out(refund: Refund, locale: str) -> OrderRefundOut:
    return OrderRefundOut(
        id=refund.id,
        amount=MoneyOut.of(refund.amount_minor, refund.currency, locale),
        reason=refund.reason,
        created_at=refund.created_at,
    )


def order_detail_out(
    order: Order,
    lines: Sequence[OrderLine],
    history: Sequence[OrderHistory],
    locale: str,
    *,
    payments: Sequence[tuple[Payment, PaymentOrder]] = (),
    refunds: Sequence[Refund] = (),
) -> OrderDetailOut:
    return OrderDetailOut.model_validate(
        {
            **_fields(order, lines, locale),
            "history": [OrderHistoryOut.model_validate(h) for h in history],
            "payments": [payment_attempt_out(p, share, locale) for p, share in payments],
            "refunds": [refund_out(r, locale) for r in refunds],
        }
    )
