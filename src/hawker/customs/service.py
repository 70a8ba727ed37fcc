"""Customs for cross-border shops: product declarations, the shop's duty mode, duty tables,
and the duties a cart or an order pays (see `hawker.customs.duties` for the figures).

A CROSS_BORDER shop's product must have a customs profile before it can be bought; the
cart's quote says which products still lack one and placing the order refuses with
`customs_profile_required`. An order of a cross-border shop keeps its assessment
(`order_customs`): the customs block of its labels shows exactly that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.service import audit
from hawker.catalog.service.products import seller_product
from hawker.customs import duties as rules
from hawker.customs import repository as repo
from hawker.customs.reference import REFERENCE_TABLES
from hawker.errors import BadRequest, Conflict, NotFound, id_after_cursor
from hawker.kit.pagination import Page, encode_cursor
from hawker.models import (
    CustomsProfile,
    DutyMode,
    DutyTable,
    Market,
    Order,
    OrderCustoms,
    OrderLine,
    Product,
    SellerType,
    Shop,
    ShopCustoms,
    TaxMode,
    User,
)
from hawker.regions import service as regions
from hawker.shops import service as shops

MAX_RATE = Decimal("5")  # 500 %: a sanity bound on a duty rate, not a business figure


class ShopNotCrossBorder(Conflict):
    """Only cross-border shops declare goods for customs."""

    code = "shop_not_cross_border"


class InvalidHsCode(BadRequest):
    """An HS code has 6 to 10 digits and starts with an existing chapter."""

    code = "invalid_hs_code"


class DeclaredCurrencyUnsupported(BadRequest):
    """Declared values must be in the market's currency or one its customs can convert."""

    code = "declared_currency_unsupported"


class CustomsProfileRequired(Conflict):
    """A cross-border product needs a customs declaration before it can be bought."""

    code = "customs_profile_required"


class CustomsRateMissing(Conflict):
    """The destination's duty table cannot convert a declared value's currency."""

    code = "customs_rate_missing"


class CustomsProfileNotFound(NotFound):
    """The product has no customs declaration."""

    code = "customs_profile_not_found"


class InvalidDutyTable(BadRequest):
    """The duty table is not valid."""

    code = "invalid_duty_table"


# --- duty tables ---------------------------------------------------------------------------------


def _decimal_map(raw: Mapping[str, object]) -> dict[str, Decimal]:
    return {str(k): Decimal(str(v)) for k, v in raw.items()}


def terms_from_row(table: DutyTable, currency: str) -> rules.DutyTerms:
    return rules.DutyTerms(
        market_code=table.market_code,
        currency=currency,
        de_minimis_minor=table.de_minimis_minor,
        default_rate=Decimal(table.default_rate),
        chapter_rates=_decimal_map(table.chapter_rates),
        exchange_rates=_decimal_map(table.exchange_rates),
    )


def reference_terms(market_code: str, currency: str) -> rules.DutyTerms:
    """Hawker's reference table for the market; none: no duty, own currency only."""
    ref = REFERENCE_TABLES.get(market_code)
    if ref is None:
        return rules.DutyTerms(market_code, currency, 0, Decimal(0))
    return rules.DutyTerms(
        market_code=market_code,
        currency=currency,
        de_minimis_minor=int(str(ref["de_minimis_minor"])),
        default_rate=Decimal(str(ref["default_rate"])),
        chapter_rates=_decimal_map(ref["chapter_rates"]),  # type: ignore[arg-type]
        exchange_rates=_decimal_map(ref["exchange_rates"]),  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class DutyTableView:
    terms: rules.DutyTerms
    source: str  # "operator" (set in Hawker) or "reference" (Hawker's built-in table)
    updated_at: datetime | None
    locale: str
    tax_inclusive: bool  # VAT in the price: import VAT on the duty; else none


async def duty_terms(
    session: AsyncSession, markets: Mapping[str, Market]
) -> dict[str, rules.DutyTerms]:
    """The duty table in force for each market: the operator's, else the reference one."""
    rows = await repo.duty_tables(session, list(markets))
    return {
        code: terms_from_row(rows[code], m.currency)
        if code in rows
        else reference_terms(code, m.currency)
        for code, m in markets.items()
    }


async def get_duty_table(session: AsyncSession, market_code: str) -> DutyTableView:
    market = await regions.get_market(session, market_code)
    row = (await repo.duty_tables(session, [market.code])).get(market.code)
    if row is None:
        return DutyTableView(
            reference_terms(market.code, market.currency),
            "reference",
            None,
            market.locale,
            market.tax_mode == TaxMode.INCLUSIVE,
        )
    return DutyTableView(
        terms_from_row(row, market.currency),
        "operator",
        row.updated_at,
        market.locale,
        market.tax_mode == TaxMode.INCLUSIVE,
    )


async def list_duty_tables(session: AsyncSession) -> list[DutyTableView]:
    markets = await regions.list_markets(session)
    rows = await repo.all_duty_tables(session)
    out = []
    for m in markets:
        row = rows.get(m.code)
        inclusive = m.tax_mode == TaxMode.INCLUSIVE
        if row is None:
            terms = reference_terms(m.code, m.currency)
            out.append(DutyTableView(terms, "reference", None, m.locale, inclusive))
        else:
            terms = terms_from_row(row, m.currency)
            out.append(DutyTableView(terms, "operator", row.updated_at, m.locale, inclusive))
    return out


def _rate(value: Decimal, what: str) -> Decimal:
    if not value.is_finite() or value < 0 or value > MAX_RATE:
        raise InvalidDutyTable(f"{what} must be between 0 and {MAX_RATE}.", details={"field": what})
    return value


async def replace_duty_table(
    session: AsyncSession,
    operator: User,
    market_code: str,
    *,
    de_minimis_minor: int,
    default_rate: Decimal,
    chapter_rates: Sequence[tuple[str, Decimal]],
    exchange_rates: Sequence[tuple[str, Decimal]],
    now: datetime,
) -> DutyTableView:
    """Replace a market's duty table (operators; audited)."""
    market = await regions.get_market(session, market_code)
    for what, keys in (
        ("chapter", [c for c, _ in chapter_rates]),
        ("currency", [c for c, _ in exchange_rates]),
    ):
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise InvalidDutyTable(
                f"Each {what} may be listed once: {', '.join(twice)} is listed twice.",
                details={what: twice},
            )
    if de_minimis_minor < 0:
        raise InvalidDutyTable("de_minimis_minor must not be negative.")
    _rate(default_rate, "default_rate")
    chapters: dict[str, str] = {}
    for chapter, rate in chapter_rates:
        if len(chapter) != 2 or not chapter.isdigit() or not 1 <= int(chapter) <= 97:
            raise InvalidDutyTable(
                f"{chapter!r} is not an HS chapter (two digits, 01 to 97).",
                details={"chapter": chapter},
            )
        chapters[chapter] = str(_rate(rate, f"chapter {chapter}"))
    fx: dict[str, str] = {}
    for currency, rate in exchange_rates:
        if len(currency) != 3 or not currency.isalpha() or not currency.isupper():
            raise InvalidDutyTable(
                f"{currency!r} is not an ISO 4217 currency code.", details={"currency": currency}
            )
        if currency == market.currency or not rate.is_finite() or rate <= 0:
            raise InvalidDutyTable(
                f"The exchange rate for {currency} must be positive and not the market's own.",
                details={"currency": currency},
            )
        fx[currency] = str(rate)
    row = await repo.duty_table_for_update(session, market.code)
    before = None
    if row is None:
        row = DutyTable(market_code=market.code)
        session.add(row)
    else:
        before = {
            "de_minimis_minor": row.de_minimis_minor,
            "default_rate": str(row.default_rate),
            "chapter_rates": row.chapter_rates,
            "exchange_rates": row.exchange_rates,
        }
    row.de_minimis_minor = de_minimis_minor
    row.default_rate = default_rate
    row.chapter_rates = chapters
    row.exchange_rates = fx
    row.updated_at = now
    row.updated_by = operator.id
    await session.flush()
    audit(
        session,
        actor_id=operator.id,
        action="customs.duty_table_replaced",
        target_type="market",
        target_id=0,
        now=now,
        details={
            "market_code": market.code,
            "before": before,
            "after": {
                "de_minimis_minor": de_minimis_minor,
                "default_rate": str(default_rate),
                "chapter_rates": chapters,
                "exchange_rates": fx,
            },
        },
    )
    return DutyTableView(
        terms_from_row(row, market.currency),
        "operator",
        now,
        market.locale,
        market.tax_mode == TaxMode.INCLUSIVE,
    )


# --- the seller's declarations -------------------------------------------------------------------


async def _cross_border_shop(
    session: AsyncSession, user: User, shop_id: int, *, owner: bool = False
) -> Shop:
    """A member's (or the owner's: staff get 403) cross-border shop; others answer 404."""
    if owner:
        shop = await shops.require_owner(session, user, shop_id)
    else:
        shop = await shops.require_member(session, user, shop_id)
    if shop.seller_type != SellerType.CROSS_BORDER:
        raise ShopNotCrossBorder(
            "Only cross-border shops declare goods for customs; this shop sells locally.",
            details={"seller_type": shop.seller_type},
        )
    return shop


@dataclass(frozen=True)
class ShopTerms:
    shop: Shop
    duty_mode: DutyMode
    duty_table: DutyTableView


async def shop_duty_mode(session: AsyncSession, shop: Shop) -> DutyMode:
    row = (await repo.shop_terms(session, [shop.id])).get(shop.id)
    return DutyMode(row.duty_mode) if row else DutyMode.DDP


async def get_shop_terms(session: AsyncSession, user: User, shop_id: int) -> ShopTerms:
    shop = await _cross_border_shop(session, user, shop_id)
    return ShopTerms(
        shop, await shop_duty_mode(session, shop), await get_duty_table(session, shop.market_code)
    )


async def set_duty_mode(
    session: AsyncSession, user: User, shop_id: int, *, duty_mode: DutyMode, now: datetime
) -> ShopTerms:
    """DDP (duties charged at checkout) or DDU (paid on delivery); owners only."""
    shop = await _cross_border_shop(session, user, shop_id, owner=True)
    row = await repo.shop_terms_for_update(session, shop.id)
    before = DutyMode(row.duty_mode) if row is not None else DutyMode.DDP
    if row is None:
        session.add(ShopCustoms(shop_id=shop.id, duty_mode=duty_mode.value, updated_at=now))
    else:
        row.duty_mode = duty_mode.value
        row.updated_at = now
    await session.flush()
    audit(
        session,
        actor_id=user.id,
        action="customs.duty_mode_set",
        target_type="shop",
        target_id=shop.id,
        now=now,
        details={"before": before.value, "after": duty_mode.value},
    )
    return ShopTerms(shop, duty_mode, await get_duty_table(session, shop.market_code))


@dataclass(frozen=True)
class ProfileView:
    product: Product
    profile: CustomsProfile | None
    locale: str


async def _market_terms(session: AsyncSession, shop: Shop) -> tuple[Market, rules.DutyTerms]:
    market = await regions.get_market(session, shop.market_code)
    terms = (await duty_terms(session, {market.code: market}))[market.code]
    return market, terms


async def get_profile(
    session: AsyncSession, user: User, shop_id: int, product_id: int
) -> ProfileView:
    shop = await _cross_border_shop(session, user, shop_id)
    product = await seller_product(session, shop, product_id)
    found = await repo.profile(session, product.id)
    if found is None:
        raise CustomsProfileNotFound(
            f"Product {product.id} has no customs declaration yet.",
            details={"product_id": str(product.id)},
        )
    market = await regions.get_market(session, shop.market_code)
    return ProfileView(product, found, market.locale)


async def set_profile(
    session: AsyncSession,
    user: User,
    shop_id: int,
    product_id: int,
    *,
    hs_code: str,
    declared_value_minor: int,
    declared_currency: str,
    origin_country: str | None,
    description_en: str,
    now: datetime,
) -> ProfileView:
    """Create or replace a product's customs declaration (origin defaults to the product's)."""
    shop = await _cross_border_shop(session, user, shop_id)
    product = await seller_product(session, shop, product_id)
    try:
        code = rules.normalise_hs_code(hs_code)
    except rules.InvalidHsCode as exc:
        raise InvalidHsCode(str(exc), details={"hs_code": hs_code}) from exc
    market, terms = await _market_terms(session, shop)
    currency = declared_currency.upper()
    if not terms.converts(currency):
        allowed = sorted({market.currency, *terms.exchange_rates})
        raise DeclaredCurrencyUnsupported(
            f"Declare values in {', '.join(allowed)}: {market.code} customs cannot convert "
            f"{currency}.",
            details={"declared_currency": currency, "allowed": allowed},
        )
    found = await repo.profile(session, product.id)
    if found is None:
        found = CustomsProfile(product_id=product.id, shop_id=shop.id, created_at=now)
        session.add(found)
    found.hs_code = code
    found.declared_value_minor = declared_value_minor
    found.declared_currency = currency
    found.origin_country = (origin_country or product.origin_country).upper()
    found.description_en = description_en
    found.updated_at = now
    await session.flush()
    return ProfileView(product, found, market.locale)


async def delete_profile(session: AsyncSession, user: User, shop_id: int, product_id: int) -> None:
    shop = await _cross_border_shop(session, user, shop_id)
    product = await seller_product(session, shop, product_id)
    if not await repo.delete_profile(session, product.id):
        raise CustomsProfileNotFound(
            f"Product {product.id} has no customs declaration.",
            details={"product_id": str(product.id)},
        )


async def list_profiles(
    session: AsyncSession,
    user: User,
    shop_id: int,
    *,
    missing_only: bool,
    cursor: str | None,
    limit: int,
) -> Page[ProfileView]:
    """The shop's products with their declarations (or only those still without one)."""
    shop = await _cross_border_shop(session, user, shop_id)
    market = await regions.get_market(session, shop.market_code)
    rows = await repo.shop_products(
        session,
        shop.id,
        missing_only=missing_only,
        before_id=id_after_cursor(cursor),
        limit=limit + 1,
    )
    page = [ProfileView(p, c, market.locale) for p, c in rows[:limit]]
    more = len(rows) > limit
    return Page(page, encode_cursor({"id": str(page[-1].product.id)}) if more and page else None)


# --- checkout -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CartLine:
    shop_id: int
    product_id: int
    ref: int  # the SKU in a quote, the order line on an order
    quantity: int


@dataclass(frozen=True)
class ShopAssessment:
    """A cross-border shop's part of a cart: its duties, or what keeps them from being known."""

    shop_id: int
    mode: DutyMode
    duties: rules.Duties | None
    missing_products: tuple[int, ...] = ()
    unconvertible: tuple[str, ...] = ()  # declared currencies the duty table cannot convert

    def require(self) -> rules.Duties:
        """The duties, or the error that keeps the order from being placed."""
        if self.missing_products:
            ids = [str(p) for p in self.missing_products]
            raise CustomsProfileRequired(
                "The seller has not declared these items for customs yet, so they cannot be "
                "shipped across the border: " + ", ".join(ids) + ".",
                details={"shop_id": str(self.shop_id), "product_ids": ids},
            )
        if self.unconvertible or self.duties is None:
            raise CustomsRateMissing(
                "Customs cannot value these items yet; try again later.",
                details={"shop_id": str(self.shop_id), "currencies": list(self.unconvertible)},
            )
        return self.duties


async def assess_lines(
    session: AsyncSession, lines: Sequence[CartLine]
) -> dict[int, ShopAssessment]:
    """The customs assessment of each cross-border shop among the lines (local shops are
    left out). Lines are grouped per shop, each shop's goods being one consignment."""
    cross: list[Shop] = []
    for shop_id in sorted({line.shop_id for line in lines}):
        shop = await shops.get_shop(session, shop_id)
        if shop.seller_type == SellerType.CROSS_BORDER:
            cross.append(shop)
    if not cross:
        return {}
    modes = await repo.shop_terms(session, [s.id for s in cross])
    markets = {s.market_code: await regions.get_market(session, s.market_code) for s in cross}
    terms = await duty_terms(session, markets)
    cross_ids = {s.id for s in cross}
    wanted = [line for line in lines if line.shop_id in cross_ids]
    profiles = await repo.profiles(session, {line.product_id for line in wanted})
    out: dict[int, ShopAssessment] = {}
    for shop in cross:
        mode = DutyMode(modes[shop.id].duty_mode) if shop.id in modes else DutyMode.DDP
        mine = [line for line in wanted if line.shop_id == shop.id]
        missing = tuple(sorted({ln.product_id for ln in mine if ln.product_id not in profiles}))
        market, table = markets[shop.market_code], terms[shop.market_code]
        foreign = tuple(
            sorted(
                {
                    profiles[ln.product_id].declared_currency
                    for ln in mine
                    if ln.product_id in profiles
                    and not table.converts(profiles[ln.product_id].declared_currency)
                }
            )
        )
        if missing or foreign:
            out[shop.id] = ShopAssessment(shop.id, mode, None, missing, foreign)
            continue
        declared = [
            rules.DeclaredLine(
                ref=ln.ref,
                product_id=ln.product_id,
                hs_code=profiles[ln.product_id].hs_code,
                quantity=ln.quantity,
                unit_value_minor=profiles[ln.product_id].declared_value_minor,
                value_currency=profiles[ln.product_id].declared_currency,
            )
            for ln in mine
        ]
        out[shop.id] = ShopAssessment(
            shop.id,
            mode,
            rules.assess(
                declared,
                table,
                mode=mode,
                tax_mode=TaxMode(market.tax_mode),
                tax_rate=Decimal(market.tax_rate),
            ),
        )
    return out


async def record_order(
    session: AsyncSession,
    order: Order,
    lines: Sequence[OrderLine],
    duties: rules.Duties,
    *,
    now: datetime,
) -> OrderCustoms:
    """Keep a placed order's customs assessment and declaration (its lines' refs are SKUs)."""
    profiles = await repo.profiles(session, {line.product_id for line in lines})
    by_sku = {d.line.ref: d for d in duties.lines}
    items = []
    for line in lines:
        p = profiles[line.product_id]
        d = by_sku[line.sku_id]
        items.append(
            {
                "line_id": str(line.id),
                "sku_id": str(line.sku_id),
                "product_id": str(line.product_id),
                "hs_code": p.hs_code,
                "description": p.description_en,
                "origin_country": p.origin_country,
                "quantity": line.quantity,
                "unit_value_minor": p.declared_value_minor,
                "value_currency": p.declared_currency,
                "customs_value_minor": d.customs_value_minor,
                "rate": str(d.rate),
                "duty_minor": d.duty_minor,
            }
        )
    row = OrderCustoms(
        order_id=order.id,
        shop_id=order.shop_id,
        duty_mode=duties.mode.value,
        currency=duties.currency,
        customs_value_minor=duties.customs_value_minor,
        de_minimis_minor=duties.de_minimis_minor,
        duty_minor=duties.duty_minor,
        import_tax_minor=duties.import_tax_minor,
        charged=duties.mode == DutyMode.DDP,
        items=items,
        created_at=now,
    )
    session.add(row)
    return row


async def order_customs(session: AsyncSession, order_ids: Sequence[int]) -> dict[int, OrderCustoms]:
    """The customs assessments of these orders (cross-border ones only)."""
    return await repo.order_customs(session, order_ids)
