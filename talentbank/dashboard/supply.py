"""The supply side of the supply-and-demand page, counted by the database: who the statistics count
(`opendata.disclosure.is_counted_for_aggregation`) and their current skills, as numbers per
subprefecture x skill category and as the open data's cells, without reading every claim into Python.

The counts are those of `opendata.disclosure.counted_claims` and `supply_cells` (a person once per
skill at their highest level for it, verified if any claim of it is): a person is counted once per
aggregate, verified when one of their skills in it is verified by a badge or a completed project.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from talentbank.models import Municipality, Profile, ProfileSkill, Skill, SkillSource, User
from talentbank.opendata.definitions import Row
from talentbank.opendata.disclosure import is_counted_for_aggregation, suppress_cell


def category_group() -> sa.ColumnElement[str]:
    """A skill's category as the dashboard groups them: its DSS-P number, else its Japanese name."""
    numbered = sa.and_(Skill.category_no.is_not(None), Skill.category_no != "")
    return sa.case((numbered, "no:" + Skill.category_no), else_="ja:" + Skill.category_ja)


def _counted(*columns: sa.ColumnElement, now: datetime) -> sa.Select:
    return (
        sa.select(*columns)
        .select_from(ProfileSkill)
        .join(Profile, Profile.id == ProfileSkill.profile_id)
        .join(User, User.id == Profile.user_id)
        .join(Municipality, Municipality.code == Profile.home_municipality_code)
        .where(is_counted_for_aggregation(), ProfileSkill.is_current(now))
    )


_VERIFIED = ProfileSkill.source != SkillSource.SELF


def _people() -> tuple[sa.ColumnElement[int], sa.ColumnElement[int]]:
    return (
        sa.func.count(sa.distinct(ProfileSkill.profile_id)),
        sa.func.count(sa.distinct(sa.case((_VERIFIED, ProfileSkill.profile_id)))),
    )


@dataclass(frozen=True)
class Counted:
    people: int
    verified: int


def people_by_region_and_category(session: Session, now: datetime) -> dict[tuple[int, str], Counted]:
    """(subprefecture id, category group) -> the people with a skill of that category living there."""
    group = category_group()
    statement = _counted(Municipality.subprefecture_id, group, *_people(), now=now).join(
        Skill, Skill.code == ProfileSkill.skill_code
    )
    return {
        (sub, key): Counted(n, v)
        for sub, key, n, v in session.execute(statement.group_by(Municipality.subprefecture_id, group))
    }


def people_by_region(session: Session, now: datetime, group: str | None) -> dict[int, Counted]:
    """subprefecture id -> the people with a skill of category `group` (any skill when None) living there."""
    statement = _counted(Municipality.subprefecture_id, *_people(), now=now)
    if group is not None:
        statement = statement.join(Skill, Skill.code == ProfileSkill.skill_code).where(category_group() == group)
    return {sub: Counted(n, v) for sub, n, v in session.execute(statement.group_by(Municipality.subprefecture_id))}


def published_cells(session: Session, now: datetime) -> dict[tuple[str, int, int], Row]:
    """The open data's supply cells (skill x level x subprefecture) with small counts withheld: the same
    cells as ``supply_cells(counted_claims(session))``."""
    best = (
        _counted(
            ProfileSkill.skill_code,
            Municipality.subprefecture_id.label("sub"),
            sa.func.max(ProfileSkill.level).label("level"),
            sa.func.max(sa.case((_VERIFIED, 1), else_=0)).label("verified"),
            now=now,
        )
        .group_by(ProfileSkill.profile_id, ProfileSkill.skill_code, Municipality.subprefecture_id)
        .subquery()
    )
    statement = sa.select(best.c.skill_code, best.c.level, best.c.sub, sa.func.count(), sa.func.sum(best.c.verified))
    rows = session.execute(statement.group_by(best.c.skill_code, best.c.level, best.c.sub))
    return {(code, level, sub): suppress_cell(n, int(v or 0)) for code, level, sub, n, v in rows}
