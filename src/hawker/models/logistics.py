"""The logistics network: fulfilment centres, carriers and their services, rates, transit times.

A shop's own warehouses live in `warehouses` (shops). A platform fulfilment centre holds many
shops' stock: each shop that stores goods there has a warehouse row of its own located at the
centre and linked to it through `warehouse_logistics`, so stock stays per shop and per
warehouse while the building, its cut-off and its delivery options belong to the platform.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hawker.db import Base
from hawker.models.types import UTCDateTime, id_column


class DeliveryLevel(StrEnum):
    STANDARD = "STANDARD"
    EXPRESS = "EXPRESS"
    ECONOMY = "ECONOMY"


class WarehouseKind(StrEnum):
    """The three kinds of warehouse (issue: logistics); the first two are `Warehouse.type`."""

    SALES_WAREHOUSE = "SALES_WAREHOUSE"
    RETURN_WAREHOUSE = "RETURN_WAREHOUSE"
    FULFILMENT_CENTRE = "FULFILMENT_CENTRE"


class CarrierAdapterKind(StrEnum):
    # Speaks Hawker's carrier protocol over HTTP; `hawker carrier-sim` serves it.
    SIMULATOR = "simulator"


class FulfilmentCentre(Base):
    """A platform warehouse that stores and ships many shops' stock."""

    __tablename__ = "fulfilment_centres"

    id: Mapped[int] = id_column()
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    market_code: Mapped[str] = mapped_column(String(2), ForeignKey("markets.code"))
    address_line1: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20))
    country_code: Mapped[str] = mapped_column(String(2))
    latitude: Mapped[Decimal] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal] = mapped_column(Numeric(9, 6))
    cutoff_hour: Mapped[int] = mapped_column(default=14)
    handling_days: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("cutoff_hour >= 0 AND cutoff_hour <= 23", name="cutoff_hour_range"),
        CheckConstraint("handling_days >= 0", name="handling_days_nonnegative"),
        Index("ix_fulfilment_centres_market", "market_code"),
    )


class WarehouseLogistics(Base):
    """What logistics knows about a warehouse beyond its address: handling days, and the
    fulfilment centre it stands in (a shop's space in a platform centre)."""

    __tablename__ = "warehouse_logistics"

    warehouse_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("warehouses.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    centre_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("fulfilment_centres.id", ondelete="CASCADE")
    )
    handling_days: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("handling_days >= 0", name="handling_days_nonnegative"),
        Index("ix_warehouse_logistics_centre", "centre_id"),
    )


class Carrier(Base):
    __tablename__ = "carriers"

    id: Mapped[int] = id_column()
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    # A full-match regular expression every tracking number of this carrier satisfies.
    tracking_pattern: Mapped[str] = mapped_column(String(255))
    # Key of the HMAC-SHA256 signature on the carrier's tracking webhooks.
    webhook_secret: Mapped[str] = mapped_column(String(128))
    adapter: Mapped[str] = mapped_column(String(16), default=CarrierAdapterKind.SIMULATOR)
    api_base_url: Mapped[str | None] = mapped_column(String(255))  # None: the configured default
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CarrierService(Base):
    """One product of a carrier in one market (e.g. its standard parcel service in GB)."""

    __tablename__ = "carrier_services"

    id: Mapped[int] = id_column()
    carrier_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("carriers.id", ondelete="CASCADE")
    )
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(80))
    market_code: Mapped[str] = mapped_column(String(2), ForeignKey("markets.code"))
    level: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    volumetric_divisor: Mapped[int] = mapped_column(default=5000)  # cm³ per kg
    max_weight_g: Mapped[int]
    # Price per started kilogram above the heaviest bracket of the rate table.
    extra_kg_minor: Mapped[int] = mapped_column(default=0)
    # The market's default service for its level (used where a warehouse chose none).
    is_default: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("carrier_id", "code"),
        CheckConstraint("volumetric_divisor > 0", name="divisor_positive"),
        CheckConstraint("max_weight_g > 0", name="max_weight_positive"),
        CheckConstraint("extra_kg_minor >= 0", name="extra_kg_nonnegative"),
        Index("ix_carrier_services_market_level", "market_code", "level"),
    )


class ServiceRate(Base):
    """One bracket of a service's rate table: parcels up to `max_weight_g` (chargeable) in
    `zone` cost `price_minor` in the service's currency."""

    __tablename__ = "carrier_rates"

    id: Mapped[int] = id_column()
    service_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("carrier_services.id", ondelete="CASCADE")
    )
    zone: Mapped[int]
    max_weight_g: Mapped[int]
    price_minor: Mapped[int]

    __table_args__ = (
        UniqueConstraint("service_id", "zone", "max_weight_g"),
        CheckConstraint("max_weight_g > 0", name="max_weight_positive"),
        CheckConstraint("price_minor >= 0", name="price_nonnegative"),
        CheckConstraint("zone >= 1", name="zone_positive"),
    )


class TransitTime(Base):
    """Business days from acceptance to delivery for one service and zone."""

    __tablename__ = "carrier_transit_times"

    id: Mapped[int] = id_column()
    service_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("carrier_services.id", ondelete="CASCADE")
    )
    zone: Mapped[int]
    p50_days: Mapped[int]
    p90_days: Mapped[int]

    __table_args__ = (
        UniqueConstraint("service_id", "zone"),
        CheckConstraint("p50_days >= 0 AND p50_days <= p90_days", name="days_ordered"),
        CheckConstraint("zone >= 1", name="zone_positive"),
    )


class DeliveryOption(Base):
    """A delivery level offered from a warehouse or a fulfilment centre, and the carrier
    service that backs it. Where none is set, the market's default service for the level."""

    __tablename__ = "delivery_options"

    id: Mapped[int] = id_column()
    warehouse_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("warehouses.id", ondelete="CASCADE")
    )
    centre_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("fulfilment_centres.id", ondelete="CASCADE")
    )
    level: Mapped[str] = mapped_column(String(16))
    service_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("carrier_services.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("warehouse_id", "level"),
        UniqueConstraint("centre_id", "level"),
        CheckConstraint(
            "(warehouse_id IS NULL AND centre_id IS NOT NULL) "
            "OR (warehouse_id IS NOT NULL AND centre_id IS NULL)",
            name="one_owner",
        ),
    )


class PostalArea(Base):
    """Where parcels to a postal-code prefix go: a point for distances and zones.

    The longest matching prefix wins; the empty prefix stands for the whole country.
    """

    __tablename__ = "postal_areas"

    id: Mapped[int] = id_column()
    country_code: Mapped[str] = mapped_column(String(2))
    prefix: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100))
    latitude: Mapped[Decimal] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal] = mapped_column(Numeric(9, 6))

    __table_args__ = (UniqueConstraint("country_code", "prefix"),)
