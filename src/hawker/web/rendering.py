"""Rendering pages: the Jinja environment, display filters, flash messages, redirects.

Autoescape is on for every template and no template marks user data safe, so anything a
user typed is shown as text. Pages are sent with a strict Content-Security-Policy (scripts,
styles and images from Hawker itself only) and are never cached, since they carry the
visitor's data and a CSRF token.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from hawker.config import Settings
from hawker.kit.clock import as_utc
from hawker.kit.money import Money
from hawker.web import csrf, navigation

if TYPE_CHECKING:
    from hawker.web.visitor import Visitor

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATE_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
FLASH_COOKIE = "hawker_flash"
_FLASH_SALT = "hawker.web.flash"
MAX_FLASHES = 4


def content_security_policy(media_origins: Sequence[str] = ()) -> str:
    """Scripts, styles, pictures and sockets from Hawker only; video also from the media
    server's origins a page names (the live room's HLS playlist)."""
    media = " ".join(["'self'", "blob:", *media_origins])
    return "; ".join(
        [
            "default-src 'self'",
            "img-src 'self' data: blob:",
            f"media-src {media}",
            "style-src 'self'",
            "script-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


CONTENT_SECURITY_POLICY = content_security_policy()
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _static_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.glob("*")):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


# Display filters ------------------------------------------------------------------------------


def money(amount_minor: int, currency: str, locale: str = "en_US") -> str:
    """2999, "USD", "en_US" -> "$29.99"; 2999, "EUR", "de_DE" -> "29,99 €"."""
    return Money(amount_minor, currency).format(locale)


def major_units(amount_minor: int | None, currency: str) -> str:
    """The plain decimal a price field shows for editing: 2999 USD -> "29.99"."""
    if amount_minor is None:
        return ""
    return Money(amount_minor, currency).decimal_string()


def when(value: datetime | None, timezone: str = "UTC", locale: str = "en_US") -> str:
    """A moment in the market's time zone and locale, e.g. "Jan 5, 2026, 4:00:00 AM"."""
    if value is None:
        return ""
    return str(format_datetime(as_utc(value), "medium", tzinfo=ZoneInfo(timezone), locale=locale))


def day(value: datetime | None, timezone: str = "UTC", locale: str = "en_US") -> str:
    if value is None:
        return ""
    local = as_utc(value).astimezone(ZoneInfo(timezone))
    return str(format_date(local.date(), "medium", locale=locale))


def day_of(value: date | None, locale: str = "en_US") -> str:
    """A calendar date in the locale's medium format, e.g. "Jan 7, 2026"."""
    if value is None:
        return ""
    return str(format_date(value, "medium", locale=locale))


def label(value: str | None) -> str:
    """A status code as words: "AWAITING_SHIPMENT" -> "Awaiting shipment"."""
    if not value:
        return ""
    return navigation.STATUS_LABELS.get(value, value.replace("_", " ").capitalize())


def tone(value: str | None) -> str:
    """The badge colour of a status: good, wait, bad or neutral."""
    return navigation.STATUS_TONES.get(value or "", "neutral")


def query(base: str, params: Mapping[str, Any], **changes: Any) -> str:
    """`base` with the query `params` updated by `changes` (None or "" drops a key)."""
    merged = {**params, **changes}
    kept = {k: v for k, v in merged.items() if v is not None and v != ""}
    return f"{base}?{urlencode(kept)}" if kept else base


def _build_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        money=money,
        when=when,
        day=day,
        day_of=day_of,
        label=label,
        tone=tone,
        major_units=major_units,
    )
    env.globals.update(
        money=money,
        query=query,
        static_version=_static_version(),
        buyer_tabs=navigation.BUYER_TABS,
        seller_sections=navigation.SELLER_SECTIONS,
        operator_sections=navigation.OPERATOR_SECTIONS,
    )
    return env


templates = _build_env()


# Flash messages -------------------------------------------------------------------------------


def _flash_serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt=_FLASH_SALT)


def read_flashes(request: Request, settings: Settings) -> list[tuple[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        data = _flash_serializer(settings).loads(raw)
    except BadSignature:
        return []
    if not isinstance(data, list):
        return []
    return [
        (str(item[0]), str(item[1]))
        for item in data[:MAX_FLASHES]
        if isinstance(item, list) and len(item) == 2
    ]


def set_flash(response: Response, settings: Settings, message: str, level: str = "success") -> None:
    value = _flash_serializer(settings).dumps([[level, message[:300]]])
    response.set_cookie(
        FLASH_COOKIE, value, httponly=True, samesite="lax", secure=settings.cookie_secure
    )


# Responses ------------------------------------------------------------------------------------


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.runtime.settings
    return settings


def render(
    request: Request,
    template: str,
    visitor: Visitor | None,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    media_origins: Sequence[str] = (),
) -> HTMLResponse:
    """Render a page, with the visitor, flash messages and a CSRF token for its forms.

    `media_origins`: other origins the page plays video from (added to its CSP)."""
    settings = settings_of(request)
    flashes = read_flashes(request, settings)
    token = csrf.issue(request, settings)
    html = templates.get_template(template).render(
        {
            **(context or {}),
            "request": request,
            "visitor": visitor,
            "csrf_token": token,
            "flashes": flashes,
            "current_path": request.url.path,
        }
    )
    headers = PAGE_HEADERS
    if media_origins:
        policy = content_security_policy(media_origins)
        headers = {**PAGE_HEADERS, "Content-Security-Policy": policy}
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    csrf.set_presession_cookie(request, response, settings)
    if request.cookies.get(FLASH_COOKIE):
        response.delete_cookie(FLASH_COOKIE)
    return response


def redirect(
    request: Request, url: str, *, flash: str | None = None, level: str = "success"
) -> RedirectResponse:
    """Post/Redirect/Get: a 303 to `url`, carrying a message for the next page."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        set_flash(response, settings_of(request), flash, level)
    return response


def safe_next(value: str | None, default: str = "/") -> str:
    """A local path to go back or on to; anything that could leave the site gives `default`."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    if any(ch in value for ch in ("\r", "\n", "\\")):
        return default
    return value
