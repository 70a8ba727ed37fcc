"""Schema pieces shared by every domain's API: string ids, money, pages."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema

from hawker.kit.money import Money

MAX_ID = 2**63 - 1  # ids are signed 64-bit integers in the database


def _parse_id(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError("id must be a string of digits")
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        value = int(value)
    if isinstance(value, int) and 0 <= value <= MAX_ID:
        return value
    raise ValueError("id must be a string of digits below 2^63")


# 64-bit ids travel as strings in JSON (JavaScript cannot hold them as numbers).
Id = Annotated[
    int,
    BeforeValidator(_parse_id),
    PlainSerializer(lambda v: str(v), return_type=str, when_used="json"),
    WithJsonSchema(
        {"type": "string", "pattern": "^[0-9]{1,19}$", "examples": ["7391223372036854"]}
    ),
]


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class MoneyOut(Schema):
    amount_minor: int
    currency: str
    amount: str  # decimal string in major units, e.g. "29.99"
    formatted: str  # localised display, e.g. "$29.99" or "29,99 €"

    @classmethod
    def of(cls, amount_minor: int, currency: str, locale: str = "en_US") -> MoneyOut:
        m = Money(amount_minor, currency)
        return cls(
            amount_minor=amount_minor,
            currency=currency,
            amount=m.decimal_string(),
            formatted=m.format(locale),
        )


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None
