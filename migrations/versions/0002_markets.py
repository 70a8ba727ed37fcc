"""markets: the markets RULES.md names, with currency, locale and tax mode

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# code, name, currency, locale, timezone, tax mode, default tax rate,
# flat shipping fee (minor units), free-shipping threshold (minor units)
MARKETS = [
    ("US", "United States", "USD", "en_US", "America/New_York", "EXCLUSIVE", "0.0725", 599, 3500),
    ("GB", "United Kingdom", "GBP", "en_GB", "Europe/London", "INCLUSIVE", "0.20", 399, 2500),
    ("ID", "Indonesia", "IDR", "id_ID", "Asia/Jakarta", "INCLUSIVE", "0.11", 1500000, 15000000),
    ("TH", "Thailand", "THB", "th_TH", "Asia/Bangkok", "INCLUSIVE", "0.07", 4000, 50000),
    ("VN", "Vietnam", "VND", "vi_VN", "Asia/Ho_Chi_Minh", "INCLUSIVE", "0.10", 30000, 300000),
    ("MY", "Malaysia", "MYR", "ms_MY", "Asia/Kuala_Lumpur", "INCLUSIVE", "0.10", 500, 5000),
    ("PH", "Philippines", "PHP", "fil_PH", "Asia/Manila", "INCLUSIVE", "0.12", 8000, 99900),
    ("SG", "Singapore", "SGD", "en_SG", "Asia/Singapore", "INCLUSIVE", "0.09", 399, 4000),
    ("JP", "Japan", "JPY", "ja_JP", "Asia/Tokyo", "INCLUSIVE", "0.10", 500, 5000),
    ("MX", "Mexico", "MXN", "es_MX", "America/Mexico_City", "INCLUSIVE", "0.16", 9900, 59900),
    ("BR", "Brazil", "BRL", "pt_BR", "America/Sao_Paulo", "INCLUSIVE", "0.18", 1990, 19900),
    ("ES", "Spain", "EUR", "es_ES", "Europe/Madrid", "INCLUSIVE", "0.21", 399, 2900),
    ("IE", "Ireland", "EUR", "en_IE", "Europe/Dublin", "INCLUSIVE", "0.23", 399, 2900),
    ("DE", "Germany", "EUR", "de_DE", "Europe/Berlin", "INCLUSIVE", "0.19", 399, 2900),
    ("FR", "France", "EUR", "fr_FR", "Europe/Paris", "INCLUSIVE", "0.20", 399, 2900),
    ("IT", "Italy", "EUR", "it_IT", "Europe/Rome", "INCLUSIVE", "0.22", 399, 2900),
]

markets = sa.table(
    "markets",
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("currency", sa.String),
    sa.column("locale", sa.String),
    sa.column("timezone", sa.String),
    sa.column("tax_mode", sa.String),
    sa.column("tax_rate", sa.Numeric),
    sa.column("shipping_fee_minor", sa.Integer),
    sa.column("free_shipping_threshold_minor", sa.Integer),
    sa.column("is_active", sa.Boolean),
)


def upgrade() -> None:
    op.bulk_insert(
        markets,
        [
            {
                "code": code,
                "name": name,
                "currency": currency,
                "locale": locale,
                "timezone": tz,
                "tax_mode": mode,
                "tax_rate": Decimal(rate),
                "shipping_fee_minor": fee,
                "free_shipping_threshold_minor": free,
                "is_active": True,
            }
            for code, name, currency, locale, tz, mode, rate, fee, free in MARKETS
        ],
    )


def downgrade() -> None:
    op.execute(markets.delete())
