from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from talentbank.db import Base, UTCDateTime, utcnow


class IdempotencyKey(Base):
    """An `Idempotency-Key` an API caller sent with a write, and the response it got.

    The row is inserted before the work, in the same transaction: a second request with the same key
    waits on the unique constraint (or, on SQLite, on the write lock) and then finds the committed row,
    so concurrent retries replay one response instead of repeating the work. A failed request rolls
    its row back, so the key can be used again.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(100))
    # SHA-256 (hex) of the method, path and canonical JSON body: the same key with another request is refused.
    request_fingerprint: Mapped[str] = mapped_column(sa.String(64))
    response_status: Mapped[int | None]
    response_body: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
