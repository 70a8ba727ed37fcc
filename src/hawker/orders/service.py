"""Orders: creation, every status change, cancellation, and who may read which order.

Every status change goes through `transition`: the state machine allows it, one conditional
UPDATE guarded by (id, status, version) applies it, and the history row and the outbox event
"order.status_changed" are written in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from hawker.accounts import service as accounts
from hawker.errors import Conflict, HawkerError, NotFound, id_after_cursor
from hawker.inventory import service as inventory
from hawker.kit.ids import new_id
from hawker.kit.pagination import Page, encode_cursor
from hawker.models import (
    Order,
    OrderHistory,
    OrderLine,
    OrderStatus,
    OrderType,
    Payment,
    PaymentOrder,
    Refund,
    User,
)
from hawker.orders import repository as repo
from hawker.orders.state import (
    BUYER_CANCELLABLE,
    SELLER_CANCELLABLE,
    ActorRole,
    InvalidTransition,
    ensure_transition,
)
from hawker.outbox.service import record_event
from hawker.payments import service as payments
from hawker.regions import service as regions
from hawker.shops import service as shops

STATUS_TOPIC = "order.status_changed"
SWEEP_BATCH = 200

log = logging.getLogger("hawker.orders")


class OrderNotFound(NotFound):
    """No such order."""

    code = "order_not_found"


class OrderChanged(Conflict):
    """The order changed meanwhile; reload it and try again."""

    code = "order_changed"


# --- creation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LineDraft:
    product_id: int
    sku_id: int
    product_name: str
    sku_name: str
    seller_sku: str
    image_uri: str | None
    quantity: int
    unit_price_minor: int
    package_weight_g: int


@dataclass(frozen=True)
class Address:
    name: str
    phone: str
    line1: str
    city: str
    postal_code: str
    country_code: str
    line2: str = ""
    region: str = ""


@dataclass(frozen=True)
class OrderDraft:
    checkout_id: int
    shop_id: int
    buyer_id: int
    market_code: str
    currency: str
    subtotal_minor: int
    shipping_fee_minor: int
    tax_minor: int
    tax_included: bool
    total_minor: int
    address: Address
    lines: tuple[LineDraft, ...]
    pay_by: datetime
    note: str = ""
    order_type: OrderType = OrderType.NORMAL


def search_text(draft: OrderDraft) -> str:
    parts = [line.product_name for line in draft.lines] + [line.sku_name for line in draft.lines]
    parts.append(draft.address.name)
    return " | ".join(p for p in parts if p).lower()[:2000]


async def create_order(
    session: AsyncSession, draft: OrderDraft, *, actor_id: int | None, now: datetime
) -> tuple[Order, list[OrderLine]]:
    """Insert an UNPAID order with its lines, its first history row and its outbox event."""
    a = draft.address
    order = Order(
        id=new_id(),
        checkout_id=draft.checkout_id,
        shop_id=draft.shop_id,
        buyer_id=draft.buyer_id,
        market_code=draft.market_code,
        order_type=draft.order_type,
        status=OrderStatus.UNPAID,
        currency=draft.currency,
        subtotal_minor=draft.subtotal_minor,
        shipping_fee_minor=draft.shipping_fee_minor,
        seller_discount_minor=0,
        platform_discount_minor=0,
        tax_minor=draft.tax_minor,
        tax_included=draft.tax_included,
        total_minor=draft.total_minor,
        recipient_name=a.name,
        recipient_phone=a.phone,
        address_line1=a.line1,
        address_line2=a.line2,
        city=a.city,
        region=a.region,
        postal_code=a.postal_code,
        country_code=a.country_code,
        buyer_note=draft.note,
        search_text=search_text(draft),
        pay_by=draft.pay_by,
        version=1,
        created_at=now,
        updated_at=now,
    )
    lines = [
        OrderLine(
            id=new_id(),
            order_id=order.id,
            product_id=d.product_id,
            sku_id=d.sku_id,
            product_name=d.product_name,
            sku_name=d.sku_name,
            seller_sku=d.seller_sku,
            image_uri=d.image_uri,
            quantity=d.quantity,
            original_price_minor=d.unit_price_minor,
            sale_price_minor=d.unit_price_minor,
            line_total_minor=d.unit_price_minor * d.quantity,
            package_weight_g=d.package_weight_g,
        )
        for d in draft.lines
    ]
    repo.add_order(session, order, lines)
    _record_change(
        session,
        order,
        previous=None,
        actor_role=ActorRole.BUYER,
        actor_id=actor_id,
        reason="order placed",
        now=now,
    )
    return order, lines


async def create_orders_bulk(
    session: AsyncSession,
    drafts: Sequence[tuple[int, OrderDraft]],
    *,
    now: datetime,
) -> list[list[int]]:
    """Many UNPAID orders at once, with the ids given: the same rows `create_order` writes
    (order, lines, first history row, outbox event), in one statement per table.

    For live flash deals, whose purchases are written in batches. Returns the line ids of
    each order, in the order of `drafts`.
    """
    orders: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    out: list[list[int]] = []
    for order_id, draft in drafts:
        a = draft.address
        orders.append(
            {
                "id": order_id,
                "checkout_id": draft.checkout_id,
                "shop_id": draft.shop_id,
                "buyer_id": draft.buyer_id,
                "market_code": draft.market_code,
                "order_type": draft.order_type,
                "status": OrderStatus.UNPAID,
                "currency": draft.currency,
                "subtotal_minor": draft.subtotal_minor,
                "shipping_fee_minor": draft.shipping_fee_minor,
                "seller_discount_minor": 0,
                "platform_discount_minor": 0,
                "tax_minor": draft.tax_minor,
                "tax_included": draft.tax_included,
                "total_minor": draft.total_minor,
                "recipient_name": a.name,
                "recipient_phone": a.phone,
                "address_line1": a.line1,
                "address_line2": a.line2,
                "city": a.city,
                "region": a.region,
                "postal_code": a.postal_code,
                "country_code": a.country_code,
                "buyer_note": draft.note,
                "search_text": search_text(draft),
                "cancel_reason": None,
                "cancelled_by": None,
                "pay_by": draft.pay_by,
                "paid_at": None,
                "hold_until": None,
                "cancelled_at": None,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        line_ids: list[int] = []
        for d in draft.lines:
            line_id = new_id()
            line_ids.append(line_id)
            lines.append(
                {
                    "id": line_id,
                    "order_id": order_id,
                    "product_id": d.product_id,
                    "sku_id": d.sku_id,
                    "product_name": d.product_name,
                    "sku_name": d.sku_name,
                    "seller_sku": d.seller_sku,
                    "image_uri": d.image_uri,
                    "quantity": d.quantity,
                    "original_price_minor": d.unit_price_minor,
                    "sale_price_minor": d.unit_price_minor,
                    "line_total_minor": d.unit_price_minor * d.quantity,
                    "package_weight_g": d.package_weight_g,
                }
            )
        out.append(line_ids)
        history.append(
            {
                "id": new_id(),
                "order_id": order_id,
                "from_status": None,
                "to_status": OrderStatus.UNPAID,
                "actor_role": ActorRole.BUYER,
                "actor_id": draft.buyer_id,
                "reason": "order placed",
                "created_at": now,
            }
        )
        events.append(
            {
                "id": new_id(),
                "topic": STATUS_TOPIC,
                "aggregate_type": "order",
                "aggregate_id": order_id,
                "payload": {
                    "order_id": str(order_id),
                    "shop_id": str(draft.shop_id),
                    "order_status": OrderStatus.UNPAID,
                    "previous_status": None,
                    "is_on_hold_order": False,
                    "update_time": int(now.timestamp()),
                },
                "created_at": now,
                "dispatched_at": None,
            }
        )
    await repo.insert_many(session, orders=orders, lines=lines, history=history, events=events)
    return out


# --- status changes ---------------------------------------------------------------------


def status_event(order: Order, previous: str | None, now: datetime) -> dict[str, Any]:
    """The "order.status_changed" payload (Partner API ORDER_STATUS_CHANGE vocabulary)."""
    return {
        "order_id": str(order.id),
        "shop_id": str(order.shop_id),
        "order_status": order.status,
        "previous_status": previous,
        "is_on_hold_order": order.status == OrderStatus.ON_HOLD,
        "update_time": int(now.timestamp()),
    }


def _record_change(
    session: AsyncSession,
    order: Order,
    *,
    previous: str | None,
    actor_role: str,
    actor_id: int | None,
    reason: str,
    now: datetime,
) -> None:
    repo.add_history(
        session,
        OrderHistory(
            order_id=order.id,
            from_status=previous,
            to_status=order.status,
            actor_role=actor_role,
            actor_id=actor_id,
            reason=reason[:255],
            created_at=now,
        ),
    )
    record_event(
        session,
        topic=STATUS_TOPIC,
        aggregate_type="order",
        aggregate_id=order.id,
        payload=status_event(order, previous, now),
        now=now,
    )


async def transition(
    session: AsyncSession,
    order: Order,
    to: str,
    *,
    actor_role: str,
    actor_id: int | None,
    reason: str,
    now: datetime,
    changes: Mapping[str, Any] | None = None,
) -> Order:
    """Move `order` to `to` (with optional extra column `changes`), or write nothing.

    409 invalid_state if the state machine forbids it; 409 order_changed if the order was
    changed by someone else since it was read (optimistic concurrency on `version`).
    """
    previous = order.status
    ensure_transition(previous, to)
    values: dict[str, Any] = dict(changes or {})
    values.update(status=to, version=order.version + 1, updated_at=now)
    await session.flush()
    applied = await repo.guarded_update(
        session, order_id=order.id, status=previous, version=order.version, values=values
    )
    if not applied:
        raise OrderChanged(
            f"Order {order.id} changed meanwhile; reload it and try again.",
            details={"order_id": str(order.id)},
        )
    for name, value in values.items():
        set_committed_value(order, name, value)
    _record_change(
        session,
        order,
        previous=previous,
        actor_role=actor_role,
        actor_id=actor_id,
        reason=reason,
        now=now,
    )
    await session.flush()
    return order


async def cancel_order(
    session: AsyncSession,
    order: Order,
    *,
    by: ActorRole,
    actor_id: int | None,
    reason: str,
    now: datetime,
) -> Order:
    """Cancel, release the order's stock and refund it if it was paid (all in this transaction)."""
    was_paid = order.paid_at is not None
    previous = order.status
    await transition(
        session,
        order,
        OrderStatus.CANCELLED,
        actor_role=by,
        actor_id=actor_id,
        reason=reason,
        now=now,
        changes={"cancel_reason": reason[:255], "cancelled_by": by.value, "cancelled_at": now},
    )
    if not await _returned_elsewhere(session, order, previous=previous, now=now, reason=reason):
        await inventory.release_order(session, order.id, now=now, reason=reason)
    if was_paid:
        await payments.refund_order(session, order_id=order.id, reason=reason, now=now)
    return order


# Domains that hold an order's units in their own way (a live flash deal sets units aside)
# register a hook here. Given an order being cancelled (and the status it had), a hook that
# recognises the order takes its units back itself and answers True; otherwise False, and the
# units go back to the warehouse.
StockReturn = Callable[[AsyncSession, Order, str, datetime, str], Awaitable[bool]]
_stock_returns: list[StockReturn] = []


def register_stock_return(hook: StockReturn) -> None:
    """Idempotent: registering the same hook twice keeps one."""
    if hook not in _stock_returns:
        _stock_returns.append(hook)


async def _returned_elsewhere(
    session: AsyncSession, order: Order, *, previous: str, now: datetime, reason: str
) -> bool:
    for hook in _stock_returns:
        if await hook(session, order, previous, now, reason):
            return True
    return False


async def mark_paid(
    session: AsyncSession,
    order: Order,
    *,
    buyer_id: int,
    now: datetime,
    hold_until: datetime,
) -> Order:
    """UNPAID -> ON_HOLD: paid, inside the buyer's remorse window until `hold_until`."""
    return await transition(
        session,
        order,
        OrderStatus.ON_HOLD,
        actor_role=ActorRole.BUYER,
        actor_id=buyer_id,
        reason="paid",
        now=now,
        changes={"paid_at": now, "hold_until": hold_until},
    )


async def lock_orders(session: AsyncSession, order_ids: Sequence[int]) -> list[Order]:
    return await repo.lock(session, order_ids)


async def checkout_order_ids(
    session: AsyncSession, *, checkout_id: int, buyer_id: int
) -> list[int]:
    return await repo.ids_of_checkout(session, checkout_id=checkout_id, buyer_id=buyer_id)


# --- who may see and cancel which order --------------------------------------------------


async def get_order(session: AsyncSession, order_id: int) -> Order:
    order = await repo.get(session, order_id)
    if order is None:
        raise OrderNotFound(f"There is no order {order_id}.")
    return order


async def get_for_buyer(session: AsyncSession, buyer: User, order_id: int) -> Order:
    """The buyer's own order; another buyer's order answers like a missing one."""
    order = await repo.get(session, order_id)
    if order is None or order.buyer_id != buyer.id:
        raise OrderNotFound(f"There is no order {order_id}.")
    return order


async def get_for_shop(session: AsyncSession, user: User, shop_id: int, order_id: int) -> Order:
    """An order of one of the user's shops; anything else answers 404."""
    await shops.require_member(session, user, shop_id)
    order = await repo.get(session, order_id)
    if order is None or order.shop_id != shop_id:
        raise OrderNotFound(f"There is no order {order_id}.")
    return order


async def buyer_cancel(
    session: AsyncSession, buyer: User, order_id: int, *, reason: str, now: datetime
) -> Order:
    order = await get_for_buyer(session, buyer, order_id)
    (order,) = await repo.lock(session, [order.id])
    if order.status not in BUYER_CANCELLABLE:
        raise InvalidTransition(
            f"The buyer can cancel an order only while it is UNPAID or ON_HOLD; "
            f"this one is {order.status}.",
            details={"status": order.status},
        )
    return await cancel_order(
        session, order, by=ActorRole.BUYER, actor_id=buyer.id, reason=reason, now=now
    )


async def seller_cancel(
    session: AsyncSession,
    user: User,
    shop_id: int,
    order_id: int,
    *,
    reason: str,
    now: datetime,
) -> Order:
    order = await get_for_shop(session, user, shop_id, order_id)
    (order,) = await repo.lock(session, [order.id])
    if order.status not in SELLER_CANCELLABLE:
        raise InvalidTransition(
            f"A shop can cancel an order only while it is AWAITING_SHIPMENT; "
            f"this one is {order.status}.",
            details={"status": order.status},
        )
    await cancel_order(
        session, order, by=ActorRole.SELLER, actor_id=user.id, reason=reason, now=now
    )
    accounts.audit(
        session,
        actor_id=user.id,
        action="order.seller_cancelled",
        target_type="order",
        target_id=order.id,
        now=now,
        details={"shop_id": str(shop_id), "reason": reason},
    )
    return order


# --- lists -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderFilters:
    statuses: tuple[str, ...] = ()
    created_from: datetime | None = None
    created_to: datetime | None = None
    q: str | None = None


async def _page(
    session: AsyncSession,
    *,
    buyer_id: int | None,
    shop_id: int | None,
    filters: OrderFilters,
    cursor: str | None,
    limit: int,
) -> Page[Order]:
    rows = await repo.search(
        session,
        buyer_id=buyer_id,
        shop_id=shop_id,
        statuses=filters.statuses,
        created_from=filters.created_from,
        created_to=filters.created_to,
        q=filters.q,
        before_id=id_after_cursor(cursor),
        limit=limit + 1,
    )
    items = rows[:limit]
    more = len(rows) > limit
    return Page(items, encode_cursor({"id": str(items[-1].id)}) if more and items else None)


async def list_for_buyer(
    session: AsyncSession, buyer: User, filters: OrderFilters, *, cursor: str | None, limit: int
) -> Page[Order]:
    return await _page(
        session, buyer_id=buyer.id, shop_id=None, filters=filters, cursor=cursor, limit=limit
    )


async def list_for_shop(
    session: AsyncSession,
    user: User,
    shop_id: int,
    filters: OrderFilters,
    *,
    cursor: str | None,
    limit: int,
) -> Page[Order]:
    await shops.require_member(session, user, shop_id)
    return await _page(
        session, buyer_id=None, shop_id=shop_id, filters=filters, cursor=cursor, limit=limit
    )


@dataclass(frozen=True)
class OrderView:
    """An order with what its readers see alongside: lines, history, the market's locale,
    and (in the detail view) its payment attempts and refunds."""

    order: Order
    lines: list[OrderLine]
    history: list[OrderHistory]
    locale: str
    payments: list[tuple[Payment, PaymentOrder]] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)


async def views(
    session: AsyncSession, orders: Sequence[Order], *, with_history: bool = False
) -> list[OrderView]:
    lines = await repo.lines_of(session, [o.id for o in orders])
    locales = {m.code: m.locale for m in await regions.list_markets(session, active_only=False)}
    out: list[OrderView] = []
    for order in orders:
        history = await repo.history_of(session, order.id) if with_history else []
        locale = locales.get(order.market_code, "en_US")
        out.append(OrderView(order, lines[order.id], history, locale))
    return out


async def view(session: AsyncSession, order: Order) -> OrderView:
    """One order in full: lines, history, payment attempts (with the order's share of each)
    and refunds."""
    (one,) = await views(session, [order], with_history=True)
    return replace(
        one,
        payments=await payments.order_payments(session, order.id),
        refunds=await payments.order_refunds(session, order.id),
    )


# --- timers ------------------------------------------------------------------------------


async def expire_unpaid(session: AsyncSession, *, now: datetime, limit: int = SWEEP_BATCH) -> int:
    """Cancel UNPAID orders whose payment window has passed and release their stock."""
    done = 0
    for order_id in await repo.due_ids(session, status=OrderStatus.UNPAID, now=now, limit=limit):
        order = await repo.get(session, order_id)
        if order is None or order.status != OrderStatus.UNPAID:
            continue
        try:
            async with session.begin_nested():
                await cancel_order(
                    session,
                    order,
                    by=ActorRole.SYSTEM,
                    actor_id=None,
                    reason="payment window expired",
                    now=now,
                )
        except (OrderChanged, InvalidTransition):
            continue  # paid or cancelled meanwhile
        except HawkerError:
            log.exception("expiring unpaid order %s failed", order_id)
            continue
        done += 1
    return done


async def release_holds(session: AsyncSession, *, now: datetime, limit: int = SWEEP_BATCH) -> int:
    """ON_HOLD orders whose remorse window has ended become AWAITING_SHIPMENT."""
    done = 0
    for order_id in await repo.due_ids(session, status=OrderStatus.ON_HOLD, now=now, limit=limit):
        order = await repo.get(session, order_id)
        if order is None or order.status != OrderStatus.ON_HOLD:
            continue
        try:
            async with session.begin_nested():
                await transition(
                    session,
                    order,
                    OrderStatus.AWAITING_SHIPMENT,
                    actor_role=ActorRole.SYSTEM,
                    actor_id=None,
                    reason="remorse window ended",
                    now=now,
                )
        except (OrderChanged, InvalidTransition):
            continue
        done += 1
    return done
