"""Shipping documents for sellers: A6 labels and packing slips (one package or a batch, one
PDF), and the pick list of a warehouse's packages of the day.

Only a package with a tracking number (shipment arranged, with a platform label or the
seller's own carrier) gets a shipping label: anything else answers 409
`package_not_arranged`; a packing slip can be printed as soon as the package exists. A
cancelled package has no documents (409 `package_cancelled`). Another shop's package
answers 404 exactly like a missing one. Packages of cross-border orders carry a CN22-style
customs block built from the order's customs assessment.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.customs import service as customs
from hawker.fulfillment import documents as docs
from hawker.fulfillment import repository as repo
from hawker.fulfillment.service.allocating import market_tz
from hawker.fulfillment.service.errors import (
    DuplicatePackages,
    PackageCancelled,
    PackageNotArranged,
    PackageNotFound,
)
from hawker.fulfillment.service.packages import TO_SHIP, due_state
from hawker.fulfillment.service.performance import end_of_local_day
from hawker.fulfillment.service.shipping import MAX_DB_ID
from hawker.logistics import service as logistics
from hawker.models import (
    Order,
    OrderCustoms,
    OrderLine,
    Package,
    PackageItem,
    PackageStatus,
    ShippingType,
    Shop,
    User,
    Warehouse,
)
from hawker.orders import service as orders
from hawker.shops import service as shops
from hawker.shops import warehouses as shop_warehouses

MAX_BATCH = 100


def _address(
    line1: str, line2: str, city: str, region: str, postal: str, country: str
) -> tuple[str, ...]:
    street = ", ".join(p for p in (line1, line2) if p)
    place = " ".join(p for p in (city, region, postal) if p)
    return tuple(p for p in (street, place, country) if p)


def sender(shop: Shop, warehouse: Warehouse) -> docs.Party:
    return docs.Party(
        shop.name,
        _address(
            warehouse.address_line1,
            warehouse.address_line2,
            warehouse.city,
            warehouse.region,
            warehouse.postal_code,
            warehouse.country_code,
        ),
    )


def recipient(order: Order) -> docs.Party:
    return docs.Party(
        order.recipient_name,
        _address(
            order.address_line1,
            order.address_line2,
            order.city,
            order.region,
            order.postal_code,
            order.country_code,
        ),
        order.recipient_phone,
    )


def customs_block(
    declared: OrderCustoms, items: Sequence[PackageItem], locale: str
) -> docs.CustomsBlock:
    """The declaration of the units in this package (a line split between packages declares
    its share of the line's value, rounded half-up)."""
    by_line = {str(i["line_id"]): i for i in declared.items}
    rows = []
    for item in items:
        line = by_line.get(str(item.order_line_id))
        if line is None:
            continue
        total_q = int(line["quantity"])
        value = int(line["customs_value_minor"])
        share = (2 * value * item.quantity + total_q) // (2 * total_q)
        rows.append(
            docs.CustomsItem(
                description=str(line["description"]),
                quantity=item.quantity,
                hs_code=str(line["hs_code"]),
                origin_country=str(line["origin_country"]),
                value_minor=share,
                weight_g=item.unit_weight_g * item.quantity,
            )
        )
    return docs.CustomsBlock(declared.duty_mode, declared.currency, tuple(rows), locale)


@dataclass(frozen=True)
class _Context:
    shop: Shop
    locale: str


async def _documents_for(
    session: AsyncSession,
    ctx: _Context,
    packages: Sequence[Package],
    document_type: docs.DocumentType,
) -> list[docs.Label | docs.PackingSlip]:
    order_ids = sorted({p.order_id for p in packages})
    orders_by_id = {oid: await orders.get_order(session, oid) for oid in order_ids}
    siblings = await repo.packages_of_orders(session, order_ids)
    items = await repo.items_of(session, [p.id for p in packages])
    lines = await repo.lines_by_ids(
        session, {i.order_line_id for its in items.values() for i in its}
    )
    carriers = await logistics.carriers(
        session, {p.carrier_id for p in packages if p.carrier_id is not None}
    )
    services = await logistics.services(
        session, {p.service_id for p in packages if p.service_id is not None}
    )
    warehouses = {
        wid: await shop_warehouses.shop_warehouse(session, ctx.shop.id, wid)
        for wid in sorted({p.warehouse_id for p in packages})
    }
    declared = await customs.order_customs(session, order_ids)
    out: list[docs.Label | docs.PackingSlip] = []
    for package in packages:
        order = orders_by_id[package.order_id]
        mine = sorted(p.id for p in siblings if p.order_id == order.id)
        package_of = (mine.index(package.id) + 1, len(mine))
        carrier = carriers.get(package.carrier_id) if package.carrier_id is not None else None
        if document_type.needs_label:
            assert package.tracking_number is not None
            service = services.get(package.service_id) if package.service_id is not None else None
            level = package.delivery_level
            service_text = (
                f"{service.name} · {level}"
                if service is not None
                else f"{level} · shipped by the seller"
                if package.shipping_type == ShippingType.SELLER
                else level
            )
            label_data = package.label or {}
            routing = str(
                label_data.get("routing_code")
                or f"{order.country_code}-{order.postal_code.replace(' ', '')[:3].upper()}"
            )
            row = declared.get(order.id)
            out.append(
                docs.Label(
                    tracking_number=package.tracking_number,
                    carrier_name=carrier.name if carrier is not None else "Carrier",
                    service=service_text,
                    routing_code=routing,
                    sender=sender(ctx.shop, warehouses[package.warehouse_id]),
                    recipient=recipient(order),
                    weight_g=package.expected_weight_g,
                    dimensions_cm=(package.length_cm, package.width_cm, package.height_cm),
                    chargeable_weight_g=package.chargeable_weight_g,
                    order_id=order.id,
                    package_id=package.id,
                    package_of=package_of,
                    shipped_on=(package.arranged_at or package.created_at).date(),
                    customs=customs_block(row, items[package.id], ctx.locale) if row else None,
                )
            )
        if document_type != docs.DocumentType.SHIPPING_LABEL:
            out.append(
                docs.PackingSlip(
                    shop_name=ctx.shop.name,
                    order_id=order.id,
                    package_id=package.id,
                    package_of=package_of,
                    ordered_on=order.created_at.date(),
                    recipient=recipient(order),
                    lines=tuple(_slip_line(lines[i.order_line_id], i) for i in items[package.id]),
                    tracking_number=package.tracking_number,
                    carrier_name=carrier.name if carrier is not None else None,
                    note=order.buyer_note,
                )
            )
    return out


def _slip_line(line: OrderLine, item: PackageItem) -> docs.SlipLine:
    return docs.SlipLine(line.seller_sku, line.product_name, line.sku_name, item.quantity)


def _check_printable(packages: Sequence[Package], document_type: docs.DocumentType) -> None:
    cancelled = [str(p.id) for p in packages if p.status == PackageStatus.CANCELLED]
    if cancelled:
        raise PackageCancelled(
            f"Package {cancelled[0]} is cancelled; it has no shipping documents.",
            details={"package_ids": cancelled},
        )
    if document_type.needs_label:
        waiting = [str(p.id) for p in packages if not p.tracking_number]
        if waiting:
            raise PackageNotArranged(
                f"Package {waiting[0]} has no tracking number yet: arrange its shipment "
                "before printing its label.",
                details={"package_ids": waiting},
            )


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    filename: str
    pages: int  # documents (a long declaration or slip may take more pages)


async def shipping_documents(
    session: AsyncSession,
    user: User,
    shop_id: int,
    package_ids: Sequence[int],
    *,
    document_type: docs.DocumentType,
) -> Rendered:
    """One PDF with a page per document of each package, in the order given."""
    shop = await shops.require_member(session, user, shop_id)
    twice = sorted({str(p) for p in package_ids if list(package_ids).count(p) > 1})
    if twice:
        raise DuplicatePackages(
            f"Package {twice[0]} is listed twice.", details={"package_ids": twice}
        )
    found = await repo.packages_by_ids(
        session, {pid for pid in package_ids if 0 < pid <= MAX_DB_ID}
    )
    missing = [str(pid) for pid in package_ids if pid not in found or found[pid].shop_id != shop.id]
    if missing:
        raise PackageNotFound(
            f"There is no package {missing[0]}.", details={"package_ids": missing}
        )
    packages = [found[pid] for pid in package_ids]
    _check_printable(packages, document_type)
    ctx = _Context(shop, await logistics.market_locale(session, shop.market_code))
    documents = await _documents_for(session, ctx, packages, document_type)
    kind = document_type.value.lower().replace("_", "-")
    name = f"{kind}-{package_ids[0]}.pdf" if len(package_ids) == 1 else f"{kind}-batch.pdf"
    title = f"{document_type.value} {', '.join(str(p) for p in package_ids[:5])}"
    # rendering is CPU work (a batch of 100 labels takes a while): off the event loop
    pdf = await asyncio.to_thread(docs.render_documents, documents, title=title)
    return Rendered(pdf, name, len(documents))


# --- the pick list --------------------------------------------------------------------------------


def shelf_order(seller_sku: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order of seller SKUs ("A-2" before "A-10"): bins are usually labelled so."""
    parts = re.split(r"(\d+)", seller_sku.casefold())
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)


async def pick_list(
    session: AsyncSession,
    user: User,
    shop_id: int,
    *,
    warehouse_id: int,
    day: date | None,
    now: datetime,
) -> docs.PickList:
    """The warehouse's packages still to leave it that were allocated by the end of `day`
    (default: today in the shop's market), grouped by SKU in shelf order."""
    shop = await shops.require_member(session, user, shop_id)
    warehouse = await shop_warehouses.shop_warehouse(session, shop.id, warehouse_id)
    tz = await market_tz(session, shop.market_code)
    day = day or now.astimezone(tz).date()
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    packages = await repo.packages_to_pick(
        session,
        shop_id=shop.id,
        warehouse_id=warehouse.id,
        statuses=TO_SHIP,
        allocated_before=end,
    )
    items = await repo.items_of(session, [p.id for p in packages])
    lines = await repo.lines_by_ids(
        session, {i.order_line_id for its in items.values() for i in its}
    )
    grouped: dict[int, list[tuple[Package, PackageItem]]] = {}
    for package in packages:
        for item in items[package.id]:
            grouped.setdefault(item.sku_id, []).append((package, item))
    pick_lines = []
    for sku_id, entries in grouped.items():
        first = lines[entries[0][1].order_line_id]
        pick_lines.append(
            docs.PickLine(
                sku_id=sku_id,
                seller_sku=first.seller_sku,
                product_name=first.product_name,
                sku_name=first.sku_name,
                quantity=sum(i.quantity for _, i in entries),
                packages=tuple(docs.PickPackage(p.id, p.order_id, i.quantity) for p, i in entries),
            )
        )
    pick_lines.sort(
        key=lambda pl: (shelf_order(pl.seller_sku), pl.product_name, pl.sku_name, pl.sku_id)
    )
    end_of_today = end_of_local_day(now, tz)
    parcels = tuple(
        docs.PickParcel(
            package_id=p.id,
            order_id=p.order_id,
            status=p.status,
            tracking_number=p.tracking_number,
            dispatch_deadline=p.dispatch_deadline,
            due=(d.value if (d := due_state(p, now=now, end_of_today=end_of_today)) else None),
            units=sum(i.quantity for i in items[p.id]),
        )
        for p in packages
    )
    return docs.PickList(
        shop_name=shop.name,
        warehouse_id=warehouse.id,
        warehouse_name=warehouse.name,
        day=day,
        generated_at=now,
        lines=tuple(pick_lines),
        packages=parcels,
    )
