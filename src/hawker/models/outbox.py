from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hawker.db import Base
from hawker.models.types import UTCDateTime, id_column


class OutboxEvent(Base):
    """A domain event written in the business transaction, dispatched after commit."""

    __tablename__ = "outbox_events"

    id: Mapped[int] = id_column()
    topic: Mapped[str] = mapped_column(String(64))  # e.g. "order.status_changed"
    aggregate_type: Mapped[str] = mapped_column(String(32))
    aggregate_id: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_outbox_events_pending", "dispatched_at", "id"),
        Index("ix_outbox_events_aggregate", "aggregate_type", "aggregate_id"),
    )


class JobStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"  # gave up after the maximum attempts


class Job(Base):
    """A unit of background work. Claimed by one runner at a time with a lease."""

    __tablename__ = "jobs"

    id: Mapped[int] = id_column()
    name: Mapped[str] = mapped_column(String(64))  # "<domain>.<handler>"
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.PENDING)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    event_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_jobs_claim", "status", "run_at"),
        Index("uq_jobs_event_handler", "event_id", "name", unique=True),
    )
