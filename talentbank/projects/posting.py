"""Posting projects: create and update (the guided form's rules), the status flow, and finding them (one
project as far as the viewer may see it, the public search, an organisation's projects)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from talentbank import audit
from talentbank.db import count_rows, utcnow
from talentbank.errors import Conflict, Invalid, NotFound, PermissionDenied
from talentbank.lookup import by_public_id
from talentbank.models import (
    Application,
    ApplicationStatus,
    Municipality,
    Organisation,
    Profile,
    Project,
    ProjectNeed,
    ProjectPay,
    ProjectStatus,
    ProjectWorkMode,
    Skill,
    Theme,
    User,
)
from talentbank.projects.applications import end_releases
from talentbank.projects.inputs import ProjectInput
from talentbank.projects.notices import notify_person
from talentbank.projects.statuses import PUBLIC_STATUSES, TRANSITIONS
from talentbank.security import can, require

# The longest a host may wait for a person to start (days after the start date).
MAX_START_SLACK_DAYS = 365

PROJECT_LOAD = (
    selectinload(Project.needs).selectinload(ProjectNeed.skill),
    selectinload(Project.organisation),
    selectinload(Project.municipality).selectinload(Municipality.subprefecture),
)


def _checked(session: Session, details: ProjectInput, today: date) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if session.get(Municipality, details.municipality_code) is None:
        errors["municipality_code"] = str(_l("北海道の市町村から選んでください。"))
    if details.theme not in {t.value for t in Theme}:
        errors["theme"] = str(_l("テーマを選んでください。"))
    if details.work_mode not in {m.value for m in ProjectWorkMode}:
        errors["work_mode"] = str(_l("働き方を選んでください。"))
    if details.work_mode == ProjectWorkMode.HYBRID.value and not 1 <= (details.onsite_days_per_month or 0) <= 31:
        message = _l("ハイブリッドの場合は、現地に来てほしい日数（月1〜31日）を入力してください。")
        errors["onsite_days_per_month"] = str(message)
    if details.start_slack_days is None or not 0 <= details.start_slack_days <= MAX_START_SLACK_DAYS:
        errors["start_slack_days"] = str(_l("開始の遅れを待てる日数は0〜365日で入力してください。"))
    if details.pay_kind not in {p.value for p in ProjectPay}:
        errors["pay_kind"] = str(_l("報酬の種類を選んでください。"))
    pay_yen = details.pay_yen or 0
    if pay_yen < 0 or pay_yen > 100_000_000:
        errors["pay_yen"] = str(_l("金額は0円以上で入力してください。"))
    elif details.pay_kind in {ProjectPay.HOURLY.value, ProjectPay.FIXED.value} and pay_yen == 0:
        errors["pay_yen"] = str(_l("時給・固定額の場合は金額を入力してください。"))
    if details.ends_on and details.starts_on and details.ends_on < details.starts_on:
        errors["ends_on"] = str(_l("終了日は開始日より後にしてください。"))
    if details.deadline and details.deadline < today:
        errors["deadline"] = str(_l("応募締切は今日以降にしてください。"))
    if details.deadline and details.starts_on and details.deadline > details.starts_on:
        errors["deadline"] = str(_l("応募締切は開始日までにしてください。"))
    is_internship = bool(details.is_internship) or details.pay_kind == ProjectPay.INTERNSHIP.value
    if details.is_students_only and not is_internship:
        errors["is_students_only"] = str(_l("学生限定にできるのはインターンシップだけです。"))
    if not details.needs:
        errors["needs"] = str(_l("必要なスキルを1つ以上選んでください。"))
    codes = [need.skill_code for need in details.needs]
    if len(set(codes)) != len(codes):
        errors["needs"] = str(_l("同じスキルが2回選ばれています。"))
    for need in details.needs:
        skill = session.get(Skill, need.skill_code)
        if skill is None or not skill.is_selectable or need.min_level not in (1, 2, 3, 4):
            errors["needs"] = str(_l("スキルとレベル（1〜4）を一覧から選んでください。"))
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    return {
        "title": details.title.strip(),
        "problem": details.problem.strip(),
        "expected_outcome": details.expected_outcome.strip(),
        "theme": Theme(details.theme),
        "municipality_code": details.municipality_code,
        "work_mode": ProjectWorkMode(details.work_mode),
        "onsite_days_per_month": details.onsite_days_per_month if details.work_mode == "hybrid" else None,
        "hours_per_week": details.hours_per_week,
        "starts_on": details.starts_on,
        "start_slack_days": details.start_slack_days,
        "ends_on": details.ends_on,
        "pay_kind": ProjectPay(details.pay_kind),
        "pay_yen": 0 if details.pay_kind == ProjectPay.VOLUNTEER.value else pay_yen,
        "travel_covered": bool(details.travel_covered),
        "seats": details.seats or 1,
        "deadline": details.deadline,
        "is_internship": is_internship,
        "is_students_only": bool(details.is_students_only),
        "eligibility": (details.eligibility or "").strip(),
    }


def save_project(
    session: Session,
    actor: User,
    organisation: Organisation,
    details: ProjectInput,
    project: Project | None = None,
    *,
    today: date | None = None,
) -> Project:
    """Create a draft project for the organisation, or update one of its projects."""
    require(actor, "post_project", organisation)
    if project is not None and project.organisation_id != organisation.id:
        raise NotFound()
    fields = _checked(session, details, today or utcnow().date())
    created = project is None
    if project is None:
        project = Project(organisation=organisation, created_by_id=actor.id, status=ProjectStatus.DRAFT)
        session.add(project)
    for name, value in fields.items():
        setattr(project, name, value)
    existing = {need.skill_code: need for need in project.needs}
    project.needs = [existing.get(need.skill_code) or ProjectNeed(skill_code=need.skill_code) for need in details.needs]
    for need, given in zip(project.needs, details.needs, strict=True):
        need.min_level, need.is_must = given.min_level, given.is_must
    project.updated_at = utcnow()
    session.flush()
    audit.record(session, actor, "project.create" if created else "project.update", object_type="project",
                 object_id=project.public_id)  # fmt: skip
    return project


def transition(
    session: Session,
    actor: User,
    project: Project,
    target: ProjectStatus,
    *,
    base_url: str,
    now: datetime | None = None,
) -> None:
    """Move a project along draft → open → closed → in progress → completed / cancelled.

    Opening (the first time or again after closing) sets `opened_at`. Cancelling closes the pending
    applications and invitations (their contact releases end) and tells everyone still involved, pending
    or accepted. Completing closes the pending ones the same way and tells those people; the accepted ones
    hear when their engagement is recorded as completed."""
    require(actor, "post_project", project.organisation)
    if target not in TRANSITIONS[project.status]:
        raise Conflict(str(_l("この状態には変更できません。")))
    if target is ProjectStatus.OPEN and not project.organisation.is_verified:
        raise PermissionDenied(str(_l("プロジェクトを公開できるのは、確認済みの組織だけです。")))
    now = now or utcnow()
    project.status = target
    project.updated_at = now
    if target is ProjectStatus.OPEN:
        project.opened_at = now
    session.flush()
    if target is ProjectStatus.CANCELLED:
        _close_pending(session, project, base_url, "project_cancelled", tell_accepted=True, now=now)
    elif target is ProjectStatus.COMPLETED:
        _close_pending(session, project, base_url, "project_completed", tell_accepted=False, now=now)
    audit.record(session, actor, "project.status", object_type="project", object_id=project.public_id,
                 status=target.value)  # fmt: skip


def _close_pending(
    session: Session, project: Project, base_url: str, template: str, *, tell_accepted: bool, now: datetime
) -> None:
    """Pending applications and invitations of a project that ended (cancelled or completed) become closed:
    nobody can answer them any more, and their contact releases end. Accepted ones stay (their release stands
    until either side withdraws); with `tell_accepted` they are told as well."""
    involved = list(
        session.scalars(
            sa.select(Application)
            .where(
                Application.project_id == project.id,
                Application.status.in_([ApplicationStatus.PENDING, ApplicationStatus.ACCEPTED]),
            )
            .options(selectinload(Application.profile).selectinload(Profile.user))
            .order_by(Application.id)
        )
    )
    pending = [a for a in involved if a.status is ApplicationStatus.PENDING]
    for application in pending:
        application.status = ApplicationStatus.CLOSED
        application.responded_at = now
    if pending:
        end_releases(session, [a.id for a in pending], now)
    session.flush()
    for application in involved if tell_accepted else pending:
        notify_person(session, application.profile, template, base_url, application=application,
                      project=project)  # fmt: skip


def get_project(session: Session, viewer: Any, public_id: str) -> Project:
    """A project as far as the viewer may see it: drafts and cancelled ones only for its organisation,
    and a cancelled one also for the people who applied or were invited (they are told, and may withdraw)."""
    project = by_public_id(session, Project, public_id, *PROJECT_LOAD)
    if project.status in PUBLIC_STATUSES or can(viewer, "post_project", project.organisation):
        return project
    if project.status is ProjectStatus.CANCELLED and _is_involved(session, viewer, project):
        return project
    raise NotFound()


def _is_involved(session: Session, viewer: Any, project: Project) -> bool:
    if not isinstance(viewer, User):
        return False
    return session.scalar(
        sa.select(Application.id)
        .join(Profile, Profile.id == Application.profile_id)
        .where(Application.project_id == project.id, Profile.user_id == viewer.id)
        .limit(1)
    ) is not None  # fmt: skip


@dataclass(frozen=True)
class ProjectCriteria:
    theme: str | None = None
    subprefecture_id: int | None = None
    remote_ok: bool = False
    skill: str | None = None
    pay_kind: str | None = None
    internship_only: bool = False
    open_only: bool = True
    students_only: bool | None = None  # True: only students-only internships; False: only those open to all


def select_projects(criteria: ProjectCriteria) -> sa.Select:
    """The public projects matching `criteria`, most recently updated first, with what their pages show.

    The id breaks ties between equal update times, so the order is total and paging by offset never
    repeats or skips a project while nothing changes in between.
    """
    query = sa.select(Project).options(*PROJECT_LOAD)
    statuses = (ProjectStatus.OPEN,) if criteria.open_only else PUBLIC_STATUSES
    query = query.where(Project.status.in_(statuses))
    if criteria.theme in {t.value for t in Theme}:
        query = query.where(Project.theme == Theme(criteria.theme))
    if criteria.subprefecture_id:
        query = query.where(
            Project.municipality_code.in_(
                sa.select(Municipality.code).where(Municipality.subprefecture_id == criteria.subprefecture_id)
            )
        )
    if criteria.remote_ok:
        query = query.where(Project.work_mode.in_([ProjectWorkMode.REMOTE, ProjectWorkMode.HYBRID]))
    if criteria.skill:
        query = query.where(
            sa.select(ProjectNeed.id)
            .where(ProjectNeed.project_id == Project.id, ProjectNeed.skill_code == criteria.skill)
            .exists()
        )
    if criteria.pay_kind in {p.value for p in ProjectPay}:
        query = query.where(Project.pay_kind == ProjectPay(criteria.pay_kind))
    if criteria.internship_only:
        query = query.where(Project.is_internship.is_(True))
    if criteria.students_only is not None:
        query = query.where(Project.is_students_only.is_(criteria.students_only))
    return query.order_by(Project.updated_at.desc(), Project.id.desc())


def search_projects(session: Session, criteria: ProjectCriteria, *, limit: int = 100) -> list[Project]:
    """The first `limit` of `select_projects` (the browse page shows the newest hundred)."""
    return list(session.scalars(select_projects(criteria).limit(limit)))


def count_projects(session: Session, criteria: ProjectCriteria) -> int:
    """How many public projects match `criteria` (what `select_projects` returns)."""
    return count_rows(session, select_projects(criteria))


def projects_of(session: Session, organisation: Organisation) -> list[Project]:
    return list(
        session.scalars(
            sa.select(Project)
            .where(Project.organisation_id == organisation.id)
            .options(*PROJECT_LOAD)
            .order_by(Project.updated_at.desc())
        )
    )
