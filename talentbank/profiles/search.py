"""Talent search: a term index kept in an ordinary table, filters, relevance order and pages.

Terms are CJK character bigrams and lowercase Latin words (`matching.text.terms`), so a two-character
word such as 酪農 is one exact term and longer words are matched by all their bigrams. The index works
the same on SQLite and PostgreSQL and is rebuilt for one profile whenever its text changes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from matching.text import terms
from talentbank.db import utcnow
from talentbank.models import (
    Municipality,
    Outcome,
    Profile,
    ProfileSearchTerm,
    ProfileSkill,
    SkillSource,
    User,
    Visibility,
    WorkMode,
)
from talentbank.models.profiles import profile_regions

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 500
MAX_QUERY_TERMS = 12
MAX_SKILL_FILTERS = 5
# Where a term appears decides how much it counts.
WEIGHTS = {"name": 3.0, "headline": 3.0, "skill": 2.0, "outcome_title": 2.0, "outcome": 1.0, "bio": 1.0}


@dataclass(frozen=True)
class SearchCriteria:
    """What the searcher asked for; values are already clamped to sane ranges by the form."""

    text: str = ""
    skills: tuple[tuple[str, int], ...] = ()  # (skill code, minimum level)
    verified_only: bool = False
    subprefecture_id: int | None = None
    municipality_code: str | None = None
    remote_ok: bool = False
    min_hours: int | None = None
    open_to_offers: bool = False
    page: int = 1
    per_page: int = PAGE_SIZE  # the API lets callers choose, up to MAX_PAGE_SIZE


@dataclass(frozen=True)
class SearchPage:
    profiles: list[Profile]
    total: int
    page: int
    pages: int
    scores: dict[int, float] = field(default_factory=dict)


def index_terms(profile: Profile) -> dict[str, float]:
    """The weighted terms of a profile's searchable text (name, headline, bio, skills, visible outcomes)."""
    weighted: Counter[str] = Counter()

    def add(text: str | None, weight: float) -> None:
        for term in terms(text or ""):
            weighted[term[:40]] += weight

    add(profile.display_name, WEIGHTS["name"])
    add(profile.furigana, WEIGHTS["name"])
    add(profile.headline, WEIGHTS["headline"])
    add(profile.bio, WEIGHTS["bio"])
    for profile_skill in profile.skills:
        add(f"{profile_skill.skill.name_ja} {profile_skill.skill.name_en}", WEIGHTS["skill"])
    for outcome in profile.outcomes:
        if not outcome.is_hidden:
            add(outcome.title, WEIGHTS["outcome_title"])
            add(f"{outcome.description} {outcome.role} {outcome.organisation_name or ''}", WEIGHTS["outcome"])
    return dict(weighted)


def reindex_profile(session: Session, profile: Profile) -> None:
    """Replace the profile's rows in the search index."""
    session.flush()
    session.execute(sa.delete(ProfileSearchTerm).where(ProfileSearchTerm.profile_id == profile.id))
    rows = [{"profile_id": profile.id, "term": term, "weight": weight} for term, weight in index_terms(profile).items()]
    if rows:
        session.execute(sa.insert(ProfileSearchTerm), rows)


def visible_condition(viewer: User | None) -> sa.ColumnElement[bool]:
    """Profiles a viewer may find: public ones, members-only ones for logged-in users; never hidden."""
    allowed = [Visibility.PUBLIC]
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        allowed.append(Visibility.MEMBERS)
    return sa.and_(Profile.visibility.in_(allowed), Profile.is_hidden.is_(False))


def _filters(criteria: SearchCriteria) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    for code, min_level in criteria.skills[:MAX_SKILL_FILTERS]:
        skill_match = sa.select(ProfileSkill.id).where(
            ProfileSkill.profile_id == Profile.id,
            ProfileSkill.skill_code == code,
            ProfileSkill.level >= min_level,
            ProfileSkill.is_current(utcnow()),
        )
        if criteria.verified_only:
            skill_match = skill_match.where(ProfileSkill.source != SkillSource.SELF)
        conditions.append(skill_match.exists())
    if criteria.verified_only and not criteria.skills:
        conditions.append(
            sa.select(ProfileSkill.id)
            .where(
                ProfileSkill.profile_id == Profile.id,
                ProfileSkill.source != SkillSource.SELF,
                ProfileSkill.is_current(utcnow()),
            )
            .exists()
        )
    if criteria.municipality_code:
        conditions.append(Profile.home_municipality_code == criteria.municipality_code)
    elif criteria.subprefecture_id:
        # Lives there, or wants to help there (regions of interest).
        lives_there = Profile.home_municipality_code.in_(
            sa.select(Municipality.code).where(Municipality.subprefecture_id == criteria.subprefecture_id)
        )
        wants_to_help = (
            sa.select(profile_regions.c.profile_id)
            .where(
                profile_regions.c.profile_id == Profile.id,
                profile_regions.c.subprefecture_id == criteria.subprefecture_id,
            )
            .exists()
        )
        conditions.append(sa.or_(lives_there, wants_to_help))
    if criteria.remote_ok:
        conditions.append(Profile.work_mode.in_([WorkMode.REMOTE, WorkMode.HYBRID]))
    if criteria.min_hours:
        conditions.append(Profile.hours_per_week >= criteria.min_hours)
    if criteria.open_to_offers:
        conditions.append(Profile.open_to_offers.is_(True))
    return conditions


def search_profiles(session: Session, viewer: User | None, criteria: SearchCriteria) -> SearchPage:
    """Profiles matching every filter and every query term, best first, one page at a time.

    With text, relevance is the summed weight of the matched terms; without, newest first.
    """
    conditions = [visible_condition(viewer), *_filters(criteria)]
    query_terms = list(dict.fromkeys(terms(criteria.text)))[:MAX_QUERY_TERMS]
    if criteria.text.strip() and not query_terms:
        return SearchPage([], 0, 1, 1)
    page = max(1, min(criteria.page, MAX_PAGE))
    per_page = max(1, min(criteria.per_page, MAX_PAGE_SIZE))
    if query_terms:
        scores = (
            sa.select(ProfileSearchTerm.profile_id, sa.func.sum(ProfileSearchTerm.weight).label("score"))
            .where(ProfileSearchTerm.term.in_(query_terms))
            .group_by(ProfileSearchTerm.profile_id)
            .having(sa.func.count(ProfileSearchTerm.term) == len(query_terms))
            .subquery()
        )
        base = sa.select(Profile.id, scores.c.score).join(scores, scores.c.profile_id == Profile.id)
        order = (scores.c.score.desc(), Profile.updated_at.desc(), Profile.id.desc())
    else:
        base = sa.select(Profile.id, sa.literal(0.0).label("score"))
        order = (Profile.updated_at.desc(), Profile.id.desc())
    base = base.where(*conditions)
    total = session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    pages = max(1, -(-total // per_page))
    rows = session.execute(base.order_by(*order).limit(per_page).offset((page - 1) * per_page)).all()
    ids = [row[0] for row in rows]
    loaded = {
        p.id: p
        for p in session.scalars(
            sa.select(Profile)
            .where(Profile.id.in_(ids))
            .options(
                selectinload(Profile.skills).selectinload(ProfileSkill.skill),
                selectinload(Profile.home_municipality).selectinload(Municipality.subprefecture),
                selectinload(Profile.outcomes).selectinload(Outcome.skills),
            )
        )
    }
    return SearchPage([loaded[i] for i in ids], total, page, pages, {row[0]: float(row[1]) for row in rows})
