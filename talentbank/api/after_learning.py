"""A project's people who would qualify after one known learning opportunity, over the API (with
`GET /projects/{id}/matches?after_learning=true`), and the missing-skill shape the gap paths share."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date

from flask import url_for
from pydantic import Field

from talentbank import db
from talentbank.api.schemas import Out
from talentbank.learning import reasons
from talentbank.learning.qualifying import qualifying_after_learning
from talentbank.models import Project


class GapOut(Out):
    skill: str = Field(description="DSS skill code")
    skill_name: str
    required: int = Field(ge=1, le=4, description="the level the project asks")
    have: int = Field(ge=0, le=4, description="the person's level (0: none)")


class TeachingOpportunityOut(Out):
    id: uuid.UUID
    title: str
    provider: str
    url: str = Field(description="the opportunity's page")
    online: bool = Field(description="followed online (else at its municipality)")
    starts_on: date | None = Field(description="null: always open")
    deadline: date | None = Field(description="the last day to enrol; null: none")


class AfterLearningOut(Out):
    profile_id: uuid.UUID
    display_name: str
    headline: str
    url: str
    score: float = Field(ge=0, le=1, description="the person's score in the ranking today")
    missing: list[GapOut] = Field(description="the must-have skills the person misses today")
    opportunity: TeachingOpportunityOut = Field(description="one opportunity that teaches all of them")
    sentence: str = Field(description="why the person is listed, in the caller's language")


def after_learning_out(project: Project, names: Mapping[str, str], limit: int) -> list[AfterLearningOut]:
    found = qualifying_after_learning(db.session, project, k=limit, today=db.utcnow().date())
    return [
        AfterLearningOut(
            profile_id=person.profile.public_id,
            display_name=person.profile.display_name,
            headline=person.profile.headline or "",
            url=url_for("profiles.show", public_id=person.profile.public_id, _external=True),
            score=min(max(person.after.score, 0.0), 1.0),
            missing=[
                GapOut(skill=g.skill, skill_name=names.get(g.skill, g.skill), required=g.required, have=g.have)
                for g in person.after.gaps
            ],
            opportunity=TeachingOpportunityOut(
                id=person.opportunity.public_id,
                title=person.opportunity.title,
                provider=person.opportunity.organisation.name,
                url=url_for("learning.show", public_id=person.opportunity.public_id, _external=True),
                online=person.opportunity.format.is_online or person.opportunity.municipality is None,
                starts_on=person.opportunity.starts_on,
                deadline=person.opportunity.deadline,
            ),
            sentence=reasons.qualifying_sentence(person, names),
        )
        for person in found
    ]
