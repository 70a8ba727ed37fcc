"""A shop's warehouses: where it ships from (SALES_WAREHOUSE) and takes returns (RETURN_WAREHOUSE).

Any member (owner or staff) manages them. Each shop has at most one default warehouse per type;
making one the default unsets the previous one, under the shop's row lock so two requests
cannot leave two defaults.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.service import audit
from hawker.errors import BadRequest, Conflict, NotFound
from hawker.kit.pagination import Page
from hawker.models import Shop, User, Warehouse, WarehouseType
from hawker.shops import repository as repo
from hawker.shops.service import (
    MAX_DB_ID,
    ShopNotFound,
    cursor_after,
    ensure_not_closed,
    get_membership,
    page_of,
)

# A sane ceiling, not a business figure.
MAX_WAREHOUSES_PER_SHOP = 50
COORDINATE_STEP = Decimal("0.000001")  # the column keeps 6 decimal places (about 0.1 m)
DEFAULT_CUTOFF_HOUR = 14
EDITABLE_FIELDS = frozenset(
    {
        "type",
        "name",
        "address_line1",
        "address_line2",
        "city",
        "region",
        "postal_code",
        "country_code",
        "latitude",
        "longitude",
        "cutoff_hour",
        "is_default",
    }
)


class WarehouseNotFound(NotFound):
    """No such warehouse in this shop."""

    code = "warehouse_not_found"


class InvalidWarehouse(BadRequest):
    """The warehouse details are not valid."""

    code = "invalid_warehouse"


class TooManyWarehouses(Conflict):
    """This shop already has as many warehouses as it may."""

    code = "too_many_warehouses"


def check_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Validated, normalised warehouse fields (a pure function; InvalidWarehouse if bad)."""
    out = dict(fields)
    unknown = set(out) - EDITABLE_FIELDS
    if unknown:
        raise InvalidWarehouse(f"Unknown warehouse fields: {', '.join(sorted(unknown))}.")
    if "type" in out and out["type"] not in set(WarehouseType):
        raise InvalidWarehouse("type must be SALES_WAREHOUSE or RETURN_WAREHOUSE.")
    for key, bound in (("latitude", 90), ("longitude", 180)):
        if key in out:
            value = Decimal(str(out[key]))
            if not value.is_finite() or not -bound <= value <= bound:
                raise InvalidWarehouse(f"{key} must lie between -{bound} and {bound}.")
            out[key] = value.quantize(COORDINATE_STEP, rounding=ROUND_HALF_EVEN)
    hour = out.get("cutoff_hour", DEFAULT_CUTOFF_HOUR)
    if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
        raise InvalidWarehouse("cutoff_hour must be a whole hour from 0 to 23.")
    if "country_code" in out:
        code = str(out["country_code"]).strip().upper()
        if len(code) != 2 or not code.isalpha() or not code.isascii():
            raise InvalidWarehouse("country_code must be two letters (ISO 3166-1 alpha-2).")
        out["country_code"] = code
    for key in ("name", "address_line1", "address_line2", "city", "region", "postal_code"):
        if key in out:
            out[key] = str(out[key]).strip()
    for key in ("name", "address_line1", "city", "postal_code"):
        if key in out and not out[key]:
            raise InvalidWarehouse(f"{key} must not be empty.")
    return out


async def _locked_shop(session: AsyncSession, user: User, shop_id: int) -> Shop:
    await get_membership(session, user, shop_id)
    shop = await repo.lock_shop(session, shop_id)
    if shop is None:
        raise ShopNotFound(f"There is no shop {shop_id}.")
    await session.refresh(shop)  # the locked row, not an older copy from the identity map
    ensure_not_closed(shop)
    return shop


async def list_shop_warehouses(
    session: AsyncSession,
    user: User,
    shop_id: int,
    *,
    type: str | None = None,
    cursor: str | None,
    limit: int,
) -> Page[Warehouse]:
    await get_membership(session, user, shop_id)
    rows = await repo.warehouses_page(
        session, shop_id, type=type, after_id=cursor_after(cursor), limit=limit
    )
    return page_of(rows, limit, lambda w: w.id)


async def get_warehouse(
    session: AsyncSession, user: User, shop_id: int, warehouse_id: int
) -> Warehouse:
    """A warehouse of a shop `user` belongs to; 404 for anything else."""
    await get_membership(session, user, shop_id)
    return await shop_warehouse(session, shop_id, warehouse_id)


async def shop_warehouse(session: AsyncSession, shop_id: int, warehouse_id: int) -> Warehouse:
    """The shop's warehouse `warehouse_id` (no membership check); WarehouseNotFound otherwise."""
    found = (
        await repo.shop_warehouse(session, shop_id, warehouse_id)
        if 0 < warehouse_id <= MAX_DB_ID
        else None
    )
    if found is None:
        raise WarehouseNotFound(f"There is no warehouse {warehouse_id} in this shop.")
    return found


async def default_warehouse(
    session: AsyncSession, shop_id: int, type: str = WarehouseType.SALES_WAREHOUSE
) -> Warehouse | None:
    """The shop's default warehouse of `type`, if it has one."""
    return await repo.default_warehouse(session, shop_id, type)


async def create_warehouse(
    session: AsyncSession,
    user: User,
    shop_id: int,
    *,
    type: str,
    name: str,
    address_line1: str,
    city: str,
    postal_code: str,
    country_code: str,
    latitude: Decimal,
    longitude: Decimal,
    address_line2: str = "",
    region: str = "",
    cutoff_hour: int = DEFAULT_CUTOFF_HOUR,
    is_default: bool = False,
    now: datetime,
) -> Warehouse:
    fields = check_fields(
        {
            "type": type,
            "name": name,
            "address_line1": address_line1,
            "address_line2": address_line2,
            "city": city,
            "region": region,
            "postal_code": postal_code,
            "country_code": country_code,
            "latitude": latitude,
            "longitude": longitude,
            "cutoff_hour": cutoff_hour,
            "is_default": is_default,
        }
    )
    shop = await _locked_shop(session, user, shop_id)
    if await repo.count_warehouses(session, shop.id) >= MAX_WAREHOUSES_PER_SHOP:
        raise TooManyWarehouses(
            f"A shop may have at most {MAX_WAREHOUSES_PER_SHOP} warehouses.",
            details={"limit": MAX_WAREHOUSES_PER_SHOP},
        )
    warehouse = Warehouse(shop_id=shop.id, created_at=now, **fields)
    session.add(warehouse)
    await session.flush()
    if warehouse.is_default:
        await repo.unset_other_defaults(session, shop.id, warehouse.type, warehouse.id)
    audit(
        session,
        actor_id=user.id,
        action="warehouse.create",
        target_type="warehouse",
        target_id=warehouse.id,
        now=now,
        details={"shop_id": str(shop.id), "type": warehouse.type, "is_default": is_default},
    )
    await session.flush()
    return warehouse


async def update_warehouse(
    session: AsyncSession,
    user: User,
    shop_id: int,
    warehouse_id: int,
    *,
    changes: dict[str, Any],
    now: datetime,
) -> Warehouse:
    """Apply the given fields (only those present) to one of the shop's warehouses."""
    fields = check_fields(changes)
    shop = await _locked_shop(session, user, shop_id)
    warehouse = await shop_warehouse(session, shop.id, warehouse_id)
    changed = sorted(k for k, v in fields.items() if getattr(warehouse, k) != v)
    for key in changed:
        setattr(warehouse, key, fields[key])
    if changed:
        await session.flush()
        if warehouse.is_default:
            await repo.unset_other_defaults(session, shop.id, warehouse.type, warehouse.id)
        audit(
            session,
            actor_id=user.id,
            action="warehouse.update",
            target_type="warehouse",
            target_id=warehouse.id,
            now=now,
            details={"shop_id": str(shop.id), "changed": changed},
        )
        await session.flush()
    return warehouse
