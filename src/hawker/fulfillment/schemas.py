from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from hawker.fulfillment.documents import DocumentType, PickList
from hawker.fulfillment.service import (
    PackageSummary,
    PackageView,
    Performance,
    ReviewView,
    ShopEstimate,
    TimelineEntry,
    TrackingView,
)
from hawker.logistics.estimate import DeliveryWindow
from hawker.models import Carrier, Package, PackageItem, ShippingType, WeightReview
from hawker.schemas import Id, MoneyOut, Schema

Text = Annotated[str, StringConstraints(strip_whitespace=True)]


class CarrierRefOut(Schema):
    code: str
    name: str


class PackageItemOut(Schema):
    order_line_id: Id
    sku_id: Id
    quantity: int
    unit_weight_g: int


class DimensionsOut(Schema):
    length_cm: int
    width_cm: int
    height_cm: int


class PackageOut(Schema):
    """A package as its shop and operators see it."""

    id: Id
    order_id: Id
    shop_id: Id
    warehouse_id: Id
    warehouse_name: str
    status: str
    delivery_level: str
    shipping_type: str | None
    carrier: CarrierRefOut | None
    tracking_number: str | None
    expected_weight_g: int
    measured_weight_g: int | None
    dimensions: DimensionsOut
    chargeable_weight_g: int
    zone: int | None
    shipping_cost: MoneyOut | None
    label_cost: MoneyOut | None
    dispatch_deadline: datetime
    due: str | None  # overdue | today | later, until the carrier has the parcel
    arranged_at: datetime | None
    accepted_at: datetime | None
    delivered_at: datetime | None
    cancelled_at: datetime | None
    tracking_status: str | None
    held: bool
    items: list[PackageItemOut]
    created_at: datetime
    updated_at: datetime


class PackagePageOut(BaseModel):
    items: list[PackageOut]
    next_cursor: str | None = None
    end_of_today: datetime  # packages due by this instant count as "today"


class ShipIn(BaseModel):
    shipping_type: ShippingType = ShippingType.TIKTOK
    carrier_code: Annotated[Text, StringConstraints(min_length=1, max_length=16)] | None = None
    tracking_number: Annotated[Text, StringConstraints(min_length=1, max_length=64)] | None = None


class TimelineEntryOut(Schema):
    at: datetime
    kind: str
    code: str
    title: str
    description: str
    location: str


class EstimateOut(Schema):
    handover: date
    earliest: date
    latest: date


class TrackedPackageOut(Schema):
    """A package in the buyer's tracking view."""

    id: Id
    status: str
    tracking_status: str | None
    being_checked: bool
    shipping_type: str | None
    carrier: CarrierRefOut | None
    tracking_number: str | None
    delivery_level: str
    accepted_at: datetime | None
    delivered_at: datetime | None
    estimated_delivery: EstimateOut | None
    items: list[PackageItemOut]
    timeline: list[TimelineEntryOut]


class StaffTrackedPackageOut(TrackedPackageOut):
    """The same package for its shop and operators: weights, deadline, label."""

    warehouse_id: Id
    warehouse_name: str
    dispatch_deadline: datetime
    delivery_due_date: date | None
    expected_weight_g: int
    measured_weight_g: int | None
    weight_review_status: str | None
    label: dict[str, Any] | None


class TrackingOut(Schema):
    order_id: Id
    order_status: str
    estimated_delivery: EstimateOut | None
    delivery_due_date: date | None
    packages: list[TrackedPackageOut]


class StaffTrackingOut(Schema):
    order_id: Id
    order_status: str
    estimated_delivery: EstimateOut | None
    delivery_due_date: date | None
    dispatch_deadline: datetime | None
    auto_cancel_at: datetime | None
    late_dispatch: bool
    packages: list[StaffTrackedPackageOut]


class RateOut(Schema):
    due: int
    hits: int
    rate: Decimal | None
    threshold: Decimal
    meets_threshold: bool | None


class PerformanceOut(Schema):
    shop_id: Id
    window_start: datetime
    window_end: datetime
    window_days: int
    late_dispatch: RateOut
    valid_tracking: RateOut
    short_boxes_confirmed: int
    weight_reviews_open: int
    weight_reviews_cleared: int
    to_ship: int
    overdue: int
    due_today: int


class WeightReviewOut(Schema):
    id: Id
    package_id: Id
    order_id: Id
    shop_id: Id
    status: str
    expected_weight_g: int
    measured_weight_g: int
    shortfall_g: int
    shortfall_pct: Decimal
    opened_at: datetime
    decided_by: Id | None
    decided_at: datetime | None
    notes: str


class ShopHistoryOut(Schema):
    weight_reviews: dict[str, int]
    late_dispatch_due: int
    late_dispatch_late: int
    late_dispatch_rate: Decimal | None


class WeightReviewDetailOut(WeightReviewOut):
    package: PackageOut
    shop_history: ShopHistoryOut


class WeightReviewPageOut(BaseModel):
    items: list[WeightReviewOut]
    next_cursor: str | None = None


class DecisionIn(BaseModel):
    decision: Literal["CONFIRMED_SHORT", "CLEARED"]
    notes: Annotated[Text, StringConstraints(max_length=1000)] = ""


class CarrierEventsOut(BaseModel):
    accepted: int
    duplicates: int
    unknown: list[str] = Field(description="Event ids of tracking numbers Hawker does not know.")
    ignored: list[str] = Field(description="Event ids whose code Hawker does not know.")


# --- builders ------------------------------------------------------------------------------------


def _carrier(c: Carrier | None) -> CarrierRefOut | None:
    return CarrierRefOut(code=c.code, name=c.name) if c is not None else None


def _items(items: list[PackageItem]) -> list[PackageItemOut]:
    return [PackageItemOut.model_validate(i) for i in items]


def _money(amount: int | None, currency: str, locale: str) -> MoneyOut | None:
    return MoneyOut.of(amount, currency, locale) if amount is not None else None


def package_out(
    p: Package,
    items: list[PackageItem],
    carrier: Carrier | None,
    warehouse_name: str,
    due: str | None,
    locale: str,
) -> PackageOut:
    return PackageOut(
        id=p.id,
        order_id=p.order_id,
        shop_id=p.shop_id,
        warehouse_id=p.warehouse_id,
        warehouse_name=warehouse_name,
        status=p.status,
        delivery_level=p.delivery_level,
        shipping_type=p.shipping_type,
        carrier=_carrier(carrier),
        tracking_number=p.tracking_number,
        expected_weight_g=p.expected_weight_g,
        measured_weight_g=p.measured_weight_g,
        dimensions=DimensionsOut(length_cm=p.length_cm, width_cm=p.width_cm, height_cm=p.height_cm),
        chargeable_weight_g=p.chargeable_weight_g,
        zone=p.zone,
        shipping_cost=_money(p.shipping_cost_minor, p.currency, locale),
        label_cost=_money(p.label_cost_minor, p.currency, locale),
        dispatch_deadline=p.dispatch_deadline,
        due=due,
        arranged_at=p.arranged_at,
        accepted_at=p.accepted_at,
        delivered_at=p.delivered_at,
        cancelled_at=p.cancelled_at,
        tracking_status=p.tracking_status,
        held=p.held,
        items=_items(items),
        created_at=p.created_at,
        updated_at=p.updated_at,
    )


def summary_out(s: PackageSummary, locale: str) -> PackageOut:
    return package_out(
        s.package, s.items, s.carrier, s.warehouse_name, s.due.value if s.due else None, locale
    )


def _timeline(entries: list[TimelineEntry]) -> list[TimelineEntryOut]:
    return [
        TimelineEntryOut(
            at=e.at,
            kind=e.kind,
            code=e.code,
            title=e.title,
            description=e.description,
            location=e.location,
        )
        for e in entries
    ]


def _estimate(w: DeliveryWindow | None) -> EstimateOut | None:
    if w is None:
        return None
    return EstimateOut(handover=w.handover, earliest=w.earliest, latest=w.latest)


def _tracked(v: PackageView) -> dict[str, Any]:
    p = v.package
    return {
        "id": p.id,
        "status": p.status,
        "tracking_status": p.tracking_status,
        "being_checked": p.held,
        "shipping_type": p.shipping_type,
        "carrier": _carrier(v.carrier),
        "tracking_number": p.tracking_number,
        "delivery_level": p.delivery_level,
        "accepted_at": p.accepted_at,
        "delivered_at": p.delivered_at,
        "estimated_delivery": _estimate(v.window),
        "items": _items(v.items),
        "timeline": _timeline(v.timeline),
    }


def tracking_out(t: TrackingView) -> TrackingOut:
    return TrackingOut(
        order_id=t.order.id,
        order_status=t.order.status,
        estimated_delivery=_estimate(t.window),
        delivery_due_date=t.delivery_due,
        packages=[TrackedPackageOut(**_tracked(v)) for v in t.packages],
    )


def staff_tracking_out(t: TrackingView) -> StaffTrackingOut:
    return StaffTrackingOut(
        order_id=t.order.id,
        order_status=t.order.status,
        estimated_delivery=_estimate(t.window),
        delivery_due_date=t.delivery_due,
        dispatch_deadline=t.clock.dispatch_deadline if t.clock else None,
        auto_cancel_at=t.clock.auto_cancel_at if t.clock else None,
        late_dispatch=bool(t.clock and t.clock.late_dispatch),
        packages=[
            StaffTrackedPackageOut(
                **_tracked(v),
                warehouse_id=v.package.warehouse_id,
                warehouse_name=v.warehouse_name,
                dispatch_deadline=v.package.dispatch_deadline,
                delivery_due_date=v.delivery_due,
                expected_weight_g=v.package.expected_weight_g,
                measured_weight_g=v.package.measured_weight_g,
                weight_review_status=v.review.status if v.review else None,
                label=v.package.label,
            )
            for v in t.packages
        ],
    )


def performance_out(p: Performance) -> PerformanceOut:
    return PerformanceOut(
        shop_id=p.shop_id,
        window_start=p.window_start,
        window_end=p.window_end,
        window_days=p.window_days,
        late_dispatch=RateOut(
            due=p.late_dispatch.due,
            hits=p.late_dispatch.late,
            rate=p.late_dispatch.rate,
            threshold=p.late_dispatch_max,
            meets_threshold=p.late_dispatch_ok,
        ),
        valid_tracking=RateOut(
            due=p.valid_tracking.with_tracking,
            hits=p.valid_tracking.valid,
            rate=p.valid_tracking.rate,
            threshold=p.valid_tracking_min,
            meets_threshold=p.valid_tracking_ok,
        ),
        short_boxes_confirmed=p.short_boxes_confirmed,
        weight_reviews_open=p.weight_reviews_open,
        weight_reviews_cleared=p.weight_reviews_cleared,
        to_ship=p.to_ship,
        overdue=p.overdue,
        due_today=p.due_today,
    )


def review_out(r: WeightReview) -> WeightReviewOut:
    shortfall = r.expected_weight_g - r.measured_weight_g
    pct = (
        (Decimal(shortfall) * 100 / Decimal(r.expected_weight_g)).quantize(Decimal("0.1"))
        if r.expected_weight_g
        else Decimal(0)
    )
    return WeightReviewOut(
        id=r.id,
        package_id=r.package_id,
        order_id=r.order_id,
        shop_id=r.shop_id,
        status=r.status,
        expected_weight_g=r.expected_weight_g,
        measured_weight_g=r.measured_weight_g,
        shortfall_g=shortfall,
        shortfall_pct=pct,
        opened_at=r.opened_at,
        decided_by=r.decided_by,
        decided_at=r.decided_at,
        notes=r.notes,
    )


def review_detail_out(v: ReviewView) -> WeightReviewDetailOut:
    h = v.history
    return WeightReviewDetailOut(
        **review_out(v.review).model_dump(),
        package=summary_out(v.package, v.locale),
        shop_history=ShopHistoryOut(
            weight_reviews=h.reviews,
            late_dispatch_due=h.late_dispatch.due,
            late_dispatch_late=h.late_dispatch.late,
            late_dispatch_rate=h.late_dispatch.rate,
        ),
    )


class SellerPackageOut(PackageOut):
    """One package in the seller center: with its label, timeline and estimate."""

    label: dict[str, Any] | None
    estimated_delivery: EstimateOut | None
    delivery_due_date: date | None
    weight_review_status: str | None
    timeline: list[TimelineEntryOut]


def seller_package_out(summary: PackageSummary, view: PackageView, locale: str) -> SellerPackageOut:
    return SellerPackageOut(
        **summary_out(summary, locale).model_dump(),
        label=view.package.label,
        estimated_delivery=_estimate(view.window),
        delivery_due_date=view.delivery_due,
        weight_review_status=view.review.status if view.review else None,
        timeline=_timeline(view.timeline),
    )


class DeliveryEstimateOut(Schema):
    """When the buyer can expect a shop's parcels: handed to the carrier on `handover_date`,
    delivered between `earliest_date` (carrier p50) and `latest_date` (p90, "arrives by")."""

    level: str
    handover_date: date
    earliest_date: date
    latest_date: date
    packages: int


def estimate_out(e: ShopEstimate | None) -> DeliveryEstimateOut | None:
    if e is None:
        return None
    return DeliveryEstimateOut(
        level=e.level,
        handover_date=e.handover,
        earliest_date=e.earliest,
        latest_date=e.latest,
        packages=e.packages,
    )


# --- shipping documents and the pick list -----------------------------------------------------


class ShippingDocumentsIn(BaseModel):
    package_ids: list[Id] = Field(min_length=1, max_length=100)
    document_type: DocumentType = DocumentType.SHIPPING_LABEL


class PickPackageOut(Schema):
    package_id: Id
    order_id: Id
    quantity: int


class PickLineOut(Schema):
    sku_id: Id
    seller_sku: str
    product_name: str
    sku_name: str
    quantity: int
    packages: list[PickPackageOut]


class PickParcelOut(Schema):
    package_id: Id
    order_id: Id
    status: str
    tracking_number: str | None
    dispatch_deadline: datetime
    due: str | None
    units: int


class PickListOut(Schema):
    """The day's picking, SKU by SKU in shelf order, then the packages to pack."""

    warehouse_id: Id
    warehouse_name: str
    date: date
    generated_at: datetime
    package_count: int
    unit_count: int
    lines: list[PickLineOut]
    packages: list[PickParcelOut]


def pick_list_out(pick: PickList) -> PickListOut:
    return PickListOut(
        warehouse_id=pick.warehouse_id,
        warehouse_name=pick.warehouse_name,
        date=pick.day,
        generated_at=pick.generated_at,
        package_count=len(pick.packages),
        unit_count=pick.units,
        lines=[
            PickLineOut(
                sku_id=line.sku_id,
                seller_sku=line.seller_sku,
                product_name=line.product_name,
                sku_name=line.sku_name,
                quantity=line.quantity,
                packages=[
                    PickPackageOut(
                        package_id=p.package_id, order_id=p.order_id, quantity=p.quantity
                    )
                    for p in line.packages
                ],
            )
            for line in pick.lines
        ],
        packages=[
            PickParcelOut(
                package_id=p.package_id,
                order_id=p.order_id,
                status=p.status,
                tracking_number=p.tracking_number,
                dispatch_deadline=p.dispatch_deadline,
                due=p.due,
                units=p.units,
            )
            for p in pick.packages
        ],
    )
