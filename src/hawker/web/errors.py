"""Friendly error pages for people; the JSON API keeps its JSON errors.

`install_error_pages` wraps the application's error handlers: a request outside /api whose
Accept header asks for HTML gets a page (never a stack trace); everything else gets the
JSON answer the API has always given. A page that needs a login sends the visitor to the
login page and back.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hawker.accounts import service as accounts
from hawker.errors import HawkerError, NotAuthenticated
from hawker.regions import service as regions
from hawker.runtime import Runtime
from hawker.web.rendering import render, safe_next
from hawker.web.visitor import MARKET_COOKIE, Visitor, choose_market

log = logging.getLogger("hawker.web")

Handler = Callable[[Request, Exception], Awaitable[Response]]
AnyHandler = Callable[[Request, Any], Response | Awaitable[Response]]

TITLES = {
    400: "That didn't work",
    401: "Please log in",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed here",
    409: "That changed meanwhile",
    413: "That's too large",
    415: "That file type isn't supported",
    429: "Slow down a little",
    500: "Something went wrong",
}

GENERIC = {
    404: "We couldn't find what you were looking for. It may have been moved or taken down.",
    405: "This page can't be used that way.",
    500: "Something went wrong on our side. Please try again in a moment.",
}


def wants_html(request: Request) -> bool:
    """A person's browser asking for a page (not the API, not a script)."""
    if request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "")


async def _visitor(request: Request) -> Visitor | None:
    """Who is looking, for the page header; None when that cannot be worked out."""
    rt: Runtime = request.app.state.runtime
    try:
        async with rt.db.read_session() as session:
            token = request.cookies.get(rt.settings.session_cookie)
            user = (
                await accounts.user_for_token(session, token, now=rt.clock.now()) if token else None
            )
            markets = await regions.list_markets(session)
            if not markets:
                return None
            code = user.market_code if user else None
            market = choose_market(markets, code, request.cookies.get(MARKET_COOKIE))
            return Visitor(user=user, market=market, markets=markets, cart_count=0)
    except Exception:  # the error page must not fail in turn
        log.warning("could not load the visitor for an error page", exc_info=True)
        return None


async def error_page(request: Request, status: int, message: str | None = None) -> Response:
    visitor = await _visitor(request) if status < 500 else None
    return render(
        request,
        "error.html",
        visitor,
        {
            "status": status,
            "title": TITLES.get(status, "That didn't work"),
            "message": message or GENERIC.get(status, "The request could not be completed."),
            "back": same_site_referer(request),
        },
        status_code=status,
    )


def same_site_referer(request: Request) -> str | None:
    """The page the visitor came from, if it was one of ours (for a "Go back" link)."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc or not referer.path.startswith("/"):
        return None
    if referer.path == request.url.path:
        return None
    return safe_next(referer.path + (f"?{referer.query}" if referer.query else ""), "") or None


def login_redirect(request: Request) -> Response:
    target = request.url.path
    if request.method == "GET" and request.url.query:
        target = f"{target}?{request.url.query}"
    elif request.method != "GET":
        target = "/"
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def _wrap(previous: AnyHandler, page: Handler) -> Handler:
    async def handler(request: Request, exc: Exception) -> Response:
        if wants_html(request):
            return await page(request, exc)
        answer = previous(request, exc)
        return await answer if inspect.isawaitable(answer) else answer

    return handler


async def _hawker_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HawkerError)
    if isinstance(exc, NotAuthenticated):
        return login_redirect(request)
    if exc.status_code >= 500:
        log.error("error on a page: %s", exc.code)
        return await error_page(request, exc.status_code)
    return await error_page(request, exc.status_code, exc.message)


async def _http_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    message = GENERIC.get(status) or (str(exc.detail) if status < 500 else None)
    return await error_page(request, status, message)


async def _validation_page(request: Request, exc: Exception) -> Response:
    return await error_page(request, 404)


async def _crash_page(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on a page", exc_info=exc)
    return await error_page(request, 500)


def install_error_pages(app: FastAPI) -> None:
    """Make the app's error handlers answer pages to browsers (call after the API's)."""
    pages: dict[type[Exception], Handler] = {
        HawkerError: _hawker_page,
        StarletteHTTPException: _http_page,
        RequestValidationError: _validation_page,
        Exception: _crash_page,
    }
    for exc_class, page in pages.items():
        previous = app.exception_handlers.get(exc_class)
        if previous is None:
            continue
        app.add_exception_handler(exc_class, _wrap(previous, page))
