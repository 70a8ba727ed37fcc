"""The cart: one line per SKU per buyer, across any number of shops of one market.

Changes to one buyer's cart are serialised (the buyer's row is locked on PostgreSQL; SQLite
has one writer), and limits are checked after the write, so a refused change is rolled back
with the request and leaves the cart as it was.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.cart import repository as repo
from hawker.catalog import service as catalog
from hawker.checkout import pricing
from hawker.config import Settings
from hawker.customs import service as customs
from hawker.errors import BadRequest, Conflict, NotFound
from hawker.models import CartItem, User
from hawker.regions import service as regions


class SkuNotFound(NotFound):
    """No such SKU."""

    code = "sku_not_found"


class SkuNotSellable(Conflict):
    """That SKU is not on sale."""

    code = "sku_not_sellable"


class InvalidQuantity(BadRequest):
    """The quantity is out of range."""

    code = "invalid_quantity"


class CartFull(Conflict):
    """The cart has as many lines as it may hold."""

    code = "cart_full"


class CartMarketMismatch(Conflict):
    """A cart holds items of one market only (checkout ships them to one address there)."""

    code = "cart_market_mismatch"


class CartItemNotFound(NotFound):
    """That SKU is not in the cart."""

    code = "cart_item_not_found"


@dataclass(frozen=True)
class CartLine:
    item: CartItem
    sku: catalog.SellableSku


@dataclass(frozen=True)
class CartView:
    """The cart: sellable lines (quoted per shop) and lines no longer on sale."""

    lines: list[CartLine]
    unavailable: list[CartLine]
    quote: pricing.Quote
    locales: dict[str, str]  # market code -> locale, for display
    # cross-border shops: their duties, or the declarations still missing
    customs: dict[int, customs.ShopAssessment] = field(default_factory=dict)


def check_quantity(quantity: int, *, maximum: int, sku_id: int | None = None) -> None:
    if not 1 <= quantity <= maximum:
        raise InvalidQuantity(
            f"A line's quantity must be between 1 and {maximum}.",
            details={
                "sku_id": str(sku_id) if sku_id else None,
                "quantity": quantity,
                "max_quantity": maximum,
            },
        )


async def market_terms(session: AsyncSession) -> dict[str, pricing.MarketTerms]:
    """Pricing terms of every market (a handful of rows), keyed by market code."""
    markets = await regions.list_markets(session, active_only=False)
    return {m.code: pricing.terms_of(m) for m in markets}


def price_lines(pairs: Sequence[tuple[catalog.SellableSku, int]]) -> list[pricing.PriceLine]:
    return [
        pricing.PriceLine(
            shop_id=sku.shop_id, sku_id=sku.sku_id, unit_price_minor=sku.price_minor, quantity=qty
        )
        for sku, qty in pairs
    ]


async def quote_for(
    session: AsyncSession, pairs: Sequence[tuple[catalog.SellableSku, int]]
) -> tuple[pricing.Quote, dict[str, str]]:
    """The quote for these SKUs and quantities, and the locales to show it in."""
    quote, locales, _ = await quote_with_customs(session, pairs)
    return quote, locales


async def quote_with_customs(
    session: AsyncSession, pairs: Sequence[tuple[catalog.SellableSku, int]]
) -> tuple[pricing.Quote, dict[str, str], dict[int, customs.ShopAssessment]]:
    """The quote (with the duties of cross-border shops that ship DDP in their totals), the
    locales to show it in, and each cross-border shop's customs assessment."""
    terms = await market_terms(session)
    market_of_shop = {sku.shop_id: sku.market_code for sku, _ in pairs}
    assessments = await customs.assess_lines(
        session,
        [
            customs.CartLine(
                shop_id=sku.shop_id, product_id=sku.product_id, ref=sku.sku_id, quantity=qty
            )
            for sku, qty in pairs
        ],
    )
    duties = {sid: a.duties for sid, a in assessments.items() if a.duties is not None}
    quote = pricing.quote(
        price_lines(pairs), market_of_shop=market_of_shop, terms=terms, duties=duties
    )
    return quote, {code: t.locale for code, t in terms.items()}, assessments


async def add_item(
    session: AsyncSession,
    user: User,
    *,
    sku_id: int,
    quantity: int,
    now: datetime,
    settings: Settings,
) -> None:
    """Add `quantity` of a sellable SKU, or add to the line already in the cart."""
    check_quantity(quantity, maximum=settings.max_line_quantity, sku_id=sku_id)
    sku = (await catalog.skus_for_sale(session, [sku_id])).get(sku_id)
    if sku is None:
        raise SkuNotFound(f"There is no SKU {sku_id}.", details={"sku_ids": [str(sku_id)]})
    if not sku.is_sellable:
        raise SkuNotSellable(
            f"{sku.product_title} is not on sale.", details={"sku_ids": [str(sku_id)]}
        )
    await repo.lock_owner(session, user.id)
    existing = await repo.items(session, user.id)
    others = [i.sku_id for i in existing if i.sku_id != sku_id]
    if others:
        markets = {s.market_code for s in (await catalog.skus_for_sale(session, others)).values()}
        if markets and markets != {sku.market_code}:
            raise CartMarketMismatch(
                f"Your cart holds items sold in {', '.join(sorted(markets))}; this item is "
                f"sold in {sku.market_code}. Check out or empty the cart first.",
                details={"cart_markets": sorted(markets), "sku_market": sku.market_code},
            )
    total = await repo.add(session, user_id=user.id, sku_id=sku_id, quantity=quantity, now=now)
    check_quantity(total, maximum=settings.max_line_quantity, sku_id=sku_id)
    if await repo.count(session, user.id) > settings.max_cart_lines:
        raise CartFull(
            f"A cart holds at most {settings.max_cart_lines} different items.",
            details={"max_lines": settings.max_cart_lines},
        )


async def set_quantity(
    session: AsyncSession, user: User, *, sku_id: int, quantity: int, settings: Settings
) -> None:
    check_quantity(quantity, maximum=settings.max_line_quantity, sku_id=sku_id)
    if not await repo.set_quantity(session, user_id=user.id, sku_id=sku_id, quantity=quantity):
        raise CartItemNotFound(f"SKU {sku_id} is not in your cart.")


async def remove_item(session: AsyncSession, user: User, *, sku_id: int) -> None:
    if not await repo.remove(session, user_id=user.id, sku_id=sku_id):
        raise CartItemNotFound(f"SKU {sku_id} is not in your cart.")


async def clear(session: AsyncSession, user: User) -> int:
    return await repo.clear(session, user.id)


async def contents(session: AsyncSession, user_id: int) -> list[tuple[int, int]]:
    """(sku_id, quantity) of every line, oldest first."""
    return [(i.sku_id, i.quantity) for i in await repo.items(session, user_id)]


async def take_bought(session: AsyncSession, user_id: int, quantities: Mapping[int, int]) -> None:
    """Checkout: remove what was just ordered from the cart."""
    await repo.take(session, user_id=user_id, quantities=quantities)


async def view(session: AsyncSession, user: User) -> CartView:
    items = await repo.items(session, user.id)
    skus = await catalog.skus_for_sale(session, [i.sku_id for i in items])
    lines: list[CartLine] = []
    unavailable: list[CartLine] = []
    for item in items:
        sku = skus.get(item.sku_id)
        if sku is None:
            continue
        (lines if sku.is_sellable else unavailable).append(CartLine(item, sku))
    quote, locales, assessed = await quote_with_customs(
        session, [(ln.sku, ln.item.quantity) for ln in lines]
    )
    return CartView(
        lines=lines, unavailable=unavailable, quote=quote, locales=locales, customs=assessed
    )
