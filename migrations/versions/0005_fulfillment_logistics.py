"""fulfillment and logistics: network, carriers, rates, packages, tracking, weight reviews

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 08:53:15.585534
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hawker.models.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "carriers",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("tracking_pattern", sa.String(length=255), nullable=False),
        sa.Column("webhook_secret", sa.String(length=128), nullable=False),
        sa.Column("adapter", sa.String(length=16), nullable=False),
        sa.Column("api_base_url", sa.String(length=255), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carriers")),
        sa.UniqueConstraint("code", name=op.f("uq_carriers_code")),
    )
    op.create_table(
        "postal_areas",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("prefix", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postal_areas")),
        sa.UniqueConstraint(
            "country_code", "prefix", name=op.f("uq_postal_areas_country_code_prefix")
        ),
    )
    op.create_table(
        "carrier_services",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("carrier_id", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("market_code", sa.String(length=2), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("volumetric_divisor", sa.BigInteger(), nullable=False),
        sa.Column("max_weight_g", sa.BigInteger(), nullable=False),
        sa.Column("extra_kg_minor", sa.BigInteger(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "extra_kg_minor >= 0", name=op.f("ck_carrier_services_extra_kg_nonnegative")
        ),
        sa.CheckConstraint(
            "max_weight_g > 0", name=op.f("ck_carrier_services_max_weight_positive")
        ),
        sa.CheckConstraint(
            "volumetric_divisor > 0", name=op.f("ck_carrier_services_divisor_positive")
        ),
        sa.ForeignKeyConstraint(
            ["carrier_id"],
            ["carriers.id"],
            name=op.f("fk_carrier_services_carrier_id_carriers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["market_code"], ["markets.code"], name=op.f("fk_carrier_services_market_code_markets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carrier_services")),
        sa.UniqueConstraint("carrier_id", "code", name=op.f("uq_carrier_services_carrier_id_code")),
    )
    with op.batch_alter_table("carrier_services", schema=None) as batch_op:
        batch_op.create_index(
            "ix_carrier_services_market_level", ["market_code", "level"], unique=False
        )

    op.create_table(
        "fulfilment_centres",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("market_code", sa.String(length=2), nullable=False),
        sa.Column("address_line1", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("postal_code", sa.String(length=20), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("cutoff_hour", sa.BigInteger(), nullable=False),
        sa.Column("handling_days", sa.BigInteger(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "cutoff_hour >= 0 AND cutoff_hour <= 23",
            name=op.f("ck_fulfilment_centres_cutoff_hour_range"),
        ),
        sa.CheckConstraint(
            "handling_days >= 0", name=op.f("ck_fulfilment_centres_handling_days_nonnegative")
        ),
        sa.ForeignKeyConstraint(
            ["market_code"],
            ["markets.code"],
            name=op.f("fk_fulfilment_centres_market_code_markets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfilment_centres")),
        sa.UniqueConstraint("code", name=op.f("uq_fulfilment_centres_code")),
    )
    with op.batch_alter_table("fulfilment_centres", schema=None) as batch_op:
        batch_op.create_index("ix_fulfilment_centres_market", ["market_code"], unique=False)

    op.create_table(
        "carrier_rates",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("service_id", sa.BigInteger(), nullable=False),
        sa.Column("zone", sa.BigInteger(), nullable=False),
        sa.Column("max_weight_g", sa.BigInteger(), nullable=False),
        sa.Column("price_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("max_weight_g > 0", name=op.f("ck_carrier_rates_max_weight_positive")),
        sa.CheckConstraint("price_minor >= 0", name=op.f("ck_carrier_rates_price_nonnegative")),
        sa.CheckConstraint("zone >= 1", name=op.f("ck_carrier_rates_zone_positive")),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["carrier_services.id"],
            name=op.f("fk_carrier_rates_service_id_carrier_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carrier_rates")),
        sa.UniqueConstraint(
            "service_id",
            "zone",
            "max_weight_g",
            name=op.f("uq_carrier_rates_service_id_zone_max_weight_g"),
        ),
    )
    op.create_table(
        "carrier_transit_times",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("service_id", sa.BigInteger(), nullable=False),
        sa.Column("zone", sa.BigInteger(), nullable=False),
        sa.Column("p50_days", sa.BigInteger(), nullable=False),
        sa.Column("p90_days", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "p50_days >= 0 AND p50_days <= p90_days",
            name=op.f("ck_carrier_transit_times_days_ordered"),
        ),
        sa.CheckConstraint("zone >= 1", name=op.f("ck_carrier_transit_times_zone_positive")),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["carrier_services.id"],
            name=op.f("fk_carrier_transit_times_service_id_carrier_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carrier_transit_times")),
        sa.UniqueConstraint(
            "service_id", "zone", name=op.f("uq_carrier_transit_times_service_id_zone")
        ),
    )
    op.create_table(
        "delivery_options",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("warehouse_id", sa.BigInteger(), nullable=True),
        sa.Column("centre_id", sa.BigInteger(), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("service_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(warehouse_id IS NULL AND centre_id IS NOT NULL) "
            "OR (warehouse_id IS NOT NULL AND centre_id IS NULL)",
            name=op.f("ck_delivery_options_one_owner"),
        ),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["fulfilment_centres.id"],
            name=op.f("fk_delivery_options_centre_id_fulfilment_centres"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["carrier_services.id"],
            name=op.f("fk_delivery_options_service_id_carrier_services"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_delivery_options_warehouse_id_warehouses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_options")),
        sa.UniqueConstraint("centre_id", "level", name=op.f("uq_delivery_options_centre_id_level")),
        sa.UniqueConstraint(
            "warehouse_id", "level", name=op.f("uq_delivery_options_warehouse_id_level")
        ),
    )
    op.create_table(
        "order_fulfilments",
        sa.Column("order_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("market_code", sa.String(length=2), nullable=False),
        sa.Column("released_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "dispatch_deadline", hawker.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("auto_cancel_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "first_accepted_at", hawker.models.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("dispatched_at", hawker.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", hawker.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("late_dispatch", sa.Boolean(), nullable=False),
        sa.Column("closed_at", hawker.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_fulfilments_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_order_fulfilments_shop_id_shops")
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_order_fulfilments")),
    )
    with op.batch_alter_table("order_fulfilments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_order_fulfilments_auto_cancel",
            ["first_accepted_at", "auto_cancel_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_order_fulfilments_due", ["dispatched_at", "dispatch_deadline"], unique=False
        )
        batch_op.create_index(
            "ix_order_fulfilments_shop_deadline", ["shop_id", "dispatch_deadline"], unique=False
        )

    op.create_table(
        "packages",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("warehouse_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("delivery_level", sa.String(length=16), nullable=False),
        sa.Column("shipping_type", sa.String(length=8), nullable=True),
        sa.Column("carrier_id", sa.BigInteger(), nullable=True),
        sa.Column("service_id", sa.BigInteger(), nullable=True),
        sa.Column("tracking_number", sa.String(length=64), nullable=True),
        sa.Column("carrier_shipment_id", sa.String(length=64), nullable=True),
        sa.Column("label", sa.JSON(), nullable=True),
        sa.Column("label_cost_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("zone", sa.BigInteger(), nullable=True),
        sa.Column("shipping_cost_minor", sa.BigInteger(), nullable=True),
        sa.Column("expected_weight_g", sa.BigInteger(), nullable=False),
        sa.Column("measured_weight_g", sa.BigInteger(), nullable=True),
        sa.Column("length_cm", sa.BigInteger(), nullable=False),
        sa.Column("width_cm", sa.BigInteger(), nullable=False),
        sa.Column("height_cm", sa.BigInteger(), nullable=False),
        sa.Column("chargeable_weight_g", sa.BigInteger(), nullable=False),
        sa.Column(
            "dispatch_deadline", hawker.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("arranged_at", hawker.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", hawker.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", hawker.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", hawker.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("tracking_status", sa.String(length=20), nullable=True),
        sa.Column("last_event_at", hawker.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "expected_weight_g >= 0", name=op.f("ck_packages_expected_weight_nonnegative")
        ),
        sa.ForeignKeyConstraint(
            ["carrier_id"], ["carriers.id"], name=op.f("fk_packages_carrier_id_carriers")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_packages_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["carrier_services.id"],
            name=op.f("fk_packages_service_id_carrier_services"),
        ),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_packages_shop_id_shops")),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_packages_warehouse_id_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packages")),
        sa.UniqueConstraint(
            "carrier_id", "tracking_number", name=op.f("uq_packages_carrier_id_tracking_number")
        ),
    )
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.create_index("ix_packages_order", ["order_id"], unique=False)
        batch_op.create_index(
            "ix_packages_shop_status_deadline",
            ["shop_id", "status", "dispatch_deadline"],
            unique=False,
        )
        batch_op.create_index(
            "ix_packages_warehouse_status", ["warehouse_id", "status"], unique=False
        )

    op.create_table(
        "warehouse_logistics",
        sa.Column("warehouse_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("centre_id", sa.BigInteger(), nullable=True),
        sa.Column("handling_days", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "handling_days >= 0", name=op.f("ck_warehouse_logistics_handling_days_nonnegative")
        ),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["fulfilment_centres.id"],
            name=op.f("fk_warehouse_logistics_centre_id_fulfilment_centres"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_warehouse_logistics_warehouse_id_warehouses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("warehouse_id", name=op.f("pk_warehouse_logistics")),
    )
    with op.batch_alter_table("warehouse_logistics", schema=None) as batch_op:
        batch_op.create_index("ix_warehouse_logistics_centre", ["centre_id"], unique=False)

    op.create_table(
        "package_items",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("package_id", sa.BigInteger(), nullable=False),
        sa.Column("order_line_id", sa.BigInteger(), nullable=False),
        sa.Column("sku_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_weight_g", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_package_items_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_package_items_order_line_id_order_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["packages.id"],
            name=op.f("fk_package_items_package_id_packages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package_items")),
        sa.UniqueConstraint(
            "package_id", "order_line_id", name=op.f("uq_package_items_package_id_order_line_id")
        ),
    )
    op.create_table(
        "tracking_events",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("carrier_id", sa.BigInteger(), nullable=False),
        sa.Column("carrier_event_id", sa.String(length=64), nullable=False),
        sa.Column("package_id", sa.BigInteger(), nullable=False),
        sa.Column("tracking_number", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("raw_code", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("location", sa.String(length=120), nullable=False),
        sa.Column("event_time", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("measured_weight_g", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["carrier_id"], ["carriers.id"], name=op.f("fk_tracking_events_carrier_id_carriers")
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["packages.id"],
            name=op.f("fk_tracking_events_package_id_packages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_events")),
        sa.UniqueConstraint(
            "carrier_id",
            "carrier_event_id",
            name=op.f("uq_tracking_events_carrier_id_carrier_event_id"),
        ),
    )
    with op.batch_alter_table("tracking_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tracking_events_package_time", ["package_id", "event_time"], unique=False
        )

    op.create_table(
        "weight_reviews",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("package_id", sa.BigInteger(), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("expected_weight_g", sa.BigInteger(), nullable=False),
        sa.Column("measured_weight_g", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_at", hawker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", hawker.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_weight_reviews_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_weight_reviews_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["packages.id"],
            name=op.f("fk_weight_reviews_package_id_packages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_weight_reviews_shop_id_shops")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weight_reviews")),
        sa.UniqueConstraint("package_id", name=op.f("uq_weight_reviews_package_id")),
    )
    with op.batch_alter_table("weight_reviews", schema=None) as batch_op:
        batch_op.create_index("ix_weight_reviews_shop", ["shop_id", "id"], unique=False)
        batch_op.create_index("ix_weight_reviews_status", ["status", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("weight_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_weight_reviews_status")
        batch_op.drop_index("ix_weight_reviews_shop")

    op.drop_table("weight_reviews")
    with op.batch_alter_table("tracking_events", schema=None) as batch_op:
        batch_op.drop_index("ix_tracking_events_package_time")

    op.drop_table("tracking_events")
    op.drop_table("package_items")
    with op.batch_alter_table("warehouse_logistics", schema=None) as batch_op:
        batch_op.drop_index("ix_warehouse_logistics_centre")

    op.drop_table("warehouse_logistics")
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.drop_index("ix_packages_warehouse_status")
        batch_op.drop_index("ix_packages_shop_status_deadline")
        batch_op.drop_index("ix_packages_order")

    op.drop_table("packages")
    with op.batch_alter_table("order_fulfilments", schema=None) as batch_op:
        batch_op.drop_index("ix_order_fulfilments_shop_deadline")
        batch_op.drop_index("ix_order_fulfilments_due")
        batch_op.drop_index("ix_order_fulfilments_auto_cancel")

    op.drop_table("order_fulfilments")
    op.drop_table("delivery_options")
    op.drop_table("carrier_transit_times")
    op.drop_table("carrier_rates")
    with op.batch_alter_table("fulfilment_centres", schema=None) as batch_op:
        batch_op.drop_index("ix_fulfilment_centres_market")

    op.drop_table("fulfilment_centres")
    with op.batch_alter_table("carrier_services", schema=None) as batch_op:
        batch_op.drop_index("ix_carrier_services_market_level")

    op.drop_table("carrier_services")
    op.drop_table("postal_areas")
    op.drop_table("carriers")
