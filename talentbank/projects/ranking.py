"""The bridge to the `matching` engine: profiles and projects become Candidates and Needs, and
ranked results come back with their reasons (codes and numbers, turned into sentences by `reasons`).

The candidate index is kept per process. Every ranking first reads a cheap stamp (count and
latest update); when it moved, only the profiles changed since go into the index (its delta), so an
edit shows in the next ranking in every gunicorn worker without rebuilding 100,000 rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

import matching
from talentbank.db import utcnow
from talentbank.models import (
    Application,
    Municipality,
    Outcome,
    PayKind,
    Profile,
    ProfileSkill,
    Project,
    ProjectNeed,
    ProjectStatus,
    Skill,
    SkillSource,
    Visibility,
    WorkMode,
)
from talentbank.reference.prefectures import prefecture_place

# How a person works, as the engine reads it: "onsite" in the set means they do on-site work (remote
# work is open to everyone, so an on-site person is not kept from remote projects).
WAYS_OF_WORKING = {
    WorkMode.REMOTE: frozenset({"remote"}),
    WorkMode.HYBRID: frozenset({"remote", "onsite"}),
    WorkMode.ONSITE: frozenset({"onsite"}),
}
TRUST = {SkillSource.SELF: 0, SkillSource.BADGE: 1, SkillSource.PROJECT: 2}


def _candidate_pay(profile: Profile) -> matching.Pay:
    if profile.pay_kind is PayKind.HOURLY and profile.pay_yen:
        return matching.Pay("hourly", profile.pay_yen)
    if profile.pay_kind is PayKind.MONTHLY and profile.pay_yen and profile.hours_per_week:
        return matching.Pay("hourly", round(profile.pay_yen / (profile.hours_per_week * 4.33)))
    return matching.Pay("volunteer")  # no expectation: any offer is fine


def _claims(entries: list[ProfileSkill]) -> dict[str, matching.SkillClaim]:
    """One claim per skill: the highest level, and on a tie the better-backed source."""
    best: dict[str, ProfileSkill] = {}
    for entry in entries:
        current = best.get(entry.skill_code)
        if current is None or (entry.level, TRUST[entry.source]) > (current.level, TRUST[current.source]):
            best[entry.skill_code] = entry
    return {code: matching.SkillClaim(e.level, e.source.value) for code, e in best.items()}


def to_candidate(profile: Profile, *, now: datetime | None = None) -> matching.Candidate:
    """The profile as the engine sees it at `now`. A badge-verified skill whose credential has expired
    is left out altogether (not kept as self-declared: the person never declared it); a self-declared
    entry for the same skill still counts as self-declared."""
    place = profile.home_municipality
    # Outside Hokkaido: measured from the prefecture's office (data/PREFECTURES.md); abroad: no place.
    lat, lng = (
        (place.office_lat, place.office_lng) if place else (prefecture_place(profile.home_prefecture) or (None, None))
    )
    texts = [profile.headline, profile.bio] + [
        f"{o.title} {o.description}" for o in profile.outcomes if not o.is_hidden
    ]
    return matching.Candidate(
        id=profile.id,
        skills=_claims(profile.skills_at(now or utcnow())),
        text=" ".join(t for t in texts if t),
        lat=lat,
        lng=lng,
        travel_km=float(profile.max_travel_km or 0),
        regions=frozenset(r.slug for r in profile.regions),
        hours_per_week=float(profile.hours_per_week or 0),
        earliest_start=profile.earliest_start,
        work_modes=WAYS_OF_WORKING[profile.work_mode],
        onsite_days_per_month=profile.onsite_days_per_month,
        is_student=profile.is_student,
        pay=_candidate_pay(profile),
        open_to_offers=profile.open_to_offers,
        visible=profile.visibility is not Visibility.PRIVATE and not profile.is_hidden,
    )


def to_need(project: Project) -> matching.Need:
    place = project.municipality
    return matching.Need(
        id=project.id,
        must_have={n.skill_code: n.min_level for n in project.needs if n.is_must},
        nice_to_have={n.skill_code: n.min_level for n in project.needs if not n.is_must},
        text=f"{project.title} {project.problem} {project.expected_outcome}",
        work_mode=project.work_mode.value,
        lat=place.office_lat,
        lng=place.office_lng,
        subprefecture=place.subprefecture.slug,
        hours_per_week=float(project.hours_per_week),
        start=project.starts_on,
        pay=matching.Pay(project.pay_kind.value, project.pay_yen),
        onsite_days_per_month=project.onsite_days_per_month,
        students_only=project.is_students_only,
        start_slack_days=project.start_slack_days,
    )


PROFILE_LOAD = (
    selectinload(Profile.skills),
    selectinload(Profile.regions),
    selectinload(Profile.outcomes).selectinload(Outcome.skills),
    selectinload(Profile.home_municipality),
)


# Ranking after an edit re-reads only what changed: profiles updated since the last look go into
# the index's small delta segment; the whole index is rebuilt once the delta grows past this.
# It is also rebuilt hourly, which takes in new words and the drift of term weights.
REBUILD_AFTER = 2_000
REBUILD_EVERY = timedelta(hours=1)
# A transaction can commit a little after a later one: profiles updated within this window of
# the latest change are read again while the window lasts, so a late commit is never missed.
OVERLAP = timedelta(seconds=10)


@dataclass
class _Cached:
    index: matching.CandidateIndex
    count: int
    latest: datetime | None
    built_at: datetime
    # The earliest validUntil still ahead among the indexed badge skills: once it passes, the
    # profiles whose badges expired go into the delta (an expiry writes nothing that moves the stamp).
    next_expiry: datetime | None = None


T = TypeVar("T")
_cache: dict[str, _Cached] = {}
# One thread at a time refreshes or ranks an index (the index is not safe for concurrent writers).
_lock = threading.Lock()


def _stamp(session: Session) -> tuple[int, datetime | None]:
    count, latest = session.execute(sa.select(sa.func.count(Profile.id), sa.func.max(Profile.updated_at))).one()
    return count, latest


def vocabulary(session: Session) -> list[str]:
    """The DSS codes in skill order: the columns of every index."""
    return list(session.scalars(sa.select(Skill.code).order_by(Skill.position)))


def _next_expiry(session: Session, now: datetime) -> datetime | None:
    return session.scalar(
        sa.select(sa.func.min(ProfileSkill.valid_until)).where(
            ProfileSkill.source == SkillSource.BADGE, ProfileSkill.valid_until > now
        )
    )


def _build(session: Session, count: int, latest: datetime | None, now: datetime) -> _Cached:
    profiles = session.scalars(sa.select(Profile).options(*PROFILE_LOAD)).all()
    index = matching.build_index([to_candidate(p, now=now) for p in profiles], vocabulary(session))
    return _Cached(index, count, latest, now, _next_expiry(session, now))


def _take_expired(session: Session, cached: _Cached, now: datetime) -> None:
    """Re-read the profiles whose badge skills expired since the last look (their rows are unchanged)."""
    if cached.next_expiry is None or cached.next_expiry > now:
        return
    expired = (
        sa.select(ProfileSkill.profile_id)
        .where(ProfileSkill.source == SkillSource.BADGE, ProfileSkill.valid_until >= cached.next_expiry,
               ProfileSkill.valid_until <= now)
    )  # fmt: skip
    for profile in session.scalars(sa.select(Profile).where(Profile.id.in_(expired)).options(*PROFILE_LOAD)):
        cached.index.upsert(to_candidate(profile, now=now))
    cached.next_expiry = _next_expiry(session, now)


def _upsert(cached: _Cached, profile: Profile, now: datetime) -> None:
    cached.index.upsert(to_candidate(profile, now=now))
    for entry in profile.skills:  # a badge claimed since the last look may be the next to expire
        until = entry.valid_until
        if entry.source is SkillSource.BADGE and until is not None and until > now:
            cached.next_expiry = until if cached.next_expiry is None else min(cached.next_expiry, until)


def _refresh(session: Session, cached: _Cached, count: int, latest: datetime | None, now: datetime) -> None:
    """Apply the profiles changed since the last look, and drop the deleted ones."""
    index = cached.index
    if cached.latest is not None:
        changed = session.scalars(
            sa.select(Profile).where(Profile.updated_at >= cached.latest - OVERLAP).options(*PROFILE_LOAD)
        ).all()
        for profile in changed:
            _upsert(cached, profile, now)
    if len(index) != count or cached.latest is None:
        stored = set(session.scalars(sa.select(Profile.id)))
        held = index.ids()
        for gone in held - stored:
            index.remove(gone)
        missing = stored - held
        if missing:
            for profile in session.scalars(sa.select(Profile).where(Profile.id.in_(missing)).options(*PROFILE_LOAD)):
                _upsert(cached, profile, now)
    cached.count, cached.latest = count, latest


def _current_index(session: Session, now: datetime | None = None) -> matching.CandidateIndex:
    """Every profile's candidate, as of `now` (the wall clock by default); call with ``_lock`` held."""
    key = str(session.get_bind().url)
    count, latest = _stamp(session)
    cached = _cache.get(key)
    now = now or utcnow()
    if cached is None or cached.index.delta_size > REBUILD_AFTER or now - cached.built_at > REBUILD_EVERY:
        cached = _cache[key] = _build(session, count, latest, now)
    elif (count, latest) != (cached.count, cached.latest) or (latest is not None and now - latest < OVERLAP):
        _refresh(session, cached, count, latest, now)
    _take_expired(session, cached, now)
    return cached.index


def with_current_index(
    session: Session, use: Callable[[matching.CandidateIndex], T], *, now: datetime | None = None
) -> T:
    """``use(index)`` on every profile's candidate index, brought up to date first, with ``_lock`` held
    (for engine calls other than :func:`rank`, such as :mod:`matching.after_learning`)."""
    with _lock:
        return use(_current_index(session, now))


def forget() -> None:
    """Drop every cached index (the tests empty the database between tests, reusing ids)."""
    with _lock:
        _cache.clear()


def rank(
    session: Session,
    need: matching.Need,
    k: int,
    *,
    today: date,
    exclude: set[int],
    now: datetime | None = None,
    k_near: int = 0,
) -> matching.Ranking:
    """The engine's ranking of every profile for one need, on an index brought up to date first: the
    feasible candidates (matching.feasibility: mode, distance, on-site days, hours, start, students
    only, open to offers) and, when ``k_near`` > 0, apart the best near misses that one rule stops."""
    with _lock:
        index = _current_index(session, now)
        return matching.rank_with_near_misses(need, index, k, k_near, today=today, exclude=exclude)


@dataclass(frozen=True)
class ProjectMatches:
    """A project's candidates: the feasible ones ranked, and apart the near misses (each ``match.blocker``)."""

    matches: list[tuple[Profile, matching.Match]]
    near_misses: list[tuple[Profile, matching.Match]]


def matches_for_project(
    session: Session, project: Project, *, k: int = 20, today: date, now: datetime | None = None, k_near: int = 0
) -> ProjectMatches:
    """The best feasible candidates for a project, with reasons, and (``k_near`` > 0) the near misses
    apart; people already applied or invited are left out of both."""
    exclude = set(session.scalars(sa.select(Application.profile_id).where(Application.project_id == project.id)))
    ranked = rank(session, to_need(project), k, today=today, exclude=exclude, now=now, k_near=k_near)
    wanted = [m.candidate_id for m in ranked.matches + ranked.near_misses]
    profiles = {
        p.id: p
        for p in session.scalars(
            sa.select(Profile)
            .where(Profile.id.in_(wanted))
            .options(
                selectinload(Profile.skills).selectinload(ProfileSkill.skill), selectinload(Profile.home_municipality)
            )
        )
    }

    def shown(matches: list[matching.Match]) -> list[tuple[Profile, matching.Match]]:
        # A profile that became private or hidden (or was deleted) since the last rebuild is never shown.
        return [
            (profiles[m.candidate_id], m)
            for m in matches
            if m.candidate_id in profiles
            and profiles[m.candidate_id].visibility is not Visibility.PRIVATE
            and not profiles[m.candidate_id].is_hidden
        ]

    return ProjectMatches(shown(ranked.matches), shown(ranked.near_misses))


@dataclass(frozen=True)
class OpenNeeds:
    """The open projects (loaded for their pages) and their need index, with the ids of those the person
    is not to be offered again; built once per page for both directions a person's dashboard reads."""

    projects: list[Project]
    index: matching.NeedIndex | None  # None when no project is open
    done: set[int]


def open_needs_for(session: Session, profile: Profile) -> OpenNeeds:
    projects, done = open_projects_for(session, profile)
    index = matching.build_need_index([to_need(p) for p in projects], vocabulary(session)) if projects else None
    return OpenNeeds(projects, index, done)


def projects_for_person(
    session: Session, profile: Profile, *, k: int = 5, today: date, open_needs: OpenNeeds | None = None
) -> list[tuple[Project, matching.Match]]:
    """Open projects that suit the person and that they can do (matching.feasibility), best first, leaving
    out those already applied or invited to. ``open_needs``: built already (else built here)."""
    found = open_needs or open_needs_for(session, profile)
    if found.index is None:
        return []
    ranked = matching.rank_projects(person_candidate(session, profile), found.index, k, today=today,
                                    exclude=found.done)  # fmt: skip
    by_id = {p.id: p for p in found.projects}
    return [(by_id[m.need_id], m) for m in ranked]


def open_projects_for(session: Session, profile: Profile) -> tuple[list[Project], set[int]]:
    """The open projects, loaded for their pages, and the ids of those the person is not to be offered again:
    the ones they applied or were invited to."""
    projects = list(
        session.scalars(
            sa.select(Project)
            .where(Project.status == ProjectStatus.OPEN)
            .options(
                selectinload(Project.needs).selectinload(ProjectNeed.skill),
                selectinload(Project.municipality).selectinload(Municipality.subprefecture),
                selectinload(Project.organisation),
            )
        )
    )
    # Students-only internships need no leaving out here: the engine's feasibility drops them for non-students.
    done = set(session.scalars(sa.select(Application.project_id).where(Application.profile_id == profile.id)))
    return projects, done


def person_candidate(session: Session, profile: Profile) -> matching.Candidate:
    """The profile as the engine sees it now, loaded with what `to_candidate` reads."""
    return to_candidate(session.scalar(sa.select(Profile).where(Profile.id == profile.id).options(*PROFILE_LOAD)))
