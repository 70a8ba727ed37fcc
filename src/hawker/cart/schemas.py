from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from pydantic import BaseModel, Field

from hawker.cart.service import CartLine, CartView
from hawker.checkout.pricing import Quote, ShopQuote
from hawker.customs.schemas import DutiesOut, duties_out
from hawker.customs.service import ShopAssessment
from hawker.fulfillment.schemas import DeliveryEstimateOut
from hawker.schemas import Id, MoneyOut, Schema

# Quantities are checked by the cart's rules (1 to HAWKER_MAX_LINE_QUANTITY): 400 invalid_quantity.


class CartItemIn(BaseModel):
    sku_id: Id
    quantity: int = Field(default=1, description="Units to add; a line holds 1 to 999 by default.")


class CartQuantityIn(BaseModel):
    quantity: int = Field(description="The line's new quantity, 1 to 999 by default.")


class QuoteLineOut(Schema):
    sku_id: Id
    product_id: Id
    shop_id: Id
    product_title: str
    sku_name: str
    seller_sku: str
    image_uri: str | None
    quantity: int
    unit_price: MoneyOut
    line_total: MoneyOut


class ShopQuoteOut(Schema):
    shop_id: Id
    market_code: str
    currency: str
    lines: list[QuoteLineOut]
    subtotal: MoneyOut
    shipping_fee: MoneyOut
    tax: MoneyOut
    tax_included: bool
    total: MoneyOut
    # When the shop's parcels should arrive (to the market's reference point until the buyer
    # gives an address); None where the market has no logistics network yet.
    delivery_estimate: DeliveryEstimateOut | None = None
    # Cross-border shops: duties and import taxes (in `total` when DDP), else None.
    duties: DutiesOut | None = None


class QuoteOut(Schema):
    currency: str | None
    shops: list[ShopQuoteOut]
    total: MoneyOut | None
    line_count: int


class UnavailableLineOut(Schema):
    sku_id: Id
    product_id: Id
    shop_id: Id
    product_title: str
    sku_name: str
    quantity: int
    reason: str
    added_at: datetime


class CartOut(QuoteOut):
    unavailable: list[UnavailableLineOut]


def shop_quote_out(
    sq: ShopQuote,
    details: Mapping[int, QuoteLineOut],
    locale: str,
    customs: ShopAssessment | None = None,
) -> ShopQuoteOut:
    def money(amount: int) -> MoneyOut:
        return MoneyOut.of(amount, sq.currency, locale)

    return ShopQuoteOut(
        shop_id=sq.shop_id,
        market_code=sq.market_code,
        currency=sq.currency,
        lines=[details[line.sku_id] for line in sq.lines],
        subtotal=money(sq.subtotal_minor),
        shipping_fee=money(sq.shipping_fee_minor),
        tax=money(sq.tax_minor),
        tax_included=sq.tax_included,
        total=money(sq.total_minor),
        duties=duties_out(customs, locale) if customs is not None else None,
    )


def quote_out(
    quote: Quote,
    lines: Sequence[CartLine],
    locales: Mapping[str, str],
    customs: Mapping[int, ShopAssessment] | None = None,
) -> QuoteOut:
    details: dict[int, QuoteLineOut] = {}
    for ln in lines:
        sku = ln.sku
        locale = locales.get(sku.market_code, "en_US")
        details[sku.sku_id] = QuoteLineOut(
            sku_id=sku.sku_id,
            product_id=sku.product_id,
            shop_id=sku.shop_id,
            product_title=sku.product_title,
            sku_name=sku.sku_name,
            seller_sku=sku.seller_sku,
            image_uri=sku.image_uri,
            quantity=ln.item.quantity,
            unit_price=MoneyOut.of(sku.price_minor, sku.currency, locale),
            line_total=MoneyOut.of(sku.price_minor * ln.item.quantity, sku.currency, locale),
        )
    shops = [
        shop_quote_out(
            sq, details, locales.get(sq.market_code, "en_US"), (customs or {}).get(sq.shop_id)
        )
        for sq in quote.shops
    ]
    total = None
    if quote.currency is not None and quote.shops:
        total = MoneyOut.of(
            quote.total_minor, quote.currency, locales.get(quote.shops[0].market_code, "en_US")
        )
    return QuoteOut(currency=quote.currency, shops=shops, total=total, line_count=len(lines))


def cart_out(view: CartView) -> CartOut:
    q = quote_out(view.quote, view.lines, view.locales, view.customs)
    return CartOut(
        **q.model_dump(),
        unavailable=[
            UnavailableLineOut(
                sku_id=ln.sku.sku_id,
                product_id=ln.sku.product_id,
                shop_id=ln.sku.shop_id,
                product_title=ln.sku.product_title,
                sku_name=ln.sku.sku_name,
                quantity=ln.item.quantity,
                reason="not_sellable",
                added_at=ln.item.added_at,
            )
            for ln in view.unavailable
        ],
    )
