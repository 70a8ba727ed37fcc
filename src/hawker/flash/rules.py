"""The rules of live flash deals as plain functions (RULES.md, "Live selling").

- announced with a countdown of 10-300 s, runs 1-20 min;
- the deal price is below the product's lowest price of the last 30 days;
- a stock cap for the deal and a per-buyer limit;
- a deal whose stock is gone ends early.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from hawker.errors import BadRequest, Conflict, HawkerError
from hawker.models import FlashDealStatus

COUNTDOWN_MIN_SECONDS = 10
COUNTDOWN_MAX_SECONDS = 300
DURATION_MIN_MINUTES = 1
DURATION_MAX_MINUTES = 20
LOWEST_PRICE_DAYS = 30
MAX_STOCK_CAP = 1_000_000
MAX_PER_BUYER = 99

OPEN_STATUSES = (FlashDealStatus.COUNTDOWN, FlashDealStatus.LIVE)
CLOSED_STATUSES = (FlashDealStatus.ENDED, FlashDealStatus.CANCELLED)


# --- errors (stable codes) --------------------------------------------------------------


class InvalidDeal(BadRequest):
    """The deal's terms break a rule."""

    code = "invalid_deal"


class CountdownOutOfRange(InvalidDeal):
    """The countdown must be 10-300 seconds."""

    code = "countdown_out_of_range"


class DurationOutOfRange(InvalidDeal):
    """A deal runs 1-20 minutes."""

    code = "duration_out_of_range"


class PriceNotBelowLowest(InvalidDeal):
    """The deal price must be below the lowest price of the last 30 days."""

    code = "price_not_below_lowest"


class InvalidStockCap(InvalidDeal):
    """The stock cap must be at least 1."""

    code = "invalid_stock_cap"


class InvalidBuyerLimit(InvalidDeal):
    """The per-buyer limit must be between 1 and the stock cap."""

    code = "invalid_buyer_limit"


class CurrencyMismatch(InvalidDeal):
    """The deal price must be in the product's currency."""

    code = "currency_mismatch"


class Refusal(HawkerError):
    """A buy press that did not become an order."""


class SoldOut(Refusal):
    """Sold out."""

    status_code = 409
    code = "sold_out"


class LimitReached(Refusal):
    """You already bought as many as this deal allows per buyer."""

    status_code = 409
    code = "limit_reached"


class NotStarted(Refusal):
    """The deal has not started yet."""

    status_code = 409
    code = "not_started"


class Ended(Refusal):
    """The deal has ended."""

    status_code = 409
    code = "ended"


class NotLoggedIn(Refusal):
    """Log in to buy."""

    status_code = 401
    code = "not_logged_in"


class DealConflict(Conflict):
    """The deal cannot change now."""

    code = "deal_conflict"


# --- terms ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    price_minor: int
    currency: str
    stock_cap: int
    per_buyer_limit: int
    countdown_seconds: int
    duration_minutes: int


def check_terms(terms: Terms, *, sku_currency: str, lowest_30d_minor: int) -> None:
    """Raise the first broken rule (each with its own code); None when the terms hold."""
    if not COUNTDOWN_MIN_SECONDS <= terms.countdown_seconds <= COUNTDOWN_MAX_SECONDS:
        raise CountdownOutOfRange(
            f"The countdown must be {COUNTDOWN_MIN_SECONDS}-{COUNTDOWN_MAX_SECONDS} seconds; "
            f"got {terms.countdown_seconds}.",
            details={"min": COUNTDOWN_MIN_SECONDS, "max": COUNTDOWN_MAX_SECONDS},
        )
    if not DURATION_MIN_MINUTES <= terms.duration_minutes <= DURATION_MAX_MINUTES:
        raise DurationOutOfRange(
            f"A deal runs {DURATION_MIN_MINUTES}-{DURATION_MAX_MINUTES} minutes; "
            f"got {terms.duration_minutes}.",
            details={"min": DURATION_MIN_MINUTES, "max": DURATION_MAX_MINUTES},
        )
    if not 1 <= terms.stock_cap <= MAX_STOCK_CAP:
        raise InvalidStockCap(
            f"The stock cap must be 1-{MAX_STOCK_CAP}; got {terms.stock_cap}.",
            details={"min": 1, "max": MAX_STOCK_CAP},
        )
    if not 1 <= terms.per_buyer_limit <= min(terms.stock_cap, MAX_PER_BUYER):
        raise InvalidBuyerLimit(
            f"The per-buyer limit must be 1-{min(terms.stock_cap, MAX_PER_BUYER)}; "
            f"got {terms.per_buyer_limit}.",
            details={"min": 1, "max": min(terms.stock_cap, MAX_PER_BUYER)},
        )
    if terms.currency != sku_currency:
        raise CurrencyMismatch(
            f"The product is priced in {sku_currency}; the deal price is in {terms.currency}.",
            details={"currency": sku_currency},
        )
    if not 0 < terms.price_minor < lowest_30d_minor:
        raise PriceNotBelowLowest(
            f"The deal price must be below {lowest_30d_minor} (minor units), the lowest price "
            f"of the last {LOWEST_PRICE_DAYS} days.",
            details={"lowest_price_minor": lowest_30d_minor, "days": LOWEST_PRICE_DAYS},
        )


def lowest_price_window(now: datetime) -> datetime:
    return now - timedelta(days=LOWEST_PRICE_DAYS)


@dataclass(frozen=True)
class Schedule:
    announced_at: datetime
    starts_at: datetime
    ends_at: datetime


def schedule(now: datetime, *, countdown_seconds: int, duration_minutes: int) -> Schedule:
    starts = now + timedelta(seconds=countdown_seconds)
    return Schedule(now, starts, starts + timedelta(minutes=duration_minutes))


# --- phases -----------------------------------------------------------------------------


class Phase(StrEnum):
    COUNTDOWN = "COUNTDOWN"
    LIVE = "LIVE"
    ENDED = "ENDED"


def phase(status: str, *, starts_at: datetime, ends_at: datetime, now: datetime) -> Phase:
    """Where a deal is at `now`: the times decide, the stored status only closes it early
    (sold out, cancelled), so buying opens and closes on the second whatever a timer does."""
    if status in CLOSED_STATUSES or now >= ends_at:
        return Phase.ENDED
    if now < starts_at:
        return Phase.COUNTDOWN
    return Phase.LIVE


def refusal_for(phase_now: Phase) -> type[Refusal] | None:
    if phase_now == Phase.COUNTDOWN:
        return NotStarted
    if phase_now == Phase.ENDED:
        return Ended
    return None


@dataclass(frozen=True)
class Accepted:
    index: int
    quantity: int


def admit(
    asks: list[tuple[int, int]],
    *,
    stock: int,
    limit: int,
    bought: dict[int, int],
) -> tuple[list[int], dict[int, type[Refusal]]]:
    """Which of `asks` (buyer id, quantity), in order, fit the deal's stock and per-buyer
    limit given what each buyer already holds. Returns the indexes accepted and the refusal
    of each other index. `bought` is not changed."""
    held = dict(bought)
    accepted: list[int] = []
    refused: dict[int, type[Refusal]] = {}
    for i, (buyer, quantity) in enumerate(asks):
        have = held.get(buyer, 0)
        if have + quantity > limit:
            refused[i] = LimitReached
        elif quantity > stock:
            refused[i] = SoldOut
        else:
            stock -= quantity
            held[buyer] = have + quantity
            accepted.append(i)
    return accepted, refused
