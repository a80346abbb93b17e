"""Applications over the API: applying and scouting with consent, the answers, withdrawing, the person's
order of preference among internship applications, and completion. Same services as the pages."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime

from flask import url_for
from pydantic import Field

from talentbank import db
from talentbank.api.core import api_actor, body, bp, operation, params
from talentbank.api.presentations import PresentationOut, presentation_out
from talentbank.api.projects import SKILL_CODE, TEXT, base_url
from talentbank.api.schemas import MULTI_LINE, Model, Out, PageQuery, page_of, paginate
from talentbank.credentials.context import issuer_context
from talentbank.db import utcnow
from talentbank.models import Application, ApplicationStatus, Direction, Outcome, PresentationRequest, Project
from talentbank.profiles.services import get_profile, own_profile
from talentbank.projects import applications, completion, posting
from talentbank.security import require
from talentbank.wallet import presentations

COMPLETION_SKILLS = 10  # the completion page offers the project's needs (at most NEED_ROWS) and reads ten


# ---- applications and invitations -----------------------------------------------------------------


class ApplicantContactOut(Out):
    email: str
    display_name: str


class ApplicationOut(Out):
    id: uuid.UUID
    project_id: uuid.UUID
    project_title: str
    organisation_id: uuid.UUID
    organisation_name: str
    profile_id: uuid.UUID
    display_name: str
    direction: Direction = Field(description="applied: the person applied; invited: the organisation scouted them")
    status: ApplicationStatus
    message: str
    created_at: datetime
    responded_at: datetime | None
    preference_rank: int | None = Field(
        description="the applicant's own order among their pending internship applications (1 = first choice)"
    )
    contact: ApplicantContactOut | None = Field(
        description="the person's contact details: for members of the posting organisation, and only while "
        "released (the person applied, or accepted the invitation, and nobody withdrew)"
    )
    presented: PresentationOut | None = Field(
        description="the latest badges the person presented from their wallet for this application, each verified "
        "or refused with its reasons (all of them: GET /applications/{id}/presentations)"
    )


ApplicationPage = page_of(ApplicationOut, "ApplicationPage")


def application_out(
    application: Application, contact: dict[str, str] | None, presented: PresentationRequest | None = None
) -> ApplicationOut:
    project = application.project
    return ApplicationOut(
        id=application.public_id,
        project_id=project.public_id,
        project_title=project.title,
        organisation_id=project.organisation.public_id,
        organisation_name=project.organisation.name,
        profile_id=application.profile.public_id,
        display_name=application.profile.display_name,
        direction=application.direction,
        status=application.status,
        message=application.message,
        created_at=application.created_at,
        responded_at=application.responded_at,
        preference_rank=application.preference_rank,
        contact=ApplicantContactOut(**contact) if contact else None,
        presented=PresentationOut(**presentation_out(presented, utcnow())) if presented else None,
    )


def applications_out(found: Iterable[Application], *, with_contact: bool = False) -> list[ApplicationOut]:
    """Applications, each with its latest presentation (one query for all of them) and, with_contact, the
    contact details the caller may see."""
    found = list(found)
    presented = presentations.latest_by_application(db.session, [application.id for application in found])
    actor = api_actor()
    return [
        application_out(
            a, applications.contact_for(db.session, actor, a) if with_contact else None, presented.get(a.id)
        )
        for a in found
    ]


def _answered(application: Application) -> ApplicationOut:
    return applications_out([application], with_contact=True)[0]


class ApplicationMessageIn(Model):
    message: str = Field("", max_length=2000, pattern=TEXT, json_schema_extra=MULTI_LINE)


class InvitationIn(ApplicationMessageIn):
    profile_id: uuid.UUID = Field(description="the person to invite (open to offers, visible to the caller)")


@bp.post("/projects/<project_id>/applications")
@operation(tag="applications", scope="write", json=ApplicationMessageIn, ok=ApplicationOut, status=201, errors=(409,))
def apply_to_project(project_id: str):
    """Apply to an open project with a message (this shares your e-mail address and name with the organisation)"""
    project = posting.get_project(db.session, api_actor(), project_id)
    application = applications.apply(db.session, api_actor(), project, body().message, base_url=base_url())
    return _answered(application), 201


@bp.post("/projects/<project_id>/invitations")
@operation(tag="applications", scope="write", json=InvitationIn, ok=ApplicationOut, status=201, errors=(409, 410))
def invite_to_project(project_id: str):
    """Invite (scout) a person to a project (members of its organisation); nothing is shared until they accept"""
    actor = api_actor()
    project = posting.get_project(db.session, actor, project_id)
    require(actor, "post_project", project.organisation)  # as the page: before the person is looked up
    request = body()
    profile = get_profile(db.session, actor, str(request.profile_id))
    application = applications.invite(db.session, actor, project, profile, request.message, base_url=base_url())
    return _answered(application), 201


@bp.get("/projects/<project_id>/applications")
@operation(tag="applications", scope="read", query=PageQuery, ok=ApplicationPage)
def list_project_applications(project_id: str):
    """Applications and invitations of a project (members of its organisation)"""
    actor = api_actor()
    project = posting.get_project(db.session, actor, project_id)
    require(actor, "post_project", project.organisation)
    found = applications.applications_for_project(db.session, project)
    return paginate(applications_out(found, with_contact=True), params())


@bp.get("/me/applications")
@operation(tag="applications", scope="read", query=PageQuery, ok=ApplicationPage)
def list_my_applications():
    """The caller's applications and the invitations they received, newest first"""
    profile = own_profile(db.session, api_actor())
    found = applications.applications_of_person(db.session, profile) if profile else []
    return paginate(applications_out(found), params())


class PreferencesIn(Model):
    applications: list[uuid.UUID] = Field(
        max_length=applications.MAX_PREFERENCES,
        description="your pending internship applications, first choice first; the ones left out lose their rank",
    )


class PreferenceList(Out):
    items: list[ApplicationOut] = Field(description="the ranked applications, first choice first")


@bp.put("/me/internship-preferences")
@operation(tag="applications", scope="write", json=PreferencesIn, ok=PreferenceList)
def put_internship_preferences():
    """Put your pending internship applications in your order of preference (allocation rounds follow it)"""
    ordered = applications.set_preferences(db.session, api_actor(), [str(i) for i in body().applications])
    return PreferenceList(items=applications_out(ordered))


@bp.post("/applications/<application_id>/accept")
@operation(tag="applications", scope="write", ok=ApplicationOut, errors=(409,))
def accept_application(application_id: str):
    """Accept: the organisation an application, the person an invitation (which releases their contact details)"""
    application = applications.get_application(db.session, application_id)
    applications.respond(db.session, api_actor(), application, True, base_url=base_url())
    return _answered(application)


@bp.post("/applications/<application_id>/decline")
@operation(tag="applications", scope="write", ok=ApplicationOut, errors=(409,))
def decline_application(application_id: str):
    """Decline: the organisation an application, the person an invitation"""
    application = applications.get_application(db.session, application_id)
    applications.respond(db.session, api_actor(), application, False, base_url=base_url())
    return _answered(application)


@bp.post("/applications/<application_id>/withdraw")
@operation(tag="applications", scope="write", ok=ApplicationOut, errors=(409,))
def withdraw_application(application_id: str):
    """Withdraw a pending or accepted application or invitation (either side); contact details stop being shared"""
    application = applications.get_application(db.session, application_id)
    applications.withdraw(db.session, api_actor(), application, base_url=base_url())
    return _answered(application)


# ---- completion -------------------------------------------------------------------------------------


class DemonstratedSkillIn(Model):
    skill: str = Field(pattern=SKILL_CODE, description="DSS item code")
    level: int = Field(ge=1, le=4, description="the level shown in the project")


class CompletionIn(Model):
    summary: str = Field(
        min_length=1,
        max_length=3000,
        pattern=TEXT,
        description="what was achieved and the person's role",
        json_schema_extra=MULTI_LINE,
    )
    skills: list[DemonstratedSkillIn] = Field(min_length=1, max_length=COMPLETION_SKILLS)
    issue_badge: bool = Field(
        False, description="also issue the completion badge (Open Badges 3.0); the organisation must be an issuer"
    )


class CompletionSkillOut(Out):
    skill: str
    level: int


class CompletionOutcomeOut(Out):
    id: uuid.UUID
    profile_id: uuid.UUID
    title: str
    description: str
    role: str
    organisation_name: str | None
    started_on: date | None
    ended_on: date | None
    project_id: uuid.UUID
    project_verified: bool = Field(description="recorded by the organisation on completing the project")
    skills: list[CompletionSkillOut]
    url: str


class CompletionOut(Out):
    application: ApplicationOut
    outcome: CompletionOutcomeOut
    badge_issued: bool


def outcome_out(outcome: Outcome, project: Project) -> CompletionOutcomeOut:
    profile_id = outcome.profile.public_id
    return CompletionOutcomeOut(
        id=outcome.public_id,
        profile_id=profile_id,
        title=outcome.title,
        description=outcome.description,
        role=outcome.role,
        organisation_name=outcome.organisation_name,
        started_on=outcome.started_on,
        ended_on=outcome.ended_on,
        project_id=project.public_id,
        project_verified=outcome.project_id is not None,
        skills=[CompletionSkillOut(skill=s.skill_code, level=s.level) for s in outcome.skills],
        url=url_for("profiles.show", public_id=profile_id, _external=True, _anchor=f"outcome-{outcome.public_id}"),
    )


@bp.post("/applications/<application_id>/complete")
@operation(tag="applications", scope="write", json=CompletionIn, ok=CompletionOut, errors=(409,))
def complete_application(application_id: str):
    """Record an accepted engagement as completed: a project-verified outcome on the person's profile"""
    actor = api_actor()
    application = applications.get_application(db.session, application_id)
    require(actor, "post_project", application.project.organisation)
    request = body()
    outcome = completion.complete(
        db.session,
        actor,
        application,
        request.summary,
        [(skill.skill, skill.level) for skill in request.skills],
        base_url=base_url(),
        issuer=issuer_context() if request.issue_badge else None,
    )
    return CompletionOut(
        application=_answered(application),
        outcome=outcome_out(outcome, application.project),
        badge_issued=request.issue_badge,
    )
