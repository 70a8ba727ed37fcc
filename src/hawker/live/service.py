"""Live sessions: scheduling, the shopping bag, going live and ending, pins, ingest, orders.

Mutating functions return the room events to publish once the caller has committed
(`Changed.events`); they never publish themselves.

For other domains: `attribute_order(session, *, order_id, session_id, now)`.
Comments and moderation live in `hawker.live.moderation`, replays in `hawker.live.replays`.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.service import audit
from hawker.broker import Broker
from hawker.config import Settings
from hawker.errors import BadRequest, HawkerError, InvalidState, NotFound
from hawker.kit.pagination import Page
from hawker.live import events, replays, statistics
from hawker.live import repository as repo
from hawker.live.events import Event
from hawker.media import service as media
from hawker.media.cards import ProductCard, card_of, product_cards, public_view
from hawker.models import (
    LiveOrderAttribution,
    LivePin,
    LiveSession,
    LiveStatus,
    OrderStatus,
    Shop,
    User,
    Video,
)
from hawker.orders import service as orders
from hawker.outbox.service import enqueue_job, record_event
from hawker.regions import service as regions
from hawker.shops import service as shops

SETTLE_JOB = "live.settle_stats"
STATUS_TOPIC = "live.status_changed"
OPEN_STATUSES = (LiveStatus.SCHEDULED, LiveStatus.LIVE)
MAX_DB_ID = 2**63 - 1


class LiveNotFound(NotFound):
    """No such live."""

    code = "live_not_found"


class LiveInvalidState(InvalidState):
    """The live is not in a state that allows this."""

    code = "live_invalid_state"


class ProductNotAvailable(BadRequest):
    """The product is not a live product buyers can see."""

    code = "product_not_available"


class ProductNotInShop(BadRequest):
    """A shop's live may only sell that shop's products."""

    code = "product_not_in_shop"


class CurrencyMismatch(BadRequest):
    """Every product in a live's bag is priced in the live's currency."""

    code = "currency_mismatch"


class BagTooLarge(BadRequest):
    """The bag holds more products than allowed."""

    code = "bag_too_large"


class DuplicateBagProduct(BadRequest):
    """A product is in the bag twice."""

    code = "duplicate_product"


class ProductNotInBag(BadRequest):
    """Only a product in the live's bag can be pinned."""

    code = "product_not_in_bag"


class MarketRequired(BadRequest):
    """A creator needs a home market (its currency prices the live)."""

    code = "market_required"


class VideoNotReady(BadRequest):
    """The video is not transcoded yet."""

    code = "video_not_ready"


class StreamRefused(HawkerError):
    """The stream key is not valid for a live that may go on air."""

    status_code = 403
    code = "stream_refused"


class HookSecretInvalid(HawkerError):
    """The hook secret is missing or wrong."""

    status_code = 403
    code = "hook_secret_invalid"


@dataclass
class Changed:
    live: LiveSession
    events: list[Event] = field(default_factory=list)


@dataclass(frozen=True)
class LiveView:
    live: LiveSession
    host: User
    shop: Shop | None
    bag: list[ProductCard]
    pinned: ProductCard | None
    playback: dict[str, Any] | None
    viewers: int


@dataclass(frozen=True)
class LiveItem:
    live: LiveSession
    host: User
    shop: Shop | None
    viewers: int


@dataclass(frozen=True)
class Ingest:
    server_url: str
    stream_key: str

    @property
    def rtmp_url(self) -> str:
        return f"{self.server_url}/{self.stream_key}"


# Lookups and the host rule ------------------------------------------------------------------


def _valid_id(value: int) -> bool:
    return 0 < value <= MAX_DB_ID


async def get_live(session: AsyncSession, live_id: int) -> LiveSession:
    live = await repo.get(session, live_id) if _valid_id(live_id) else None
    if live is None:
        raise LiveNotFound(f"There is no live {live_id}.")
    return live


async def is_host(session: AsyncSession, user: User | None, live: LiveSession) -> bool:
    """The host user, or for a shop's live any member of that shop."""
    if user is None:
        return False
    if live.host_id == user.id:
        return True
    return live.shop_id is not None and live.shop_id in await shops.shop_ids_for_user(
        session, user.id
    )


async def require_host(session: AsyncSession, user: User, live_id: int) -> LiveSession:
    """The live, if `user` hosts it; anyone else gets 404, exactly like a missing live."""
    live = await repo.get_fresh(session, live_id) if _valid_id(live_id) else None
    if live is None or not await is_host(session, user, live):
        raise LiveNotFound(f"There is no live {live_id}.")
    return live


def _require_open(live: LiveSession) -> None:
    if live.status not in OPEN_STATUSES:
        raise LiveInvalidState(f"The live is {live.status}.", details={"status": live.status})


def public_name(stream_key: str, secret: str) -> str:
    """The name viewers' playlists carry: derived from the key, and never revealing it."""
    return hmac.new(secret.encode(), stream_key.encode(), hashlib.sha256).hexdigest()[:24]


def playback(
    live: LiveSession, loop_video: Video | None, settings: Settings
) -> dict[str, Any] | None:
    """What viewers play: the media server's HLS playlist, or a looped video; None off air."""
    if live.status != LiveStatus.LIVE:
        return None
    if loop_video is not None and loop_video.mp4_uri:
        return {"kind": "mp4", "url": loop_video.mp4_uri, "loop": True}
    base = settings.hls_base_url.rstrip("/")
    return {"kind": "hls", "url": f"{base}/{live.public_name}.m3u8", "loop": False}


async def _loop_video(session: AsyncSession, live: LiveSession) -> Video | None:
    if live.loop_video_id is None:
        return None
    with contextlib.suppress(media.VideoNotFound):
        return await media.get_ready_video(session, live.loop_video_id)
    return None


async def current_playback(
    session: AsyncSession, live: LiveSession, settings: Settings
) -> dict[str, Any] | None:
    return playback(live, await _loop_video(session, live), settings)


def ingest(live: LiveSession, settings: Settings) -> Ingest:
    return Ingest(server_url=settings.rtmp_ingest_url.rstrip("/"), stream_key=live.stream_key)


# Scheduling and the bag -----------------------------------------------------------------------


async def _check_bag(
    session: AsyncSession,
    product_ids: Sequence[int],
    *,
    shop_id: int | None,
    currency: str,
    settings: Settings,
) -> list[ProductCard]:
    if len(product_ids) > settings.live_max_bag_items:
        raise BagTooLarge(
            f"A bag holds at most {settings.live_max_bag_items} products.",
            details={"max_items": settings.live_max_bag_items},
        )
    if len(set(product_ids)) != len(product_ids):
        raise DuplicateBagProduct("A product is in the bag twice.")
    cards: list[ProductCard] = []
    for product_id in product_ids:
        details = {"product_id": str(product_id)}
        view = await public_view(session, product_id) if _valid_id(product_id) else None
        if view is None:
            raise ProductNotAvailable(
                f"Product {product_id} is not a live product.", details=details
            )
        if shop_id is not None and view.product.shop_id != shop_id:
            raise ProductNotInShop(
                f"Product {product_id} belongs to another shop.", details=details
            )
        if view.product.currency != currency:
            raise CurrencyMismatch(
                f"Product {product_id} is priced in {view.product.currency}; "
                f"this live sells in {currency}.",
                details={**details, "currency": currency},
            )
        cards.append(card_of(view))
    return cards


async def create_live(
    session: AsyncSession,
    user: User,
    *,
    title: str,
    shop_id: int | None,
    scheduled_at: datetime | None,
    product_ids: Sequence[int],
    loop_video_id: int | None,
    settings: Settings,
    now: datetime,
) -> LiveSession:
    """Schedule a live: a creator's own, or a shop member's for the shop (its products only)."""
    shop = await media.ensure_can_publish(session, user, shop_id)
    if shop is not None:
        market = await regions.get_market(session, shop.market_code)
    elif user.market_code:
        market = await regions.get_market(session, user.market_code)
    else:
        raise MarketRequired("Set your market before going live; it sets the live's currency.")
    await _check_bag(
        session,
        product_ids,
        shop_id=shop.id if shop else None,
        currency=market.currency,
        settings=settings,
    )
    if loop_video_id is not None:
        video = await media.require_own_video(session, user, loop_video_id)
        if video.status != "READY":
            raise VideoNotReady(f"Video {loop_video_id} is {video.status}, not READY.")
    key = secrets.token_urlsafe(24)
    live = LiveSession(
        host_id=user.id,
        shop_id=shop.id if shop else None,
        title=title.strip(),
        status=LiveStatus.SCHEDULED,
        stream_key=key,
        public_name=public_name(key, settings.secret_key),
        currency=market.currency,
        scheduled_at=scheduled_at or now,
        loop_video_id=loop_video_id,
        created_at=now,
        updated_at=now,
    )
    session.add(live)
    await session.flush()
    await repo.replace_bag(session, live.id, product_ids)
    return live


async def set_bag(
    session: AsyncSession,
    user: User,
    live_id: int,
    product_ids: Sequence[int],
    *,
    settings: Settings,
    now: datetime,
) -> Changed:
    """Replace the bag; a pinned product that leaves the bag is unpinned."""
    live = await require_host(session, user, live_id)
    _require_open(live)
    cards = await _check_bag(
        session, product_ids, shop_id=live.shop_id, currency=live.currency, settings=settings
    )
    await repo.replace_bag(session, live.id, product_ids)
    changed = Changed(live, [events.bag([c.model_dump(mode="json") for c in cards])])
    if live.pinned_product_id is not None and live.pinned_product_id not in product_ids:
        await _unpin(session, live, now=now)
        changed.events.append(events.pinned(None))
    live.updated_at = now
    return changed


async def set_cover(
    session: AsyncSession, user: User, live_id: int, *, uri: str, now: datetime
) -> LiveSession:
    live = await require_host(session, user, live_id)
    _require_open(live)
    live.cover_uri = uri
    live.updated_at = now
    await session.flush()
    return live


# Going live and ending ------------------------------------------------------------------------


async def _transition(
    session: AsyncSession,
    live: LiveSession,
    from_statuses: Sequence[str],
    values: dict[str, Any],
    *,
    now: datetime,
) -> None:
    previous = live.status
    done = await repo.change_status(
        session, live.id, from_statuses=from_statuses, values={**values, "updated_at": now}
    )
    if done != 1:
        await session.refresh(live)
        raise LiveInvalidState(
            f"The live is {live.status}; that needs {' or '.join(from_statuses)}.",
            details={"status": live.status},
        )
    await session.refresh(live)
    record_event(
        session,
        topic=STATUS_TOPIC,
        aggregate_type="live_session",
        aggregate_id=live.id,
        payload={
            "session_id": str(live.id),
            "status": live.status,
            "previous_status": previous,
            "host_id": str(live.host_id),
            "shop_id": str(live.shop_id) if live.shop_id else None,
        },
        now=now,
    )


async def _go_live(
    session: AsyncSession, live: LiveSession, *, settings: Settings, now: datetime
) -> Changed:
    await _transition(
        session,
        live,
        (LiveStatus.SCHEDULED,),
        {"status": LiveStatus.LIVE, "started_at": now},
        now=now,
    )
    return Changed(
        live, [events.status(live.status, await current_playback(session, live, settings))]
    )


async def start_live(
    session: AsyncSession, user: User, live_id: int, *, settings: Settings, now: datetime
) -> Changed:
    """The host goes on air by hand (a looped video, or before the encoder connects)."""
    live = await require_host(session, user, live_id)
    return await _go_live(session, live, settings=settings, now=now)


async def _finish(
    session: AsyncSession,
    broker: Broker,
    live: LiveSession,
    *,
    settings: Settings,
    now: datetime,
) -> Changed:
    await _transition(
        session,
        live,
        (LiveStatus.LIVE,),
        {"status": LiveStatus.ENDED, "ended_at": now, "pinned_product_id": None},
        now=now,
    )
    await repo.close_open_pins(session, live.id, now=now)
    await replays.make_replay(session, live, now=now)
    await statistics.keep(session, broker, live.id)
    enqueue_job(
        session,
        name=SETTLE_JOB,
        payload={"session_id": str(live.id)},
        now=now,
        run_at=now + timedelta(seconds=settings.live_stats_settle_seconds),
    )
    await session.flush()
    await session.refresh(live)
    return Changed(live, [events.status(LiveStatus.ENDED, None)])


async def end_live(
    session: AsyncSession,
    broker: Broker,
    user: User,
    live_id: int,
    *,
    settings: Settings,
    now: datetime,
) -> Changed:
    """End a live: its statistics are kept and its replay is made."""
    live = await require_host(session, user, live_id)
    changed = await _finish(session, broker, live, settings=settings, now=now)
    audit(
        session,
        actor_id=user.id,
        action="live.ended",
        target_type="live_session",
        target_id=live.id,
        now=now,
    )
    return changed


async def cancel_live(session: AsyncSession, user: User, live_id: int, *, now: datetime) -> Changed:
    live = await require_host(session, user, live_id)
    await _transition(
        session, live, (LiveStatus.SCHEDULED,), {"status": LiveStatus.CANCELLED}, now=now
    )
    audit(
        session,
        actor_id=user.id,
        action="live.cancelled",
        target_type="live_session",
        target_id=live.id,
        now=now,
    )
    return Changed(live, [events.status(LiveStatus.CANCELLED, None)])


async def settle_stats(session: AsyncSession, broker: Broker, live_id: int) -> None:
    """After the end, when the last viewers have gone: keep the final figures, drop counters."""
    live = await repo.get(session, live_id)
    if live is None or live.status != LiveStatus.ENDED:
        return
    await statistics.keep(session, broker, live.id)
    await statistics.forget(broker, live.id)


# Pins --------------------------------------------------------------------------------------------


async def _unpin(session: AsyncSession, live: LiveSession, *, now: datetime) -> None:
    await repo.close_open_pins(session, live.id, now=now)
    await repo.set_pinned(session, live.id, None, now=now)
    live.pinned_product_id = None


async def pin(
    session: AsyncSession, user: User, live_id: int, product_id: int, *, now: datetime
) -> Changed:
    """Pin a bag product to the top of the room; each pin is a product moment of the replay."""
    live = await require_host(session, user, live_id)
    _require_open(live)
    if product_id not in await repo.bag(session, live.id):
        raise ProductNotInBag(
            f"Product {product_id} is not in this live's bag.",
            details={"product_id": str(product_id)},
        )
    cards = await product_cards(session, [product_id])
    if product_id not in cards:
        raise ProductNotAvailable(
            f"Product {product_id} is not a live product.", details={"product_id": str(product_id)}
        )
    if live.pinned_product_id != product_id:
        await repo.close_open_pins(session, live.id, now=now)
        session.add(LivePin(session_id=live.id, product_id=product_id, pinned_at=now))
        await repo.set_pinned(session, live.id, product_id, now=now)
        live.pinned_product_id = product_id
        await session.flush()
    return Changed(live, [events.pinned(cards[product_id].model_dump(mode="json"))])


@dataclass
class StockShown:
    live: LiveSession
    product_id: int
    available: int
    events: list[Event]


async def show_stock(
    session: AsyncSession, user: User, live_id: int, product_id: int
) -> StockShown:
    """Show viewers how many units of a bag product are left to sell.

    The figure is read from inventory (free units over the shop's sales warehouses), never
    stated by the host, so a room cannot announce a scarcity that is not there.
    """
    live = await require_host(session, user, live_id)
    if live.status != LiveStatus.LIVE:
        raise LiveInvalidState(
            f"The live is {live.status}; stock is shown only while LIVE.",
            details={"status": live.status},
        )
    if product_id not in await repo.bag(session, live.id):
        raise ProductNotInBag(
            f"Product {product_id} is not in this live's bag.",
            details={"product_id": str(product_id)},
        )
    view = await public_view(session, product_id)
    if view is None:
        raise ProductNotAvailable(
            f"Product {product_id} is not a live product.", details={"product_id": str(product_id)}
        )
    available = sum(view.available.values())
    return StockShown(live, product_id, available, [events.stock(product_id, available)])


async def unpin(session: AsyncSession, user: User, live_id: int, *, now: datetime) -> Changed:
    live = await require_host(session, user, live_id)
    _require_open(live)
    if live.pinned_product_id is None:
        return Changed(live, [])
    await _unpin(session, live, now=now)
    return Changed(live, [events.pinned(None)])


# The media server's publish hooks ---------------------------------------------------------------


def check_hook_secret(settings: Settings, secret: str | None) -> None:
    if not secret or not hmac.compare_digest(secret, settings.live_hook_secret):
        raise HookSecretInvalid("The hook secret is missing or wrong.")


async def on_publish(
    session: AsyncSession, stream_key: str, *, settings: Settings, now: datetime
) -> Changed:
    """An encoder connects with `stream_key`: accepted only for a SCHEDULED or LIVE session."""
    live = await repo.by_stream_key(session, stream_key) if stream_key else None
    if live is None or live.status not in OPEN_STATUSES:
        raise StreamRefused("The stream key is not valid for a live that may go on air.")
    if live.status == LiveStatus.LIVE:
        return Changed(live, [])  # the encoder reconnected
    return await _go_live(session, live, settings=settings, now=now)


async def on_publish_done(
    session: AsyncSession, broker: Broker, name: str, *, settings: Settings, now: datetime
) -> Changed | None:
    """The encoder stopped: a LIVE session ends. `name` is the stream key or the public name."""
    live = await repo.by_stream_name(session, name) if name else None
    if live is None:
        raise LiveNotFound("No live streams under that name.")
    if live.status != LiveStatus.LIVE:
        return None
    return await _finish(session, broker, live, settings=settings, now=now)


async def on_record_done(
    session: AsyncSession, name: str, path: str, *, now: datetime
) -> LiveSession:
    """The media server closed the live's recording: it becomes (or replaces) the replay."""
    live = await repo.by_stream_name(session, name) if name else None
    if live is None:
        raise LiveNotFound("No live streams under that name.")
    await replays.use_recording(session, live, path, now=now)
    return live


# Orders from the room ---------------------------------------------------------------------------


async def attribute_order(
    session: AsyncSession, *, order_id: int, session_id: int, now: datetime
) -> None:
    """Record that an order was placed from a live room (idempotent per order).

    Once the order is paid, the live counts it in its orders and GMV and shows a
    "just bought" notice. Raises LiveNotFound for an unknown session.
    """
    await get_live(session, session_id)
    with contextlib.suppress(IntegrityError):
        async with session.begin_nested():
            session.add(
                LiveOrderAttribution(order_id=order_id, session_id=session_id, created_at=now)
            )
            await session.flush()


def shorten_name(name: str) -> str:
    """ "Ada Lovelace" -> "Ad***": enough to feel real, not enough to identify anyone."""
    visible = name.strip()[:2]
    return f"{visible}***" if visible else "Someone"


async def count_paid_order(
    session: AsyncSession, order_id: int, *, now: datetime
) -> tuple[int, list[Event]] | None:
    """A paid (ON_HOLD) order placed from a room: count it once; the room's notice to publish."""
    attribution = await repo.attribution(session, order_id)
    if attribution is None:
        return None
    order = await orders.get_order(session, order_id)
    if order.status != OrderStatus.ON_HOLD:
        return None
    if await repo.mark_counted(session, order_id, now=now) != 1:
        return None
    live = await get_live(session, attribution.session_id)
    gmv = order.total_minor if order.currency == live.currency else 0
    count, total = await repo.add_order(session, live.id, gmv)
    (view,) = await orders.views(session, [order])
    buyer = await repo.user(session, order.buyer_id)
    first = view.lines[0] if view.lines else None
    product = first.product_name if first else "an order"
    if len(view.lines) > 1:
        product = f"{product} and {len(view.lines) - 1} more"
    notice = events.bought(
        buyer=shorten_name(buyer.display_name if buyer else ""),
        product=product,
        product_id=first.product_id if first else None,
        orders=count,
        gmv_minor=total,
    )
    return live.id, [notice]


# Reading ----------------------------------------------------------------------------------------


async def viewers_now(broker: Broker, live: LiveSession) -> int:
    if live.status != LiveStatus.LIVE:
        return 0
    return max(0, await broker.get_int(statistics.key(live.id, "viewers")))


async def get_view(
    session: AsyncSession, broker: Broker, live_id: int, *, settings: Settings
) -> LiveView:
    live = await get_live(session, live_id)
    host = await repo.user(session, live.host_id)
    assert host is not None
    shop = (await repo.shops(session, [live.shop_id])).get(live.shop_id) if live.shop_id else None
    bag_ids = await repo.bag(session, live.id)
    cards = await product_cards(session, bag_ids)
    return LiveView(
        live=live,
        host=host,
        shop=shop,
        bag=[cards[i] for i in bag_ids if i in cards],
        pinned=cards.get(live.pinned_product_id) if live.pinned_product_id else None,
        playback=await current_playback(session, live, settings),
        viewers=await viewers_now(broker, live),
    )


async def _items(
    session: AsyncSession, broker: Broker, lives: Sequence[LiveSession]
) -> list[LiveItem]:
    hosts = await repo.users(session, [x.host_id for x in lives])
    shop_map = await repo.shops(session, [x.shop_id for x in lives if x.shop_id])
    return [
        LiveItem(
            x,
            hosts[x.host_id],
            shop_map.get(x.shop_id) if x.shop_id else None,
            await viewers_now(broker, x),
        )
        for x in lives
    ]


async def list_public(
    session: AsyncSession,
    broker: Broker,
    *,
    status: str | None,
    shop_id: int | None,
    host_id: int | None,
    cursor: str | None,
    limit: int,
) -> Page[LiveItem]:
    """Lives newest first; without a status filter, the scheduled, live and ended ones."""
    statuses = (status,) if status else (LiveStatus.SCHEDULED, LiveStatus.LIVE, LiveStatus.ENDED)
    rows = await repo.list_sessions(
        session,
        statuses=statuses,
        host_id=host_id,
        shop_id=shop_id,
        shop_ids_or_host=None,
        before_id=shops.cursor_after(cursor),
        limit=limit + 1,
    )
    page = shops.page_of(rows, limit, key=lambda x: x.id)
    return Page(await _items(session, broker, page.items), page.next_cursor)


async def list_mine(
    session: AsyncSession,
    broker: Broker,
    user: User,
    *,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> Page[LiveItem]:
    """The lives `user` hosts: its own and its shops'."""
    rows = await repo.list_sessions(
        session,
        statuses=(status,) if status else None,
        host_id=None,
        shop_id=None,
        shop_ids_or_host=(user.id, await shops.shop_ids_for_user(session, user.id)),
        before_id=shops.cursor_after(cursor),
        limit=limit + 1,
    )
    page = shops.page_of(rows, limit, key=lambda x: x.id)
    return Page(await _items(session, broker, page.items), page.next_cursor)


async def get_stats(
    session: AsyncSession, broker: Broker, user: User, live_id: int
) -> tuple[LiveSession, statistics.LiveStats]:
    live = await require_host(session, user, live_id)
    return live, await statistics.read(broker, live)


async def market_locale(session: AsyncSession, live: LiveSession) -> str:
    """The locale money in this live is shown in (the shop's or the host's market)."""
    code: str | None = None
    if live.shop_id is not None:
        shop = (await repo.shops(session, [live.shop_id])).get(live.shop_id)
        code = shop.market_code if shop else None
    else:
        host = await repo.user(session, live.host_id)
        code = host.market_code if host else None
    if code is None:
        return "en_US"
    with contextlib.suppress(NotFound):
        return (await regions.get_market(session, code)).locale
    return "en_US"
