"""CSRF protection for every form post.

A token is the signed (itsdangerous, keyed by `settings.secret_key`) digest of the visitor's
session cookie, or of a random pre-session cookie for visitors who are not logged in. A
post is accepted only with a token that verifies, is younger than TOKEN_MAX_AGE, and was
made for the cookie the request carries now: a page of another site cannot read the
visitor's cookies, so it cannot forge a token for them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from hawker.config import Settings
from hawker.errors import PermissionDenied

FIELD = "csrf_token"
PRESESSION_COOKIE = "hawker_presession"
TOKEN_MAX_AGE = 12 * 3600
PRESESSION_MAX_AGE = 30 * 24 * 3600
_SALT = "hawker.web.csrf"


class CsrfRefused(PermissionDenied):
    """This form has expired or did not come from a Hawker page."""

    code = "csrf_failed"


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=_SALT)


def _digest(cookie_value: str) -> str:
    return hashlib.sha256(cookie_value.encode()).hexdigest()[:32]


def _bound_cookie(request: Request, settings: Settings) -> str | None:
    """The cookie value tokens of this request are bound to (session first)."""
    session = request.cookies.get(settings.session_cookie)
    if session:
        return session
    fresh: str | None = getattr(request.state, "new_presession", None)
    return fresh or request.cookies.get(PRESESSION_COOKIE) or None


def issue(request: Request, settings: Settings) -> str:
    """A token for forms on the page being rendered (makes a pre-session cookie if needed)."""
    cookie = _bound_cookie(request, settings)
    if cookie is None:
        cookie = secrets.token_urlsafe(24)
        request.state.new_presession = cookie
    return str(_serializer(settings).dumps(_digest(cookie)))


def set_presession_cookie(request: Request, response: Response, settings: Settings) -> None:
    """Send the pre-session cookie `issue` made for this request, if it made one."""
    fresh: str | None = getattr(request.state, "new_presession", None)
    if fresh:
        response.set_cookie(
            PRESESSION_COOKIE,
            fresh,
            max_age=PRESESSION_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=settings.cookie_secure,
        )


def verify(request: Request, settings: Settings, token: str | None) -> None:
    """Raise CsrfRefused unless `token` was issued for this visitor's cookie, recently."""
    cookie = _bound_cookie(request, settings)
    if not token or cookie is None:
        raise CsrfRefused("This form has expired or did not come from a Hawker page.")
    try:
        bound = _serializer(settings).loads(token, max_age=TOKEN_MAX_AGE)
    except BadSignature as exc:
        raise CsrfRefused("This form has expired or did not come from a Hawker page.") from exc
    if not isinstance(bound, str) or not hmac.compare_digest(bound, _digest(cookie)):
        raise CsrfRefused("This form has expired or did not come from a Hawker page.")
