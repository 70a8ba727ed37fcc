"""The live console in the seller center: schedule a shop's live (title, time, cover, bag of
products, a video to loop), go live and end it, see the encoder settings, pin products, run
flash deals, and watch the statistics (pushed over the room's socket about once a second).

Every action is a form post (Post/Redirect/Get); a live of another shop answers 404 exactly
like one that does not exist.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request, Response

from hawker.catalog import service as catalog
from hawker.deps import RuntimeDep, SessionDep
from hawker.errors import HawkerError
from hawker.flash import service as flash
from hawker.live import deal_hook
from hawker.live import events as room_events
from hawker.live import service as live
from hawker.media import service as media
from hawker.models import LiveSession, LiveStatus, User
from hawker.regions import service as regions
from hawker.routing import router as make_router
from hawker.runtime import Runtime
from hawker.web.forms import FieldErrors, Form, attempt, parse_id, parse_int, parse_price, read_form
from hawker.web.rendering import money, redirect, render
from hawker.web.seller_context import SellerShop, seller_shop
from hawker.web.variant_picker import options_of, variants_of
from hawker.web.visitor import MemberDep, Visitor, user_of

router = make_router(prefix="/seller/shops/{shop_id}/live", include_in_schema=False)

BAG_CHOICES = 50
LIVES_SHOWN = 20
DEAL_DEFAULTS = {"per_buyer_limit": "1", "countdown_seconds": "30", "duration_minutes": "5"}


@dataclass(frozen=True)
class SkuChoice:
    sku_id: int
    label: str
    price_minor: int
    available: int


async def _live_of(session: SessionDep, user: User, ctx: SellerShop, live_id: str) -> LiveSession:
    """The shop's live, hosted by `user`; anything else is 404 like a missing live."""
    lid = parse_id(live_id)
    if lid is None:
        raise live.LiveNotFound("There is no such live.")
    found = await live.require_host(session, user, lid)
    if found.shop_id != ctx.shop.id:
        raise live.LiveNotFound(f"There is no live {lid}.")
    return found


async def _shop_products(session: SessionDep, ctx: SellerShop) -> list[Any]:
    page = await catalog.public_products(
        session,
        q=None,
        category_id=None,
        shop_id=ctx.shop.id,
        market_code=None,
        min_price=None,
        max_price=None,
        sort="newest",
        cursor=None,
        limit=BAG_CHOICES,
    )
    return list(page.items)


async def _shop_videos(session: SessionDep, ctx: SellerShop) -> list[media.VideoItem]:
    page = await media.list_public(
        session, shop_id=ctx.shop.id, owner_id=None, q=None, cursor=None, limit=BAG_CHOICES
    )
    return page.items


_publishing: set[asyncio.Task[None]] = set()


def _after_commit(request: Request, rt: Runtime, session_id: int, changed: list[Any]) -> None:
    """Room events go out once the request's transaction has committed (see routing)."""
    if not changed:
        return

    def publish() -> None:
        task = asyncio.get_running_loop().create_task(
            room_events.publish(rt.broker, session_id, changed)
        )
        _publishing.add(task)
        task.add_done_callback(_publishing.discard)

    hooks = getattr(request.state, "after_commit", None)
    if hooks is None:
        hooks = request.state.after_commit = []
    hooks.append(publish)


def _local_time(text: str, timezone: str, errors: FieldErrors) -> datetime | None:
    """A datetime-local field ("2026-01-06T18:00") in the market's time zone, as UTC."""
    if not text:
        return None
    try:
        naive = datetime.fromisoformat(text)
    except ValueError:
        errors.add("scheduled_at", "Enter a date and time, like 2026-01-06 18:00.")
        return None
    return naive.replace(tzinfo=ZoneInfo(timezone))


async def _cover(rt: Runtime, live_id: int, form: Form, errors: FieldErrors) -> str | None:
    """A cover picture from the form, stored in the media folder; its URI (None if none)."""
    files = form.files("cover")
    if not files:
        return None
    data = await files[0].read(rt.settings.image_max_bytes + 1)
    try:
        processed = await asyncio.to_thread(
            catalog.process_image,
            data,
            max_bytes=rt.settings.image_max_bytes,
            max_pixels=rt.settings.image_max_pixels,
            thumbnail_px=rt.settings.thumbnail_px,
        )
    except HawkerError as exc:
        errors.add("cover", exc.message)
        return None
    folder = rt.settings.media_dir / "live" / str(live_id)
    path = folder / f"cover.{processed.extension}"
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    await asyncio.to_thread(path.write_bytes, processed.original)
    return "/media/" + path.relative_to(rt.settings.media_dir).as_posix()


# The list and scheduling -------------------------------------------------------------------------


async def _lives_page(
    request: Request,
    visitor: Visitor,
    session: SessionDep,
    rt: Runtime,
    ctx: SellerShop,
    *,
    values: dict[str, Any],
    errors: FieldErrors,
    status_code: int = 200,
) -> Response:
    page = await live.list_mine(
        session, rt.broker, user_of(visitor), status=None, cursor=None, limit=LIVES_SHOWN
    )
    market = await regions.get_market(session, ctx.shop.market_code)
    return render(
        request,
        "seller/lives.html",
        visitor,
        {
            "seller": ctx,
            "section": "live",
            "lives": [i for i in page.items if i.live.shop_id == ctx.shop.id],
            "products": await _shop_products(session, ctx),
            "videos": await _shop_videos(session, ctx),
            "market": market,
            "values": values,
            "errors": errors,
        },
        status_code=status_code,
    )


@router.get("")
async def lives_page(
    request: Request, shop_id: str, visitor: MemberDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    ctx = await seller_shop(session, user_of(visitor), shop_id)
    return await _lives_page(
        request, visitor, session, rt, ctx, values={"product_ids": []}, errors=FieldErrors()
    )


@router.post("")
async def schedule(
    request: Request, shop_id: str, visitor: MemberDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    form = await read_form(request)
    user = user_of(visitor)
    ctx = await seller_shop(session, user, shop_id)
    market = await regions.get_market(session, ctx.shop.market_code)
    errors = FieldErrors()
    values: dict[str, Any] = {**form.values(), "product_ids": form.getlist("product_ids")}
    title = form.get("title")
    if not title:
        errors.add("title", "Give your live a title.")
    elif len(title) > 150:
        errors.add("title", "Keep the title under 150 characters.")
    when = _local_time(form.get("scheduled_at"), market.timezone, errors)
    product_ids = [pid for pid in (parse_id(v) for v in form.getlist("product_ids")) if pid]
    loop_video = parse_id(form.get("loop_video_id")) if form.get("loop_video_id") else None
    if not errors:
        try:
            created = await attempt(
                session,
                lambda: live.create_live(
                    session,
                    user,
                    title=title,
                    shop_id=ctx.shop.id,
                    scheduled_at=when,
                    product_ids=product_ids,
                    loop_video_id=loop_video,
                    settings=rt.settings,
                    now=rt.clock.now(),
                ),
            )
        except HawkerError as exc:
            errors.add("_form", exc.message)
        else:
            uri = await _cover(rt, created.id, form, errors)
            if uri is not None:
                await live.set_cover(session, user, created.id, uri=uri, now=rt.clock.now())
            return redirect(
                request,
                f"{ctx.base}/live/{created.id}",
                flash=f"Live “{created.title}” scheduled."
                + (f" The cover was not saved: {errors['cover']}" if "cover" in errors else ""),
            )
    return await _lives_page(
        request, visitor, session, rt, ctx, values=values, errors=errors, status_code=400
    )


# The console -----------------------------------------------------------------------------------


async def _sku_choices(session: SessionDep, product_ids: list[int]) -> list[SkuChoice]:
    choices: list[SkuChoice] = []
    for product_id in product_ids:
        try:
            view = await catalog.public_product(session, product_id)
        except HawkerError:
            continue
        locale = view.market.locale
        variants = variants_of(view.skus, options_of(view.skus), view.available)
        for v in variants:
            price = money(v.sku.price_minor, v.sku.currency, locale)
            choices.append(
                SkuChoice(
                    sku_id=v.sku.id,
                    label=f"{view.product.title} · {v.name} ({price}, {v.available} in stock)",
                    price_minor=v.sku.price_minor,
                    available=v.available,
                )
            )
    return choices


async def _console(
    request: Request,
    visitor: Visitor,
    session: SessionDep,
    rt: Runtime,
    ctx: SellerShop,
    found: LiveSession,
    *,
    values: dict[str, Any] | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> Response:
    user = user_of(visitor)
    view = await live.get_view(session, rt.broker, found.id, settings=rt.settings)
    _, stats = await live.get_stats(session, rt.broker, user, found.id)
    market = await regions.get_market(session, ctx.shop.market_code)
    bag_ids = [int(c.id) for c in view.bag]
    chosen = {str(i) for i in bag_ids}
    return render(
        request,
        "seller/live_console.html",
        visitor,
        {
            "seller": ctx,
            "section": "live",
            "live": view.live,
            "view": view,
            "stats": stats,
            "ingest": live.ingest(view.live, rt.settings),
            "deal": await deal_hook.current_deal(session, found.id),
            "sku_choices": await _sku_choices(session, bag_ids)
            if view.live.status == LiveStatus.LIVE
            else [],
            "products": await _shop_products(session, ctx),
            "in_bag": chosen,
            "market": market,
            "values": values or dict(DEAL_DEFAULTS),
            "errors": errors or FieldErrors(),
            "socket": f"/api/v1/live/sessions/{found.id}/ws",
        },
        status_code=status_code,
    )


@router.get("/{live_id}")
async def console(
    request: Request,
    shop_id: str,
    live_id: str,
    visitor: MemberDep,
    session: SessionDep,
    rt: RuntimeDep,
) -> Response:
    user = user_of(visitor)
    ctx = await seller_shop(session, user, shop_id)
    found = await _live_of(session, user, ctx, live_id)
    return await _console(request, visitor, session, rt, ctx, found)


async def _act(
    request: Request,
    shop_id: str,
    live_id: str,
    visitor: Visitor,
    session: SessionDep,
    rt: Runtime,
    action: str,
) -> Response:
    """Start, end, cancel, pin, unpin, replace the bag, change the cover."""
    form = await read_form(request)
    user = user_of(visitor)
    ctx = await seller_shop(session, user, shop_id)
    found = await _live_of(session, user, ctx, live_id)
    here = f"{ctx.base}/live/{found.id}"
    now = rt.clock.now()
    settings = rt.settings
    done: dict[str, str] = {
        "start": "You're live!",
        "end": "The live has ended. Its replay and statistics are kept.",
        "cancel": "The live is cancelled.",
        "pin": "Pinned to the top of the room.",
        "unpin": "Unpinned.",
        "bag": "The shopping bag is updated.",
        "cover": "The cover is updated.",
    }
    try:
        if action == "start":
            changed = await attempt(
                session,
                lambda: live.start_live(session, user, found.id, settings=settings, now=now),
            )
        elif action == "end":
            changed = await attempt(
                session,
                lambda: live.end_live(
                    session, rt.broker, user, found.id, settings=settings, now=now
                ),
            )
        elif action == "cancel":
            changed = await attempt(
                session, lambda: live.cancel_live(session, user, found.id, now=now)
            )
        elif action == "pin":
            product_id = parse_id(form.get("product_id")) or 0
            changed = await attempt(
                session, lambda: live.pin(session, user, found.id, product_id, now=now)
            )
        elif action == "unpin":
            changed = await attempt(session, lambda: live.unpin(session, user, found.id, now=now))
        elif action == "bag":
            ids = [pid for pid in (parse_id(v) for v in form.getlist("product_ids")) if pid]
            changed = await attempt(
                session,
                lambda: live.set_bag(session, user, found.id, ids, settings=settings, now=now),
            )
        else:
            errors = FieldErrors()
            uri = await _cover(rt, found.id, form, errors)
            if uri is None:
                return redirect(
                    request, here, flash=errors.get("cover", "Choose a picture."), level="error"
                )
            await attempt(
                session, lambda: live.set_cover(session, user, found.id, uri=uri, now=now)
            )
            return redirect(request, here, flash=done["cover"])
    except HawkerError as exc:
        return redirect(request, here, flash=exc.message, level="error")
    _after_commit(request, rt, found.id, changed.events)
    return redirect(request, here, flash=done[action])


def _action_route(action: str) -> None:
    async def handler(
        request: Request,
        shop_id: str,
        live_id: str,
        visitor: MemberDep,
        session: SessionDep,
        rt: RuntimeDep,
    ) -> Response:
        return await _act(request, shop_id, live_id, visitor, session, rt, action)

    handler.__name__ = f"live_{action}"
    router.post(f"/{{live_id}}/{action}")(handler)


for _action in ("start", "end", "cancel", "pin", "unpin", "bag", "cover"):
    _action_route(_action)


# Flash deals -----------------------------------------------------------------------------------


def _deal_terms(form: Form, currency: str, errors: FieldErrors) -> flash.NewDeal | None:
    sku_id = parse_id(form.get("sku_id"))
    if sku_id is None:
        errors.add("sku_id", "Choose the product option the deal sells.")
    numbers: dict[str, int] = {}
    try:
        price = parse_price(form.get("price"), currency)
    except ValueError as exc:
        errors.add("price", str(exc))
        price = 0
    for name, low, high in (
        ("stock_cap", 1, 100_000),
        ("per_buyer_limit", 1, 100),
        ("countdown_seconds", 0, 3600),
        ("duration_minutes", 0, 600),
    ):
        try:
            numbers[name] = parse_int(form.get(name), minimum=low, maximum=high)
        except ValueError as exc:
            errors.add(name, str(exc))
    if errors or sku_id is None:
        return None
    return flash.NewDeal(
        sku_id=sku_id,
        price_minor=price,
        currency=currency,
        stock_cap=numbers["stock_cap"],
        per_buyer_limit=numbers["per_buyer_limit"],
        countdown_seconds=numbers["countdown_seconds"],
        duration_minutes=numbers["duration_minutes"],
    )


@router.post("/{live_id}/deals")
async def start_deal(
    request: Request,
    shop_id: str,
    live_id: str,
    visitor: MemberDep,
    session: SessionDep,
    rt: RuntimeDep,
) -> Response:
    form = await read_form(request)
    user = user_of(visitor)
    ctx = await seller_shop(session, user, shop_id)
    found = await _live_of(session, user, ctx, live_id)
    errors = FieldErrors()
    terms = _deal_terms(form, found.currency, errors)
    if terms is not None:
        new = terms
        try:
            deal = await attempt(
                session,
                lambda: flash.create_deal(session, user, found.id, new, now=rt.clock.now()),
            )
        except HawkerError as exc:
            errors.add("_deal", exc.message)
        else:
            seconds = int((deal.starts_at - rt.clock.now()).total_seconds())
            return redirect(
                request,
                f"{ctx.base}/live/{found.id}",
                flash=f"Flash deal announced: it opens in {max(0, seconds)} seconds.",
            )
    return await _console(
        request,
        visitor,
        session,
        rt,
        ctx,
        found,
        values=form.values(),
        errors=errors,
        status_code=400 if "_deal" not in errors else 409,
    )


@router.post("/{live_id}/deals/{deal_id}/cancel")
async def stop_deal(
    request: Request,
    shop_id: str,
    live_id: str,
    deal_id: str,
    visitor: MemberDep,
    session: SessionDep,
    rt: RuntimeDep,
) -> Response:
    await read_form(request)
    user = user_of(visitor)
    ctx = await seller_shop(session, user, shop_id)
    found = await _live_of(session, user, ctx, live_id)
    here = f"{ctx.base}/live/{found.id}"
    did = parse_id(deal_id) or 0
    try:
        await attempt(session, lambda: flash.cancel_deal(session, user, did, now=rt.clock.now()))
    except HawkerError as exc:
        return redirect(request, here, flash=exc.message, level="error")
    return redirect(request, here, flash="The flash deal is stopped; its units are back in stock.")
