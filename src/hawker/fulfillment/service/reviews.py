"""Operators decide suspected empty or short boxes.

A case shows both weights, the package's contents and the shop's history (earlier cases
and its late dispatch rate). CLEARED lets the parcel go on (the carrier is told to release
it, its units leave stock, the order moves). CONFIRMED_SHORT cancels the order and refunds
the buyer in full through the ledger (`orders.cancel_order`), the carrier returns the
parcel to the seller, and the case counts against the shop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.service import audit
from hawker.config import Settings
from hawker.errors import id_after_cursor
from hawker.fulfillment import repository as repo
from hawker.fulfillment.service.errors import ReviewAlreadyDecided, WeightReviewNotFound
from hawker.fulfillment.service.packages import PackageSummary, summaries
from hawker.fulfillment.service.performance import DispatchRate, late_dispatch_rate
from hawker.fulfillment.service.progress import cancel_packages, change_package, instruct_carrier
from hawker.fulfillment.service.tracking import REVIEW_TOPIC, apply_package_events
from hawker.kit.pagination import Page, encode_cursor
from hawker.logistics import service as logistics
from hawker.models import User, WeightReview, WeightReviewStatus
from hawker.orders import service as orders
from hawker.orders.state import ActorRole
from hawker.outbox.service import record_event

MAX_DB_ID = 2**63 - 1
DECISIONS = frozenset({WeightReviewStatus.CONFIRMED_SHORT, WeightReviewStatus.CLEARED})


@dataclass(frozen=True)
class ShopHistory:
    reviews: dict[str, int]  # every case of the shop per status
    late_dispatch: DispatchRate


@dataclass(frozen=True)
class ReviewView:
    review: WeightReview
    package: PackageSummary
    history: ShopHistory
    locale: str


async def list_reviews(
    session: AsyncSession,
    *,
    statuses: tuple[str, ...],
    shop_id: int | None,
    cursor: str | None,
    limit: int,
) -> Page[WeightReview]:
    rows = await repo.list_reviews(
        session,
        statuses=statuses,
        shop_id=shop_id,
        before_id=id_after_cursor(cursor),
        limit=limit + 1,
    )
    items = rows[:limit]
    more = len(rows) > limit
    return Page(items, encode_cursor({"id": str(items[-1].id)}) if more and items else None)


async def get_review(
    session: AsyncSession, review_id: int, *, now: datetime, settings: Settings
) -> ReviewView:
    review = await repo.get_review(session, review_id) if 0 < review_id <= MAX_DB_ID else None
    if review is None:
        raise WeightReviewNotFound(f"There is no weight review {review_id}.")
    package = await repo.get_package(session, review.package_id)
    assert package is not None
    (summary,) = await summaries(session, [package], now=now, end_of_today=now, settings=settings)
    history = ShopHistory(
        reviews=await repo.review_counts(session, review.shop_id),
        late_dispatch=await late_dispatch_rate(
            session,
            review.shop_id,
            start=now - timedelta(days=settings.performance_window_days),
            end=now,
        ),
    )
    order = await orders.get_order(session, review.order_id)
    locale = await logistics.market_locale(session, order.market_code)
    return ReviewView(review, summary, history, locale)


async def decide(
    session: AsyncSession,
    operator: User,
    review_id: int,
    *,
    decision: WeightReviewStatus,
    notes: str,
    now: datetime,
    settings: Settings,
) -> ReviewView:
    review = await repo.lock_review(session, review_id) if 0 < review_id <= MAX_DB_ID else None
    if review is None:
        raise WeightReviewNotFound(f"There is no weight review {review_id}.")
    if review.status != WeightReviewStatus.OPEN:
        raise ReviewAlreadyDecided(
            f"Weight review {review.id} was already decided: {review.status}.",
            details={"status": review.status},
        )
    if decision not in DECISIONS:
        raise ReviewAlreadyDecided("A decision is CONFIRMED_SHORT or CLEARED.")
    (order,) = await orders.lock_orders(session, [review.order_id])
    package = await repo.lock_package(session, review.package_id)
    assert package is not None
    review.status = decision
    review.decided_by = operator.id
    review.decided_at = now
    review.notes = notes[:1000]
    await session.flush()
    if decision == WeightReviewStatus.CLEARED:
        await change_package(session, package, now=now, held=False)
        instruct_carrier(session, package, "release", now=now)
        await apply_package_events(session, package.id, now=now, settings=settings)
    else:
        await orders.cancel_order(
            session,
            order,
            by=ActorRole.OPERATOR,
            actor_id=operator.id,
            reason="short or empty box confirmed by the weight review",
            now=now,
        )
        others = await repo.packages_of_orders(session, [order.id])
        await cancel_packages(session, others, now=now)
        clock = await repo.get_fulfilment(session, order.id)
        if clock is not None and clock.closed_at is None:
            clock.closed_at = now
            clock.updated_at = now
    record_event(
        session,
        topic=REVIEW_TOPIC,
        aggregate_type="weight_review",
        aggregate_id=review.id,
        payload={
            "review_id": str(review.id),
            "package_id": str(review.package_id),
            "order_id": str(review.order_id),
            "shop_id": str(review.shop_id),
            "status": review.status,
            "expected_weight_g": review.expected_weight_g,
            "measured_weight_g": review.measured_weight_g,
        },
        now=now,
    )
    audit(
        session,
        actor_id=operator.id,
        action="weight_review.decide",
        target_type="weight_review",
        target_id=review.id,
        now=now,
        details={
            "decision": decision.value,
            "order_id": str(review.order_id),
            "shop_id": str(review.shop_id),
        },
    )
    await session.flush()
    return await get_review(session, review.id, now=now, settings=settings)
