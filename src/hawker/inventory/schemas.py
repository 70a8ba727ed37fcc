from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from hawker.models import MovementKind
from hawker.schemas import Id, Schema

MAX_UNITS = 1_000_000


class StockOut(Schema):
    id: Id
    sku_id: Id
    seller_sku: str
    sku_name: str
    product_id: Id
    product_name: str
    warehouse_id: Id
    warehouse_name: str
    warehouse_type: str
    on_hand: int
    reserved: int
    available: int
    updated_at: datetime


class ReceiptIn(BaseModel):
    sku_id: Id
    warehouse_id: Id
    quantity: int = Field(ge=1, le=MAX_UNITS)
    note: str = Field(default="", max_length=255)


class AdjustmentIn(BaseModel):
    sku_id: Id
    warehouse_id: Id
    delta: int = Field(ge=-MAX_UNITS, le=MAX_UNITS, description="Units to add (+) or remove (-).")
    note: str = Field(min_length=1, max_length=255, description="Why the count changes.")

    @field_validator("delta")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("delta must not be 0")
        return value

    @field_validator("note")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("note must say why the stock changes")
        return value.strip()


class MovementOut(Schema):
    id: Id
    sku_id: Id
    warehouse_id: Id
    kind: MovementKind
    on_hand_delta: int
    reserved_delta: int
    ref_type: str | None
    ref_id: Id | None
    note: str
    actor_id: Id | None
    created_at: datetime
