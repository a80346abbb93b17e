"""Matching over the API: the people who best match a project and the projects recommended to the
caller, each with its reasons (codes and numbers) and why / what is missing in the caller's language."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import url_for
from flask_babel import get_locale
from pydantic import Field

import matching
from talentbank import db
from talentbank.api.after_learning import AfterLearningOut, after_learning_out
from talentbank.api.core import api_actor, bp, operation, params
from talentbank.api.projects import ProjectOut, project_out
from talentbank.api.schemas import Out, Query
from talentbank.profiles.services import own_profile
from talentbank.projects import posting, ranking, reasons
from talentbank.reference.services import skill_names
from talentbank.security import require


def _today() -> date:
    return db.utcnow().date()


# ---- matching ---------------------------------------------------------------------------------------


class MatchReasonOut(Out):
    code: str = Field(description="e.g. must_have_met, must_have_partial, within_travel, hours_short")
    subject: str | None = Field(description="the skill code, subprefecture or pay kind the reason is about")
    numbers: dict[str, float] = Field(description="e.g. level, required, km, limit_km, available, days_late")
    terms: list[str] = Field(
        description="shared words (text_overlap); the glossary pairs met, 酪農 = dairy (across_languages, "
        "subject ja_en: a Japanese project and an English profile, en_ja: the reverse)"
    )


class MatchExplained(Out):
    score: float = Field(ge=0, le=1)
    reasons: list[MatchReasonOut]
    why: list[str] = Field(description="why this match, in the caller's language")
    missing: list[str] = Field(description="what is missing, in the caller's language")


class ProfileMatchOut(MatchExplained):
    profile_id: uuid.UUID
    display_name: str
    headline: str
    url: str


class BlockerOut(Out):
    code: str = Field(
        description="the one feasibility rule that stops the pair: beyond_travel, no_onsite, place_unknown, "
        "onsite_days, short_hours, late_start, students_only"
    )
    numbers: dict[str, float] = Field(description="e.g. km, limit_km, days, limit_days, hours, needed, days_late")
    sentence: str = Field(description="what stops it, in the caller's language")


class NearMissOut(Out):
    profile_id: uuid.UUID
    display_name: str
    headline: str
    url: str
    score: float = Field(ge=0, le=1, description="the score the person would have had")
    blocker: BlockerOut


class ProfileMatchList(Out):
    items: list[ProfileMatchOut] = Field(description="the feasible people, best first")
    near_misses: list[NearMissOut] = Field(
        description="with near_misses=true: people one feasibility rule stops, apart (never among items)"
    )
    after_learning: list[AfterLearningOut] = Field(
        default_factory=list,
        description="with after_learning=true: up to `limit` feasible people who miss only must-have skills "
        "that one learning opportunity one can still enrol in teaches, with that opportunity",
    )


class ProjectRecommendationOut(MatchExplained):
    project: ProjectOut


class ProjectRecommendationList(Out):
    items: list[ProjectRecommendationOut]


class MatchQuery(Query):
    limit: int = Field(20, ge=1, le=100, description="how many, best first")
    near_misses: bool = Field(False, description="also list, apart, up to `limit` near misses with what stops each")
    after_learning: bool = Field(
        False, description="also list, apart, up to `limit` people who would qualify after one learning opportunity"
    )


class ProjectRecommendationQuery(Query):
    limit: int = Field(5, ge=1, le=100, description="how many, best first")


def _explained(match: matching.Match, names: dict[str, str]) -> dict[str, Any]:
    why, missing = reasons.explain(match, names)
    return {
        "score": min(max(match.score, 0.0), 1.0),
        "reasons": [
            MatchReasonOut(code=r.code, subject=r.subject, numbers=dict(r.numbers), terms=list(r.terms))
            for r in match.reasons
        ],
        "why": why,
        "missing": missing,
    }


@bp.get("/projects/<project_id>/matches")
@operation(tag="matching", scope="read", query=MatchQuery, ok=ProfileMatchList)
def list_matches(project_id: str):
    """The people who best match a project, with why and what is missing (members of its organisation)"""
    actor = api_actor()
    project = posting.get_project(db.session, actor, project_id)
    require(actor, "post_project", project.organisation)
    names = skill_names(db.session, str(get_locale()))
    query = params()
    found = ranking.matches_for_project(
        db.session, project, k=query.limit, today=_today(), k_near=query.limit if query.near_misses else 0
    )
    return ProfileMatchList(
        after_learning=after_learning_out(project, names, query.limit) if query.after_learning else [],
        near_misses=[
            NearMissOut(
                profile_id=profile.public_id,
                display_name=profile.display_name,
                headline=profile.headline or "",
                url=url_for("profiles.show", public_id=profile.public_id, _external=True),
                score=min(max(match.score, 0.0), 1.0),
                blocker=BlockerOut(
                    code=match.blocker.code,
                    numbers=dict(match.blocker.numbers),
                    sentence=reasons.blocker_sentence(match.blocker),
                ),
            )
            for profile, match in found.near_misses
            if match.blocker is not None
        ],
        items=[
            ProfileMatchOut(
                profile_id=profile.public_id,
                display_name=profile.display_name,
                headline=profile.headline or "",
                url=url_for("profiles.show", public_id=profile.public_id, _external=True),
                **_explained(match, names),
            )
            for profile, match in found.matches
        ],
    )


@bp.get("/me/recommended-projects")
@operation(tag="matching", scope="read", query=ProjectRecommendationQuery, ok=ProjectRecommendationList)
def list_recommended_projects():
    """Open projects for the caller ("projects for you"), with why and what is missing; empty without a profile"""
    profile = own_profile(db.session, api_actor())
    if profile is None:
        return ProjectRecommendationList(items=[])
    names = skill_names(db.session, str(get_locale()))
    found = ranking.projects_for_person(db.session, profile, k=params().limit, today=_today())
    return ProjectRecommendationList(
        items=[
            ProjectRecommendationOut(project=ProjectOut(**project_out(project)), **_explained(match, names))
            for project, match in found
        ]
    )
