"""Facts about the deployment itself that must survive restarts."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from talentbank.db import Base, UTCDateTime, utcnow


class SiteAddress(Base):
    """A public address (BASE_URL) the issuers' did:web identities were made for.

    The one without `retired_at` is the address in use; starting with another BASE_URL is refused
    until `talentbank change-base-url` retires it. Retired addresses keep being served (DID documents,
    status lists), so credentials issued under them still verify.
    """

    __tablename__ = "site_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    base_url: Mapped[str] = mapped_column(sa.String(300), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
