"""Projects over the API: browsing and posting, the status flow, applications and scouting with consent,
completion, and matching with its reasons. Every operation calls the same services as the pages."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from pydantic import BaseModel, Field, create_model
from pydantic.fields import FieldInfo

import matching
from talentbank import db
from talentbank.api.core import (
    Model,
    Out,
    PageQuery,
    Query,
    api_actor,
    body,
    bp,
    operation,
    page_of,
    paginate,
    paginate_sql,
    params,
)
from talentbank.credentials.views import issuer_context
from talentbank.errors import Invalid
from talentbank.models import (
    Application,
    ApplicationStatus,
    Direction,
    Outcome,
    Project,
    ProjectPay,
    ProjectStatus,
    ProjectWorkMode,
    Theme,
)
from talentbank.organisations.services import get_organisation
from talentbank.profiles.services import get_profile, own_profile
from talentbank.projects import applications, completion, posting, ranking, reasons, statuses
from talentbank.projects.forms import NEED_ROWS, NeedInput, ProjectInput
from talentbank.reference.services import skill_names, subprefectures_with_municipalities
from talentbank.security import can, require

# Text may hold any character but NUL, which PostgreSQL cannot store.
TEXT = r"^[^\x00]*$"
SKILL_CODE = r"^[a-z0-9-]{1,16}$"
COMPLETION_SKILLS = 10  # the completion page offers the project's needs (at most NEED_ROWS) and reads ten


def _base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def _today() -> date:
    return db.utcnow().date()


# ---- projects: output -----------------------------------------------------------------------------


class ProjectOrganisationOut(Out):
    id: uuid.UUID
    name: str
    verified: bool


class ProjectPlaceOut(Out):
    code: str = Field(description="全国地方公共団体コード")
    name_ja: str
    name_romaji: str
    subprefecture: str = Field(description="振興局 slug, e.g. tokachi")
    subprefecture_ja: str
    subprefecture_en: str


class ProjectNeedOut(Out):
    skill: str = Field(description="DSS item code")
    name_ja: str
    name_en: str
    min_level: int = Field(ge=1, le=4)
    must_have: bool = Field(description="true: must have; false: nice to have")


class ProjectOut(Out):
    id: uuid.UUID
    url: str
    status: ProjectStatus
    title: str
    problem: str
    expected_outcome: str
    theme: Theme
    organisation: ProjectOrganisationOut
    municipality: ProjectPlaceOut
    work_mode: ProjectWorkMode
    onsite_days_per_month: int | None = Field(description="on-site days a month (hybrid work only)")
    hours_per_week: int
    starts_on: date
    ends_on: date | None
    pay_kind: ProjectPay
    pay_yen: int = Field(description="per hour (hourly), in total (fixed), the stipend (internship); 0 otherwise")
    travel_covered: bool
    seats: int
    deadline: date | None
    is_internship: bool
    is_students_only: bool = Field(description="an internship only students may apply to, be invited or be placed on")
    eligibility: str
    needs: list[ProjectNeedOut]
    created_at: datetime
    updated_at: datetime
    opened_at: datetime | None = Field(
        description="when the project was last opened for applications (it may reopen after closing); "
        "null if it has never been open"
    )


class ProjectDetailOut(ProjectOut):
    allowed_transitions: list[ProjectStatus] = Field(
        description="the statuses the caller may move the project to (members of the organisation only)"
    )


ProjectPage = page_of(ProjectOut, "ProjectPage")


def project_out(project: Project) -> dict[str, Any]:
    place = project.municipality
    return {
        "id": project.public_id,
        "url": url_for("projects.show", public_id=project.public_id, _external=True),
        "status": project.status,
        "title": project.title,
        "problem": project.problem,
        "expected_outcome": project.expected_outcome,
        "theme": project.theme,
        "organisation": ProjectOrganisationOut(
            id=project.organisation.public_id, name=project.organisation.name, verified=project.organisation.is_verified
        ),
        "municipality": ProjectPlaceOut(
            code=place.code,
            name_ja=place.name_ja,
            name_romaji=place.name_romaji,
            subprefecture=place.subprefecture.slug,
            subprefecture_ja=place.subprefecture.name_ja,
            subprefecture_en=place.subprefecture.name_en,
        ),
        "work_mode": project.work_mode,
        "onsite_days_per_month": project.onsite_days_per_month,
        "hours_per_week": project.hours_per_week,
        "starts_on": project.starts_on,
        "ends_on": project.ends_on,
        "pay_kind": project.pay_kind,
        "pay_yen": project.pay_yen,
        "travel_covered": project.travel_covered,
        "seats": project.seats,
        "deadline": project.deadline,
        "is_internship": project.is_internship,
        "is_students_only": project.is_students_only,
        "eligibility": project.eligibility,
        "needs": [
            ProjectNeedOut(
                skill=need.skill_code,
                name_ja=need.skill.name_ja,
                name_en=need.skill.name_en,
                min_level=need.min_level,
                must_have=need.is_must,
            )
            for need in project.needs
        ],
        "created_at": project.created_at,
        "updated_at": project.updated_at,
        "opened_at": project.opened_at,
    }


def project_detail(project: Project) -> ProjectDetailOut:
    is_member = can(api_actor(), "post_project", project.organisation)
    allowed = sorted(statuses.TRANSITIONS[project.status], key=list(ProjectStatus).index) if is_member else []
    return ProjectDetailOut(**project_out(project), allowed_transitions=allowed)


# ---- projects: browse and read --------------------------------------------------------------------


class ProjectQuery(PageQuery):
    theme: Theme | None = None
    subprefecture: str | None = Field(None, pattern=r"^[a-z][a-z-]{0,19}$", description="振興局 slug, e.g. kamikawa")
    remote_ok: bool = Field(False, description="only remote or hybrid work")
    skill: str | None = Field(None, pattern=SKILL_CODE, description="only projects that need this DSS skill")
    pay_kind: ProjectPay | None = None
    internship: bool = Field(False, description="only internships")
    students_only: bool | None = Field(
        None, description="true: only students-only internships; false: only projects open to everyone"
    )
    open_only: bool = Field(True, description="only projects open for applications (false: every public status)")


def _subprefecture_id(slug: str | None) -> int | None:
    if not slug:
        return None
    ids = {sub.slug: sub.id for sub in subprefectures_with_municipalities(db.session)}
    if slug not in ids:
        raise Invalid.on("subprefecture", _("振興局を一覧から選んでください。"))
    return ids[slug]


@bp.get("/projects")
@operation(tag="projects", public=True, query=ProjectQuery, ok=ProjectPage)
def list_projects():
    """Search public projects with the browse page's filters, newest first

    The filters are those of /projects. Every matching project can be paged through (ties in the update
    time are broken by a fixed internal order, so pages neither repeat nor skip a project).
    """
    query = params()
    criteria = posting.ProjectCriteria(
        theme=query.theme.value if query.theme else None,
        subprefecture_id=_subprefecture_id(query.subprefecture),
        remote_ok=query.remote_ok,
        skill=query.skill or None,
        pay_kind=query.pay_kind.value if query.pay_kind else None,
        internship_only=query.internship,
        open_only=query.open_only,
        students_only=query.students_only,
    )
    return paginate_sql(
        query, posting.select_projects(criteria), convert=lambda project: ProjectOut(**project_out(project))
    )


@bp.get("/projects/<project_id>")
@operation(tag="projects", public=True, ok=ProjectDetailOut)
def get_project(project_id: str):
    """One project (drafts and cancelled projects only for members of its organisation)"""
    return project_detail(posting.get_project(db.session, api_actor(), project_id))


# ---- projects: post, edit, status -----------------------------------------------------------------


class ProjectNeedIn(Model):
    skill: str = Field(pattern=SKILL_CODE, description="DSS item code (selectable items only)")
    min_level: int = Field(ge=1, le=4)
    must_have: bool = True


class ProjectFields(Model):
    """Every field of the guided project form."""

    title: str = Field(min_length=1, max_length=140, pattern=TEXT)
    problem: str = Field(
        min_length=1, max_length=5000, pattern=TEXT, description="what is wrong, in the organisation's words"
    )
    expected_outcome: str = Field(min_length=1, max_length=3000, pattern=TEXT)
    theme: Theme
    municipality_code: str = Field(
        pattern=r"^[0-9]{6}$", description="a Hokkaido municipality (全国地方公共団体コード)"
    )
    work_mode: ProjectWorkMode = ProjectWorkMode.REMOTE
    onsite_days_per_month: int | None = Field(
        None, ge=0, le=31, description="required (1 to 31) for hybrid work; dropped for remote and on-site work"
    )
    hours_per_week: int = Field(ge=1, le=60)
    starts_on: date
    ends_on: date | None = Field(None, description="not before starts_on")
    pay_kind: ProjectPay
    pay_yen: int | None = Field(
        None, ge=0, le=100_000_000, description="yen; required (above 0) for hourly and fixed pay"
    )
    travel_covered: bool = False
    seats: int = Field(1, ge=1, le=50)
    deadline: date | None = Field(None, description="application deadline: today or later, not after starts_on")
    is_internship: bool = False
    is_students_only: bool = Field(
        False,
        description="only students may apply, be invited or be placed (internships only: pay_kind internship "
        "or is_internship)",
    )
    eligibility: str = Field("", max_length=300, pattern=TEXT, description="who may apply")
    needs: list[ProjectNeedIn] = Field(
        min_length=1, max_length=NEED_ROWS, description="the skills asked for, no repeats"
    )


class ProjectIn(ProjectFields):
    organisation_id: uuid.UUID = Field(description="the posting organisation; the caller must be a member")


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)  # absent means "unchanged", which no default value says


def _all_optional(model: type[BaseModel], name: str, doc: str) -> type[BaseModel]:
    """`model` with every field optional: an absent field keeps its value; null clears a nullable one."""
    fields = {
        field_name: (info.annotation, FieldInfo.merge_field_infos(info, default=None, json_schema_extra=_no_default))
        for field_name, info in model.model_fields.items()
    }
    return create_model(name, __base__=Model, __doc__=doc, **fields)


ProjectPatch = _all_optional(ProjectFields, "ProjectPatch", "The fields to change; the others keep their value.")


def _input_values(request: BaseModel, names: Iterable[str]) -> dict[str, Any]:
    """The named fields of a request as `ProjectInput` values (plain strings for choices, `NeedInput`s)."""
    values: dict[str, Any] = {name: getattr(request, name) for name in names}
    for name in ("theme", "work_mode", "pay_kind"):
        if values.get(name) is not None:
            values[name] = values[name].value
    if "needs" in values:
        values["needs"] = tuple(NeedInput(need.skill, need.min_level, need.must_have) for need in values["needs"])
    return values


def _current_input(project: Project) -> ProjectInput:
    values = {
        field.name: getattr(project, field.name) for field in dataclasses.fields(ProjectInput) if field.name != "needs"
    }
    for name in ("theme", "work_mode", "pay_kind"):
        values[name] = values[name].value
    needs = tuple(NeedInput(need.skill_code, need.min_level, need.is_must) for need in project.needs)
    return ProjectInput(**values, needs=needs)


@bp.post("/projects")
@operation(tag="projects", scope="write", json=ProjectIn, ok=ProjectDetailOut, status=201, errors=(404,))
def create_project():
    """Post a project for an organisation the caller belongs to (it starts as a draft)"""
    request = body()
    organisation = get_organisation(db.session, str(request.organisation_id))
    details = ProjectInput(**_input_values(request, ProjectFields.model_fields))
    project = posting.save_project(db.session, api_actor(), organisation, details)
    db.session.refresh(project)
    return project_detail(project), 201


@bp.patch("/projects/<project_id>")
@operation(tag="projects", scope="write", json=ProjectPatch, ok=ProjectDetailOut)
def update_project(project_id: str):
    """Change some fields of a project (members of its organisation)"""
    project = posting.get_project(db.session, api_actor(), project_id)
    details = dataclasses.replace(_current_input(project), **_input_values(body(), body().model_fields_set))
    posting.save_project(db.session, api_actor(), project.organisation, details, project)
    db.session.refresh(project)
    return project_detail(project)


class ProjectTransitionIn(Model):
    status: ProjectStatus = Field(
        description="draft → open (verified organisations only) → closed → in_progress → completed; or cancelled"
    )


@bp.post("/projects/<project_id>/transition")
@operation(tag="projects", scope="write", json=ProjectTransitionIn, ok=ProjectDetailOut, errors=(409,))
def transition_project(project_id: str):
    """Move a project to its next status (members of its organisation)

    Cancelling closes the pending applications and invitations (status closed; their contact releases end)
    and notifies the people involved. Completing closes the pending ones the same way and notifies those people.
    """
    project = posting.get_project(db.session, api_actor(), project_id)
    posting.transition(db.session, api_actor(), project, body().status, base_url=_base_url())
    return project_detail(project)


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


ApplicationPage = page_of(ApplicationOut, "ApplicationPage")


def application_out(application: Application, contact: dict[str, str] | None) -> ApplicationOut:
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
    )


def _answered(application: Application) -> ApplicationOut:
    return application_out(application, applications.contact_for(db.session, api_actor(), application))


class ApplicationMessageIn(Model):
    message: str = Field("", max_length=2000, pattern=TEXT)


class InvitationIn(ApplicationMessageIn):
    profile_id: uuid.UUID = Field(description="the person to invite (open to offers, visible to the caller)")


@bp.post("/projects/<project_id>/applications")
@operation(tag="applications", scope="write", json=ApplicationMessageIn, ok=ApplicationOut, status=201, errors=(409,))
def apply_to_project(project_id: str):
    """Apply to an open project with a message (this shares your e-mail address and name with the organisation)"""
    project = posting.get_project(db.session, api_actor(), project_id)
    application = applications.apply(db.session, api_actor(), project, body().message, base_url=_base_url())
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
    application = applications.invite(db.session, actor, project, profile, request.message, base_url=_base_url())
    return _answered(application), 201


@bp.get("/projects/<project_id>/applications")
@operation(tag="applications", scope="read", query=PageQuery, ok=ApplicationPage)
def list_project_applications(project_id: str):
    """Applications and invitations of a project (members of its organisation)"""
    actor = api_actor()
    project = posting.get_project(db.session, actor, project_id)
    require(actor, "post_project", project.organisation)
    found = applications.applications_for_project(db.session, project)
    items = [application_out(a, applications.contact_for(db.session, actor, a)) for a in found]
    return paginate(items, params())


@bp.get("/me/applications")
@operation(tag="applications", scope="read", query=PageQuery, ok=ApplicationPage)
def list_my_applications():
    """The caller's applications and the invitations they received, newest first"""
    profile = own_profile(db.session, api_actor())
    found = applications.applications_of_person(db.session, profile) if profile else []
    return paginate([application_out(a, None) for a in found], params())


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
    return PreferenceList(items=[application_out(a, None) for a in ordered])


@bp.post("/applications/<application_id>/accept")
@operation(tag="applications", scope="write", ok=ApplicationOut, errors=(409,))
def accept_application(application_id: str):
    """Accept: the organisation an application, the person an invitation (which releases their contact details)"""
    application = applications.get_application(db.session, application_id)
    applications.respond(db.session, api_actor(), application, True, base_url=_base_url())
    return _answered(application)


@bp.post("/applications/<application_id>/decline")
@operation(tag="applications", scope="write", ok=ApplicationOut, errors=(409,))
def decline_application(application_id: str):
    """Decline: the organisation an application, the person an invitation"""
    application = applications.get_application(db.session, application_id)
    applications.respond(db.session, api_actor(), application, False, base_url=_base_url())
    return _answered(application)


@bp.post("/applications/<application_id>/withdraw")
@operation(tag="applications", scope="write", ok=ApplicationOut, errors=(409,))
def withdraw_application(application_id: str):
    """Withdraw a pending or accepted application or invitation (either side); contact details stop being shared"""
    application = applications.get_application(db.session, application_id)
    applications.withdraw(db.session, api_actor(), application, base_url=_base_url())
    return _answered(application)


# ---- completion -------------------------------------------------------------------------------------


class DemonstratedSkillIn(Model):
    skill: str = Field(pattern=SKILL_CODE, description="DSS item code")
    level: int = Field(ge=1, le=4, description="the level shown in the project")


class CompletionIn(Model):
    summary: str = Field(
        min_length=1, max_length=3000, pattern=TEXT, description="what was achieved and the person's role"
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
        base_url=_base_url(),
        issuer=issuer_context() if request.issue_badge else None,
    )
    return CompletionOut(
        application=_answered(application),
        outcome=outcome_out(outcome, application.project),
        badge_issued=request.issue_badge,
    )


# ---- matching ---------------------------------------------------------------------------------------


class MatchReasonOut(Out):
    code: str = Field(description="e.g. must_have_met, must_have_partial, within_travel, hours_short")
    subject: str | None = Field(description="the skill code, subprefecture or pay kind the reason is about")
    numbers: dict[str, float] = Field(description="e.g. level, required, km, limit_km, available, days_late")
    terms: list[str] = Field(description="shared words (text_overlap)")


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


class ProfileMatchList(Out):
    items: list[ProfileMatchOut]


class ProjectRecommendationOut(MatchExplained):
    project: ProjectOut


class ProjectRecommendationList(Out):
    items: list[ProjectRecommendationOut]


class MatchQuery(Query):
    limit: int = Field(20, ge=1, le=100, description="how many, best first")


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
    found = ranking.matches_for_project(db.session, project, k=params().limit, today=_today())
    return ProfileMatchList(
        items=[
            ProfileMatchOut(
                profile_id=profile.public_id,
                display_name=profile.display_name,
                headline=profile.headline or "",
                url=url_for("profiles.show", public_id=profile.public_id, _external=True),
                **_explained(match, names),
            )
            for profile, match in found
        ]
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
