"""Projects over the API: browsing and posting, and the status flow. Every operation calls the same
services as the pages."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from pydantic import BaseModel, Field, create_model
from pydantic.fields import FieldInfo

from talentbank import db
from talentbank.api.core import api_actor, body, bp, operation, params
from talentbank.api.schemas import MULTI_LINE, SKILL_CODE, TEXT, Model, Out, PageQuery, page_of, paginate_sql
from talentbank.errors import Invalid
from talentbank.models import Project, ProjectPay, ProjectStatus, ProjectWorkMode, Theme
from talentbank.organisations.services import get_organisation
from talentbank.projects import posting, statuses
from talentbank.projects.forms import NEED_ROWS
from talentbank.projects.inputs import NeedInput, ProjectInput
from talentbank.reference.services import subprefectures_with_municipalities
from talentbank.security import can


def base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


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


def place_out(place) -> ProjectPlaceOut:
    """A municipality (with its subprefecture) as the API shows it."""
    return ProjectPlaceOut(
        code=place.code,
        name_ja=place.name_ja,
        name_romaji=place.name_romaji,
        subprefecture=place.subprefecture.slug,
        subprefecture_ja=place.subprefecture.name_ja,
        subprefecture_en=place.subprefecture.name_en,
    )


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
    start_slack_days: int = Field(
        description="how many days after starts_on a person may begin and still be proposed (later: a near miss)"
    )
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
        "municipality": place_out(place),
        "work_mode": project.work_mode,
        "onsite_days_per_month": project.onsite_days_per_month,
        "hours_per_week": project.hours_per_week,
        "starts_on": project.starts_on,
        "start_slack_days": project.start_slack_days,
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


def subprefecture_id(slug: str | None) -> int | None:
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
        subprefecture_id=subprefecture_id(query.subprefecture),
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
        min_length=1,
        max_length=5000,
        pattern=TEXT,
        description="what is wrong, in the organisation's words",
        json_schema_extra=MULTI_LINE,
    )
    expected_outcome: str = Field(min_length=1, max_length=3000, pattern=TEXT, json_schema_extra=MULTI_LINE)
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
    start_slack_days: int = Field(
        30,
        ge=0,
        le=365,
        description="how many days after starts_on a person may begin and still be proposed; later starters are "
        "near misses (late_start)",
    )
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


def all_optional(model: type[BaseModel], name: str, doc: str) -> type[BaseModel]:
    """`model` with every field optional: an absent field keeps its value; null clears a nullable one."""
    fields = {
        field_name: (info.annotation, FieldInfo.merge_field_infos(info, default=None, json_schema_extra=_no_default))
        for field_name, info in model.model_fields.items()
    }
    return create_model(name, __base__=Model, __doc__=doc, **fields)


ProjectPatch = all_optional(ProjectFields, "ProjectPatch", "The fields to change; the others keep their value.")


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
    posting.transition(db.session, api_actor(), project, body().status, base_url=base_url())
    return project_detail(project)
