from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.models import Job, JobStatus, OutboxEvent


def record_event(
    session: AsyncSession,
    *,
    topic: str,
    aggregate_type: str,
    aggregate_id: int,
    payload: dict[str, Any],
    now: datetime,
) -> OutboxEvent:
    """Write an event in the caller's transaction; it is dispatched only if that commits."""
    event = OutboxEvent(
        topic=topic,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        payload=payload,
        created_at=now,
    )
    session.add(event)
    return event


def enqueue_job(
    session: AsyncSession,
    *,
    name: str,
    payload: dict[str, Any],
    now: datetime,
    run_at: datetime | None = None,
) -> Job:
    job = Job(
        name=name,
        payload=payload,
        status=JobStatus.PENDING,
        run_at=run_at or now,
        created_at=now,
    )
    session.add(job)
    return job
