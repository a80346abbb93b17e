"""The columns the statistics datasets share: a skill's code and names, a subprefecture's names."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from talentbank.models import Skill, Subprefecture
from talentbank.opendata.definitions import Row


def skills_by_code(session: Session) -> dict[str, Skill]:
    return {skill.code: skill for skill in session.scalars(sa.select(Skill).order_by(Skill.position))}


def subprefectures(session: Session) -> dict[int, Subprefecture]:
    return {s.id: s for s in session.scalars(sa.select(Subprefecture).order_by(Subprefecture.position))}


def skill_columns(skill: Skill) -> Row:
    return {"skill_code": skill.code, "skill_name_ja": skill.name_ja, "skill_name_en": skill.name_en}


def subprefecture_columns(subprefecture: Subprefecture) -> Row:
    return {"subprefecture_ja": subprefecture.name_ja, "subprefecture_en": subprefecture.name_en}
