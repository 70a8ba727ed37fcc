from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from hawker.customs import duties as rules
from hawker.customs.service import DutyTableView, ProfileView, ShopAssessment, ShopTerms
from hawker.models import DutyMode, OrderCustoms
from hawker.schemas import Id, MoneyOut, Schema

Text = Annotated[str, StringConstraints(strip_whitespace=True)]
Country = Annotated[Text, StringConstraints(to_upper=True, pattern=r"^[A-Za-z]{2}$")]
Currency = Annotated[Text, StringConstraints(to_upper=True, pattern=r"^[A-Za-z]{3}$")]
MAX_VALUE_MINOR = 10**12


class CustomsProfileIn(BaseModel):
    hs_code: Annotated[Text, StringConstraints(min_length=1, max_length=20)] = Field(
        description="6 to 10 digits; dots and spaces are dropped (6109.10 -> 610910)."
    )
    declared_value_minor: int = Field(gt=0, le=MAX_VALUE_MINOR, description="Per unit.")
    declared_currency: Currency = Field(
        description="The market's currency or one its duty table has an exchange rate for."
    )
    origin_country: Country | None = Field(
        default=None, description="Where the goods were made; default: the product's origin."
    )
    description_en: Annotated[
        Text, StringConstraints(min_length=3, max_length=200, pattern=r"^[\x20-\x7E]+$")
    ] = Field(description="What the goods are, in English (printable ASCII, as on a CN22).")


class CustomsProfileOut(Schema):
    product_id: Id
    hs_code: str
    hs_chapter: str
    declared_value: MoneyOut
    origin_country: str
    description_en: str
    updated_at: datetime


class ProductCustomsOut(Schema):
    product_id: Id
    title: str
    status: str
    customs: CustomsProfileOut | None


class ProductCustomsPageOut(Schema):
    items: list[ProductCustomsOut]
    next_cursor: str | None


class DutyModeIn(BaseModel):
    duty_mode: DutyMode


class ChapterRateOut(Schema):
    hs_chapter: str
    rate: Decimal


class ExchangeRateOut(Schema):
    currency: str
    rate: Decimal  # one unit of `currency` in the market's currency


class DutyTableOut(Schema):
    market_code: str
    currency: str
    source: str  # "operator" or "reference"
    de_minimis: MoneyOut
    default_rate: Decimal
    chapter_rates: list[ChapterRateOut]
    exchange_rates: list[ExchangeRateOut]
    import_vat: str  # how import VAT is worked out in this market
    updated_at: datetime | None


class ShopCustomsOut(Schema):
    shop_id: Id
    seller_type: str
    duty_mode: DutyMode
    duty_table: DutyTableOut


class ChapterRateIn(BaseModel):
    hs_chapter: Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")]
    rate: Decimal = Field(ge=0, le=5)


class ExchangeRateIn(BaseModel):
    currency: Currency
    rate: Decimal = Field(gt=0, le=10**9)


class DutyTableIn(BaseModel):
    de_minimis_minor: int = Field(ge=0, le=MAX_VALUE_MINOR)
    default_rate: Decimal = Field(ge=0, le=5)
    chapter_rates: list[ChapterRateIn] = Field(default_factory=list, max_length=97)
    exchange_rates: list[ExchangeRateIn] = Field(default_factory=list, max_length=50)


class LineDutyOut(Schema):
    sku_id: Id | None = None
    line_id: Id | None = None
    product_id: Id
    hs_code: str
    quantity: int
    customs_value: MoneyOut
    rate: Decimal
    duty: MoneyOut


class DutiesOut(Schema):
    """A cross-border shop's duties and import taxes (the landed cost's extra part)."""

    duty_mode: DutyMode
    customs_value: MoneyOut | None
    de_minimis: MoneyOut | None
    below_de_minimis: bool
    duty: MoneyOut | None
    import_tax: MoneyOut | None
    total: MoneyOut | None  # duty + import tax
    charged: MoneyOut | None  # in the order's total now (DDP)
    payable_on_delivery: MoneyOut | None  # to the carrier on delivery (DDU)
    lines: list[LineDutyOut]
    # Why the duties cannot be worked out yet (the order cannot be placed meanwhile).
    missing_customs_profiles: list[Id] = []
    unconvertible_currencies: list[str] = []


def money(amount: int, currency: str, locale: str) -> MoneyOut:
    return MoneyOut.of(amount, currency, locale)


def profile_out(view: ProfileView) -> CustomsProfileOut | None:
    p = view.profile
    if p is None:
        return None
    return CustomsProfileOut(
        product_id=p.product_id,
        hs_code=p.hs_code,
        hs_chapter=rules.hs_chapter(p.hs_code),
        declared_value=money(p.declared_value_minor, p.declared_currency, view.locale),
        origin_country=p.origin_country,
        description_en=p.description_en,
        updated_at=p.updated_at,
    )


def product_customs_out(view: ProfileView) -> ProductCustomsOut:
    return ProductCustomsOut(
        product_id=view.product.id,
        title=view.product.title,
        status=view.product.status,
        customs=profile_out(view),
    )


IMPORT_VAT_INCLUSIVE = "market VAT rate on the duty (the goods' VAT is already in the price)"
IMPORT_VAT_EXCLUSIVE = "none (sales tax is added at checkout)"


def duty_table_out(view: DutyTableView) -> DutyTableOut:
    t = view.terms
    return DutyTableOut(
        market_code=t.market_code,
        currency=t.currency,
        source=view.source,
        de_minimis=money(t.de_minimis_minor, t.currency, view.locale),
        default_rate=t.default_rate,
        chapter_rates=[
            ChapterRateOut(hs_chapter=c, rate=r) for c, r in sorted(t.chapter_rates.items())
        ],
        exchange_rates=[
            ExchangeRateOut(currency=c, rate=r) for c, r in sorted(t.exchange_rates.items())
        ],
        import_vat=IMPORT_VAT_INCLUSIVE if view.tax_inclusive else IMPORT_VAT_EXCLUSIVE,
        updated_at=view.updated_at,
    )


def shop_customs_out(terms: ShopTerms) -> ShopCustomsOut:
    return ShopCustomsOut(
        shop_id=terms.shop.id,
        seller_type=terms.shop.seller_type,
        duty_mode=terms.duty_mode,
        duty_table=duty_table_out(terms.duty_table),
    )


def duties_out(assessment: ShopAssessment, locale: str) -> DutiesOut:
    """The duties block of a quote (lines keyed by SKU)."""
    d = assessment.duties
    if d is None:
        return DutiesOut(
            duty_mode=assessment.mode,
            customs_value=None,
            de_minimis=None,
            below_de_minimis=False,
            duty=None,
            import_tax=None,
            total=None,
            charged=None,
            payable_on_delivery=None,
            lines=[],
            missing_customs_profiles=list(assessment.missing_products),
            unconvertible_currencies=list(assessment.unconvertible),
        )
    c = d.currency
    return DutiesOut(
        duty_mode=d.mode,
        customs_value=money(d.customs_value_minor, c, locale),
        de_minimis=money(d.de_minimis_minor, c, locale),
        below_de_minimis=d.below_de_minimis,
        duty=money(d.duty_minor, c, locale),
        import_tax=money(d.import_tax_minor, c, locale),
        total=money(d.total_minor, c, locale),
        charged=money(d.charged_minor, c, locale),
        payable_on_delivery=money(d.on_delivery_minor, c, locale) if d.on_delivery_minor else None,
        lines=[
            LineDutyOut(
                sku_id=ld.line.ref,
                product_id=ld.line.product_id,
                hs_code=ld.line.hs_code,
                quantity=ld.line.quantity,
                customs_value=money(ld.customs_value_minor, c, locale),
                rate=ld.rate,
                duty=money(ld.duty_minor, c, locale),
            )
            for ld in d.lines
        ],
    )


def order_duties_out(row: OrderCustoms, locale: str) -> DutiesOut:
    """The duties block of a placed order (lines keyed by order line)."""
    c = row.currency
    total = row.duty_minor + row.import_tax_minor
    return DutiesOut(
        duty_mode=DutyMode(row.duty_mode),
        customs_value=money(row.customs_value_minor, c, locale),
        de_minimis=money(row.de_minimis_minor, c, locale),
        below_de_minimis=row.customs_value_minor <= row.de_minimis_minor,
        duty=money(row.duty_minor, c, locale),
        import_tax=money(row.import_tax_minor, c, locale),
        total=money(total, c, locale),
        charged=money(total if row.charged else 0, c, locale),
        payable_on_delivery=None if row.charged or not total else money(total, c, locale),
        lines=[
            LineDutyOut(
                line_id=int(i["line_id"]),
                sku_id=int(i["sku_id"]),
                product_id=int(i["product_id"]),
                hs_code=str(i["hs_code"]),
                quantity=int(i["quantity"]),
                customs_value=money(int(i["customs_value_minor"]), c, locale),
                rate=Decimal(str(i["rate"])),
                duty=money(int(i["duty_minor"]), c, locale),
            )
            for i in row.items
        ],
    )
