"""The operator console: shop review (approve, reject, suspend, reinstate, close) and the
audit log.

Every review action is checked against the state machine in `hawker.shops.lifecycle`, applied
with an UPDATE guarded by the status the operator acted on (two operators racing: one wins,
the other gets 409 invalid_state), and recorded in the audit log and as a
"shop.status_changed" outbox event in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.service import audit
from hawker.errors import BadRequest
from hawker.kit.pagination import Page
from hawker.models import AuditLog, Shop, User
from hawker.outbox.service import record_event
from hawker.shops import repository as repo
from hawker.shops.lifecycle import (
    ACTIONS_NEEDING_REASON,
    InvalidShopTransition,
    ReviewAction,
    next_status,
)
from hawker.shops.service import MAX_DB_ID, cursor_after, get_shop, page_of

STATUS_CHANGED_TOPIC = "shop.status_changed"
REASON_MAX_LENGTH = 500


class ReasonRequired(BadRequest):
    """Say why: rejecting, suspending or closing a shop needs a reason."""

    code = "reason_required"


async def review(
    session: AsyncSession,
    operator: User,
    shop_id: int,
    action: ReviewAction,
    *,
    reason: str | None = None,
    now: datetime,
) -> Shop:
    """Apply a review action to a shop (the caller has checked `operator` is an operator)."""
    reason = (reason or "").strip() or None
    if action in ACTIONS_NEEDING_REASON and reason is None:
        raise ReasonRequired(f"A reason is needed to {action} a shop.")
    if reason is not None and len(reason) > REASON_MAX_LENGTH:
        raise BadRequest(f"The reason may be at most {REASON_MAX_LENGTH} characters.")
    shop = await get_shop(session, shop_id)
    previous = shop.status
    target = next_status(previous, action)
    moved = await repo.transition(
        session,
        shop.id,
        from_status=previous,
        to_status=target,
        reason=reason,
        reviewer_id=operator.id,
        now=now,
    )
    await session.refresh(shop)
    if not moved:  # another operator changed the shop since we read it
        raise InvalidShopTransition(
            f"The shop is now {shop.status}; reload it and try again.",
            details={"status": shop.status, "action": str(action)},
        )
    audit(
        session,
        actor_id=operator.id,
        action=f"shop.{action}",
        target_type="shop",
        target_id=shop.id,
        now=now,
        details={"previous_status": previous, "status": str(target), "reason": reason},
    )
    record_event(
        session,
        topic=STATUS_CHANGED_TOPIC,
        aggregate_type="shop",
        aggregate_id=shop.id,
        payload={
            "shop_id": str(shop.id),
            "status": str(target),
            "previous_status": previous,
            "reason": reason,
        },
        now=now,
    )
    await session.flush()
    return shop


async def list_shops(
    session: AsyncSession,
    *,
    status: str | None = None,
    market_code: str | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> Page[Shop]:
    """Every shop, newest first, filtered by status, market and a text search over name,
    business name, registration number and contact email."""
    rows = await repo.shops_page(
        session,
        status=status,
        market_code=market_code.upper() if market_code else None,
        q=(q or "").strip() or None,
        after_id=cursor_after(cursor),
        limit=limit,
    )
    return page_of(rows, limit, lambda s: s.id)


async def list_audit_log(
    session: AsyncSession,
    *,
    target_type: str | None = None,
    target_id: int | None = None,
    actor_id: int | None = None,
    action: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> Page[AuditLog]:
    after_id = cursor_after(cursor)
    if any(v is not None and not 0 < v <= MAX_DB_ID for v in (target_id, actor_id)):
        return Page(items=[], next_cursor=None)  # no row can carry an id out of range
    rows = await repo.audit_page(
        session,
        target_type=target_type,
        target_id=target_id,
        actor_id=actor_id,
        action=action,
        after_id=after_id,
        limit=limit,
    )
    return page_of(rows, limit, lambda a: a.id)
