"""Background work of the catalog: the automatic listing audit."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.catalog import service
from hawker.outbox.registry import TaskContext, task


@task("catalog.audit_product", topics=(service.AUDIT_REQUESTED,))
async def audit_product(session: AsyncSession, payload: dict[str, Any], ctx: TaskContext) -> None:
    """Decide a requested audit; a stale or already decided one is left alone."""
    await service.run_audit(
        session,
        int(payload["product_id"]),
        int(payload["version"]),
        settings=ctx.settings,
        now=ctx.clock.now(),
    )
