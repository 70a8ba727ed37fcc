"""Moving packages and their orders: the one place package and order statuses change.

Packages change with a guarded UPDATE on their version; the order follows its packages
through `orders.transition` (the state machine, history and outbox event), walking every
intermediate status. Every package change writes a "fulfillment.package_updated" event
(Partner API PACKAGE_UPDATE).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from hawker.errors import Conflict
from hawker.fulfillment import repository as repo
from hawker.fulfillment import statuses as rules
from hawker.inventory import service as inventory
from hawker.models import Order, OrderStatus, Package, PackageStatus
from hawker.orders import service as orders
from hawker.orders.state import ActorRole
from hawker.outbox.service import record_event

PACKAGE_TOPIC = "fulfillment.package_updated"
CARRIER_TOPIC = "fulfillment.carrier_instruction"
CLOSED_ORDER = frozenset({OrderStatus.CANCELLED, OrderStatus.COMPLETED})


class PackageChanged(Conflict):
    """The package changed meanwhile; reload it and try again."""

    code = "package_changed"


def package_event(package: Package, now: datetime) -> dict[str, Any]:
    return {
        "package_id": str(package.id),
        "order_id": str(package.order_id),
        "shop_id": str(package.shop_id),
        "package_status": package.status,
        "tracking_status": package.tracking_status,
        "tracking_number": package.tracking_number,
        "held": package.held,
        "update_time": int(now.timestamp()),
    }


async def change_package(
    session: AsyncSession, package: Package, *, now: datetime, **values: Any
) -> Package:
    """Apply `values` to the package if nobody changed it since it was read, with its event."""
    await session.flush()
    values["updated_at"] = now
    if not await repo.bump_package(session, package, version=package.version, values=values):
        raise PackageChanged(f"Package {package.id} changed meanwhile; try again.")
    values["version"] = package.version + 1
    for name, value in values.items():
        set_committed_value(package, name, value)
    record_event(
        session,
        topic=PACKAGE_TOPIC,
        aggregate_type="package",
        aggregate_id=package.id,
        payload=package_event(package, now),
        now=now,
    )
    return package


def instruct_carrier(
    session: AsyncSession, package: Package, action: str, *, now: datetime
) -> None:
    """Ask the carrier to hold, release or cancel a parcel, after commit, with retries."""
    if package.carrier_id is None or not package.tracking_number:
        return
    record_event(
        session,
        topic=CARRIER_TOPIC,
        aggregate_type="package",
        aggregate_id=package.id,
        payload={
            "package_id": str(package.id),
            "carrier_id": str(package.carrier_id),
            "tracking_number": package.tracking_number,
            "action": action,
        },
        now=now,
    )


async def hand_over(session: AsyncSession, package: Package, *, now: datetime) -> None:
    """The carrier has the parcel: its units leave stock, the package is on its way."""
    await inventory.ship_allocations(
        session, package.order_id, now=now, warehouse_id=package.warehouse_id
    )
    await change_package(session, package, now=now, status=PackageStatus.FULFILLING)


async def follow_packages(
    session: AsyncSession,
    order_id: int,
    *,
    now: datetime,
    actor_role: ActorRole = ActorRole.SYSTEM,
    actor_id: int | None = None,
    reason: str,
) -> Order | None:
    """Move the order as far forward as its packages call for (never backwards)."""
    (order,) = await orders.lock_orders(session, [order_id])
    if order.status in CLOSED_ORDER:
        return order
    packages = await repo.packages_of_orders(session, [order_id])
    target = rules.order_target([p.status for p in packages])
    for step in rules.order_path(order.status, target):
        await orders.transition(
            session,
            order,
            step,
            actor_role=actor_role,
            actor_id=actor_id,
            reason=reason,
            now=now,
        )
    return order


async def cancel_packages(
    session: AsyncSession, packages: Sequence[Package], *, now: datetime
) -> int:
    """Close the packages of a cancelled order; labels are voided at the carrier."""
    done = 0
    for package in packages:
        if package.status in (PackageStatus.CANCELLED, PackageStatus.COMPLETED):
            continue
        await change_package(
            session, package, now=now, status=PackageStatus.CANCELLED, cancelled_at=now
        )
        instruct_carrier(session, package, "cancel", now=now)
        done += 1
    return done
