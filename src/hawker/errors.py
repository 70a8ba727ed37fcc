"""One error hierarchy, one handler: `{"error": {"code", "message", "details"}}`."""

from __future__ import annotations

from typing import Any

from hawker.kit.pagination import InvalidCursor, cursor_id


class HawkerError(Exception):
    status_code = 500
    code = "internal_error"

    def __init__(self, message: str | None = None, details: Any = None) -> None:
        self.message = message or self.__class__.__doc__ or self.code
        self.details = details
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(HawkerError):
    """The request is not valid."""

    status_code = 400
    code = "bad_request"


class NotAuthenticated(HawkerError):
    """Log in first."""

    status_code = 401
    code = "not_authenticated"


class PermissionDenied(HawkerError):
    """You may not do that."""

    status_code = 403
    code = "permission_denied"


class NotFound(HawkerError):
    """Not found."""

    status_code = 404
    code = "not_found"


class Conflict(HawkerError):
    """The request conflicts with the current state."""

    status_code = 409
    code = "conflict"


class RateLimited(HawkerError):
    """Too many requests; slow down."""

    status_code = 429
    code = "rate_limited"


class InvalidState(Conflict):
    """That is not allowed in the current state."""

    code = "invalid_state"


class InvalidCursorError(BadRequest):
    """The cursor is not valid; start again from the first page."""

    code = "invalid_cursor"


def id_after_cursor(cursor: str | None) -> int | None:
    """The id a list cursor points after (None for the first page).

    A cursor Hawker did not issue answers 400 invalid_cursor. Every keyset list uses this.
    """
    if cursor is None:
        return None
    try:
        return cursor_id(cursor)
    except InvalidCursor as exc:
        raise InvalidCursorError(
            "The cursor is not valid; start again from the first page."
        ) from exc
