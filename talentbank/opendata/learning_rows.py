"""The 学びの場 datasets' rows: the learning opportunities one can enrol in, and the learning gaps (what
open projects ask for per skill and subprefecture beside the learning on offer there and online, and
how many people have the skill, with small counts withheld as in the supply dataset)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.orm import Session

from talentbank.db import utcnow
from talentbank.learning.capacity import taught_on_offer
from talentbank.learning.opportunities import LearningCriteria, select_opportunities
from talentbank.opendata.columns import skill_columns, skills_by_code, subprefecture_columns, subprefectures
from talentbank.opendata.definitions import Row
from talentbank.opendata.disclosure import published_cells
from talentbank.projects.demand import open_needs


def learning_rows(session: Session, base_url: str) -> list[Row]:
    today = utcnow().date()
    rows = []
    for o in session.scalars(select_opportunities(LearningCriteria(), today)):
        place = o.municipality
        rows.append(
            {
                "id": str(o.public_id),
                "title": o.title,
                "provider": o.organisation.name,
                "format": o.format.value,
                "online": o.format.is_online,
                "language": o.language.value,
                "municipality_code": place.code if place else None,
                "municipality_ja": place.name_ja if place else None,
                "municipality_en": place.name_romaji if place else None,
                "subprefecture_ja": place.subprefecture.name_ja if place else None,
                "subprefecture_en": place.subprefecture.name_en if place else None,
                "starts_on": o.starts_on,
                "ends_on": o.ends_on,
                "deadline": o.deadline,
                "study_hours": o.study_hours,
                "cost_yen": o.cost_yen,
                "eligibility": o.eligibility.value,
                "capacity": o.capacity,
                "skills": ";".join(f"{s.skill_code}:{s.level}" for s in o.skills),
                "badge": o.achievement.name if o.achievement else None,
                "project_id": str(o.project.public_id) if o.project else None,
                "course_url": o.course_url or None,
                "url": f"{base_url}/learning/{o.public_id}",
            }
        )
    return rows


def _people(session: Session) -> dict[tuple[str, int], int | None]:
    """(skill, subprefecture) → the people counted for statistics who claim the skill there, or None
    when any of the supply dataset's cells it adds up (skill × level × subprefecture) is withheld there:
    otherwise subtracting the published cells would reveal it."""
    people: dict[tuple[str, int], int | None] = {}
    for (code, _level, sub), cell in published_cells(session, utcnow()).items():
        total = people.get((code, sub), 0)
        people[(code, sub)] = None if total is None or cell["suppressed"] else total + cell["people"]
    return people


def gap_rows(session: Session, base_url: str) -> list[Row]:
    wanted: dict[tuple[str, int], dict[int, int]] = defaultdict(dict)  # (skill, sub) → project → seats
    for project, seats, code, sub in open_needs(session):
        wanted[(code, sub)][project] = seats
    nearby: dict[tuple[str, int], dict[int, int | None]] = defaultdict(dict)
    online: dict[str, dict[int, int | None]] = defaultdict(dict)
    for opportunity, capacity, code, sub in taught_on_offer(session, utcnow().date()):
        (online[code] if sub is None else nearby[(code, sub)])[opportunity] = capacity
    people = _people(session)
    skills, regions = skills_by_code(session), subprefectures(session)
    order = {code: index for index, code in enumerate(skills)}
    rows = []
    for code, sub in sorted(wanted, key=lambda key: (order[key[0]], regions[key[1]].position)):
        courses = {**nearby.get((code, sub), {}), **online.get(code, {})}
        count = people.get((code, sub), 0)  # None: withheld
        rows.append(
            {
                **skill_columns(skills[code]),
                **subprefecture_columns(regions[sub]),
                "projects": len(wanted[(code, sub)]),
                "seats_wanted": sum(wanted[(code, sub)].values()),
                "courses_nearby": len(nearby.get((code, sub), {})),
                "courses_online": len(online.get(code, {})),
                "learning_seats": sum(c for c in courses.values() if c),
                "learning_unlimited": any(c is None for c in courses.values()),
                "no_learning_near": not courses,
                "people": count,
                "suppressed": count is None,
            }
        )
    return rows
