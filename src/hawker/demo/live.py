"""Shoppable videos and live rooms for the demo: generated on the spot, cheap on CPU.

For the demo seeder:

- `render_product_video(picture, name, out_mp4, out_poster)` draws a short H.264 MP4 (with
  PyAV) that shows a product's picture with a gentle zoom and its name;
- `seed_product_video(session, ...)` renders one into the media folder and registers it as a
  READY video tagged with its product;
- `create_demo_live(session, ...)` schedules a live and, as asked, starts it looping a video
  with a pinned product, or runs it through to its end (so it has a replay);
- `simulate_room(rt, session_id, stop_event)` keeps a live room busy while the demo runs:
  simulated viewers comment a few times a second and like.
"""

from __future__ import annotations

import asyncio
import io
import logging
import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts import service as accounts
from hawker.config import Settings
from hawker.errors import HawkerError
from hawker.kit.ids import new_id
from hawker.live import events, moderation, statistics
from hawker.live import service as live
from hawker.media import service as media
from hawker.media.cards import product_cards
from hawker.media.transcode import Transcoded
from hawker.models import LiveSession, LiveStatus, User, UserRole, Video
from hawker.runtime import Runtime

log = logging.getLogger("hawker.demo")

VIDEO_SIZE = (360, 640)  # portrait, like a phone
VIDEO_FPS = 20
VIEWER_EMAIL = "viewer{n}@hawker-demo.com"
VIEWER_NAMES = [
    "Maya",
    "Jonas",
    "Aiko",
    "Leo",
    "Priya",
    "Mateo",
    "Sofia",
    "Kwame",
    "Lena",
    "Omar",
    "Chloe",
    "Ravi",
]
COMMENTS = [
    "Does the {product} come in other colours?",
    "Just ordered the {product}! 🛍️",
    "How long does shipping take?",
    "😍😍😍",
    "Is the {product} true to size?",
    "Love this!",
    "Can you show the back?",
    "What's the material?",
    "That price is a steal 🔥",
    "Hi from Lisbon 👋",
    "Is there a discount code?",
    "Bought one last week, it's great",
    "Show the {product} again please",
    "Wow 👏",
    "Adding to cart now",
]


# Videos -------------------------------------------------------------------------------------


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _picture(picture: bytes | Path) -> Image.Image:
    data = picture.read_bytes() if isinstance(picture, Path) else picture
    with Image.open(io.BytesIO(data)) as img:
        return img.convert("RGB")


def _backdrop(picture: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The picture blurred-free on a soft backdrop of its own average colour."""
    colour = picture.resize((1, 1)).getpixel((0, 0))
    assert isinstance(colour, tuple)
    return Image.new("RGB", size, tuple(int(c * 0.9) for c in colour[:3]))


def _frame(
    base: Image.Image,
    picture: Image.Image,
    name: str,
    t: float,
    size: tuple[int, int],
) -> Image.Image:
    width, height = size
    frame = base.copy()
    # a gentle zoom (Ken Burns): from 100% to 112% of the square picture's width
    zoom = 1.0 + 0.12 * t
    side = int(width * 0.92 * zoom)
    shown = picture.resize((side, side), Image.Resampling.BILINEAR)
    crop = max(0, (side - int(width * 0.92)) // 2)
    inner = int(width * 0.92)
    shown = shown.crop((crop, crop, crop + inner, crop + inner))
    top = (height - inner) // 2 - 40
    frame.paste(shown, ((width - inner) // 2, top))
    draw = ImageDraw.Draw(frame)
    font = _font(26)
    text = name if len(name) <= 24 else name[:23] + "…"
    text_w = draw.textlength(text, font=font)
    y = top + inner + 28
    draw.rounded_rectangle(
        ((width - text_w) / 2 - 18, y - 10, (width + text_w) / 2 + 18, y + 40),
        radius=18,
        fill=(255, 255, 255),
    )
    draw.text(((width - text_w) / 2, y), text, fill=(25, 25, 35), font=font)
    badge = _font(20)
    label_w = draw.textlength("SHOP NOW", font=badge)
    draw.rounded_rectangle((16, 16, 44 + label_w, 50), radius=12, fill=(255, 45, 85))
    draw.text((30, 21), "SHOP NOW", fill=(255, 255, 255), font=badge)
    return frame


def render_product_video(
    picture: bytes | Path,
    name: str,
    out_mp4: Path,
    out_poster: Path,
    *,
    seconds: float = 4.0,
    size: tuple[int, int] = VIDEO_SIZE,
    fps: int = VIDEO_FPS,
) -> Transcoded:
    """A short H.264 MP4 of the product's picture with a gentle zoom and its name, and a
    JPEG poster. Blocking; about a second of CPU for four seconds of video."""
    import av

    img = _picture(picture)
    side = min(img.size)
    left, top = (img.width - side) // 2, (img.height - side) // 2
    img = img.crop((left, top, left + side, top + side))
    base = _backdrop(img, size)
    frames = max(1, int(seconds * fps))
    out_mp4.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_mp4.with_name(out_mp4.name + ".part")
    poster: Image.Image | None = None
    with av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "28", "profile": "main"}
        for i in range(frames):
            picture_now = _frame(base, img, name, i / max(1, frames - 1), size)
            if i == frames // 3:
                poster = picture_now
            frame = av.VideoFrame.from_image(picture_now)  # type: ignore[no-untyped-call]
            frame = frame.reformat(format="yuv420p")
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    tmp.replace(out_mp4)
    (poster or base).save(out_poster, format="JPEG", quality=85)
    return Transcoded(
        width=size[0], height=size[1], duration_ms=frames * 1000 // fps, has_audio=False
    )


async def seed_product_video(
    session: AsyncSession,
    *,
    settings: Settings,
    owner_id: int,
    shop_id: int | None,
    title: str,
    picture: bytes | Path,
    product_ids: Sequence[int],
    now: datetime,
    description: str = "",
    seconds: float = 4.0,
) -> Video:
    """Render a product video into the media folder and register it READY, tagged with its
    products (the first from the start, the others spread over the video)."""
    video_id = new_id()
    folder = media.video_dir(settings.media_dir, video_id)
    mp4, poster = folder / "video.mp4", folder / "poster.jpg"
    made = await asyncio.to_thread(
        render_product_video, picture, title, mp4, poster, seconds=seconds
    )
    step = made.duration_ms // max(1, len(product_ids))
    return await media.add_ready_video(
        session,
        owner_id=owner_id,
        shop_id=shop_id,
        title=title,
        description=description,
        mp4_path=mp4,
        poster_path=poster,
        width=made.width,
        height=made.height,
        duration_ms=made.duration_ms,
        settings=settings,
        now=now,
        tags=[(pid, i * step) for i, pid in enumerate(product_ids)],
        video_id=video_id,
    )


# Lives --------------------------------------------------------------------------------------


async def create_demo_live(
    session: AsyncSession,
    *,
    settings: Settings,
    broker: Any,
    host_id: int,
    shop_id: int | None,
    title: str,
    product_ids: Sequence[int],
    now: datetime,
    state: str = "LIVE",
    loop_video_id: int | None = None,
    scheduled_at: datetime | None = None,
    pin_product_id: int | None = None,
    ended_after: timedelta = timedelta(minutes=20),
) -> LiveSession:
    """A demo live in `state`: SCHEDULED; LIVE (looping `loop_video_id`, with the product
    pinned); or ENDED (ran for `ended_after` from `now` with the product pinned midway, so its
    replay has a product moment). Room events are not published (the seeder runs first)."""
    host = await session.get(User, host_id)
    if host is None:
        raise ValueError(f"no user {host_id}")
    created = await live.create_live(
        session,
        host,
        title=title,
        shop_id=shop_id,
        scheduled_at=scheduled_at or now,
        product_ids=product_ids,
        loop_video_id=loop_video_id,
        settings=settings,
        now=now,
    )
    if state == LiveStatus.SCHEDULED:
        return created
    await live.start_live(session, host, created.id, settings=settings, now=now)
    pin = (
        pin_product_id if pin_product_id is not None else (product_ids[0] if product_ids else None)
    )
    if state == LiveStatus.LIVE:
        if pin is not None:
            await live.pin(session, host, created.id, pin, now=now)
        return created
    if pin is not None:
        await live.pin(session, host, created.id, pin, now=now + ended_after / 3)
    await live.end_live(session, broker, host, created.id, settings=settings, now=now + ended_after)
    return created


async def _viewers(rt: Runtime, count: int) -> list[User]:
    """The demo's simulated viewers (buyers with unusable passwords), made on first use."""
    emails = [VIEWER_EMAIL.format(n=n) for n in range(1, count + 1)]
    async with rt.db.session() as s:
        found = {u.email: u for u in await s.scalars(select(User).where(User.email.in_(emails)))}
        for n, email in enumerate(emails):
            if email not in found:
                found[email] = await accounts.create_user(
                    s,
                    email=email,
                    password="",
                    password_hash="!simulated-viewer",
                    display_name=VIEWER_NAMES[n % len(VIEWER_NAMES)],
                    role=UserRole.BUYER,
                    now=rt.clock.now(),
                )
        return [found[e] for e in emails]


async def _bag_names(rt: Runtime, session_id: int) -> list[str]:
    async with rt.db.read_session() as s:
        view = await live.get_view(s, rt.broker, session_id, settings=rt.settings)
        cards = await product_cards(s, [c.id for c in view.bag])
    return [c.title for c in cards.values()] or ["this"]


async def simulate_room(
    rt: Runtime,
    session_id: int,
    stop_event: asyncio.Event,
    *,
    viewers: int = 8,
    comments_per_second: float = 1.5,
    likes_per_second: float = 6.0,
    audience: int = 37,
    seed: int | None = None,
) -> None:
    """Keep a LIVE room looking alive until `stop_event` is set or the live ends.

    Simulated viewers comment through the same rules as people (rate limits included) and
    like in small batches; `audience` extra viewers are added to the room's viewer count
    while it runs. Each action is one short write and one broker message.
    """
    rng = random.Random(seed)
    people = await _viewers(rt, viewers)
    products = await _bag_names(rt, session_id)
    broker = rt.broker
    viewers_key = statistics.key(session_id, "viewers")
    await broker.incr(viewers_key, audience)
    await broker.incr(statistics.key(session_id, "unique"), audience + len(people))
    await broker.max_int(statistics.key(session_id, "peak"), await broker.get_int(viewers_key))
    next_comment = next_like = 0.0
    loop = asyncio.get_running_loop()
    try:
        while not stop_event.is_set():
            now = loop.time()
            if now >= next_comment:
                next_comment = now + rng.expovariate(comments_per_second)
                if not await _comment(rt, session_id, rng.choice(people), rng, products):
                    return
            if now >= next_like:
                next_like = now + 0.5
                taps = max(1, int(rng.gauss(likes_per_second / 2, 1.5)))
                total = await broker.incr(statistics.key(session_id, "likes"), taps)
                await events.publish(broker, session_id, [events.likes(total)])
            await asyncio.sleep(min(0.25, max(0.02, min(next_comment, next_like) - loop.time())))
    finally:
        await broker.incr(viewers_key, -audience)


async def _comment(
    rt: Runtime, session_id: int, user: User, rng: random.Random, products: list[str]
) -> bool:
    text = rng.choice(COMMENTS).format(product=rng.choice(products))
    try:
        async with rt.db.session() as s:
            posted = await moderation.post_comment(
                s,
                rt.broker,
                live_id=session_id,
                user=user,
                text=text,
                settings=rt.settings,
                now=rt.clock.now(),
            )
    except moderation.LiveNotLive:
        return False  # the live ended: stop
    except HawkerError as exc:  # rate limited, muted by the host...: skip this one
        log.debug("simulated comment refused: %s", exc.code)
        return True
    await rt.broker.incr(statistics.key(session_id, "comments"))
    await events.publish(rt.broker, session_id, [posted.event])
    return True
