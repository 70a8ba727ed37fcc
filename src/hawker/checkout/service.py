"""Checkout: turn a cart (or a list of SKUs) into one UNPAID order per shop, then pay.

Placing is all or nothing: the orders, their lines and every unit of stock they need are
written in one transaction, the stock reserved in one `inventory.reserve` call; if any line
is short the request fails with every short line listed and nothing is left behind.

Paying charges the buyer once for all the still-unpaid orders of a checkout (or one order).
A decline is an answer, not a fault: the payment attempt is kept and the orders stay UNPAID.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.cart import service as cart
from hawker.catalog import service as catalog
from hawker.config import Settings
from hawker.customs import service as customs
from hawker.errors import BadRequest, Conflict, HawkerError, NotFound
from hawker.inventory import service as inventory
from hawker.kit.ids import new_id
from hawker.models import Order, OrderCustoms, OrderStatus, Payment, PaymentStatus, User
from hawker.orders import service as orders
from hawker.payments import service as payments
from hawker.payments.provider import ProviderUnavailable


class CartEmpty(BadRequest):
    """There is nothing in the cart to order."""

    code = "cart_empty"


class AddressOutsideMarket(BadRequest):
    """The shipping address is outside the market these items are sold in."""

    code = "address_outside_market"


class CheckoutNotFound(NotFound):
    """No such checkout."""

    code = "checkout_not_found"


class NothingToPay(Conflict):
    """None of these orders is waiting for payment."""

    code = "nothing_to_pay"


class PaymentWindowExpired(Conflict):
    """The time to pay for these orders has run out."""

    code = "payment_window_expired"


class PaymentDeclined(HawkerError):
    """The card was declined."""

    status_code = 402
    code = "payment_declined"


# --- placing orders ----------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    checkout_id: int
    orders: list[Order]
    currency: str
    total_minor: int
    locale: str
    pay_by: datetime
    customs: dict[int, OrderCustoms] = field(default_factory=dict)  # order id -> assessment


def _merge(items: Sequence[tuple[int, int]]) -> dict[int, int]:
    """Quantities per SKU, in order of first appearance (a SKU listed twice is summed)."""
    merged: dict[int, int] = {}
    for sku_id, quantity in items:
        merged[sku_id] = merged.get(sku_id, 0) + quantity
    return merged


async def _sellable(
    session: AsyncSession, quantities: dict[int, int], *, max_quantity: int
) -> list[tuple[catalog.SellableSku, int]]:
    for sku_id, quantity in quantities.items():
        cart.check_quantity(quantity, maximum=max_quantity, sku_id=sku_id)
    skus = await catalog.skus_for_sale(session, list(quantities))
    missing = [str(s) for s in quantities if s not in skus]
    if missing:
        raise cart.SkuNotFound(
            f"There is no SKU {', '.join(missing)}.", details={"sku_ids": missing}
        )
    closed = [skus[s] for s in quantities if not skus[s].is_sellable]
    if closed:
        names = ", ".join(s.product_title for s in closed)
        raise cart.SkuNotSellable(
            f"No longer on sale: {names}.", details={"sku_ids": [str(s.sku_id) for s in closed]}
        )
    return [(skus[s], q) for s, q in quantities.items()]


def _check_market(pairs: Sequence[tuple[catalog.SellableSku, int]], country_code: str) -> None:
    outside = [sku for sku, _ in pairs if sku.market_code != country_code]
    if outside:
        markets = sorted({sku.market_code for sku in outside})
        raise AddressOutsideMarket(
            f"These items are sold in {', '.join(markets)} and cannot ship to {country_code}.",
            details={
                "country_code": country_code,
                "markets": markets,
                "sku_ids": [str(sku.sku_id) for sku in outside],
            },
        )


async def place_orders(
    session: AsyncSession,
    buyer: User,
    *,
    address: orders.Address,
    note: str,
    items: Sequence[tuple[int, int]] | None,
    now: datetime,
    settings: Settings,
) -> Placed:
    """One UNPAID order per shop, stock reserved for every line, bought items out of the cart.

    `items` (sku_id, quantity) defaults to the whole cart.
    """
    if items is None:
        items = await cart.contents(session, buyer.id)
        if not items:
            raise CartEmpty("Your cart is empty.")
    for sku_id, quantity in items:  # each line, before a SKU listed twice is summed
        cart.check_quantity(quantity, maximum=settings.max_line_quantity, sku_id=sku_id)
    quantities = _merge(items)
    pairs = await _sellable(session, quantities, max_quantity=settings.max_line_quantity)
    _check_market(pairs, address.country_code)

    quote, locales, assessed = await cart.quote_with_customs(session, pairs)
    assert quote.currency is not None
    duties = {shop_id: a.require() for shop_id, a in assessed.items()}
    skus = {sku.sku_id: sku for sku, _ in pairs}
    checkout_id = new_id()
    pay_by = now + timedelta(minutes=settings.payment_window_minutes)

    placed: list[Order] = []
    declared: dict[int, OrderCustoms] = {}
    reserve: list[inventory.ReserveLine] = []
    for sq in quote.shops:
        draft = orders.OrderDraft(
            checkout_id=checkout_id,
            shop_id=sq.shop_id,
            buyer_id=buyer.id,
            market_code=sq.market_code,
            currency=sq.currency,
            subtotal_minor=sq.subtotal_minor,
            shipping_fee_minor=sq.shipping_fee_minor,
            tax_minor=sq.tax_minor,
            tax_included=sq.tax_included,
            total_minor=sq.total_minor,
            address=address,
            note=note,
            pay_by=pay_by,
            lines=tuple(
                orders.LineDraft(
                    product_id=skus[pl.sku_id].product_id,
                    sku_id=pl.sku_id,
                    product_name=skus[pl.sku_id].product_title,
                    sku_name=skus[pl.sku_id].sku_name,
                    seller_sku=skus[pl.sku_id].seller_sku,
                    image_uri=skus[pl.sku_id].image_uri,
                    quantity=pl.quantity,
                    unit_price_minor=pl.unit_price_minor,
                    package_weight_g=skus[pl.sku_id].package_weight_g,
                )
                for pl in sq.lines
            ),
        )
        order, lines = await orders.create_order(session, draft, actor_id=buyer.id, now=now)
        placed.append(order)
        if sq.shop_id in duties:
            declared[order.id] = await customs.record_order(
                session, order, lines, duties[sq.shop_id], now=now
            )
        reserve.extend(
            inventory.ReserveLine(
                order_id=order.id,
                line_id=line.id,
                sku_id=line.sku_id,
                shop_id=order.shop_id,
                quantity=line.quantity,
            )
            for line in lines
        )
    await session.flush()
    await inventory.reserve(session, reserve, now=now, actor_id=buyer.id)
    await cart.take_bought(session, buyer.id, quantities)
    return Placed(
        checkout_id=checkout_id,
        orders=placed,
        currency=quote.currency,
        total_minor=quote.total_minor,
        locale=locales.get(quote.shops[0].market_code, "en_US"),
        pay_by=pay_by,
        customs=declared,
    )


# --- paying ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PayResult:
    payment: Payment
    orders: list[Order]  # the orders this payment was for

    @property
    def error(self) -> HawkerError | None:
        """The error answer for a payment that did not go through (None when it did)."""
        p = self.payment
        if p.status == PaymentStatus.SUCCEEDED:
            return None
        details: dict[str, object] = {
            "payment_id": str(p.id),
            "order_ids": [str(o.id) for o in self.orders],
        }
        if p.status == PaymentStatus.DECLINED:
            details["decline_code"] = p.failure_code
            return PaymentDeclined(p.failure_message or "The card was declined.", details)
        return ProviderUnavailable(  # 503: retryable, and never stored for the key
            p.failure_message or "The payment provider could not be reached; try again.",
            details,
        )


async def _pay(
    session: AsyncSession,
    buyer: User,
    order_ids: Sequence[int],
    *,
    card: payments.CardDetails,
    now: datetime,
    settings: Settings,
) -> PayResult:
    locked = await orders.lock_orders(session, order_ids)
    unpaid = [o for o in locked if o.status == OrderStatus.UNPAID]
    payable = [o for o in unpaid if o.pay_by is None or o.pay_by > now]
    if not payable:
        if unpaid:
            raise PaymentWindowExpired(
                "The time to pay for these orders has run out.",
                details={"order_ids": [str(o.id) for o in unpaid]},
            )
        raise NothingToPay(
            "None of these orders is waiting for payment.",
            details={"statuses": {str(o.id): o.status for o in locked}},
        )
    payment = await payments.charge(
        session,
        buyer_id=buyer.id,
        currency=payable[0].currency,
        shares=[
            payments.OrderShare(order_id=o.id, shop_id=o.shop_id, amount_minor=o.total_minor)
            for o in payable
        ],
        card=card,
        now=now,
    )
    if payment.status == PaymentStatus.SUCCEEDED:
        hold_until = now + timedelta(minutes=settings.remorse_window_minutes)
        for order in payable:
            await orders.mark_paid(
                session, order, buyer_id=buyer.id, now=now, hold_until=hold_until
            )
    return PayResult(payment=payment, orders=payable)


async def pay_checkout(
    session: AsyncSession,
    buyer: User,
    checkout_id: int,
    *,
    card: payments.CardDetails,
    now: datetime,
    settings: Settings,
) -> PayResult:
    """Charge the buyer once for every still-unpaid order of the checkout."""
    ids = await orders.checkout_order_ids(session, checkout_id=checkout_id, buyer_id=buyer.id)
    if not ids:
        raise CheckoutNotFound(f"There is no checkout {checkout_id}.")
    return await _pay(session, buyer, ids, card=card, now=now, settings=settings)


async def pay_order(
    session: AsyncSession,
    buyer: User,
    order_id: int,
    *,
    card: payments.CardDetails,
    now: datetime,
    settings: Settings,
) -> PayResult:
    order = await orders.get_for_buyer(session, buyer, order_id)
    return await _pay(session, buyer, [order.id], card=card, now=now, settings=settings)
