from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hawker.db import Base
from hawker.models.types import UTCDateTime, id_column


class IdempotencyRecord(Base):
    """The first response to a request made with an Idempotency-Key, replayed for 24 h."""

    __tablename__ = "idempotency_records"

    id: Mapped[int] = id_column()
    user_id: Mapped[int] = mapped_column(BigInteger)
    scope: Mapped[str] = mapped_column(String(64))  # which operation, e.g. "checkout.place"
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response_body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("user_id", "scope", "key"),
        Index("ix_idempotency_records_expires", "expires_at"),
    )
