"""The cart, checkout (address, delivery, summary, card) and paying for an unpaid checkout.

Each shop's part of the cart shows its delivery option with the estimated delivery date
(from the fulfilment rules, to the market's reference point until the address is known).
Checkout places one order per shop and pays for them in one step. Each checkout form
carries an idempotency key, so a double-clicked "Pay" charges once: the second post gets
the first post's outcome. A declined card leaves the orders placed and unpaid; the buyer
is taken to the payment page to try another card.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Query, Request, Response

from hawker.cart import service as cart
from hawker.checkout import service as checkout
from hawker.checkout.pricing import ShopQuote
from hawker.checkout.schemas import AddressIn, CardIn
from hawker.deps import RuntimeDep, SessionDep
from hawker.errors import HawkerError, NotFound
from hawker.fulfillment import service as fulfillment
from hawker.fulfillment.schemas import DeliveryEstimateOut, estimate_out
from hawker.idempotency import service as idempotency
from hawker.live import service as live
from hawker.models import DeliveryLevel, Order, OrderStatus, Shop, User
from hawker.orders import service as orders
from hawker.payments import service as payments
from hawker.payments.simulator import TEST_CARDS
from hawker.routing import router as make_router
from hawker.runtime import Runtime
from hawker.shops import service as shops
from hawker.web.forms import FieldErrors, Form, attempt, parse_id, parse_int, read_form, validate
from hawker.web.rendering import day_of, redirect, render, safe_next
from hawker.web.visitor import MemberDep, Visitor, user_of

router = make_router(include_in_schema=False)

ADDRESS_FIELDS = ("name", "phone", "line1", "line2", "city", "region", "postal_code")
CARD_FIELDS = ("number", "exp_month", "exp_year", "cvc", "holder_name")


# The delivery levels a shop offers buyers today (its parcels travel by its warehouses'
# standard service); faster or cheaper levels join this list when shops can offer them.
OFFERED_LEVELS = (DeliveryLevel.STANDARD,)


@dataclass(frozen=True)
class DeliveryOption:
    """A way a shop's parcels can travel and when they are expected to arrive."""

    level: str
    name: str
    arrives: str | None  # None: no estimate (the market has no logistics network yet)


@dataclass(frozen=True)
class ShopGroup:
    """One shop's part of the cart: its lines, its quote (shipping, tax, total) and its
    delivery options."""

    shop: Shop
    quote: ShopQuote
    lines: list[cart.CartLine]
    locale: str
    delivery: tuple[DeliveryOption, ...]


def arrives(estimate: DeliveryEstimateOut | None, locale: str) -> str | None:
    """ "Arrives by Jan 9, 2026" or "Arrives Jan 9, 2026 – Jan 13, 2026" in the locale."""
    if estimate is None:
        return None
    if estimate.earliest_date == estimate.latest_date:
        return f"Arrives by {day_of(estimate.latest_date, locale)}"
    return (
        f"Arrives {day_of(estimate.earliest_date, locale)} – {day_of(estimate.latest_date, locale)}"
    )


def _options(estimate: DeliveryEstimateOut | None, locale: str) -> tuple[DeliveryOption, ...]:
    return tuple(
        DeliveryOption(
            level=level,
            name=level.capitalize(),
            arrives=arrives(estimate, locale)
            if estimate is not None and estimate.level == level
            else None,
        )
        for level in OFFERED_LEVELS
    )


async def _groups(session: SessionDep, rt: Runtime, view: cart.CartView) -> list[ShopGroup]:
    by_sku = {line.sku.sku_id: line for line in view.lines}
    # as the cart API: no address yet, so parcels are assumed to go to the market's middle
    estimates = (
        await fulfillment.estimate_shops(
            session,
            {sq.shop_id: [(pl.sku_id, pl.quantity) for pl in sq.lines] for sq in view.quote.shops},
            market_by_shop={sq.shop_id: sq.market_code for sq in view.quote.shops},
            country_code=None,
            postal_code=None,
            now=rt.clock.now(),
            settings=rt.settings,
        )
        if view.quote.shops
        else {}
    )
    groups: list[ShopGroup] = []
    for sq in view.quote.shops:
        locale = view.locales.get(sq.market_code, "en_US")
        groups.append(
            ShopGroup(
                shop=await shops.get_shop(session, sq.shop_id),
                quote=sq,
                lines=[by_sku[pl.sku_id] for pl in sq.lines],
                locale=locale,
                delivery=_options(estimate_out(estimates.get(sq.shop_id)), locale),
            )
        )
    return groups


def _total_locale(view: cart.CartView) -> str:
    if not view.quote.shops:
        return "en_US"
    return view.locales.get(view.quote.shops[0].market_code, "en_US")


# Cart -----------------------------------------------------------------------------------------


@router.get("/cart")
async def cart_page(
    request: Request, visitor: MemberDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    view = await cart.view(session, user_of(visitor))
    return render(
        request,
        "buyer/cart.html",
        visitor,
        {
            "section": "cart",
            "view": view,
            "groups": await _groups(session, rt, view),
            "total_locale": _total_locale(view),
        },
    )


def _sku_or_404(value: str) -> int:
    sku_id = parse_id(value)
    if sku_id is None:
        raise NotFound("That item is not in your cart.")
    return sku_id


@router.post("/cart/items/{sku_id}/quantity")
async def set_quantity(
    request: Request, sku_id: str, visitor: MemberDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    form = await read_form(request)
    user = user_of(visitor)
    sku = _sku_or_404(sku_id)
    try:
        quantity = parse_int(form.get("quantity"), minimum=0, maximum=rt.settings.max_line_quantity)
    except ValueError as exc:
        return redirect(request, "/cart", flash=f"Quantity: {exc}", level="error")
    try:
        if quantity == 0:
            await attempt(session, lambda: cart.remove_item(session, user, sku_id=sku))
            return redirect(request, "/cart", flash="Removed from your cart.")
        await attempt(
            session,
            lambda: cart.set_quantity(
                session, user, sku_id=sku, quantity=quantity, settings=rt.settings
            ),
        )
    except HawkerError as exc:
        return redirect(request, "/cart", flash=exc.message, level="error")
    return redirect(request, "/cart", flash="Quantity updated.")


@router.post("/cart/items/{sku_id}/remove")
async def remove_item(
    request: Request, sku_id: str, visitor: MemberDep, session: SessionDep
) -> Response:
    await read_form(request)
    user = user_of(visitor)
    sku = _sku_or_404(sku_id)
    try:
        await attempt(session, lambda: cart.remove_item(session, user, sku_id=sku))
    except HawkerError as exc:
        return redirect(request, "/cart", flash=exc.message, level="error")
    return redirect(request, "/cart", flash="Removed from your cart.")


# Checkout -------------------------------------------------------------------------------------


def _new_key() -> str:
    return secrets.token_urlsafe(18)


def _ship_to(view: cart.CartView, visitor: Visitor) -> str:
    """The country the cart's items ship within (their shops' market)."""
    markets = {line.sku.market_code for line in view.lines}
    return markets.pop() if len(markets) == 1 else visitor.market.code


async def _checkout_page(
    request: Request,
    visitor: Visitor,
    session: SessionDep,
    rt: Runtime,
    *,
    values: dict[str, str],
    errors: FieldErrors,
    status_code: int = 200,
) -> Response:
    view = await cart.view(session, user_of(visitor))
    return render(
        request,
        "buyer/checkout.html",
        visitor,
        {
            "section": "cart",
            "view": view,
            "groups": await _groups(session, rt, view),
            "total_locale": _total_locale(view),
            "ship_to": visitor.market_of(_ship_to(view, visitor)),
            "values": values,
            "errors": errors,
            "test_cards": TEST_CARDS,
        },
        status_code=status_code,
    )


@router.get("/checkout")
async def checkout_page(
    request: Request,
    visitor: MemberDep,
    session: SessionDep,
    rt: RuntimeDep,
    live: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    user = user_of(visitor)
    if not await cart.contents(session, user.id):
        return redirect(request, "/cart", flash="Your cart is empty.", level="info")
    values = {
        "address-name": user.display_name,
        "card-holder_name": user.display_name,
        "idempotency_key": _new_key(),
    }
    live_id = parse_id(live)
    if live_id is not None:
        values["live"] = str(live_id)
    return await _checkout_page(request, visitor, session, rt, values=values, errors=FieldErrors())


def _address(form: Form, country: str, errors: FieldErrors) -> AddressIn | None:
    data: dict[str, Any] = {f: form.get(f"address-{f}") for f in ADDRESS_FIELDS}
    data["country_code"] = country
    return validate(AddressIn, data, errors, field_name=lambda loc: f"address-{loc[0]}")


def _card(form: Form, rt: Runtime, errors: FieldErrors) -> payments.CardDetails | None:
    data: dict[str, Any] = {f: form.get(f"card-{f}") for f in CARD_FIELDS}
    card_in = validate(CardIn, data, errors, field_name=lambda loc: f"card-{loc[0]}")
    if card_in is None:
        return None
    card = payments.CardDetails(
        number=card_in.number,
        exp_month=card_in.exp_month,
        exp_year=card_in.exp_year,
        cvc=card_in.cvc,
        holder_name=card_in.holder_name,
    )
    try:
        payments.validate_card(card, now=rt.clock.now())
    except payments.InvalidCard as exc:
        field = exc.details.get("field", "number") if isinstance(exc.details, dict) else "number"
        errors.add(f"card-{field}", exc.message)
        return None
    return card


def _fingerprint(card: payments.CardDetails) -> dict[str, Any]:
    """What identifies a card in an idempotency hash, without the number or the code."""
    return {
        "last4": "".join(ch for ch in card.number if ch.isdigit())[-4:],
        "exp": [card.exp_month, card.exp_year],
        "holder": card.holder_name,
    }


def _where_to(orders_paid: list[str]) -> str:
    return f"/orders/{orders_paid[0]}" if len(orders_paid) == 1 else "/orders"


async def _attribute_to_live(
    session: SessionDep, rt: Runtime, placed: Sequence[Order], live_id: int, *, now: datetime
) -> None:
    """Bought from a live room: the live counts (once paid) the orders holding at least one
    product of its bag; another shop's order of the same checkout is not the live's."""
    try:
        room = await live.get_view(session, rt.broker, live_id, settings=rt.settings)
    except live.LiveNotFound:
        return
    bag = {card.id for card in room.bag}
    for view in await orders.views(session, placed):
        if any(line.product_id in bag for line in view.lines):
            await live.attribute_order(session, order_id=view.order.id, session_id=live_id, now=now)


@router.post("/checkout")
async def place_and_pay(
    request: Request, visitor: MemberDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    form = await read_form(request)
    user = user_of(visitor)
    view = await cart.view(session, user)
    errors = FieldErrors()
    values = form.values()
    values.pop("card-number", None)
    values.pop("card-cvc", None)
    country = _ship_to(view, visitor)
    address = _address(form, country, errors)
    card = _card(form, rt, errors)
    note = form.get("note")[:500]
    if address is None or card is None or errors:
        return await _checkout_page(
            request, visitor, session, rt, values=values, errors=errors, status_code=400
        )
    key = form.get("idempotency_key") or _new_key()
    now = rt.clock.now()
    ship = address
    from_live = parse_id(form.get("live"))

    async def run() -> tuple[int, dict[str, Any]]:
        placed = await checkout.place_orders(
            session,
            user,
            address=ship.to_address(),
            note=note,
            items=None,
            now=now,
            settings=rt.settings,
        )
        if from_live is not None:
            await _attribute_to_live(session, rt, placed.orders, from_live, now=now)
        result = await checkout.pay_checkout(
            session, user, placed.checkout_id, card=card, now=now, settings=rt.settings
        )
        failure = result.error
        return 200, {
            "checkout_id": str(placed.checkout_id),
            "order_ids": [str(o.id) for o in placed.orders],
            "paid": failure is None,
            "message": failure.message if failure is not None else None,
        }

    try:
        _, outcome = await attempt(
            session,
            lambda: idempotency.replay_or_run(
                session,
                user_id=user.id,
                scope="web.checkout",
                key=key,
                request_body={
                    "address": ship.model_dump(),
                    "note": note,
                    "card": _fingerprint(card),
                    "live": str(from_live) if from_live else None,
                },
                now=now,
                ttl=timedelta(hours=rt.settings.idempotency_ttl_hours),
                secret=rt.settings.secret_key,
                run=run,
                max_key_length=rt.settings.idempotency_key_max_length,
            ),
        )
    except HawkerError as exc:
        errors.add("_form", exc.message)
        values["idempotency_key"] = _new_key()
        return await _checkout_page(
            request, visitor, session, rt, values=values, errors=errors, status_code=exc.status_code
        )
    if outcome["paid"]:
        count = len(outcome["order_ids"])
        return redirect(
            request,
            f"/live/{from_live}" if from_live is not None else _where_to(outcome["order_ids"]),
            flash="Thank you! Your order is paid."
            if count == 1
            else f"Thank you! Your {count} orders are paid.",
        )
    return redirect(
        request,
        f"/checkout/{outcome['checkout_id']}/pay",
        flash=f"{outcome['message']} Your order is saved: try another card.",
        level="error",
    )


# Paying an unpaid checkout ----------------------------------------------------------------------


async def _unpaid(session: SessionDep, user: User, checkout_id: int) -> tuple[list[Order], int]:
    ids = await orders.checkout_order_ids(session, checkout_id=checkout_id, buyer_id=user.id)
    if not ids:
        raise checkout.CheckoutNotFound(f"There is no checkout {checkout_id}.")
    found = [await orders.get_for_buyer(session, user, order_id) for order_id in ids]
    return [o for o in found if o.status == OrderStatus.UNPAID], len(found)


async def _pay_page(
    request: Request,
    visitor: Visitor,
    session: SessionDep,
    checkout_id: int,
    unpaid: list[Order],
    *,
    values: dict[str, str],
    errors: FieldErrors,
    status_code: int = 200,
) -> Response:
    views = await orders.views(session, unpaid)
    names = {o.shop_id: (await shops.get_shop(session, o.shop_id)).name for o in unpaid}
    return render(
        request,
        "buyer/pay.html",
        visitor,
        {
            "section": "orders",
            "checkout_id": str(checkout_id),
            "views": views,
            "shop_names": names,
            "total_minor": sum(o.total_minor for o in unpaid),
            "currency": unpaid[0].currency,
            "locale": views[0].locale,
            "pay_by": min((o.pay_by for o in unpaid if o.pay_by is not None), default=None),
            "market": visitor.market_of(unpaid[0].market_code),
            "values": values,
            "errors": errors,
            "test_cards": TEST_CARDS,
        },
        status_code=status_code,
    )


def _checkout_id(value: str) -> int:
    checkout_id = parse_id(value)
    if checkout_id is None:
        raise checkout.CheckoutNotFound("There is no such checkout.")
    return checkout_id


@router.get("/checkout/{checkout_id}/pay")
async def pay_page(
    request: Request,
    checkout_id: str,
    visitor: MemberDep,
    session: SessionDep,
    back: Annotated[str | None, Query(max_length=600)] = None,
) -> Response:
    user = user_of(visitor)
    cid = _checkout_id(checkout_id)
    unpaid, _ = await _unpaid(session, user, cid)
    if not unpaid:
        return redirect(request, "/orders", flash="Nothing is waiting for payment.", level="info")
    values = {"card-holder_name": user.display_name, "idempotency_key": _new_key()}
    if back:
        values["back"] = safe_next(back)
    return await _pay_page(
        request, visitor, session, cid, unpaid, values=values, errors=FieldErrors()
    )


@router.post("/checkout/{checkout_id}/pay")
async def pay(
    request: Request, checkout_id: str, visitor: MemberDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    form = await read_form(request)
    user = user_of(visitor)
    cid = _checkout_id(checkout_id)
    errors = FieldErrors()
    values = form.values()
    values.pop("card-number", None)
    values.pop("card-cvc", None)
    card = _card(form, rt, errors)
    unpaid, _ = await _unpaid(session, user, cid)
    status = 400
    if card is not None and not errors:
        key = form.get("idempotency_key") or _new_key()
        now = rt.clock.now()
        paying = card

        async def run() -> tuple[int, dict[str, Any]]:
            result = await checkout.pay_checkout(
                session, user, cid, card=paying, now=now, settings=rt.settings
            )
            failure = result.error
            return 200, {
                "order_ids": [str(o.id) for o in result.orders],
                "paid": failure is None,
                "message": failure.message if failure is not None else None,
            }

        try:
            _, outcome = await attempt(
                session,
                lambda: idempotency.replay_or_run(
                    session,
                    user_id=user.id,
                    scope="web.pay",
                    key=key,
                    request_body={"checkout_id": str(cid), "card": _fingerprint(paying)},
                    now=now,
                    ttl=timedelta(hours=rt.settings.idempotency_ttl_hours),
                    secret=rt.settings.secret_key,
                    run=run,
                    max_key_length=rt.settings.idempotency_key_max_length,
                ),
            )
        except HawkerError as exc:
            errors.add("_form", exc.message)
            status = exc.status_code
        else:
            if outcome["paid"]:
                back = form.get("back")
                where = safe_next(back) if back else _where_to(outcome["order_ids"])
                return redirect(request, where, flash="Thank you! Payment received.")
            errors.add("card-number", str(outcome["message"]))
            status = 402
        unpaid, _ = await _unpaid(session, user, cid)
    if not unpaid:
        return redirect(request, "/orders", flash="Nothing is waiting for payment.", level="info")
    values["idempotency_key"] = _new_key()
    return await _pay_page(
        request, visitor, session, cid, unpaid, values=values, errors=errors, status_code=status
    )
