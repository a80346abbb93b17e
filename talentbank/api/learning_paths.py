"""Skill-gap paths over the API: the open projects the caller nearly matches and, per missing skill,
the learning opportunities that close it, with reasons (codes and numbers) and sentences."""

from __future__ import annotations

import uuid

from flask import url_for
from flask_babel import get_locale
from pydantic import Field

from talentbank import db
from talentbank.api.after_learning import GapOut
from talentbank.api.core import api_actor, bp, operation, params
from talentbank.api.matches import MatchReasonOut
from talentbank.api.projects import ProjectOut, project_out
from talentbank.api.schemas import Out, Query
from talentbank.learning import paths, reasons
from talentbank.profiles.services import own_profile


class NearlyMatchedOut(Out):
    project: ProjectOut
    coverage: float = Field(ge=0, le=1, description="the ranking's must-have component")
    gaps: list[GapOut]


class LearningStepOut(Out):
    opportunity_id: uuid.UUID
    title: str
    provider: str
    url: str
    level: int = Field(ge=1, le=4, description="the level it teaches in the path's skill")
    score: float = Field(ge=0, le=1)
    unlocks: list[uuid.UUID] = Field(description="projects it would make the caller fully qualified for")
    closes: list[uuid.UUID] = Field(description="projects where it closes one of two missing skills")
    reasons: list[MatchReasonOut]
    why: list[str] = Field(description="the reasons in the caller's language")


class SkillPathOut(Out):
    skill: str
    skill_name: str
    required: int = Field(ge=1, le=4, description="the highest level the nearly matched projects ask")
    projects: list[uuid.UUID] = Field(description="the nearly matched projects that miss this skill")
    steps: list[LearningStepOut]


class LearningPathsOut(Out):
    nearly_matched: list[NearlyMatchedOut]
    nearly_matched_total: int
    paths: list[SkillPathOut]
    paths_total: int


class LearningPathsQuery(Query):
    projects: int = Field(10, ge=1, le=100, description="how many nearly matched projects, fewest gaps first")
    skills: int = Field(5, ge=1, le=50, description="how many paths, the skill most projects miss first")


@bp.get("/me/learning-paths")
@operation(tag="learning", scope="read", query=LearningPathsQuery, ok=LearningPathsOut)
def list_learning_paths():
    """Projects the caller nearly matches and the learning that closes each missing skill; empty without a profile"""
    profile = own_profile(db.session, api_actor())
    if profile is None:
        return LearningPathsOut(nearly_matched=[], nearly_matched_total=0, paths=[], paths_total=0)
    found = paths.paths_for_person(
        db.session, profile, today=db.utcnow().date(), near_limit=params().projects, path_limit=params().skills
    )
    english = str(get_locale()) == "en"
    return LearningPathsOut(
        nearly_matched=[
            NearlyMatchedOut(
                project=ProjectOut(**project_out(n.project)),
                coverage=n.near.coverage,
                gaps=[
                    GapOut(
                        skill=g.skill, skill_name=_name(n.project, g.skill, english), required=g.required, have=g.have
                    )
                    for g in n.near.gaps
                ],
            )
            for n in found.near
        ],
        nearly_matched_total=found.n_near,
        paths=[_path_out(p, english) for p in found.paths],
        paths_total=found.n_paths,
    )


def _name(project, code: str, english: bool) -> str:
    skill = next((n.skill for n in project.needs if n.skill_code == code), None)
    return code if skill is None else skill.name_en if english else skill.name_ja


def _path_out(path: paths.SkillPath, english: bool) -> SkillPathOut:
    name = path.skill.name_en if english else path.skill.name_ja
    return SkillPathOut(
        skill=path.skill.code,
        skill_name=name,
        required=path.path.required,
        projects=[p.public_id for p in path.projects],
        steps=[
            LearningStepOut(
                opportunity_id=s.opportunity.public_id,
                title=s.opportunity.title,
                provider=s.opportunity.organisation.name,
                url=url_for("learning.show", public_id=s.opportunity.public_id, _external=True),
                level=s.step.level,
                score=min(max(s.step.score, 0.0), 1.0),
                unlocks=[p.public_id for p in s.unlocks],
                closes=[p.public_id for p in path.projects if p.id in s.step.closes],
                reasons=[
                    MatchReasonOut(code=r.code, subject=r.subject, numbers=dict(r.numbers), terms=list(r.terms))
                    for r in s.step.reasons
                ],
                why=reasons.sentences(s, name),
            )
            for s in path.suggestions
        ],
    )
