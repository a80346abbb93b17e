"""The small counts statistics withhold, and the open data's supply cells as published (the supply and
learning-gaps datasets and the dashboard follow the same rules). Who is counted and how is
`talentbank.models.supply`: both read the counts kept there."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from talentbank.models.supply import cells_at
from talentbank.opendata.definitions import MIN_CELL, Row


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


def published_cells(session: Session, now: datetime) -> dict[tuple[str, int, int], Row]:
    """The supply dataset's cells (skill x level x subprefecture id) at `now` as published, small counts
    withheld: each counted person once per skill at their highest level for it, verified if any claim is."""
    return {(code, level, sub): suppress_cell(people, verified)
            for (sub, code, level), (people, verified) in cells_at(session, now).items()}  # fmt: skip
