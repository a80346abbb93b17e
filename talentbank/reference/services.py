"""Reference data queries (municipalities, subprefectures, skills) used by forms and pages."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from talentbank.errors import NotFound
from talentbank.models import Municipality, Skill, Subprefecture


def subprefectures_with_municipalities(session: Session) -> list[Subprefecture]:
    """The 14 振興局 in the prefecture's usual order, each with its municipalities, in one round trip."""
    return list(
        session.scalars(
            sa.select(Subprefecture)
            .options(selectinload(Subprefecture.municipalities))
            .order_by(Subprefecture.position)
        )
    )


def municipality_choices(session: Session, locale: str) -> dict[str, list[tuple[str, str]]]:
    """Choices for a grouped <select>: {振興局 name: [(code, municipality name), ...]}."""
    english = locale == "en"
    return {
        (sub.name_en if english else sub.name_ja): [
            (m.code, f"{m.name_romaji} ({m.name_ja})" if english else m.name_ja) for m in sub.municipalities
        ]
        for sub in subprefectures_with_municipalities(session)
    }


def get_municipality(session: Session, code: str) -> Municipality | None:
    return session.get(Municipality, code)


def search_skills(session: Session, query: str, *, selectable_only: bool = True) -> list[Skill]:
    """Skills whose Japanese or English name, category, or a mapped tool tag (name or alias) contains `query`.

    Case-insensitive; an empty query returns every skill. The vocabulary is small (~140 items, ~40
    tags), so matching happens in Python and works the same on SQLite and PostgreSQL.
    """
    statement = sa.select(Skill).options(selectinload(Skill.tags)).order_by(Skill.position)
    if selectable_only:
        statement = statement.where(Skill.is_selectable)
    skills = list(session.scalars(statement))
    needle = query.strip().casefold()
    if not needle:
        return skills
    return [skill for skill in skills if needle in _search_text(skill)]


def _search_text(skill: Skill) -> str:
    parts = [skill.code, skill.name_ja, skill.name_en, skill.subcategory_ja or "", skill.subcategory_en or ""]
    for tag in skill.tags:
        parts += [tag.name, tag.slug, tag.aliases]
    return " | ".join(parts).casefold()


def get_skill(session: Session, code: str) -> Skill:
    skill = session.scalar(sa.select(Skill).where(Skill.code == code).options(selectinload(Skill.tags)))
    if skill is None:
        raise NotFound()
    return skill


def skill_names(session: Session, locale: str) -> dict[str, str]:
    """Every skill's name in the locale, by code (for turning match reasons into sentences)."""
    english = locale == "en"
    return {s.code: (s.name_en if english else s.name_ja) for s in session.scalars(sa.select(Skill))}


def skill_choices(session: Session, locale: str) -> dict[str, list[tuple[str, str]]]:
    """Selectable skills for a grouped <select>: {category: [(code, name), ...]}."""
    english = locale == "en"
    groups: dict[str, list[tuple[str, str]]] = {}
    for skill in search_skills(session, ""):
        category = skill.category_en if english else skill.category_ja
        groups.setdefault(category, []).append((skill.code, skill.name_en if english else skill.name_ja))
    return groups
