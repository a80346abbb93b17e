"""Rate-limit counters shared by every worker (and machine) when there is no Redis."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from talentbank.db import Base


class RateLimitCounter(Base):
    """One fixed window of one limit (Flask-Limiter's key): hits so far and when the window ends.

    `expires_at` is seconds since the epoch (what the `limits` storage interface speaks); a row past it
    counts as absent and is replaced by the next hit.
    """

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[float] = mapped_column(sa.Float(precision=53), index=True)
