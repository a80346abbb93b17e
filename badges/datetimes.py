"""XSD dateTime text as credentials carry it (VC Data Model 2.0 §4.9): written in UTC with a ``Z``,
read with an explicit offset."""

from __future__ import annotations

from datetime import UTC, datetime


def format_datetime(moment: datetime) -> str:
    """XSD dateTime in UTC with a ``Z`` (no fractions): ``2026-04-01T00:00:00Z``."""
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(text: str) -> datetime:
    """Parse an XSD dateTime with an explicit offset; naive values raise ValueError."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("dateTime without a timezone")
    return moment
