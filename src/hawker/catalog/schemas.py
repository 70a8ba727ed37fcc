"""Catalog API shapes. Ids are strings in JSON; money is MoneyOut in the market's locale."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from hawker.schemas import Id, MoneyOut, Schema

MAX_IMAGES = 9
MAX_SKUS = 100
MAX_SALES_ATTRIBUTES = 3
MAX_ID = 2**63 - 1  # BIGINT
MAX_PRICE_MINOR = 2**31 - 1  # prices are INTEGER columns

# An id the database can hold: larger ones are refused as invalid input, not looked up.
CatalogId = Annotated[Id, Field(ge=1, le=MAX_ID)]


class Input(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)


# Categories


class CategoryOut(Schema):
    id: Id
    parent_id: Id | None
    name: str
    slug: str
    is_leaf: bool
    hs_chapter: str | None
    children: list[CategoryOut] = []


class CategoryCreate(Input):
    name: str = Field(min_length=1, max_length=100)
    parent_id: CatalogId | None = None
    hs_chapter: str | None = Field(default=None, pattern=r"^[0-9]{2}$")


# Images


class ImageOut(Schema):
    id: Id
    uri: str
    thumb_uri: str
    width: int
    height: int
    content_type: str


# Products: input


class SalesAttribute(Input):
    name: str = Field(min_length=1, max_length=50)
    value_name: str = Field(min_length=1, max_length=50)


class SkuCreate(Input):
    seller_sku: str = Field(min_length=1, max_length=64)
    sales_attributes: list[SalesAttribute] = Field(
        default_factory=list, max_length=MAX_SALES_ATTRIBUTES
    )
    price_minor: int = Field(gt=0, le=MAX_PRICE_MINOR)


class SkuUpdate(SkuCreate):
    id: CatalogId | None = None  # an existing SKU of the product; None adds a SKU


class ProductFields(Input):
    title: str = Field(min_length=1, max_length=255)
    description: str = Field(default="", max_length=20_000)
    category_id: CatalogId
    brand: str | None = Field(default=None, max_length=100)
    package_weight_g: int = Field(gt=0, le=1_000_000)
    package_length_cm: int = Field(gt=0, le=10_000)
    package_width_cm: int = Field(gt=0, le=10_000)
    package_height_cm: int = Field(gt=0, le=10_000)
    origin_country: str = Field(pattern=r"^[A-Za-z]{2}$")
    image_ids: list[CatalogId] = Field(default_factory=list, max_length=MAX_IMAGES)


class ProductCreate(ProductFields):
    skus: list[SkuCreate] = Field(min_length=1, max_length=MAX_SKUS)


class ProductUpdate(ProductFields):
    """The whole product: SKUs with an id are kept, without one added, missing ones removed."""

    skus: list[SkuUpdate] = Field(min_length=1, max_length=MAX_SKUS)


class SkuPrice(BaseModel):
    sku_id: CatalogId
    price_minor: int = Field(gt=0, le=MAX_PRICE_MINOR)


class PriceUpdate(BaseModel):
    skus: list[SkuPrice] = Field(min_length=1, max_length=MAX_SKUS)


class DeactivateIn(Input):
    reason: str = Field(min_length=1, max_length=500)


class ReinstateIn(Input):
    note: str | None = Field(default=None, max_length=500)


# Products: output


class SkuOut(Schema):
    id: Id
    seller_sku: str
    name: str
    sales_attributes: list[SalesAttribute]
    price: MoneyOut
    available: int  # units free to sell across the shop's sales warehouses


class AuditOut(Schema):
    id: Id
    product_version: int
    status: str
    reasons: list[str]
    decided_by: str | None
    created_at: datetime
    decided_at: datetime | None


class ProductOut(Schema):
    id: Id
    shop_id: Id
    category_id: Id
    title: str
    description: str
    brand: str | None
    status: str
    audit_reasons: list[str]
    version: int
    package_weight_g: int
    package_length_cm: int
    package_width_cm: int
    package_height_cm: int
    origin_country: str
    currency: str
    min_price: MoneyOut
    max_price: MoneyOut
    images: list[ImageOut]
    skus: list[SkuOut]
    audit: AuditOut | None
    created_at: datetime
    updated_at: datetime


class ProductSummary(Schema):
    id: Id
    title: str
    status: str
    category_id: Id
    currency: str
    min_price: MoneyOut
    max_price: MoneyOut
    sku_count: int
    image: ImageOut | None
    version: int
    created_at: datetime
    updated_at: datetime


class ProductPage(BaseModel):
    items: list[ProductSummary]
    next_cursor: str | None


# Public browse


class ShopSummary(Schema):
    id: Id
    name: str
    market_code: str


class PublicSkuOut(Schema):
    id: Id
    name: str
    sales_attributes: list[SalesAttribute]
    price: MoneyOut
    available: int
    in_stock: bool


class PublicProductSummary(Schema):
    id: Id
    title: str
    brand: str | None
    category_id: Id
    shop: ShopSummary
    price_from: MoneyOut
    price_to: MoneyOut
    image: ImageOut | None
    created_at: datetime


class PublicProductPage(BaseModel):
    items: list[PublicProductSummary]
    next_cursor: str | None


class PublicProductOut(Schema):
    id: Id
    title: str
    description: str
    brand: str | None
    category_id: Id
    shop: ShopSummary
    price_from: MoneyOut
    price_to: MoneyOut
    package_weight_g: int
    origin_country: str
    images: list[ImageOut]
    skus: list[PublicSkuOut]
    created_at: datetime
    updated_at: datetime


PublicSort = Literal["newest", "price_asc", "price_desc"]


# Operator


class AuditQueueItem(Schema):
    id: Id
    product_id: Id
    product_version: int
    product_title: str
    product_status: str
    shop: ShopSummary
    status: str
    reasons: list[str]
    decided_by: str | None
    created_at: datetime
    decided_at: datetime | None


class AuditQueuePage(BaseModel):
    items: list[AuditQueueItem]
    next_cursor: str | None
