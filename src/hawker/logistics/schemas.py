from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from hawker.logistics.service import SiteProfile
from hawker.models import Carrier, CarrierService, DeliveryLevel, FulfilmentCentre
from hawker.schemas import Id, MoneyOut, Schema

Text = Annotated[str, StringConstraints(strip_whitespace=True)]
CarrierCode = Annotated[Text, StringConstraints(to_upper=True, pattern=r"^[A-Za-z0-9_]{2,16}$")]
ServiceCode = Annotated[Text, StringConstraints(to_upper=True, pattern=r"^[A-Za-z0-9_]{2,32}$")]
CentreCode = Annotated[Text, StringConstraints(to_upper=True, pattern=r"^[A-Za-z0-9_-]{2,32}$")]
Name = Annotated[Text, StringConstraints(min_length=1, max_length=80)]
Url = Annotated[Text, StringConstraints(max_length=255, pattern=r"^https?://\S+$")]
MarketCode = Annotated[Text, StringConstraints(to_upper=True, pattern=r"^[A-Za-z]{2}$")]


# --- carriers -----------------------------------------------------------------------------------


class CarrierOut(Schema):
    """What sellers see of a carrier: enough to enter a tracking number."""

    id: Id
    code: str
    name: str
    tracking_pattern: str
    is_active: bool


class OperatorCarrierOut(CarrierOut):
    adapter: str
    api_base_url: str | None
    webhook_secret_hint: str  # the last 4 characters
    created_at: datetime
    updated_at: datetime


class CarrierWithSecretOut(OperatorCarrierOut):
    """Only on creation and rotation: configure the carrier's webhook signing with this."""

    webhook_secret: str


class CarrierPageOut(BaseModel):
    items: list[OperatorCarrierOut]
    next_cursor: str | None = None


class PublicCarrierPageOut(BaseModel):
    items: list[CarrierOut]
    next_cursor: str | None = None


class CarrierIn(BaseModel):
    code: CarrierCode
    name: Name
    tracking_pattern: Annotated[Text, StringConstraints(min_length=1, max_length=255)]
    webhook_secret: Annotated[str, StringConstraints(min_length=16, max_length=128)] | None = None
    api_base_url: Url | None = None


class CarrierPatch(BaseModel):
    name: Name | None = None
    tracking_pattern: Annotated[Text, StringConstraints(min_length=1, max_length=255)] | None = None
    api_base_url: Url | None = None
    is_active: bool | None = None
    rotate_secret: bool = False


def operator_carrier_out(c: Carrier) -> OperatorCarrierOut:
    return OperatorCarrierOut(
        id=c.id,
        code=c.code,
        name=c.name,
        tracking_pattern=c.tracking_pattern,
        is_active=c.is_active,
        adapter=c.adapter,
        api_base_url=c.api_base_url,
        webhook_secret_hint=c.webhook_secret[-4:],
        created_at=c.created_at,
        updated_at=c.updated_at,
    )


def carrier_with_secret_out(c: Carrier) -> CarrierWithSecretOut:
    return CarrierWithSecretOut(
        **operator_carrier_out(c).model_dump(), webhook_secret=c.webhook_secret
    )


# --- services, rates, transit times ---------------------------------------------------------------


class RateOut(Schema):
    zone: int
    max_weight_g: int
    price: MoneyOut


class TransitOut(Schema):
    zone: int
    p50_days: int
    p90_days: int


class ServiceOut(Schema):
    id: Id
    carrier_id: Id
    code: str
    name: str
    market_code: str
    level: str
    currency: str
    volumetric_divisor: int
    max_weight_g: int
    extra_kg: MoneyOut
    is_default: bool
    is_active: bool


class ServiceDetailOut(ServiceOut):
    rates: list[RateOut]
    transit_times: list[TransitOut]


class ServiceListOut(BaseModel):
    items: list[ServiceOut]


class ServiceIn(BaseModel):
    code: ServiceCode
    name: Name
    market_code: MarketCode
    level: DeliveryLevel
    max_weight_g: int = Field(default=30000, gt=0, le=1_000_000)
    volumetric_divisor: int = Field(default=5000, gt=0, le=100_000)
    extra_kg_minor: int = Field(default=0, ge=0)
    is_default: bool = False


class ServicePatch(BaseModel):
    name: Name | None = None
    max_weight_g: int | None = Field(default=None, gt=0, le=1_000_000)
    volumetric_divisor: int | None = Field(default=None, gt=0, le=100_000)
    extra_kg_minor: int | None = Field(default=None, ge=0)
    is_default: bool | None = None
    is_active: bool | None = None


class RateIn(BaseModel):
    zone: int = Field(ge=1, le=20)
    max_weight_g: int = Field(gt=0, le=1_000_000)
    price_minor: int = Field(ge=0)


class RatesIn(BaseModel):
    brackets: list[RateIn] = Field(min_length=1, max_length=200)
    extra_kg_minor: int | None = Field(default=None, ge=0)


class TransitIn(BaseModel):
    zone: int = Field(ge=1, le=20)
    p50_days: int = Field(ge=0, le=60)
    p90_days: int = Field(ge=0, le=60)


class TransitTimesIn(BaseModel):
    zones: list[TransitIn] = Field(min_length=1, max_length=20)


def service_out(s: CarrierService, locale: str) -> ServiceOut:
    return ServiceOut(
        id=s.id,
        carrier_id=s.carrier_id,
        code=s.code,
        name=s.name,
        market_code=s.market_code,
        level=s.level,
        currency=s.currency,
        volumetric_divisor=s.volumetric_divisor,
        max_weight_g=s.max_weight_g,
        extra_kg=MoneyOut.of(s.extra_kg_minor, s.currency, locale),
        is_default=s.is_default,
        is_active=s.is_active,
    )


def service_detail_out(
    s: CarrierService,
    rates: Sequence[tuple[int, int, int]],
    transits: Sequence[tuple[int, int, int]],
    locale: str,
) -> ServiceDetailOut:
    return ServiceDetailOut(
        **service_out(s, locale).model_dump(),
        rates=[
            RateOut(zone=z, max_weight_g=w, price=MoneyOut.of(p, s.currency, locale))
            for z, w, p in rates
        ],
        transit_times=[TransitOut(zone=z, p50_days=a, p90_days=b) for z, a, b in transits],
    )


# --- fulfilment centres -------------------------------------------------------------------------


class CentreOut(Schema):
    id: Id
    code: str
    name: str
    market_code: str
    address_line1: str
    city: str
    region: str
    postal_code: str
    country_code: str
    latitude: Decimal
    longitude: Decimal
    cutoff_hour: int
    handling_days: int
    is_active: bool
    created_at: datetime


class CentrePageOut(BaseModel):
    items: list[CentreOut]
    next_cursor: str | None = None


class CentreIn(BaseModel):
    code: CentreCode
    name: Annotated[Text, StringConstraints(min_length=1, max_length=120)]
    market_code: MarketCode
    address_line1: Annotated[Text, StringConstraints(min_length=1, max_length=200)]
    city: Annotated[Text, StringConstraints(min_length=1, max_length=100)]
    region: Annotated[Text, StringConstraints(max_length=100)] = ""
    postal_code: Annotated[Text, StringConstraints(min_length=1, max_length=20)]
    country_code: MarketCode
    latitude: Decimal = Field(ge=-90, le=90, allow_inf_nan=False)
    longitude: Decimal = Field(ge=-180, le=180, allow_inf_nan=False)
    cutoff_hour: int = Field(default=14, ge=0, le=23)
    handling_days: int = Field(default=0, ge=0, le=30)


class CentrePatch(BaseModel):
    name: Annotated[Text, StringConstraints(min_length=1, max_length=120)] | None = None
    address_line1: Annotated[Text, StringConstraints(min_length=1, max_length=200)] | None = None
    city: Annotated[Text, StringConstraints(min_length=1, max_length=100)] | None = None
    region: Annotated[Text, StringConstraints(max_length=100)] | None = None
    postal_code: Annotated[Text, StringConstraints(min_length=1, max_length=20)] | None = None
    latitude: Decimal | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    longitude: Decimal | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    cutoff_hour: int | None = Field(default=None, ge=0, le=23)
    handling_days: int | None = Field(default=None, ge=0, le=30)
    is_active: bool | None = None


class OptionIn(BaseModel):
    service_id: Id | None = Field(description="The service backing this level; null: default.")


def centre_out(c: FulfilmentCentre) -> CentreOut:
    return CentreOut.model_validate(c)


# --- a shop's warehouses --------------------------------------------------------------------------


class DeliveryOptionOut(Schema):
    level: str
    service_id: Id
    source: str  # warehouse | centre | market (the market's default)


class SiteOut(Schema):
    warehouse_id: Id
    name: str
    kind: str  # SALES_WAREHOUSE | RETURN_WAREHOUSE | FULFILMENT_CENTRE
    type: str
    is_default: bool
    centre_id: Id | None
    country_code: str
    latitude: float
    longitude: float
    timezone: str
    cutoff_hour: int
    handling_days: int
    delivery_options: list[DeliveryOptionOut]


class SiteListOut(BaseModel):
    items: list[SiteOut]


class HandlingIn(BaseModel):
    handling_days: int = Field(ge=0, le=30)


def site_out(p: SiteProfile) -> SiteOut:
    return SiteOut(
        warehouse_id=p.warehouse_id,
        name=p.name,
        kind=p.kind.value,
        type=p.type,
        is_default=p.is_default,
        centre_id=p.centre_id,
        country_code=p.country_code,
        latitude=p.location.latitude,
        longitude=p.location.longitude,
        timezone=p.timezone,
        cutoff_hour=p.cutoff_hour,
        handling_days=p.handling_days,
        delivery_options=[
            DeliveryOptionOut(level=level, service_id=sid, source=source)
            for level, (sid, source) in sorted(p.options.items())
        ],
    )


class NetworkSeededOut(BaseModel):
    market_code: str
    carriers: list[str]
    services: list[str]
    postal_areas: int
    centre: str | None
