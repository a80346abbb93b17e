"""The open datasets' rows, straight from the database: open projects, skills, municipalities, and the
statistics (supply with small counts withheld, demand, badges, completed projects)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.orm import Session, joinedload, selectinload

from talentbank.db import utcnow
from talentbank.models import (
    Achievement,
    AchievementSkill,
    Credential,
    Municipality,
    Organisation,
    Project,
    ProjectNeed,
    ProjectStatus,
    Skill,
    Theme,
)
from talentbank.opendata.columns import skill_columns, skills_by_code, subprefecture_columns, subprefectures
from talentbank.opendata.definitions import Row, get_dataset
from talentbank.opendata.disclosure import published_cells
from talentbank.opendata.learning_rows import gap_rows, learning_rows
from talentbank.projects.labels import THEME_LABELS


def _theme_labels() -> dict[Theme, tuple[str, str]]:
    labels: dict[Theme, list[str]] = {theme: [] for theme in Theme}
    for locale in ("ja", "en"):
        with force_locale(locale):
            for theme in Theme:
                labels[theme].append(str(THEME_LABELS[theme]))
    return {theme: (ja, en) for theme, (ja, en) in labels.items()}


def _project_rows(session: Session, base_url: str) -> list[Row]:
    projects = session.scalars(
        sa.select(Project)
        .where(Project.status == ProjectStatus.OPEN)
        .options(
            joinedload(Project.organisation),
            joinedload(Project.municipality).joinedload(Municipality.subprefecture),
            selectinload(Project.needs),
        )
        .order_by(Project.starts_on, Project.id)
    ).unique()
    themes = _theme_labels()
    return [
        {
            "id": str(project.public_id),
            "title": project.title,
            "organisation": project.organisation.name,
            "theme": project.theme.value,
            "theme_ja": themes[project.theme][0],
            "theme_en": themes[project.theme][1],
            "municipality_code": project.municipality_code,
            "municipality_ja": project.municipality.name_ja,
            "municipality_en": project.municipality.name_romaji,
            "subprefecture_ja": project.municipality.subprefecture.name_ja,
            "subprefecture_en": project.municipality.subprefecture.name_en,
            "work_mode": project.work_mode.value,
            "onsite_days_per_month": project.onsite_days_per_month,
            "hours_per_week": project.hours_per_week,
            "pay_kind": project.pay_kind.value,
            "pay_yen": project.pay_yen,
            "is_internship": project.is_internship,
            "is_students_only": project.is_students_only,
            "seats": project.seats,
            "starts_on": project.starts_on,
            "ends_on": project.ends_on,
            "deadline": project.deadline,
            "opened_at": project.opened_at,
            "needs": ";".join(
                f"{need.skill_code}:{need.min_level}:{'must' if need.is_must else 'nice'}" for need in project.needs
            ),
            "url": f"{base_url}/projects/{project.public_id}",
        }
        for project in projects
    ]


def _skill_rows(session: Session, base_url: str) -> list[Row]:
    skills = session.scalars(sa.select(Skill).options(selectinload(Skill.tags)).order_by(Skill.position))
    return [
        {
            "code": skill.code,
            "standard": skill.standard,
            "version": skill.version,
            "category_no": skill.category_no,
            "category_ja": skill.category_ja,
            "category_en": skill.category_en,
            "subcategory_ja": skill.subcategory_ja,
            "subcategory_en": skill.subcategory_en,
            "name_ja": skill.name_ja,
            "name_en": skill.name_en,
            "is_selectable": skill.is_selectable,
            "tool_tags": "|".join(sorted(tag.name for tag in skill.tags)),
        }
        for skill in skills
    ]


def _municipality_rows(session: Session, base_url: str) -> list[Row]:
    municipalities = session.scalars(
        sa.select(Municipality).options(joinedload(Municipality.subprefecture)).order_by(Municipality.code)
    )
    return [
        {
            "code": m.code,
            "code5": m.code5,
            "name_ja": m.name_ja,
            "district_ja": m.district_ja,
            "name_kana": m.name_kana,
            "name_romaji": m.name_romaji,
            "type": m.type,
            "subprefecture_ja": m.subprefecture.name_ja,
            "subprefecture_en": m.subprefecture.name_en,
            "office_lat": m.office_lat,
            "office_lng": m.office_lng,
            "website": m.website,
        }
        for m in municipalities
    ]


def _supply_rows(session: Session, base_url: str) -> list[Row]:
    cells = published_cells(session, utcnow())  # a person counts once per skill, at their highest level
    skills = skills_by_code(session)
    regions = subprefectures(session)
    skill_order = {code: index for index, code in enumerate(skills)}
    return [
        {
            **skill_columns(skills[skill_code]),
            "level": level,
            **subprefecture_columns(regions[subprefecture_id]),
            **cells[(skill_code, level, subprefecture_id)],
        }
        for skill_code, level, subprefecture_id in sorted(
            cells, key=lambda k: (skill_order[k[0]], k[1], regions[k[2]].position)
        )
    ]


def _demand_rows(session: Session, base_url: str) -> list[Row]:
    statement = (
        sa.select(
            ProjectNeed.skill_code,
            Municipality.subprefecture_id,
            sa.func.count(sa.distinct(ProjectNeed.project_id)),
            sa.func.count(sa.distinct(sa.case((ProjectNeed.is_must.is_(True), ProjectNeed.project_id)))),
        )
        .join(Project, Project.id == ProjectNeed.project_id)
        .join(Municipality, Municipality.code == Project.municipality_code)
        .where(Project.status == ProjectStatus.OPEN)
        .group_by(ProjectNeed.skill_code, Municipality.subprefecture_id)
    )
    counts = {(code, sub): (total, must) for code, sub, total, must in session.execute(statement)}
    skills = skills_by_code(session)
    regions = subprefectures(session)
    skill_order = {code: index for index, code in enumerate(skills)}
    return [
        {
            **skill_columns(skills[code]),
            **subprefecture_columns(regions[sub]),
            "projects": counts[(code, sub)][0],
            "must_projects": counts[(code, sub)][1],
        }
        for code, sub in sorted(counts, key=lambda k: (skill_order[k[0]], regions[k[1]].position))
    ]


def _badge_rows(session: Session, base_url: str) -> list[Row]:
    not_revoked = Credential.revoked_at.is_(None)
    per_skill = session.execute(
        sa.select(AchievementSkill.skill_code, sa.func.count(Credential.id))
        .join(Credential, Credential.achievement_id == AchievementSkill.achievement_id)
        .where(not_revoked)
        .group_by(AchievementSkill.skill_code)
    ).all()
    per_issuer_id = dict(
        session.execute(
            sa.select(Achievement.organisation_id, sa.func.count(Credential.id))
            .join(Credential, Credential.achievement_id == Achievement.id)
            .where(not_revoked)
            .group_by(Achievement.organisation_id)
        ).all()
    )
    issuers = session.scalars(
        sa.select(Organisation).where(Organisation.id.in_(per_issuer_id)).order_by(Organisation.name, Organisation.id)
    )
    per_issuer = [(organisation, per_issuer_id[organisation.id]) for organisation in issuers]
    skills = skills_by_code(session)
    skill_order = {code: index for index, code in enumerate(skills)}
    rows = [
        {
            "breakdown": "skill",
            "key": code,
            "name_ja": skills[code].name_ja,
            "name_en": skills[code].name_en,
            "credentials": count,
        }
        for code, count in sorted(per_skill, key=lambda item: skill_order[item[0]])
    ]
    rows += [
        {
            "breakdown": "issuer",
            "key": str(organisation.public_id),
            "name_ja": organisation.name,
            "name_en": organisation.name_en,
            "credentials": count,
        }
        for organisation, count in per_issuer
    ]
    return rows


def _completed_rows(session: Session, base_url: str) -> list[Row]:
    counts = dict(
        session.execute(
            sa.select(Project.theme, sa.func.count(Project.id))
            .where(Project.status == ProjectStatus.COMPLETED)
            .group_by(Project.theme)
        ).all()
    )
    themes = _theme_labels()
    return [
        {
            "theme": theme.value,
            "theme_ja": themes[theme][0],
            "theme_en": themes[theme][1],
            "projects": counts.get(theme, 0),
        }
        for theme in Theme
    ]


BUILDERS: dict[str, Callable[[Session, str], list[Row]]] = {
    "projects": _project_rows,
    "skills": _skill_rows,
    "municipalities": _municipality_rows,
    "supply": _supply_rows,
    "demand": _demand_rows,
    "badges": _badge_rows,
    "completed": _completed_rows,
    "learning": learning_rows,
    "learning_gaps": gap_rows,
}


def build_rows(session: Session, name: str, *, base_url: str) -> list[Row]:
    """The rows of one dataset, straight from the database, with each field as its schema says."""
    dataset = get_dataset(name)
    rows = BUILDERS[name](session, base_url.rstrip("/"))
    return [{field: row[field] for field in dataset.field_names} for row in rows]
