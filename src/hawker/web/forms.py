"""Form posts: the CSRF check, reading fields, validation messages next to fields, and
running a service call so a refusal leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData, UploadFile

from hawker.kit.money import Money, exponent
from hawker.web import csrf
from hawker.web.rendering import settings_of

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

MAX_FIELDS = 400
MAX_FILES = 9


class Form:
    """The fields of a posted form, whitespace-trimmed, with the uploaded files."""

    def __init__(self, data: FormData) -> None:
        self._data = data

    def get(self, name: str, default: str = "") -> str:
        value = self._data.get(name)
        return value.strip() if isinstance(value, str) else default

    def raw(self, name: str) -> str:
        """The field exactly as typed (passwords keep their spaces)."""
        value = self._data.get(name)
        return value if isinstance(value, str) else ""

    def getlist(self, name: str) -> list[str]:
        return [v.strip() for v in self._data.getlist(name) if isinstance(v, str)]

    def checked(self, name: str) -> bool:
        return self.get(name) not in ("", "0", "off", "false")

    def files(self, name: str) -> list[UploadFile]:
        """Files chosen in a file input (an empty input posts one nameless, empty part)."""
        return [f for f in self._data.getlist(name) if isinstance(f, UploadFile) and f.filename]

    def values(self) -> dict[str, str]:
        """Every text field (first value of each), for putting the input back in the form."""
        out: dict[str, str] = {}
        for key, value in self._data.multi_items():
            if isinstance(value, str) and key not in out and key != csrf.FIELD:
                out[key] = value
        return out


async def read_form(request: Request) -> Form:
    """The posted form, after its CSRF token has been checked (403 page otherwise)."""
    data = await request.form(max_files=MAX_FILES, max_fields=MAX_FIELDS)
    token = data.get(csrf.FIELD)
    csrf.verify(request, settings_of(request), token if isinstance(token, str) else None)
    return Form(data)


class FieldErrors(dict[str, str]):
    """Messages keyed by form field name; "_form" is for the form as a whole."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, message)


def _message(error: Any) -> str:
    text = str(error.get("msg", "This value is not valid."))
    for prefix in ("Value error, ", "Assertion failed, "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text[:1].upper() + text[1:]


def validate(
    model: type[M],
    data: dict[str, Any],
    errors: FieldErrors,
    *,
    field_name: Callable[[tuple[Any, ...]], str] | None = None,
) -> M | None:
    """`model` built from `data`, or None with a message per failing field in `errors`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error.get("loc", ()))
            name = field_name(loc) if field_name else ".".join(str(p) for p in loc)
            errors.add(name or "_form", _message(error))
        return None


def parse_price(text: str, currency: str) -> int:
    """A price typed in major units ("19.99", "1,500") as minor units; ValueError if bad."""
    cleaned = text.replace(" ", "").replace(",", "")
    if not cleaned:
        raise ValueError("Enter a price.")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError("Enter a price as a number, like 19.99.") from exc
    if not value.is_finite() or value <= 0:
        raise ValueError("Enter a price above zero.")
    places = exponent(currency)
    try:
        return Money.from_decimal(value, currency).amount_minor
    except ValueError as exc:
        raise ValueError(
            f"{currency} prices have {places} decimal place{'s' if places != 1 else ''} at most."
        ) from exc


def parse_int(text: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    try:
        value = int(text.replace(" ", ""))
    except ValueError as exc:
        raise ValueError("Enter a whole number.") from exc
    if minimum is not None and value < minimum:
        raise ValueError(f"Enter {minimum} or more.")
    if maximum is not None and value > maximum:
        raise ValueError(f"Enter {maximum} or less.")
    return value


def parse_id(text: str | None) -> int | None:
    """A 64-bit id from a form or a URL; None for anything that cannot be one."""
    if not text or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if 0 < value < 2**63 else None


def first_error_fields(errors: FieldErrors, order: Iterable[str]) -> str | None:
    """The first field (in page order) with an error, for focusing it."""
    for name in order:
        if name in errors:
            return name
    return None


async def attempt(session: AsyncSession, action: Callable[[], Awaitable[T]]) -> T:
    """Run a service call in a savepoint: if it raises, everything it wrote is undone.

    A page that catches the error to show it next to the form then commits only what
    happened before (or nothing), never half of a refused change.
    """
    async with session.begin_nested():
        return await action()
