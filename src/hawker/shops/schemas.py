from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from hawker.schemas import Id, Schema

SellerTypeIn = Literal["LOCAL", "CROSS_BORDER"]
WarehouseTypeIn = Literal["SALES_WAREHOUSE", "RETURN_WAREHOUSE"]
ShopStatusIn = Literal["PENDING_REVIEW", "ACTIVE", "SUSPENDED", "CLOSED"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# Shops --------------------------------------------------------------------------------------


class ShopApply(Strict):
    name: str = Field(min_length=2, max_length=80)
    market_code: str = Field(pattern=r"^[A-Za-z]{2}$")
    seller_type: SellerTypeIn
    description: str = Field(default="", max_length=2000)
    contact_email: EmailStr
    business_name: str = Field(min_length=1, max_length=200)
    business_registration_number: str = Field(min_length=1, max_length=64)


class ShopUpdate(Strict):
    description: str | None = Field(default=None, max_length=2000)
    contact_email: EmailStr | None = None


class ShopPublic(Schema):
    id: Id
    name: str
    description: str
    market_code: str
    seller_type: str
    created_at: datetime


class ShopOut(Schema):
    """A shop as its members (and operators) see it."""

    id: Id
    name: str
    description: str
    market_code: str
    seller_type: str
    status: str
    status_reason: str | None
    on_probation: bool
    contact_email: str
    business_name: str
    business_registration_number: str
    created_at: datetime
    updated_at: datetime
    reviewed_at: datetime | None


class MyShopOut(ShopOut):
    role: str


class MemberOut(BaseModel):
    user_id: Id
    email: str
    display_name: str
    role: str
    created_at: datetime


class MemberAdd(Strict):
    email: EmailStr


class OperatorShopOut(ShopOut):
    reviewed_by: Id | None


class OperatorShopDetail(OperatorShopOut):
    members: list[MemberOut]


class ReasonIn(Strict):
    # Blank or missing: 400 reason_required from the review rules (one path for every caller).
    reason: str = Field(default="", max_length=500)


# Warehouses ---------------------------------------------------------------------------------


class WarehouseCreate(Strict):
    type: WarehouseTypeIn
    name: str = Field(min_length=1, max_length=120)
    address_line1: str = Field(min_length=1, max_length=200)
    address_line2: str = Field(default="", max_length=200)
    city: str = Field(min_length=1, max_length=100)
    region: str = Field(default="", max_length=100)
    postal_code: str = Field(min_length=1, max_length=20)
    country_code: str = Field(pattern=r"^[A-Za-z]{2}$")
    latitude: Decimal = Field(ge=-90, le=90, allow_inf_nan=False)
    longitude: Decimal = Field(ge=-180, le=180, allow_inf_nan=False)
    cutoff_hour: int = Field(default=14, ge=0, le=23, strict=True)
    is_default: bool = False


class WarehouseUpdate(Strict):
    type: WarehouseTypeIn | None = None
    name: str | None = Field(default=None, min_length=1, max_length=120)
    address_line1: str | None = Field(default=None, min_length=1, max_length=200)
    address_line2: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, min_length=1, max_length=100)
    region: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, min_length=1, max_length=20)
    country_code: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")
    latitude: Decimal | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    longitude: Decimal | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    cutoff_hour: int | None = Field(default=None, ge=0, le=23, strict=True)
    is_default: bool | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the request set to a value (null means "leave as it is")."""
        return {k: v for k, v in self.model_dump(exclude_unset=True).items() if v is not None}


class WarehouseOut(Schema):
    id: Id
    shop_id: Id
    type: str
    name: str
    address_line1: str
    address_line2: str
    city: str
    region: str
    postal_code: str
    country_code: str
    latitude: Decimal
    longitude: Decimal
    cutoff_hour: int
    is_default: bool
    created_at: datetime


# Audit log ----------------------------------------------------------------------------------


class AuditEntryOut(Schema):
    id: Id
    actor_id: Id | None
    action: str
    target_type: str
    target_id: Id
    details: dict[str, Any]
    created_at: datetime
