"""Cohort allocation rounds for internship programmes (#5).

A prefecture or school organisation chooses a set of open internship projects. For each project the
matching engine ranks the people who fit (visible, open to offers, and students only for a students-only
internship), which is the project's preference list. A person's preference list is the round's projects
they appear for: the ones they applied to first, in the order the person chose on their preferences page,
then the others by match score. `matching.allocate` turns both lists and the seats into a proposal — a
stable matching (students proposing) or the largest total score — which staff review and can recompute
with the other method. Publishing sends each placed person an invitation from
the project (or, where they had applied, accepts their application); consent is unchanged: an invited
person still accepts or declines, and contact details go out only then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

import matching
from talentbank import audit
from talentbank.db import utcnow
from talentbank.errors import Conflict, Invalid
from talentbank.lookup import by_public_id
from talentbank.models import (
    AllocationAssignment,
    AllocationMethod,
    AllocationRound,
    Application,
    ApplicationStatus,
    Direction,
    Organisation,
    Profile,
    Project,
    ProjectStatus,
    User,
    Visibility,
)
from talentbank.projects import applications, notices, ranking
from talentbank.security import require

CANDIDATES_PER_PROJECT = 30
MAX_PROJECTS = 50


@dataclass(frozen=True)
class ProposedSeat:
    profile: Profile
    project: Project
    score: float
    student_rank: int  # where the project stands in the person's list (1 = first choice)
    project_rank: int  # where the person stands in the project's list (1 = best candidate)
    applied: bool


@dataclass(frozen=True)
class Proposal:
    seats: list[ProposedSeat]
    unassigned: list[Profile]
    candidates: int
    open_seats: int


def eligible_projects(session: Session) -> list[Project]:
    """Open internship projects, the ones a round can include."""
    return list(
        session.scalars(
            sa.select(Project)
            .where(Project.status == ProjectStatus.OPEN, Project.is_internship.is_(True))
            .options(selectinload(Project.organisation))
            .order_by(Project.title)
        )
    )


def rounds_of(session: Session, organisation: Organisation) -> list[AllocationRound]:
    return list(
        session.scalars(
            sa.select(AllocationRound)
            .where(AllocationRound.organisation_id == organisation.id)
            .order_by(AllocationRound.created_at.desc())
        )
    )


def create_round(
    session: Session,
    actor: User,
    organisation: Organisation,
    *,
    name: str,
    project_ids: list[str],
    method: str,
    message: str = "",
) -> AllocationRound:
    require(actor, "run_allocation", organisation)
    name = name.strip()
    if not name or len(name) > 120:
        raise Invalid.on("name", _l("名前は1〜120文字で入力してください。"))
    if method not in {m.value for m in AllocationMethod}:
        raise Invalid.on("method", _l("配属の方法を選んでください。"))
    eligible = {str(p.public_id): p for p in eligible_projects(session)}
    chosen = [eligible[i] for i in dict.fromkeys(project_ids) if i in eligible]
    if not chosen or len(chosen) != len(set(project_ids)):
        raise Invalid.on("projects", _l("募集中のインターンシップを1つ以上選んでください。"))
    if len(chosen) > MAX_PROJECTS:
        raise Invalid.on("projects", _l("1回の配属で扱えるプロジェクトは%(n)s件までです。", n=MAX_PROJECTS))
    allocation_round = AllocationRound(
        organisation=organisation,
        name=name,
        method=AllocationMethod(method),
        message=message.strip()[:2000],
        created_by_id=actor.id,
        projects=chosen,
    )
    session.add(allocation_round)
    session.flush()
    audit.record(session, actor, "allocation.create", object_type="allocation_round",
                 object_id=allocation_round.public_id)  # fmt: skip
    return allocation_round


def get_round(session: Session, actor: User, public_id: str) -> AllocationRound:
    allocation_round = by_public_id(
        session,
        AllocationRound,
        public_id,
        selectinload(AllocationRound.projects).selectinload(Project.organisation),
        selectinload(AllocationRound.organisation),
    )
    require(actor, "run_allocation", allocation_round.organisation)
    return allocation_round


def set_method(session: Session, actor: User, allocation_round: AllocationRound, method: str) -> None:
    require(actor, "run_allocation", allocation_round.organisation)
    if allocation_round.published_at is not None:
        raise Conflict(str(_l("公開済みの配属は変更できません。")))
    if method not in {m.value for m in AllocationMethod}:
        raise Invalid.on("method", _l("配属の方法を選んでください。"))
    allocation_round.method = AllocationMethod(method)


@dataclass(frozen=True)
class Market:
    """Both sides' preference lists for a round, as `matching.allocate` takes them (ids of profiles and projects)."""

    projects: dict[int, Project]
    profiles: dict[int, Profile]
    student_prefs: dict[int, list[int]]  # best first
    project_prefs: dict[int, list[int]]  # best first
    seats: dict[int, int]
    scores: dict[tuple[int, int], float]
    applied: set[tuple[int, int]]  # (profile, project) pairs with a pending application


def market(session: Session, allocation_round: AllocationRound, *, today: date) -> Market:
    """The round's preference lists now.

    A project's list is the engine's ranking of the people who fit it. A person's list is the round's projects
    they appear for: first the ones they applied to, in their own order of preference (`preference_rank`,
    set on the preferences page), then their unranked applications, then the other projects; each group by
    match score."""
    projects = [p for p in allocation_round.projects if p.status is ProjectStatus.OPEN]
    project_ids = [p.id for p in projects]
    answered = session.execute(
        sa.select(
            Application.profile_id,
            Application.project_id,
            Application.direction,
            Application.status,
            Application.preference_rank,
        ).where(Application.project_id.in_(project_ids))
    ).all()
    closed = {(row.profile_id, row.project_id) for row in answered
              if row.status in (ApplicationStatus.DECLINED, ApplicationStatus.WITHDRAWN)}  # fmt: skip
    stated = {(row.profile_id, row.project_id): row.preference_rank for row in answered
              if row.direction is Direction.APPLIED and row.status is ApplicationStatus.PENDING}  # fmt: skip
    scores: dict[tuple[int, int], float] = {}
    project_prefs: dict[int, list[int]] = {}
    for project in projects:
        exclude = {profile_id for profile_id, project_id in closed if project_id == project.id}
        # Feasible people only (matching.feasibility): nobody is placed on work they cannot do.
        ranked = ranking.rank(session, ranking.to_need(project), CANDIDATES_PER_PROJECT, today=today,
                              exclude=exclude).matches  # fmt: skip
        project_prefs[project.id] = [m.candidate_id for m in ranked]
        scores.update({(m.candidate_id, project.id): m.score for m in ranked})
    profiles = _visible_profiles(session, {profile_id for profile_id, _project in scores})
    project_prefs = {p: [c for c in prefs if c in profiles] for p, prefs in project_prefs.items()}
    student_prefs: dict[int, list[int]] = {}
    for profile_id, project_id in sorted(scores, key=lambda pair: -scores[pair]):
        if profile_id in profiles:
            student_prefs.setdefault(profile_id, []).append(project_id)

    def own_order(profile_id: int, project_id: int) -> tuple[int, int]:
        if (profile_id, project_id) not in stated:
            return (2, 0)
        rank = stated[(profile_id, project_id)]
        return (0, rank) if rank is not None else (1, 0)

    for profile_id, prefs in student_prefs.items():  # a stable sort: score order within each group
        prefs.sort(key=lambda project_id: own_order(profile_id, project_id))
    return Market(
        projects={p.id: p for p in projects},
        profiles=profiles,
        student_prefs=student_prefs,
        project_prefs=project_prefs,
        seats={p.id: p.seats for p in projects},
        scores=scores,
        applied=set(stated),
    )


def propose(session: Session, allocation_round: AllocationRound, *, today: date) -> Proposal:
    """The allocation the engine proposes now (nothing is saved)."""
    found = market(session, allocation_round, today=today)
    result = matching.allocate(
        found.student_prefs,
        found.project_prefs,
        found.seats,
        method=allocation_round.method.value,
        scores=found.scores,
    )
    seats = [
        ProposedSeat(
            profile=found.profiles[profile_id],
            project=found.projects[project_id],
            score=found.scores[(profile_id, project_id)],
            student_rank=found.student_prefs[profile_id].index(project_id) + 1,
            project_rank=found.project_prefs[project_id].index(profile_id) + 1,
            applied=(profile_id, project_id) in found.applied,
        )
        for profile_id, project_id in result.assignments.items()
    ]
    seats.sort(key=lambda seat: (seat.project.title, seat.project_rank))
    return Proposal(
        seats=seats,
        unassigned=sorted((found.profiles[p] for p in result.unassigned), key=lambda profile: profile.display_name),
        candidates=len(found.student_prefs),
        open_seats=sum(found.seats.values()),
    )


def _visible_profiles(session: Session, ids: set[int]) -> dict[int, Profile]:
    """Profiles that may be matched now (the index can be a few seconds old)."""
    found = session.scalars(
        sa.select(Profile)
        .where(Profile.id.in_(ids))
        .options(selectinload(Profile.user), selectinload(Profile.home_municipality))
    )
    return {p.id: p for p in found if p.visibility is not Visibility.PRIVATE and not p.is_hidden and p.open_to_offers}


def _tell_hosts(session: Session, allocation_round: AllocationRound, seats: list[ProposedSeat], base_url: str) -> None:
    """Members of each host organisation hear which people the round placed on their project."""
    placed: dict[int, list[ProposedSeat]] = {}
    for seat in seats:
        placed.setdefault(seat.project.id, []).append(seat)
    for project_seats in placed.values():
        project = project_seats[0].project
        notices.notify_organisation(session, project, "allocation_placed", base_url, allocation_round=allocation_round,
                                    names=[seat.profile.display_name for seat in project_seats])  # fmt: skip


def publish(
    session: Session, actor: User, allocation_round: AllocationRound, *, base_url: str, today: date
) -> list[AllocationAssignment]:
    """Record the proposal and send it: invitations to the people placed, or acceptance of their application;
    the host organisations' members are told who was placed on their projects."""
    require(actor, "run_allocation", allocation_round.organisation)
    if allocation_round.published_at is not None:
        raise Conflict(str(_l("この配属はすでに公開されています。")))
    proposal = propose(session, allocation_round, today=today)
    if not proposal.seats:
        raise Conflict(str(_l("配属できる人がいないため、公開できません。")))
    message = allocation_round.message or str(
        _l("%(organisation)s の「%(round)s」による配属です。", organisation=allocation_round.organisation.name,
           round=allocation_round.name)
    )  # fmt: skip
    assignments = []
    for seat in proposal.seats:
        application = applications.place(session, actor, seat.project, seat.profile, message, base_url=base_url)
        assignment = AllocationAssignment(
            round=allocation_round,
            project=seat.project,
            profile=seat.profile,
            application=application,
            score=seat.score,
            student_rank=seat.student_rank,
            project_rank=seat.project_rank,
        )
        session.add(assignment)
        assignments.append(assignment)
    allocation_round.published_at = utcnow()
    session.flush()
    _tell_hosts(session, allocation_round, proposal.seats, base_url)
    audit.record(session, actor, "allocation.publish", object_type="allocation_round",
                 object_id=allocation_round.public_id, seats=len(assignments))  # fmt: skip
    return assignments
