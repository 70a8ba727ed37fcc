"""Live flash deals: creation, start, end, cancellation, and units of cancelled orders.

A deal's units are set aside from one sales warehouse when it is created (inventory
`set_aside`, a RESERVATION movement referring to the deal) and whatever is left goes back
when it ends (`release_set_aside`). Buying is in purchases.py (the batched writer) and
engine.py / buy.py (the hot path); this module holds the rules that run at human speed.

Every change of a deal's status writes the outbox event "flash.deal_changed" in the same
transaction; a task turns it into the live room's `deal` frame after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts import service as accounts
from hawker.cart import service as cart
from hawker.catalog import service as catalog
from hawker.checkout import pricing
from hawker.errors import BadRequest, Conflict, NotFound, id_after_cursor
from hawker.flash import repository as repo
from hawker.flash import rules
from hawker.flash.counters import Figures
from hawker.inventory import service as inventory
from hawker.kit.ids import new_id
from hawker.kit.pagination import Page, encode_cursor
from hawker.live import service as live
from hawker.models import (
    FlashDeal,
    FlashDealStatus,
    FlashPurchase,
    FlashPurchaseStatus,
    LiveSession,
    LiveStatus,
    Order,
    User,
)
from hawker.orders import service as orders
from hawker.outbox.service import record_event
from hawker.shops import service as shops

TOPIC = "flash.deal_changed"
REF_TYPE = "flash_deal"
MAX_DB_ID = 2**63 - 1
SWEEP_BATCH = 100


class DealNotFound(NotFound):
    """No such flash deal."""

    code = "deal_not_found"


class SkuNotFound(NotFound):
    """No such SKU."""

    code = "sku_not_found"


class ProductNotInBag(BadRequest):
    """A flash deal sells a product in the live's shopping bag."""

    code = "product_not_in_bag"


class ProductNotOnSale(Conflict):
    """The product is not on sale."""

    code = "product_not_on_sale"


class LiveNotLive(Conflict):
    """Flash deals run only while the live is on air."""

    code = "live_not_live"


class DealAlreadyRunning(Conflict):
    """The live already has a flash deal announced or running."""

    code = "deal_already_running"


class DealClosed(Conflict):
    """The deal is over."""

    code = "deal_closed"


# --- who may run deals ------------------------------------------------------------------


def _valid_id(value: int) -> bool:
    return 0 < value <= MAX_DB_ID


async def _may_run(
    session: AsyncSession, user: User, live_session: LiveSession, shop_id: int | None
) -> bool:
    """The live's host (or a member of the live's shop), or a seller of the product's shop."""
    if await live.is_host(session, user, live_session):
        return True
    return shop_id is not None and shop_id in await shops.shop_ids_for_user(session, user.id)


# --- creating ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NewDeal:
    sku_id: int
    price_minor: int
    currency: str
    stock_cap: int
    per_buyer_limit: int
    countdown_seconds: int
    duration_minutes: int
    warehouse_id: int | None = None


async def create_deal(
    session: AsyncSession, user: User, session_id: int, new: NewDeal, *, now: datetime
) -> FlashDeal:
    """Announce a deal in a live that is on air: the countdown starts now.

    Another host's live answers 404 like a missing one; nothing changes on any refusal.
    """
    live_session = await live.get_live(session, session_id) if _valid_id(session_id) else None
    if live_session is None:
        raise live.LiveNotFound(f"There is no live {session_id}.")
    sku = (await catalog.skus_for_sale(session, [new.sku_id])).get(new.sku_id)
    if not await _may_run(session, user, live_session, sku.shop_id if sku else None):
        raise live.LiveNotFound(f"There is no live {session_id}.")
    if sku is None:
        raise SkuNotFound(f"There is no SKU {new.sku_id}.", details={"sku_id": str(new.sku_id)})
    if not await repo.in_bag(session, live_session.id, sku.product_id):
        raise ProductNotInBag(
            f"{sku.product_title} is not in this live's shopping bag; add it first.",
            details={"product_id": str(sku.product_id)},
        )
    if not sku.is_sellable:
        raise ProductNotOnSale(f"{sku.product_title} is not on sale.")
    if live_session.status != LiveStatus.LIVE:
        raise LiveNotLive(
            f"The live is {live_session.status}; flash deals run only while it is on air.",
            details={"status": live_session.status},
        )
    running = await repo.open_in_session(session, live_session.id)
    if running is not None:
        raise DealAlreadyRunning(
            "This live already has a flash deal announced or running.",
            details={"deal_id": str(running.id)},
        )
    lowest = await catalog.lowest_price_since(session, sku.sku_id, rules.lowest_price_window(now))
    lowest = min(lowest, sku.price_minor) if lowest is not None else sku.price_minor
    terms = rules.Terms(
        price_minor=new.price_minor,
        currency=new.currency,
        stock_cap=new.stock_cap,
        per_buyer_limit=new.per_buyer_limit,
        countdown_seconds=new.countdown_seconds,
        duration_minutes=new.duration_minutes,
    )
    rules.check_terms(terms, sku_currency=sku.currency, lowest_30d_minor=lowest)
    when = rules.schedule(
        now, countdown_seconds=new.countdown_seconds, duration_minutes=new.duration_minutes
    )
    deal_id = new_id()
    warehouse_id = await inventory.set_aside(
        session,
        sku_id=sku.sku_id,
        shop_id=sku.shop_id,
        quantity=new.stock_cap,
        ref_type=REF_TYPE,
        ref_id=deal_id,
        now=now,
        actor_id=user.id,
        warehouse_id=new.warehouse_id,
    )
    deal = FlashDeal(
        id=deal_id,
        session_id=live_session.id,
        shop_id=sku.shop_id,
        product_id=sku.product_id,
        sku_id=sku.sku_id,
        warehouse_id=warehouse_id,
        created_by=user.id,
        market_code=sku.market_code,
        currency=sku.currency,
        price_minor=new.price_minor,
        regular_price_minor=sku.price_minor,
        lowest_30d_minor=lowest,
        stock_cap=new.stock_cap,
        per_buyer_limit=new.per_buyer_limit,
        countdown_seconds=new.countdown_seconds,
        duration_seconds=new.duration_minutes * 60,
        status=FlashDealStatus.COUNTDOWN,
        stock_remaining=new.stock_cap,
        units_sold=0,
        units_returned=0,
        announced_at=when.announced_at,
        starts_at=when.starts_at,
        ends_at=when.ends_at,
        created_at=now,
        updated_at=now,
    )
    session.add(deal)
    await session.flush()
    record_change(session, deal, "announced", now)
    accounts.audit(
        session,
        actor_id=user.id,
        action="flash.deal_created",
        target_type="flash_deal",
        target_id=deal.id,
        now=now,
        details={
            "session_id": str(live_session.id),
            "sku_id": str(sku.sku_id),
            "stock_cap": new.stock_cap,
            "price_minor": new.price_minor,
        },
    )
    return deal


def record_change(session: AsyncSession, deal: FlashDeal, change: str, now: datetime) -> None:
    record_event(
        session,
        topic=TOPIC,
        aggregate_type="flash_deal",
        aggregate_id=deal.id,
        payload={
            "deal_id": str(deal.id),
            "session_id": str(deal.session_id),
            "change": change,
            "status": deal.status,
        },
        now=now,
    )


# --- reading ----------------------------------------------------------------------------


async def get_deal(session: AsyncSession, deal_id: int) -> FlashDeal:
    deal = await repo.get(session, deal_id) if _valid_id(deal_id) else None
    if deal is None:
        raise DealNotFound(f"There is no flash deal {deal_id}.")
    return deal


async def list_for_session(
    session: AsyncSession, session_id: int, *, cursor: str | None, limit: int
) -> Page[FlashDeal]:
    if not _valid_id(session_id):
        raise live.LiveNotFound(f"There is no live {session_id}.")
    await live.get_live(session, session_id)
    rows = await repo.list_for_session(
        session, session_id, before_id=id_after_cursor(cursor), limit=limit + 1
    )
    items = rows[:limit]
    more = len(rows) > limit
    return Page(items, encode_cursor({"id": str(items[-1].id)}) if more and items else None)


async def room_deal(session: AsyncSession, session_id: int) -> FlashDeal | None:
    """The deal a room shows: the one announced or running, else None."""
    return await repo.open_in_session(session, session_id)


async def open_deals(session: AsyncSession) -> list[FlashDeal]:
    return await repo.open_deals(session)


async def statuses(session: AsyncSession, deal_ids: list[int]) -> dict[int, tuple[str, str | None]]:
    """deal id -> (status, end reason)."""
    return await repo.statuses(session, deal_ids)


async def order_of(session: AsyncSession, order_id: int) -> Order | None:
    try:
        return await orders.get_order(session, order_id)
    except orders.OrderNotFound:
        return None


@dataclass(frozen=True)
class DealFacts:
    """What buying needs to know about a deal, read once per process."""

    deal: FlashDeal
    product_title: str
    sku_name: str
    seller_sku: str
    image_uri: str | None
    package_weight_g: int
    locale: str
    quotes: tuple[pricing.ShopQuote, ...]  # for quantities 1..per_buyer_limit


async def facts(session: AsyncSession, deal_id: int) -> DealFacts | None:
    deal = await repo.get(session, deal_id) if _valid_id(deal_id) else None
    if deal is None:
        return None
    sku = (await catalog.skus_for_sale(session, [deal.sku_id])).get(deal.sku_id)
    terms = await cart.market_terms(session)
    market = terms[deal.market_code]
    quotes = tuple(
        pricing.quote_shop(
            deal.shop_id,
            [pricing.PriceLine(deal.shop_id, deal.sku_id, deal.price_minor, q)],
            market,
        )
        for q in range(1, deal.per_buyer_limit + 1)
    )
    return DealFacts(
        deal=deal,
        product_title=sku.product_title if sku else "",
        sku_name=sku.sku_name if sku else "",
        seller_sku=sku.seller_sku if sku else "",
        image_uri=sku.image_uri if sku else None,
        package_weight_g=sku.package_weight_g if sku else 1,
        locale=market.locale,
        quotes=quotes,
    )


async def figures(session: AsyncSession, deal_id: int) -> Figures | None:
    """The deal's counters as the database has them (None for an unknown deal)."""
    deal = await repo.get(session, deal_id)
    if deal is None:
        return None
    out = Figures(stock=deal.stock_remaining, limit=deal.per_buyer_limit)
    for purchase_id, buyer, quantity, key, order_id, status in await repo.purchase_rows(
        session, deal_id
    ):
        if status == FlashPurchaseStatus.ACTIVE:
            out.bought[buyer] = out.bought.get(buyer, 0) + quantity
        else:
            out.returned.add(purchase_id)
        if key is not None:
            out.keys[(buyer, key)] = order_id
    if deal.status not in rules.OPEN_STATUSES:
        out.stock = 0
    return out


async def purchase_of_order(session: AsyncSession, order_id: int) -> FlashPurchase | None:
    return await repo.purchase_by_order(session, order_id)


async def last_order(session: AsyncSession, buyer_id: int) -> Order | None:
    return await repo.last_address(session, buyer_id)


async def purchase_counts(session: AsyncSession, deal_id: int) -> tuple[int, int]:
    return await repo.counts(session, deal_id)


# --- start and end ----------------------------------------------------------------------


async def _close(
    session: AsyncSession, deal: FlashDeal, *, status: str, reason: str, now: datetime
) -> bool:
    """Open -> ENDED/CANCELLED; the units still in the deal go back to the warehouse."""
    locked = await repo.lock(session, deal.id)
    if locked is None or locked.status not in rules.OPEN_STATUSES:
        return False
    leftover = locked.stock_remaining
    if not await repo.close(
        session, deal.id, leftover=leftover, status=status, reason=reason, now=now
    ):
        return False
    await inventory.release_set_aside(
        session,
        sku_id=locked.sku_id,
        warehouse_id=locked.warehouse_id,
        quantity=leftover,
        ref_type=REF_TYPE,
        ref_id=locked.id,
        now=now,
        note=f"flash deal {reason.lower().replace('_', ' ')}",
    )
    fresh = await repo.get(session, deal.id)
    assert fresh is not None
    record_change(session, fresh, "ended", now)
    return True


async def cancel_deal(
    session: AsyncSession, user: User, deal_id: int, *, now: datetime
) -> FlashDeal:
    """The host stops a deal early; its leftover units go back to the warehouse."""
    deal = await get_deal(session, deal_id)
    live_session = await live.get_live(session, deal.session_id)
    if not await _may_run(session, user, live_session, deal.shop_id):
        raise DealNotFound(f"There is no flash deal {deal_id}.")
    if deal.status not in rules.OPEN_STATUSES:
        raise DealClosed(f"The deal is already {deal.status}.", details={"status": deal.status})
    await _close(session, deal, status=FlashDealStatus.CANCELLED, reason="CANCELLED", now=now)
    accounts.audit(
        session,
        actor_id=user.id,
        action="flash.deal_cancelled",
        target_type="flash_deal",
        target_id=deal.id,
        now=now,
        details={"session_id": str(deal.session_id)},
    )
    return await get_deal(session, deal_id)


async def advance(session: AsyncSession, *, now: datetime, limit: int = SWEEP_BATCH) -> int:
    """Start deals whose countdown is over; end deals whose time is up or whose live ended."""
    done = 0
    for deal_id in await repo.due_ids(session, now, limit):
        deal = await repo.get(session, deal_id)
        if deal is None or deal.status not in rules.OPEN_STATUSES:
            continue
        live_session = await live.get_live(session, deal.session_id)
        async with session.begin_nested():
            if live_session.status in (LiveStatus.ENDED, LiveStatus.CANCELLED):
                changed = await _close(
                    session, deal, status=FlashDealStatus.CANCELLED, reason="LIVE_ENDED", now=now
                )
            elif now >= deal.ends_at:
                changed = await _close(
                    session, deal, status=FlashDealStatus.ENDED, reason="TIME_UP", now=now
                )
            else:
                changed = await repo.set_live(session, deal.id, now)
                if changed:
                    fresh = await repo.get(session, deal.id)
                    assert fresh is not None
                    record_change(session, fresh, "started", now)
        done += int(changed)
    return done


# --- units of cancelled orders ----------------------------------------------------------


async def return_order_units(
    session: AsyncSession, order: Order, previous: str, now: datetime, reason: str
) -> bool:
    """Hook for orders.cancel_order: a deal's order gives its units back itself.

    While the deal runs they return to the deal's stock (and, once the counters have taken
    them, can be bought again); after it ended they go back to the warehouse. False for an
    order that is not a flash deal's (the caller releases its stock as usual).
    """
    purchase = await repo.purchase_by_order(session, order.id)
    if purchase is None or purchase.status != FlashPurchaseStatus.ACTIVE:
        return False
    deal = await repo.lock(session, purchase.deal_id)
    if deal is None:
        return False
    quantity = purchase.quantity
    if deal.status in rules.OPEN_STATUSES and now < deal.ends_at:
        taken = await inventory.take_back_allocations(session, order.id)
        if taken != quantity or not await repo.units_back_to_deal(
            session, deal.id, quantity, now=now
        ):
            raise inventory.StockInconsistent(
                f"Order {order.id} held {taken} units of deal {deal.id}, not {quantity}."
            )
        await repo.set_purchase_status(
            session,
            purchase.id,
            from_status=FlashPurchaseStatus.ACTIVE,
            to_status=FlashPurchaseStatus.RETURNING,
            now=now,
        )
        return True
    await inventory.release_order(session, order.id, now=now, reason=reason)
    await repo.units_back_to_warehouse(session, deal.id, quantity, now=now)
    await repo.set_purchase_status(
        session,
        purchase.id,
        from_status=FlashPurchaseStatus.ACTIVE,
        to_status=FlashPurchaseStatus.RETURNED,
        now=now,
    )
    return True


async def returning(session: AsyncSession, limit: int = 500) -> list[tuple[int, int, int, int]]:
    """(purchase id, deal id, buyer id, quantity) whose units the counters have yet to take."""
    return await repo.returning(session, limit)


async def mark_returned(session: AsyncSession, purchase_ids: list[int]) -> None:
    await repo.mark_returned(session, purchase_ids)


async def logins(
    session: AsyncSession, token_hashes: list[str], now: datetime
) -> dict[str, tuple[int, datetime]]:
    """token hash -> (user id, expiry) for the valid logins among these hashes."""
    return await repo.logins(session, token_hashes, now)


async def bag_sku_ids(session: AsyncSession, session_id: int) -> list[int]:
    """The SKUs of the products in the live's bag."""
    return await repo.bag_sku_ids(session, session_id)


async def buyer_ids(session: AsyncSession, market_code: str, limit: int) -> list[int]:
    """Some active buyers of a market (the demo's simulated buyers)."""
    return await repo.buyer_ids(session, market_code, limit)
