"""Carrier events in: verified, normalised, deduplicated, applied in carrier-time order.

A webhook batch is accepted only with a valid HMAC-SHA256 signature of its raw body under
the carrier's secret. Each event is stored once per (carrier, event id); a repeat is
counted and ignored. Events for tracking numbers Hawker does not know are answered as
`unknown` (the carrier may send them again later).

Applying a package's events (all of them, ordered by event time):
- its tracking status is that of the newest event, so an older event arriving late never
  moves it backwards;
- the first acceptance scan dispatches it: the measured weight is checked against the
  expected weight of its contents (RULES.md tolerance). A short or empty box is held (it
  stays PROCESSING, its stock stays reserved), an operator review opens and the carrier is
  asked to hold the parcel. Otherwise its units leave stock and it is FULFILLING;
- a delivery completes it; the order follows its packages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.config import Settings
from hawker.fulfillment import repository as repo
from hawker.fulfillment import statuses as rules
from hawker.fulfillment import weight_check
from hawker.fulfillment.service.errors import InvalidCarrierPayload, InvalidSignature
from hawker.fulfillment.service.progress import (
    change_package,
    follow_packages,
    hand_over,
    instruct_carrier,
)
from hawker.kit.clock import as_utc
from hawker.kit.ids import new_id
from hawker.logistics import carrier_protocol as wire
from hawker.logistics import service as logistics
from hawker.logistics.service import CarrierNotFound
from hawker.models import Package, PackageStatus, WeightReview, WeightReviewStatus
from hawker.orders import service as orders
from hawker.outbox.service import record_event

REVIEW_TOPIC = "fulfillment.weight_review"


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    unknown: list[str] = field(default_factory=list)  # event ids of unknown tracking numbers
    ignored: list[str] = field(default_factory=list)  # event ids with codes Hawker does not know
    packages: list[int] = field(default_factory=list)


async def ingest_carrier_events(
    session: AsyncSession,
    carrier_code: str,
    body: bytes,
    signature: str | None,
    *,
    now: datetime,
    settings: Settings,
) -> IngestResult:
    carrier = await logistics.carrier_by_code(session, carrier_code)
    if not carrier.is_active:
        raise CarrierNotFound(f"There is no carrier {carrier_code}.")
    if not wire.verify(carrier.webhook_secret, body, signature):
        raise InvalidSignature(
            f"The {wire.SIGNATURE_HEADER} header does not sign this body with the carrier's key."
        )
    try:
        payload = wire.CarrierWebhook.model_validate_json(body)
    except ValidationError as exc:
        raise InvalidCarrierPayload(
            "The carrier webhook's body is not valid.",
            details=[
                {"loc": [str(p) for p in e["loc"]], "msg": e["msg"], "type": e["type"]}
                for e in exc.errors(include_url=False)
            ],
        ) from exc
    if payload.carrier.strip().upper() != carrier.code:
        raise InvalidCarrierPayload(
            f"The body speaks for carrier {payload.carrier}, the URL for {carrier.code}."
        )
    adapter = logistics.adapter_for(carrier, settings)
    numbers = {e.tracking_number.strip().upper() for e in payload.events}
    packages = await repo.packages_by_tracking(session, carrier.id, numbers)
    result = IngestResult()
    touched: set[int] = set()
    for event in payload.events:
        status = adapter.normalise(event.code)
        if status is None:
            result.ignored.append(event.event_id)
            continue
        package = packages.get(event.tracking_number.strip().upper())
        if package is None:
            result.unknown.append(event.event_id)
            continue
        stored = await repo.insert_event(
            session,
            {
                "id": new_id(),
                "carrier_id": carrier.id,
                "carrier_event_id": event.event_id,
                "package_id": package.id,
                "tracking_number": package.tracking_number,
                "status": status.value,
                "raw_code": event.code[:40],
                "description": event.description,
                "location": event.location,
                "event_time": as_utc(event.occurred_at),
                "received_at": now,
                "measured_weight_g": event.weight_g,
            },
        )
        if stored:
            result.accepted += 1
            touched.add(package.id)
        else:
            result.duplicates += 1
    for package_id in sorted(touched):
        await apply_package_events(session, package_id, now=now, settings=settings)
    result.packages = sorted(touched)
    return result


async def open_review(session: AsyncSession, package: Package, *, now: datetime) -> WeightReview:
    assert package.measured_weight_g is not None
    review = WeightReview(
        package_id=package.id,
        order_id=package.order_id,
        shop_id=package.shop_id,
        expected_weight_g=package.expected_weight_g,
        measured_weight_g=package.measured_weight_g,
        status=WeightReviewStatus.OPEN,
        opened_at=now,
        notes="",
    )
    session.add(review)
    await session.flush()
    record_event(
        session,
        topic=REVIEW_TOPIC,
        aggregate_type="weight_review",
        aggregate_id=review.id,
        payload={
            "review_id": str(review.id),
            "package_id": str(package.id),
            "order_id": str(package.order_id),
            "shop_id": str(package.shop_id),
            "status": review.status,
            "expected_weight_g": review.expected_weight_g,
            "measured_weight_g": review.measured_weight_g,
        },
        now=now,
    )
    return review


async def _record_dispatch(session: AsyncSession, order_id: int, *, now: datetime) -> None:
    """Keep the order's clock: first scan, last scan (dispatched), late or not, delivery."""
    clock = await repo.get_fulfilment(session, order_id)
    if clock is None:
        return
    live = [
        p
        for p in await repo.packages_of_orders(session, [order_id])
        if p.status != PackageStatus.CANCELLED
    ]
    scans = [p.accepted_at for p in live if p.accepted_at is not None]
    if scans and clock.first_accepted_at is None:
        clock.first_accepted_at = min(scans)
    if live and len(scans) == len(live) and clock.dispatched_at is None:
        clock.dispatched_at = max(scans)
        clock.late_dispatch = clock.dispatched_at >= clock.dispatch_deadline
    deliveries = [p.delivered_at for p in live if p.delivered_at is not None]
    if live and len(deliveries) == len(live) and clock.delivered_at is None:
        clock.delivered_at = max(deliveries)
    clock.updated_at = now
    await session.flush()


async def apply_package_events(
    session: AsyncSession, package_id: int, *, now: datetime, settings: Settings
) -> Package | None:
    found = await repo.get_package(session, package_id)
    if found is None:
        return None
    await orders.lock_orders(session, [found.order_id])  # the order first, then the package
    package = await repo.lock_package(session, package_id)
    assert package is not None
    stored = (await repo.events_of(session, [package.id]))[package.id]
    events = [rules.EventView(e.id, e.status, e.event_time, e.measured_weight_g) for e in stored]
    newest = rules.latest(events)
    changes: dict[str, object] = {}
    if newest is not None and (
        package.tracking_status != newest.status or package.last_event_at != newest.event_time
    ):
        changes.update(tracking_status=newest.status, last_event_at=newest.event_time)
    if package.status in (PackageStatus.CANCELLED, PackageStatus.TO_FULFILL):
        if changes:
            await change_package(session, package, now=now, **changes)
        return package
    if package.accepted_at is None:
        scan = rules.acceptance_scan(events)
        if scan is not None:
            changes.update(accepted_at=scan.event_time, measured_weight_g=scan.measured_weight_g)
            short = scan.measured_weight_g is not None and weight_check.is_short(
                package.expected_weight_g,
                scan.measured_weight_g,
                min_g=settings.weight_tolerance_g,
                pct=settings.weight_tolerance_pct,
            )
            if short:
                changes["held"] = True
    if changes:
        await change_package(session, package, now=now, **changes)
        if changes.get("held"):
            await open_review(session, package, now=now)
            instruct_carrier(session, package, "hold", now=now)
    if package.accepted_at is not None:
        await _record_dispatch(session, package.order_id, now=now)
    if package.held or package.accepted_at is None:
        return package
    if package.status == PackageStatus.PROCESSING:
        await hand_over(session, package, now=now)
    delivered = rules.delivery(events)
    if package.status == PackageStatus.FULFILLING and delivered is not None:
        await change_package(
            session,
            package,
            now=now,
            status=PackageStatus.COMPLETED,
            delivered_at=delivered.event_time,
        )
        await _record_dispatch(session, package.order_id, now=now)
    await follow_packages(session, package.order_id, now=now, reason="carrier scan")
    return package
