"""Talent search: a term index kept in an ordinary table, filters, relevance order and pages.

Terms are CJK character bigrams and lowercase Latin words (`matching.text.terms`), so a two-character
word such as 酪農 is one exact term and longer words are matched by all their bigrams. Every substring of
three to eight characters of a kanji/katakana run is indexed too, as a phrase (`matching.text.phrases`)
whose weight is the summed weight of its bigrams in the profile, so a search for such a word (データ分析)
is one lookup with the score its bigrams would give, not an intersection of four. The index works
the same on SQLite and PostgreSQL and is rebuilt for one profile whenever its text changes. Each row
also carries who may find the profile and its updated_at (kept in step by the model on every update),
so a text search without other filters is answered from the index's covering index alone: one
index-only range per query term, summed per profile, ordered, cut to a page, counted in the same query.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from matching.text import is_phrase, phrase_bigrams, phrases, terms, token_terms
from talentbank.db import utcnow
from talentbank.models import (
    Municipality,
    Outcome,
    Profile,
    ProfileSearchTerm,
    ProfileSkill,
    SearchAudience,
    SkillSource,
    User,
    Visibility,
    WorkMode,
    search_audience,
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
    """The weighted terms of a profile's searchable text (name, headline, bio, skills, visible outcomes),
    and its phrases, each weighing what its bigrams weigh together (what a search for it scores)."""
    weighted: Counter[str] = Counter()
    found: set[str] = set()

    def add(text: str | None, weight: float) -> None:
        for term in terms(text or ""):
            weighted[term[:40]] += weight
        found.update(phrases(text or ""))

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
    for phrase in found:
        weighted[phrase] = sum(weighted[bigram] for bigram in phrase_bigrams(phrase))
    return dict(weighted)


def index_rows(profile: Profile) -> list[dict]:
    """The profile's rows of the search index: its weighted terms, each with who may find the
    profile and its updated_at (what a text search filters and orders by without reading profiles)."""
    audience, updated_at = int(search_audience(profile)), profile.updated_at
    return [
        {"profile_id": profile.id, "term": term, "weight": weight, "audience": audience, "updated_at": updated_at}
        for term, weight in index_terms(profile).items()
    ]


def reindex_profile(session: Session, profile: Profile) -> None:
    """Replace the profile's rows in the search index."""
    session.flush()
    session.execute(sa.delete(ProfileSearchTerm).where(ProfileSearchTerm.profile_id == profile.id))
    rows = index_rows(profile)
    if rows:
        session.execute(sa.insert(ProfileSearchTerm), rows)


def _audiences(viewer: User | None) -> list[int]:
    allowed = [SearchAudience.PUBLIC]
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        allowed.append(SearchAudience.MEMBERS)
    return [int(a) for a in allowed]


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


def _text_matches(viewer: User | None, query_terms: list[str]) -> sa.Subquery:
    """The profiles the viewer may find that hold every query term: profile_id, score (the summed
    weight of the matched terms) and updated_at, read from the index's covering index alone. One term
    (every two-character Japanese word) has one row per profile, its weight the score: no grouping."""
    rows = ProfileSearchTerm
    visible = rows.audience.in_(_audiences(viewer))
    if len(query_terms) == 1:
        return (
            sa.select(rows.profile_id.label("profile_id"), rows.weight.label("score"), rows.updated_at)
            .where(rows.term == query_terms[0], visible)
            .subquery()
        )
    return (
        sa.select(
            rows.profile_id.label("profile_id"),
            sa.func.sum(rows.weight).label("score"),
            sa.func.max(rows.updated_at).label("updated_at"),
        )
        .where(rows.term.in_(query_terms), visible)
        .group_by(rows.profile_id)
        .having(sa.func.count(rows.term) == len(query_terms))
        .subquery()
    )


def lookup_queries(
    viewer: User | None, criteria: SearchCriteria, query_terms: list[str], page: int, per_page: int
) -> tuple[sa.Select, sa.Select | None]:
    """The queries of a text search: one page of (profile id, score[, total]), best first, and the
    count, or None when the page query carries the total.

    One term: the lookup index is ordered as the results are (term, weight, updated_at, profile_id),
    so the page is read off its end and the count is an index-only count of one range. Several terms:
    their rows are summed per profile, and the total is a window count over the matches, computed
    before the page is cut, so one query answers both."""
    filters = _filters(criteria)
    matches = _text_matches(viewer, query_terms)
    base = sa.select(matches.c.profile_id, matches.c.score, matches.c.updated_at)
    if filters:
        base = base.join(Profile, Profile.id == matches.c.profile_id).where(visible_condition(viewer), *filters)
    # else the index alone answers: no profile is read
    found = base.subquery()
    order = (found.c.score.desc(), found.c.updated_at.desc(), found.c.profile_id.desc())
    cut = {"limit": per_page, "offset": (page - 1) * per_page}
    if len(query_terms) == 1:
        page_query = sa.select(found.c.profile_id, found.c.score).order_by(*order)
        return page_query.limit(cut["limit"]).offset(cut["offset"]), sa.select(sa.func.count()).select_from(found)
    page_query = sa.select(found.c.profile_id, found.c.score, sa.func.count().over().label("total")).order_by(*order)
    return page_query.limit(cut["limit"]).offset(cut["offset"]), None


def _page_of_matches(
    session: Session, viewer: User | None, criteria: SearchCriteria, query_terms: list[str], page: int, per_page: int
) -> tuple[list[sa.Row], int]:
    page_query, count_query = lookup_queries(viewer, criteria, query_terms, page, per_page)
    rows = session.execute(page_query).all()
    if count_query is not None:
        return rows, session.scalar(count_query) or 0
    if rows:
        return rows, rows[0].total
    if page == 1:
        return [], 0
    # past the last page: no row carries the total
    first, _ = lookup_queries(viewer, criteria, query_terms, 1, 1)
    return [], session.scalar(sa.select(first.subquery().c.total)) or 0


def search_profiles(session: Session, viewer: User | None, criteria: SearchCriteria) -> SearchPage:
    """Profiles matching every filter and every query term, best first, one page at a time.

    With text, relevance is the summed weight of the matched terms (ties: most recently updated
    first); without, newest first.
    """
    page = max(1, min(criteria.page, MAX_PAGE))
    per_page = max(1, min(criteria.per_page, MAX_PAGE_SIZE))
    if criteria.text.strip() and not _query_terms(criteria):
        return SearchPage([], 0, 1, 1)
    rows, total = search_profile_ids(session, viewer, criteria)
    pages = max(1, -(-total // per_page))
    return SearchPage(_load(session, [i for i, _ in rows]), total, page, pages, dict(rows))


def search_profile_ids(
    session: Session, viewer: User | None, criteria: SearchCriteria
) -> tuple[list[tuple[int, float]], int]:
    """The (profile id, score) of one page of `search_profiles`, in order, and the total: the lookup
    without loading the profiles."""
    query_terms = _query_terms(criteria)
    if criteria.text.strip() and not query_terms:
        return [], 0
    page = max(1, min(criteria.page, MAX_PAGE))
    per_page = max(1, min(criteria.per_page, MAX_PAGE_SIZE))
    if query_terms:
        rows, total = _page_of_matches(session, viewer, criteria, query_terms, page, per_page)
    else:
        base = sa.select(Profile.id, sa.literal(0.0).label("score")).where(
            visible_condition(viewer), *_filters(criteria)
        )
        total = session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
        order = (Profile.updated_at.desc(), Profile.id.desc())
        rows = session.execute(base.order_by(*order).limit(per_page).offset((page - 1) * per_page)).all()
    return [(row[0], float(row[1])) for row in rows], total


def _query_terms(criteria: SearchCriteria) -> list[str]:
    """The index terms a text search looks up, all of which a profile must hold: each word of three
    to eight kanji/katakana characters as one phrase, other words as their terms (bigrams, a Latin
    word, a glossary word's Japanese bigrams). A phrase scores the sum of its bigrams' weights, so the
    order is the one its bigrams give; where the words' bigrams overlap (the sum would count one
    twice) or there are more than MAX_QUERY_TERMS bigram terms, the search looks up the bigrams."""
    bigram_terms = list(dict.fromkeys(terms(criteria.text)))
    lookup: list[str] = []
    covered: list[str] = []
    for token, own in dict(token_terms(criteria.text)).items():
        if is_phrase(token):
            lookup.append(token)
            covered.extend(phrase_bigrams(token))
        else:
            lookup.extend(own)
            covered.extend(own)
    if len(bigram_terms) > MAX_QUERY_TERMS or len(set(covered)) != len(covered):
        return bigram_terms[:MAX_QUERY_TERMS]
    return list(dict.fromkeys(lookup))


def _load(session: Session, ids: list[int]) -> list[Profile]:
    """The profiles of a page, in the page's order, with what the result list shows."""
    if not ids:
        return []
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
    return [loaded[i] for i in ids]
