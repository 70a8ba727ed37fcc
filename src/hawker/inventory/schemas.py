from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

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


# Quantities and the adjustment's reason are checked by the stock rules, for every caller alike:
# out of range answers 400 invalid_quantity, a blank note 400 reason_required.


class ReceiptIn(BaseModel):
    sku_id: Id
    warehouse_id: Id
    quantity: int = Field(description=f"Units received, 1 to {MAX_UNITS:,}.")
    note: str = Field(default="", max_length=255)


class AdjustmentIn(BaseModel):
    sku_id: Id
    warehouse_id: Id
    delta: int = Field(
        description=f"Units to add (+) or remove (-): not 0, at most {MAX_UNITS:,} either way."
    )
    note: str = Field(default="", max_length=255, description="Why the count changes (required).")


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
