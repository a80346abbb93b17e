"""Which profiles statistics may count, each person's claims as they count them, and the small counts they
withhold (the open data's supply and learning-gaps datasets and the dashboard follow the same rules)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from talentbank.db import utcnow
from talentbank.models import Municipality, Profile, ProfileSkill, SkillSource, User, Visibility
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


@dataclass(frozen=True)
class Claim:
    """One counted person's claim of one skill, at their highest level for it."""

    profile_id: int
    skill_code: str
    level: int
    is_verified: bool  # some claim of the skill is verified by a badge or a completed project
    subprefecture_id: int


def counted_claims(session: Session) -> list[Claim]:
    """Every counted person's current claims, one per skill at their highest level for it."""
    statement = (
        sa.select(ProfileSkill.profile_id, ProfileSkill.skill_code, ProfileSkill.level, ProfileSkill.source,
                  Municipality.subprefecture_id)
        .join(Profile, Profile.id == ProfileSkill.profile_id)
        .join(User, User.id == Profile.user_id)
        .join(Municipality, Municipality.code == Profile.home_municipality_code)
        .where(is_counted_for_aggregation(), ProfileSkill.is_current(utcnow()))
    )  # fmt: skip
    best: dict[tuple[int, str], Claim] = {}
    for profile_id, code, level, source, sub in session.execute(statement):
        earlier = best.get((profile_id, code))
        verified = source is not SkillSource.SELF or (earlier is not None and earlier.is_verified)
        best[(profile_id, code)] = Claim(profile_id, code, max(level, earlier.level if earlier else 0), verified, sub)
    return list(best.values())


def supply_cells(claims: list[Claim]) -> dict[tuple[str, int, int], Row]:
    """The supply dataset's cells (skill × level × subprefecture) as published, with small counts withheld."""
    people: Counter[tuple[str, int, int]] = Counter()
    verified: Counter[tuple[str, int, int]] = Counter()
    for claim in claims:
        key = (claim.skill_code, claim.level, claim.subprefecture_id)
        people[key] += 1
        verified[key] += claim.is_verified
    return {key: suppress_cell(people[key], verified[key]) for key in people}
