"""The supply side of the supply-and-demand page: the people the statistics count, per subprefecture x
skill category and per subprefecture, read from the counts `talentbank.models.supply` keeps on every write
(the same counts the open data publishes, `opendata.disclosure.published_cells`). A person is counted once
per aggregate, verified when one of their skills in it is verified by a badge or a completed project.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from talentbank.models.supply import ANY_SKILL, groups_at


@dataclass(frozen=True)
class Counted:
    people: int
    verified: int


def people_by_region_and_category(session: Session, now: datetime) -> dict[tuple[int, str], Counted]:
    """(subprefecture id, category group) -> the people with a skill of that category living there."""
    return {key: Counted(*counts) for key, counts in groups_at(session, now).items() if key[1] != ANY_SKILL}


def people_by_region(session: Session, now: datetime, group: str | None) -> dict[int, Counted]:
    """subprefecture id -> the people with a skill of category `group` (any skill when None) living there."""
    return {sub: Counted(*counts) for (sub, _group), counts in groups_at(session, now, group or ANY_SKILL).items()}
