"""The listing audit: pure rules, the automatic audit, and the operator's decisions.

Every create or material edit of a product requests an audit of that product version. The
automatic audit applies the rules below; a product passes to ACTIVATE or fails with
reasons a seller can act on. An audit for a version that has moved on does nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.service import audit as audit_log
from hawker.catalog import repository as repo
from hawker.catalog.service.errors import InvalidProductStatus, ProductNotFound
from hawker.config import Settings
from hawker.models import Product, ProductAudit, ProductStatus, User
from hawker.outbox.service import record_event

AUDIT_REQUESTED = "product.audit_requested"
STATUS_CHANGED = "product.status_changed"

AUDIT_PENDING = repo.AUDIT_PENDING
AUDIT_SUPERSEDED = repo.AUDIT_SUPERSEDED
AUDIT_STATUSES = (
    AUDIT_PENDING,
    ProductStatus.ACTIVATE.value,
    ProductStatus.FAILED.value,
    ProductStatus.PLATFORM_DEACTIVATED.value,
    AUDIT_SUPERSEDED,
)


# Pure rules


@dataclass(frozen=True)
class Listing:
    """What the rules look at: one product version, no database."""

    title: str
    description: str
    brand: str | None
    image_count: int
    sku_count: int
    attribute_values: tuple[str, ...] = ()


def required_field_problems(
    listing: Listing, *, title_min_length: int, title_max_length: int
) -> list[str]:
    problems: list[str] = []
    length = len(listing.title.strip())
    if not title_min_length <= length <= title_max_length:
        problems.append(
            f"The title must be {title_min_length} to {title_max_length} characters long "
            f"(it has {length})."
        )
    if not listing.description.strip():
        problems.append("A description is required.")
    if listing.image_count < 1:
        problems.append("At least one image is required.")
    if listing.sku_count < 1:
        problems.append("At least one SKU is required.")
    return problems


@lru_cache(maxsize=256)
def _term_pattern(term: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in term.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def contains_term(text: str, term: str) -> bool:
    """Whole-word, case-insensitive: "replica" matches "Replica watch", not "replicate"."""
    if not term.strip():
        return False
    return _term_pattern(term.strip()).search(text) is not None


def prohibited_term_problems(listing: Listing, terms: Iterable[str]) -> list[str]:
    fields = [
        ("title", listing.title),
        ("description", listing.description),
        ("brand", listing.brand or ""),
        ("sales attributes", " | ".join(listing.attribute_values)),
    ]
    problems: list[str] = []
    for term in terms:
        for field_name, text in fields:
            if contains_term(text, term):
                problems.append(f'The {field_name} contains the prohibited term "{term.strip()}".')
    return problems


def audit_listing(
    listing: Listing,
    *,
    title_min_length: int,
    title_max_length: int,
    prohibited_terms: Sequence[str],
) -> list[str]:
    """Every reason the listing may not go live; empty when it passes."""
    return required_field_problems(
        listing, title_min_length=title_min_length, title_max_length=title_max_length
    ) + prohibited_term_problems(listing, prohibited_terms)


# Events


def record_status_changed(
    session: AsyncSession, product: Product, *, status: str, reasons: list[str], now: datetime
) -> None:
    record_event(
        session,
        topic=STATUS_CHANGED,
        aggregate_type="product",
        aggregate_id=product.id,
        payload={
            "product_id": str(product.id),
            "shop_id": str(product.shop_id),
            "status": status,
            "reasons": reasons,
        },
        now=now,
    )


def request_audit(session: AsyncSession, product: Product, *, version: int, now: datetime) -> None:
    """A PENDING audit of `version` and the event that runs it after commit."""
    session.add(
        ProductAudit(
            product_id=product.id,
            product_version=version,
            status=AUDIT_PENDING,
            reasons=[],
            created_at=now,
        )
    )
    record_event(
        session,
        topic=AUDIT_REQUESTED,
        aggregate_type="product",
        aggregate_id=product.id,
        payload={"product_id": str(product.id), "version": version},
        now=now,
    )


# The automatic audit


async def run_audit(
    session: AsyncSession, product_id: int, version: int, *, settings: Settings, now: datetime
) -> str | None:
    """Decide the PENDING audit of `version`; the new status, or None if there was nothing to do."""
    product = await repo.get_product(session, product_id, lock=True)
    if product is None or product.version != version or product.status != ProductStatus.PENDING:
        return None
    pending = await repo.pending_audit(session, product_id, version)
    if pending is None:
        return None
    skus = await repo.product_skus(session, product_id)
    images = await repo.product_images(session, product_id)
    listing = Listing(
        title=product.title,
        description=product.description,
        brand=product.brand,
        image_count=len(images),
        sku_count=len(skus),
        attribute_values=tuple(
            str(a.get("value_name", "")) for s in skus for a in s.sales_attributes
        ),
    )
    reasons = audit_listing(
        listing,
        title_min_length=settings.title_min_length,
        title_max_length=settings.title_max_length,
        prohibited_terms=settings.prohibited_terms,
    )
    status = ProductStatus.FAILED if reasons else ProductStatus.ACTIVATE
    moved = await repo.set_status(
        session,
        product_id,
        from_statuses=[ProductStatus.PENDING],
        to=status,
        now=now,
        reasons=reasons,
        version=version,
    )
    if not moved:
        return None
    pending.status = status
    pending.reasons = reasons
    pending.decided_by = "auto"
    pending.decided_at = now
    record_status_changed(session, product, status=status, reasons=reasons, now=now)
    await session.flush()
    return status


# Operator decisions


async def _visible_product(session: AsyncSession, product_id: int) -> Product:
    product = await repo.get_product(session, product_id, lock=True)
    if product is None or product.status == ProductStatus.DELETED:
        raise ProductNotFound(f"There is no product {product_id}.")
    return product


async def platform_deactivate(
    session: AsyncSession, operator: User, product_id: int, *, reason: str, now: datetime
) -> Product:
    """Take a product down (any status but DELETED); it stays down until reinstated."""
    product = await _visible_product(session, product_id)
    previous = product.status
    if previous == ProductStatus.PLATFORM_DEACTIVATED or not await repo.set_status(
        session,
        product_id,
        from_statuses=[previous],
        to=ProductStatus.PLATFORM_DEACTIVATED,
        now=now,
        reasons=[reason],
    ):
        raise InvalidProductStatus(
            f"The product is {previous}; it cannot be deactivated again.",
            details={"status": previous},
        )
    await repo.supersede_pending_audits(session, product_id, now)
    _operator_decision(
        session, operator, product, ProductStatus.PLATFORM_DEACTIVATED, [reason], now=now
    )
    audit_log(
        session,
        actor_id=operator.id,
        action="product.platform_deactivate",
        target_type="product",
        target_id=product.id,
        now=now,
        details={"reason": reason, "previous_status": previous},
    )
    record_status_changed(
        session, product, status=ProductStatus.PLATFORM_DEACTIVATED, reasons=[reason], now=now
    )
    await session.flush()
    return product


async def reinstate(
    session: AsyncSession, operator: User, product_id: int, *, note: str | None, now: datetime
) -> Product:
    """PLATFORM_DEACTIVATED -> ACTIVATE, on an operator's judgement."""
    product = await _visible_product(session, product_id)
    previous = product.status
    if not await repo.set_status(
        session,
        product_id,
        from_statuses=[ProductStatus.PLATFORM_DEACTIVATED],
        to=ProductStatus.ACTIVATE,
        now=now,
        reasons=[],
    ):
        raise InvalidProductStatus(
            f"The product is {previous}; only a product the platform deactivated is reinstated.",
            details={"status": previous},
        )
    _operator_decision(session, operator, product, ProductStatus.ACTIVATE, [], now=now)
    audit_log(
        session,
        actor_id=operator.id,
        action="product.reinstate",
        target_type="product",
        target_id=product.id,
        now=now,
        details={"note": note} if note else {},
    )
    record_status_changed(session, product, status=ProductStatus.ACTIVATE, reasons=[], now=now)
    await session.flush()
    return product


def _operator_decision(
    session: AsyncSession,
    operator: User,
    product: Product,
    status: str,
    reasons: list[str],
    *,
    now: datetime,
) -> None:
    session.add(
        ProductAudit(
            product_id=product.id,
            product_version=product.version,
            status=status,
            reasons=reasons,
            decided_by=f"operator:{operator.id}",
            created_at=now,
            decided_at=now,
        )
    )
