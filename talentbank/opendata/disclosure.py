"""Which profiles statistics may count, and the small counts they withhold (the open data's supply
dataset and the dashboard follow the same rules)."""

from __future__ import annotations

import sqlalchemy as sa

from talentbank.models import Profile, User, Visibility
from talentbank.opendata.definitions import MIN_CELL, Row


def is_counted_for_aggregation() -> sa.ColumnElement[bool]:
    """Which profiles statistics may count: visible to others, not hidden, of an active account."""
    return sa.and_(
        Profile.visibility.in_([Visibility.PUBLIC, Visibility.MEMBERS]),
        Profile.is_hidden.is_(False),
        User.is_disabled.is_(False),
        Profile.home_municipality_code.is_not(None),
    )


def suppress_cell(people: int, verified: int) -> Row:
    """The published values of one supply cell, with small counts withheld.

    `people` under MIN_CELL is withheld. `verified` is withheld too when it, or the people without
    a verified claim (`people - verified`), is 1..MIN_CELL-1, since either would single someone out.
    """
    if people < MIN_CELL:
        return {"people": None, "verified_people": None, "suppressed": True, "verified_suppressed": True}
    unverified = people - verified
    hide_verified = 0 < verified < MIN_CELL or 0 < unverified < MIN_CELL
    return {
        "people": people,
        "verified_people": None if hide_verified else verified,
        "suppressed": False,
        "verified_suppressed": hide_verified,
    }
