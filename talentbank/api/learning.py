"""学びの場 over the API: finding learning opportunities, and publishing, editing and closing an
organisation's own. Enrolments and completions are in `learning_enrolments`. Same services as the pages."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime
from typing import Any, Literal

from flask import url_for
from pydantic import BaseModel, Field

from talentbank import db
from talentbank.api.core import api_actor, body, bp, operation, params
from talentbank.api.projects import (
    SKILL_CODE,
    TEXT,
    ProjectPlaceOut,
    all_optional,
    base_url,
    place_out,
    subprefecture_id,
)
from talentbank.api.schemas import MULTI_LINE, Model, Out, PageQuery, page_of, paginate, paginate_sql
from talentbank.db import utcnow
from talentbank.learning import enrolments, opportunities
from talentbank.learning.inputs import OpportunityInput, TaughtSkillInput
from talentbank.models import (
    EnrolmentStatus,
    LearnerEligibility,
    LearningFormat,
    LearningLanguage,
    LearningOpportunity,
    OpportunityStatus,
)
from talentbank.organisations.services import get_organisation
from talentbank.profiles.services import own_profile
from talentbank.security import can

MAX_TAUGHT_SKILLS = 10


def opportunity_url(opportunity: LearningOpportunity) -> str:
    """The opportunity's page (the address its completion badge names as evidence)."""
    return f"{base_url()}/learning/{opportunity.public_id}"


# ---- output -------------------------------------------------------------------------------------------


class LearningProviderOut(Out):
    id: uuid.UUID
    name: str
    verified: bool


class TaughtSkillOut(Out):
    code: str = Field(description="DSS item code")
    name_ja: str
    name_en: str
    level: int = Field(ge=1, le=4, description="the level a learner reaches")


class LearningBadgeOut(Out):
    id: uuid.UUID = Field(description="the achievement its completion awards")
    name: str
    url: str


class LearningProjectOut(Out):
    id: uuid.UUID = Field(description="the local project it works on (PBL)")
    title: str
    url: str


class OpportunityOut(Out):
    id: uuid.UUID
    url: str
    status: OpportunityStatus
    title: str
    description: str
    format: LearningFormat
    online: bool = Field(description="self-paced or live online: open to learners anywhere")
    language: LearningLanguage
    provider: LearningProviderOut
    municipality: ProjectPlaceOut | None = Field(description="where it takes place (none when online)")
    starts_on: date | None = Field(description="null with ends_on null: always open (self-paced)")
    ends_on: date | None
    study_hours: int
    cost_yen: int = Field(description="0 = free")
    eligibility: LearnerEligibility
    capacity: int | None = Field(description="null = no limit")
    seats_taken: int = Field(description="enrolled or completed learners")
    seats_left: int | None = Field(description="null when there is no limit")
    deadline: date | None = Field(description="the last day to enrol")
    course_url: str
    skills: list[TaughtSkillOut]
    badge: LearningBadgeOut | None = Field(description="the badge its completion awards")
    project: LearningProjectOut | None
    created_at: datetime
    updated_at: datetime


class OpportunityDetailOut(OpportunityOut):
    my_enrolment: EnrolmentStatus | None = Field(description="the caller's own enrolment, if any")
    can_manage: bool = Field(description="the caller may edit it, close it and manage its learners")


OpportunityPage = page_of(OpportunityOut, "OpportunityPage")


def opportunity_out(opportunity: LearningOpportunity) -> dict[str, Any]:
    taken = enrolments.seats_taken(db.session, opportunity)
    seats_left = None if opportunity.capacity is None else max(0, opportunity.capacity - taken)
    place, badge, project = opportunity.municipality, opportunity.achievement, opportunity.project
    return {
        "id": opportunity.public_id,
        "url": opportunity_url(opportunity),
        "status": opportunity.status,
        "title": opportunity.title,
        "description": opportunity.description,
        "format": opportunity.format,
        "online": opportunity.format.is_online,
        "language": opportunity.language,
        "provider": LearningProviderOut(
            id=opportunity.organisation.public_id,
            name=opportunity.organisation.name,
            verified=opportunity.organisation.is_verified,
        ),
        "municipality": None if place is None else place_out(place),
        "starts_on": opportunity.starts_on,
        "ends_on": opportunity.ends_on,
        "study_hours": opportunity.study_hours,
        "cost_yen": opportunity.cost_yen,
        "eligibility": opportunity.eligibility,
        "capacity": opportunity.capacity,
        "seats_taken": taken,
        "seats_left": seats_left,
        "deadline": opportunity.deadline,
        "course_url": opportunity.course_url,
        "skills": [
            TaughtSkillOut(code=s.skill_code, name_ja=s.skill.name_ja, name_en=s.skill.name_en, level=s.level)
            for s in opportunity.skills
        ],
        "badge": None
        if badge is None
        else LearningBadgeOut(
            id=badge.public_id,
            name=badge.name,
            url=url_for("credentials.achievement", public_id=badge.public_id, _external=True),
        ),
        "project": None
        if project is None
        else LearningProjectOut(
            id=project.public_id,
            title=project.title,
            url=url_for("projects.show", public_id=project.public_id, _external=True),
        ),
        "created_at": opportunity.created_at,
        "updated_at": opportunity.updated_at,
    }


def opportunity_detail(opportunity: LearningOpportunity) -> OpportunityDetailOut:
    actor = api_actor()
    enrolment = enrolments.enrolment_of(db.session, opportunity, own_profile(db.session, actor) if actor else None)
    return OpportunityDetailOut(
        **opportunity_out(opportunity),
        my_enrolment=enrolment.status if enrolment else None,
        can_manage=can(actor, "publish_learning", opportunity.organisation),
    )


# ---- browse and read ----------------------------------------------------------------------------------


class LearningQuery(PageQuery):
    skill: str | None = Field(None, pattern=SKILL_CODE, description="only opportunities that teach this DSS skill")
    min_level: int | None = Field(None, ge=1, le=4, description="with skill: teaches it to at least this level")
    format: LearningFormat | None = None
    free_only: bool = Field(False, description="only free ones (cost 0)")
    online_only: bool = Field(False, description="only self-paced or live online ones")
    subprefecture: str | None = Field(
        None, pattern=r"^[a-z][a-z-]{0,19}$", description="振興局 slug: held there, or online"
    )
    starts_within_weeks: int | None = Field(
        None, ge=0, le=520, description="starting within this many weeks (always-open ones count)"
    )
    language: Literal["ja", "en"] | None = Field(None, description="taught in this language (or in both)")


@bp.get("/learning-opportunities")
@operation(tag="learning", public=True, query=LearningQuery, ok=OpportunityPage)
def list_learning_opportunities():
    """Search the learning opportunities one can still enrol in, with the 学びの場 page's filters

    Open ones before their deadline and end, the soonest start first (always-open ones count as starting
    today), then the newest; ties are broken by a fixed internal order, so pages neither repeat nor skip one.
    """
    query = params()
    criteria = opportunities.LearningCriteria(
        skill=query.skill or None,
        min_level=query.min_level,
        format=query.format.value if query.format else None,
        free_only=query.free_only,
        online_only=query.online_only,
        subprefecture_id=subprefecture_id(query.subprefecture),
        starts_within_weeks=query.starts_within_weeks,
        language=query.language,
    )
    select = opportunities.select_opportunities(criteria, utcnow().date())
    return paginate_sql(query, select, convert=lambda opportunity: OpportunityOut(**opportunity_out(opportunity)))


@bp.get("/learning-opportunities/<opportunity_id>")
@operation(tag="learning", public=True, ok=OpportunityDetailOut)
def get_learning_opportunity(opportunity_id: str):
    """One learning opportunity, open or closed, with its seats left and the caller's own enrolment"""
    return opportunity_detail(opportunities.get_opportunity(db.session, opportunity_id))


@bp.get("/organisations/<organisation_id>/learning-opportunities")
@operation(tag="learning", public=True, query=PageQuery, ok=OpportunityPage)
def list_organisation_learning_opportunities(organisation_id: str):
    """An organisation's learning opportunities, open and closed, newest first"""
    organisation = get_organisation(db.session, organisation_id)
    found = opportunities.opportunities_of(db.session, organisation)
    page = paginate(found, params())
    page["items"] = [OpportunityOut(**opportunity_out(opportunity)) for opportunity in page["items"]]
    return page


# ---- publish, edit, close -----------------------------------------------------------------------------


class TaughtSkillIn(Model):
    skill: str = Field(pattern=SKILL_CODE, description="DSS item code (selectable items only)")
    level: int = Field(ge=1, le=4, description="the level a learner reaches")


class OpportunityFields(Model):
    """Every field of the 学びの場 form."""

    title: str = Field(min_length=1, max_length=140, pattern=TEXT)
    description: str = Field(min_length=1, max_length=5000, pattern=TEXT, json_schema_extra=MULTI_LINE)
    format: LearningFormat
    language: LearningLanguage = LearningLanguage.JA
    municipality_code: str | None = Field(
        None, pattern=r"^[0-9]{6}$", description="a Hokkaido municipality: required for onsite and blended"
    )
    starts_on: date | None = Field(None, description="both dates null: always open (self-paced)")
    ends_on: date | None = Field(None, description="not before starts_on (which it then needs), nor in the past")
    study_hours: int = Field(ge=1, le=opportunities.MAX_STUDY_HOURS)
    cost_yen: int = Field(0, ge=0, le=opportunities.MAX_COST_YEN, description="0 = free")
    eligibility: LearnerEligibility = LearnerEligibility.ANYONE
    capacity: int | None = Field(None, ge=1, le=opportunities.MAX_CAPACITY, description="null = no limit")
    deadline: date | None = Field(None, description="the last day to enrol: today or later, not after ends_on")
    course_url: str = Field("", max_length=500, pattern=TEXT, description="an http(s) address, or empty")
    skills: list[TaughtSkillIn] = Field(
        min_length=1, max_length=MAX_TAUGHT_SKILLS, description="the skills it teaches, no repeats"
    )
    achievement_id: uuid.UUID | None = Field(
        None, description="the badge its completion awards: an achievement of the same organisation"
    )
    project_id: uuid.UUID | None = Field(None, description="an open or in-progress project it works on (PBL)")


OpportunityPatch = all_optional(
    OpportunityFields, "OpportunityPatch", "The fields to change; the others keep their value."
)


def input_values(request: BaseModel, names: Any) -> dict[str, Any]:
    """The named fields of a request as `OpportunityInput` values (plain strings, `TaughtSkillInput`s)."""
    values: dict[str, Any] = {name: getattr(request, name) for name in names}
    for name in ("format", "language", "eligibility"):
        if values.get(name) is not None:
            values[name] = values[name].value
    for name in ("achievement_id", "project_id"):
        if name in values:
            values[name] = str(values[name]) if values[name] is not None else None
    if "skills" in values:
        values["skills"] = tuple(TaughtSkillInput(skill.skill, skill.level) for skill in values["skills"])
    return values


@bp.post("/organisations/<organisation_id>/learning-opportunities")
@operation(tag="learning", scope="write", json=OpportunityFields, ok=OpportunityDetailOut, status=201)
def create_learning_opportunity(organisation_id: str):
    """Publish a learning opportunity of a verified organisation the caller belongs to (it opens at once)"""
    organisation = get_organisation(db.session, organisation_id)
    details = OpportunityInput(**input_values(body(), OpportunityFields.model_fields))
    opportunity = opportunities.save_opportunity(db.session, api_actor(), organisation, details)
    db.session.refresh(opportunity)
    return opportunity_detail(opportunity), 201


@bp.patch("/learning-opportunities/<opportunity_id>")
@operation(tag="learning", scope="write", json=OpportunityPatch, ok=OpportunityDetailOut)
def update_learning_opportunity(opportunity_id: str):
    """Change some fields of a learning opportunity (members of its verified organisation)"""
    opportunity = opportunities.get_opportunity(db.session, opportunity_id)
    request = body()
    changes = input_values(request, request.model_fields_set)
    details = dataclasses.replace(opportunities.current_input(opportunity), **changes)
    opportunities.save_opportunity(db.session, api_actor(), opportunity.organisation, details, opportunity)
    db.session.refresh(opportunity)
    return opportunity_detail(opportunity)


@bp.post("/learning-opportunities/<opportunity_id>/close")
@operation(tag="learning", scope="write", ok=OpportunityDetailOut, errors=(409,))
def close_learning_opportunity(opportunity_id: str):
    """Stop taking enrolments (members of its organisation); the opportunity and its learners stay readable"""
    opportunity = opportunities.get_opportunity(db.session, opportunity_id)
    opportunities.close_opportunity(db.session, api_actor(), opportunity)
    return opportunity_detail(opportunity)
