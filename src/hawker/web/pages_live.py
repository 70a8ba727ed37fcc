"""Watching and buying: the live room, the list of lives, replays and shoppable videos.

The room page is rendered whole on the server (picture, pinned product, bag, recent
comments), so it reads without scripts; /static/live.js then joins the room's WebSocket
(snapshot, then coalesced frames) and keeps everything current. Buying from the room takes
two taps: the product card opens a sheet with its options and "Buy now" (the cart and the
checkout, then back to the room), or for a live flash deal the deal's own buy endpoint.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import Query, Request, Response

from hawker.deps import RuntimeDep, SessionDep
from hawker.errors import NotFound
from hawker.flash import service as flash
from hawker.live import deal_hook, moderation, replays
from hawker.live import service as live
from hawker.live.room import RECENT_COMMENTS
from hawker.media import service as media
from hawker.models import LiveStatus, User
from hawker.payments.simulator import TEST_CARDS
from hawker.routing import router as make_router
from hawker.web.feed import lives_page
from hawker.web.forms import parse_id
from hawker.web.rendering import render
from hawker.web.visitor import VisitorDep

router = make_router(include_in_schema=False)

Cursor = Annotated[str | None, Query(max_length=500)]


class PageNotFound(NotFound):
    """We couldn't find that page."""

    code = "page_not_found"


def _id_or_404(value: str) -> int:
    parsed = parse_id(value)
    if parsed is None:
        raise PageNotFound("We couldn't find that page.")
    return parsed


def origin_of(url: str) -> str | None:
    """The origin (scheme://host:port) of an absolute URL; None for a path on this site."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def login_path(next_path: str) -> str:
    return f"/login?next={quote(next_path, safe='')}"


async def _saved_address(session: SessionDep, user: User | None) -> dict[str, str] | None:
    """Where the buyer's last order went: a flash deal ships there unless they change it."""
    if user is None:
        return None
    order = await flash.last_order(session, user.id)
    if order is None:
        return None
    return {
        "name": order.recipient_name,
        "phone": order.recipient_phone,
        "line1": order.address_line1,
        "line2": order.address_line2 or "",
        "city": order.city,
        "region": order.region or "",
        "postal_code": order.postal_code,
        "country_code": order.country_code,
    }


# Lives ----------------------------------------------------------------------------------------


@router.get("/live")
async def lives(
    request: Request, visitor: VisitorDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    feed = await lives_page(session, rt.broker)
    context = {"section": "live", "feed": feed, "now": rt.clock.now()}
    return render(request, "buyer/lives.html", visitor, context)


@router.get("/live/{live_id}")
async def room(
    request: Request, live_id: str, visitor: VisitorDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    lid = _id_or_404(live_id)
    view = await live.get_view(session, rt.broker, lid, settings=rt.settings)
    locale = await live.market_locale(session, view.live)
    comments = await moderation.recent_payloads(session, lid, RECENT_COMMENTS)
    deal = await deal_hook.current_deal(session, lid)
    user = visitor.user
    country = view.shop.market_code if view.shop else (view.host.market_code or "US")
    playback = view.playback
    origins: list[str] = []
    if playback and (origin := origin_of(str(playback["url"]))):
        origins.append(origin)
    path = f"/live/{lid}"
    data: dict[str, Any] = {
        "session_id": str(lid),
        "socket": f"/api/v1/live/sessions/{lid}/ws",
        "status": view.live.status,
        "logged_in": user is not None,
        "login": login_path(path),
        "address": await _saved_address(session, user),
        "country": country,
    }
    return render(
        request,
        "buyer/room.html",
        visitor,
        {
            "section": "live",
            "view": view,
            "live": view.live,
            "locale": locale,
            "market": visitor.market_of(country),
            "playback": playback,
            "comments": comments,
            "deal": deal,
            "room_data": data,
            "test_cards": TEST_CARDS,
            "room_path": path,
            "login_url": login_path(path),
            "is_host": await live.is_host(session, user, view.live),
            "has_replay": view.live.status == LiveStatus.ENDED
            and view.live.replay_video_id is not None,
        },
        media_origins=origins,
    )


@router.get("/live/{live_id}/replay")
async def replay(
    request: Request, live_id: str, visitor: VisitorDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    lid = _id_or_404(live_id)
    found = await replays.get_replay(session, lid)
    view = await live.get_view(session, rt.broker, lid, settings=rt.settings)
    moments = [
        {"product": m.product, "at_ms": m.at_ms, "until_ms": m.until_ms} for m in found.moments
    ]
    return render(
        request,
        "buyer/replay.html",
        visitor,
        {
            "section": "live",
            "replay": found,
            "view": view,
            "moments": moments,
            "back": f"/live/{lid}/replay",
        },
    )


# Videos ---------------------------------------------------------------------------------------


@router.get("/videos/{video_id}")
async def video_page(
    request: Request, video_id: str, visitor: VisitorDep, session: SessionDep
) -> Response:
    vid = _id_or_404(video_id)
    found = await media.get_video(session, vid, visitor.user)
    return render(
        request,
        "buyer/video.html",
        visitor,
        {
            "section": "home",
            "found": found,
            "video": found.video,
            "back": f"/videos/{vid}",
            "login_url": login_path(f"/videos/{vid}"),
        },
    )
