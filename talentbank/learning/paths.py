"""Skill-gap paths for a person: the open projects they nearly match and, per missing skill, the
learning opportunities that close it (the bridge to `matching.gaps`, like `projects.ranking` is to
the project ranking: the same candidate and needs, so the same skills and levels count)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from matching.gaps import GapPath, LearningStep, NearProject, gap_paths
from matching.opportunities import Opportunity, build_opportunity_index
from talentbank.learning.opportunities import LearningCriteria, select_opportunities
from talentbank.models import (
    Enrolment,
    EnrolmentStatus,
    LearnerEligibility,
    LearningOpportunity,
    Profile,
    Project,
    Skill,
)
from talentbank.projects.ranking import OpenNeeds, open_needs_for, person_candidate

FOR_STUDENTS = {LearnerEligibility.ANYONE: None, LearnerEligibility.STUDENTS: True,
                LearnerEligibility.WORKING_ADULTS: False}  # fmt: skip


def to_opportunity(opportunity: LearningOpportunity, today: date) -> Opportunity:
    """The opportunity as the engine sees it. A PBL class without a place is followed remotely; one
    that has started counts as open now."""
    place = opportunity.municipality
    online = opportunity.format.is_online or place is None
    return Opportunity(
        id=opportunity.id,
        teaches={s.skill_code: s.level for s in opportunity.skills},
        online=online,
        lat=None if online else place.office_lat,
        lng=None if online else place.office_lng,
        cost_yen=opportunity.cost_yen,
        start=opportunity.starts_on if opportunity.starts_on and opportunity.starts_on > today else None,
        for_students=FOR_STUDENTS[opportunity.eligibility],
    )


@dataclass(frozen=True)
class Suggestion:
    opportunity: LearningOpportunity
    step: LearningStep
    unlocks: list[Project]  # the projects it would make the person fully qualified for


@dataclass(frozen=True)
class SkillPath:
    skill: Skill
    path: GapPath
    projects: list[Project]  # the nearly matched projects that miss this skill
    suggestions: list[Suggestion]


@dataclass(frozen=True)
class NearlyMatched:
    project: Project
    near: NearProject


@dataclass(frozen=True)
class PersonPaths:
    near: list[NearlyMatched]
    paths: list[SkillPath]
    n_near: int
    n_paths: int


def paths_for_person(
    session: Session,
    profile: Profile,
    *,
    today: date,
    near_limit: int = 10,
    path_limit: int = 5,
    open_needs: OpenNeeds | None = None,
) -> PersonPaths:
    """The person's nearly matched open projects (not those they applied or were invited to, nor
    students-only internships unless they are a student) and the learning that closes each gap (not
    what they are already enrolled in or have completed). ``open_needs``: built already (else built here)."""
    found_needs = open_needs or open_needs_for(session, profile)
    projects, done, needs = found_needs.projects, found_needs.done, found_needs.index
    if needs is None:
        return PersonPaths([], [], 0, 0)
    taken = sa.select(Enrolment.opportunity_id).where(
        Enrolment.profile_id == profile.id, Enrolment.status.in_([EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED])
    )
    offered = session.scalars(
        select_opportunities(LearningCriteria(), today).where(LearningOpportunity.id.not_in(taken))
    ).all()
    opportunities = build_opportunity_index([to_opportunity(o, today) for o in offered], needs.skill_columns)
    found = gap_paths(person_candidate(session, profile), needs, opportunities, today=today,
                      is_student=profile.is_student, exclude=done, near_limit=near_limit,
                      path_limit=path_limit)  # fmt: skip
    project_of = {p.id: p for p in projects}
    opportunity_of = {o.id: o for o in offered}
    codes = [path.skill for path in found.paths]
    skills = {s.code: s for s in session.scalars(sa.select(Skill).where(Skill.code.in_(codes)))}
    paths = [
        SkillPath(
            skill=skills[path.skill],
            path=path,
            projects=[project_of[i] for i in path.need_ids],
            suggestions=[
                Suggestion(opportunity_of[step.opportunity_id], step, [project_of[i] for i in step.unlocks])
                for step in path.steps
            ],
        )
        for path in found.paths
    ]
    near = [NearlyMatched(project_of[n.need_id], n) for n in found.near]
    return PersonPaths(near, paths, found.n_near, found.n_paths)
