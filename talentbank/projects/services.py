"""Projects: posting and the status flow, browsing, applications and scouting with consent,
contact release records (APPI), and completion that lands on the person's profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from talentbank import audit, mail, notifications
from talentbank.db import count_rows, utcnow
from talentbank.errors import Conflict, Invalid, NotFound, PermissionDenied
from talentbank.lookup import by_public_id
from talentbank.models import (
    Application,
    ApplicationStatus,
    ContactRelease,
    Direction,
    Membership,
    Municipality,
    Organisation,
    Outcome,
    OutcomeSkill,
    Profile,
    ProfileSkill,
    Project,
    ProjectNeed,
    ProjectPay,
    ProjectStatus,
    ProjectWorkMode,
    Skill,
    SkillSource,
    Theme,
    User,
)
from talentbank.profiles.search import reindex_profile
from talentbank.projects.forms import STATUS_LABELS, ProjectInput
from talentbank.security import can, require

# Who may move a project from one status to the next (members of the posting organisation).
TRANSITIONS: dict[ProjectStatus, set[ProjectStatus]] = {
    ProjectStatus.DRAFT: {ProjectStatus.OPEN, ProjectStatus.CANCELLED},
    ProjectStatus.OPEN: {ProjectStatus.CLOSED, ProjectStatus.IN_PROGRESS, ProjectStatus.CANCELLED},
    ProjectStatus.CLOSED: {ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS, ProjectStatus.CANCELLED},
    ProjectStatus.IN_PROGRESS: {ProjectStatus.COMPLETED, ProjectStatus.CANCELLED},
    ProjectStatus.COMPLETED: set(),
    ProjectStatus.CANCELLED: set(),
}
# Which application steps each project status allows (#5). Applying needs an open project before its
# deadline; answering (which may release contact details) and scouting need a live project; completion
# is recorded while the work runs or after the project is marked completed. Withdrawing is always
# allowed: a person can end a contact release at any time.
ANSWER_STATUSES = (ProjectStatus.OPEN, ProjectStatus.CLOSED, ProjectStatus.IN_PROGRESS)
INVITE_STATUSES = ANSWER_STATUSES
COMPLETE_STATUSES = (ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED)
PUBLIC_STATUSES = (ProjectStatus.OPEN, ProjectStatus.CLOSED, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED)
CONTACT_FIELDS = ["email", "display_name"]
PROJECT_LOAD = (
    selectinload(Project.needs).selectinload(ProjectNeed.skill),
    selectinload(Project.organisation),
    selectinload(Project.municipality).selectinload(Municipality.subprefecture),
)


# ---- posting -----------------------------------------------------------------------------------------


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
        _end_releases(session, [a.id for a in pending], now)
    session.flush()
    for application in involved if tell_accepted else pending:
        _notify_person(session, application.profile, template, base_url, application=application,
                       project=project)  # fmt: skip


def _end_releases(session: Session, application_ids: list[int], now: datetime) -> None:
    session.execute(
        sa.update(ContactRelease)
        .where(ContactRelease.application_id.in_(application_ids), ContactRelease.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
    )


def _refuse_unless(project: Project, statuses: tuple[ProjectStatus, ...], message: str) -> None:
    if project.status not in statuses:
        raise Conflict(message % {"status": STATUS_LABELS[project.status]})


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


# ---- applications and scouting ---------------------------------------------------------------------


def _members(session: Session, organisation: Organisation) -> list[User]:
    return list(session.scalars(sa.select(User).join(Membership).where(Membership.organisation_id == organisation.id)))


def notify_organisation(session: Session, project: Project, template: str, base_url: str, **context: Any) -> None:
    """Mail every member of the project's organisation, and keep it as an in-app notification."""
    for member in _members(session, project.organisation):
        message = mail.queue_mail(session, to=member.email, template=template, locale=member.locale,
                                  base_url=base_url, project=project, **context)  # fmt: skip
        notifications.record(session, member, message, base_url)


def _notify_person(session: Session, profile: Profile, template: str, base_url: str, **context: Any) -> None:
    message = mail.queue_mail(session, to=profile.user.email, template=template, locale=profile.user.locale,
                              base_url=base_url, profile=profile, **context)  # fmt: skip
    notifications.record(session, profile.user, message, base_url)


def _release_contact(session: Session, application: Application, reason: str) -> None:
    """Record that the person's contact details went to the organisation (APPI Art. 29 record)."""
    session.add(
        ContactRelease(
            application_id=application.id,
            profile_id=application.profile_id,
            organisation_id=application.project.organisation_id,
            fields=list(CONTACT_FIELDS),
            reason=reason,
            released_at=utcnow(),
        )
    )


def is_eligible(project: Project, profile: Profile) -> bool:
    """Whether the person may take part: a students-only internship admits only people who say they are students."""
    return not project.is_students_only or profile.is_student


def _open_for_applications(project: Project, today: date) -> bool:
    return project.status is ProjectStatus.OPEN and (project.deadline is None or project.deadline >= today)


def apply(
    session: Session, actor: User, project: Project, message: str, *, base_url: str, today: date | None = None
) -> Application:
    """The person applies; applying is consent to share their contact details with the organisation."""
    profile = session.scalar(sa.select(Profile).where(Profile.user_id == actor.id))
    if profile is None:
        raise Invalid(str(_l("応募するには、先にプロフィールを作成してください。")))
    if not _open_for_applications(project, today or utcnow().date()):
        raise Conflict(str(_l("このプロジェクトは今は応募を受け付けていません。")))
    if can(actor, "post_project", project.organisation):
        raise Conflict(str(_l("自分の組織のプロジェクトには応募できません。")))
    if not is_eligible(project, profile):
        raise PermissionDenied(
            str(_l("このインターンシップは学生限定です。プロフィールで学生であることを登録すると応募できます。"))
        )
    if _existing_application(session, project, profile) is not None:
        raise Conflict(str(_l("このプロジェクトにはすでに応募または招待があります。")))
    application = Application(project=project, profile=profile, direction=Direction.APPLIED,
                              message=(message or "").strip()[:2000])  # fmt: skip
    session.add(application)
    session.flush()
    _release_contact(session, application, "applied")
    notify_organisation(session, project, "application_received", base_url, application=application)
    audit.record(session, actor, "application.apply", object_type="project", object_id=project.public_id)
    return application


def invite(
    session: Session, actor: User, project: Project, profile: Profile, message: str, *, base_url: str
) -> Application:
    """An organisation member scouts a person; nothing about them is shared until they accept."""
    require(actor, "post_project", project.organisation)
    if project.status not in INVITE_STATUSES:
        raise Conflict(str(_l("このプロジェクトでは今は招待できません。")))
    if not can(actor, "view", profile) or not profile.open_to_offers:
        raise NotFound()
    if not is_eligible(project, profile):
        raise Conflict(str(_l("この人は学生として登録していないため、学生限定のインターンシップには招待できません。")))
    if _existing_application(session, project, profile) is not None:
        raise Conflict(str(_l("この人にはすでに応募または招待があります。")))
    return _send_invitation(session, actor, project, profile, message, base_url=base_url)


def _existing_application(session: Session, project: Project, profile: Profile) -> Application | None:
    return session.scalar(
        sa.select(Application).where(Application.project_id == project.id, Application.profile_id == profile.id)
    )


def _send_invitation(
    session: Session, actor: User, project: Project, profile: Profile, message: str, *, base_url: str
) -> Application:
    application = Application(project=project, profile=profile, direction=Direction.INVITED,
                              message=(message or "").strip()[:2000], invited_by=actor)  # fmt: skip
    session.add(application)
    session.flush()
    _notify_person(session, profile, "invitation_received", base_url, application=application, project=project)
    audit.record(session, actor, "application.invite", object_type="project", object_id=project.public_id)
    return application


def place(
    session: Session, actor: User, project: Project, profile: Profile, message: str, *, base_url: str
) -> Application:
    """A seat given by an allocation round (the caller checked `run_allocation`): invite the person from the
    project, or, when they had applied, accept their application. An existing invitation or acceptance
    stands as it is; a declined or withdrawn one is never reopened."""
    existing = _existing_application(session, project, profile)
    if existing is None:
        return _send_invitation(session, actor, project, profile, message, base_url=base_url)
    if existing.direction is Direction.APPLIED and existing.status is ApplicationStatus.PENDING:
        existing.status = ApplicationStatus.ACCEPTED
        existing.responded_at = utcnow()
        session.flush()
        _notify_person(session, profile, "application_answered", base_url, application=existing, project=project)
        audit.record(session, actor, "application.accept", object_type="application", object_id=existing.public_id)
    return existing


def get_application(session: Session, public_id: str) -> Application:
    return by_public_id(
        session,
        Application,
        public_id,
        selectinload(Application.project).selectinload(Project.organisation),
        selectinload(Application.profile).selectinload(Profile.user),
    )


def _is_person(actor: User, application: Application) -> bool:
    return application.profile.user_id == actor.id


def _is_organisation(actor: User, application: Application) -> bool:
    return can(actor, "post_project", application.project.organisation)


def respond(session: Session, actor: User, application: Application, accept: bool, *, base_url: str) -> None:
    """The other side accepts or declines: the organisation answers an application, the person an invitation."""
    answering_person = application.direction is Direction.INVITED
    if not (_is_person(actor, application) or _is_organisation(actor, application)):
        raise NotFound()
    if _is_person(actor, application) != answering_person:
        raise PermissionDenied(str(_l("返事をするのは相手側です。")))
    # The project's state first: an entry closed because the project ended says so, not "already answered".
    _refuse_unless(application.project, ANSWER_STATUSES,
                   str(_l("プロジェクトが「%(status)s」のため、返事はできません。")))  # fmt: skip
    if application.status is not ApplicationStatus.PENDING:
        raise Conflict(str(_l("この応募・招待にはすでに返事があります。")))
    application.status = ApplicationStatus.ACCEPTED if accept else ApplicationStatus.DECLINED
    application.responded_at = utcnow()
    session.flush()
    if answering_person and accept:
        _release_contact(session, application, "accepted_invitation")
    if answering_person:
        notify_organisation(session, application.project, "invitation_answered", base_url, application=application)
    else:
        _notify_person(session, application.profile, "application_answered", base_url, application=application,
                       project=application.project)  # fmt: skip
    audit.record(session, actor, "application.accept" if accept else "application.decline",
                 object_type="application", object_id=application.public_id)  # fmt: skip


def withdraw(session: Session, actor: User, application: Application, *, base_url: str) -> None:
    """Either side withdraws; the organisation then loses access to the person's contact details."""
    if not (_is_person(actor, application) or _is_organisation(actor, application)):
        raise NotFound()
    if application.status not in (ApplicationStatus.PENDING, ApplicationStatus.ACCEPTED):
        raise Conflict(str(_l("この応募・招待は取り下げられません。")))
    application.status = ApplicationStatus.WITHDRAWN
    application.responded_at = utcnow()
    _end_releases(session, [application.id], application.responded_at)
    session.flush()
    if _is_person(actor, application):
        notify_organisation(session, application.project, "application_withdrawn", base_url, application=application)
    else:
        _notify_person(session, application.profile, "application_withdrawn", base_url, application=application,
                       project=application.project)  # fmt: skip
    audit.record(session, actor, "application.withdraw", object_type="application", object_id=application.public_id)


def contact_for(session: Session, actor: User, application: Application) -> dict[str, str] | None:
    """The person's contact details, for members of the organisation, only while a release stands."""
    if not _is_organisation(actor, application):
        return None
    release = session.scalar(
        sa.select(ContactRelease).where(
            ContactRelease.application_id == application.id, ContactRelease.withdrawn_at.is_(None)
        )
    )
    if release is None or application.status not in (ApplicationStatus.PENDING, ApplicationStatus.ACCEPTED,
                                                     ApplicationStatus.COMPLETED):  # fmt: skip
        return None
    if application.direction is Direction.INVITED and application.status is ApplicationStatus.PENDING:
        return None
    return {"email": application.profile.user.email, "display_name": application.profile.display_name}


def applications_for_project(session: Session, project: Project) -> list[Application]:
    return list(
        session.scalars(
            sa.select(Application)
            .where(Application.project_id == project.id)
            .options(selectinload(Application.profile).selectinload(Profile.user))
            .order_by(Application.id)
        )
    )


def applications_of_person(session: Session, profile: Profile) -> list[Application]:
    return list(
        session.scalars(
            sa.select(Application)
            .where(Application.profile_id == profile.id)
            .options(selectinload(Application.project).selectinload(Project.organisation))
            .order_by(Application.id.desc())
        )
    )


MAX_PREFERENCES = 50


def rankable_applications(session: Session, profile: Profile) -> list[Application]:
    """The person's pending applications to internships, which they may put in their order of preference:
    ranked ones first in that order, then the others, oldest first."""
    found = session.scalars(
        sa.select(Application)
        .join(Project, Project.id == Application.project_id)
        .where(
            Application.profile_id == profile.id,
            Application.direction == Direction.APPLIED,
            Application.status == ApplicationStatus.PENDING,
            Project.is_internship.is_(True),
            Project.status.in_(ANSWER_STATUSES),
        )
        .options(selectinload(Application.project).selectinload(Project.organisation))
        .order_by(Application.id)
    )
    return sorted(found, key=lambda a: (a.preference_rank is None, a.preference_rank or 0))


def set_preferences(session: Session, actor: User, application_ids: list[str]) -> list[Application]:
    """The person's order of preference among their pending internship applications, best first.

    Listed applications get ranks 1, 2, …; the person's other ones lose theirs. Every id must be one of
    `rankable_applications` (someone else's, an answered one or a repeat is refused, nothing changes)."""
    profile = session.scalar(sa.select(Profile).where(Profile.user_id == actor.id))
    if profile is None:
        raise Invalid(str(_l("希望順位を決めるには、先にプロフィールを作成してください。")))
    rankable = {str(a.public_id): a for a in rankable_applications(session, profile)}
    wanted = [str(i).lower() for i in application_ids]
    if len(wanted) > MAX_PREFERENCES or len(set(wanted)) != len(wanted):
        raise Invalid.on("applications", _l("同じ応募が2回選ばれています。"))
    if any(i not in rankable for i in wanted):
        raise Invalid.on("applications", _l("返事待ちのインターンシップへの、あなたの応募だけを並べてください。"))
    for application in rankable.values():
        application.preference_rank = None
    ordered = [rankable[i] for i in wanted]
    for rank, application in enumerate(ordered, start=1):
        application.preference_rank = rank
    session.flush()
    audit.record(session, actor, "application.preferences", object_type="profile", object_id=profile.public_id,
                 ranked=len(ordered))  # fmt: skip
    return ordered


def releases_of(session: Session, profile: Profile) -> list[ContactRelease]:
    return list(
        session.scalars(
            sa.select(ContactRelease)
            .where(ContactRelease.profile_id == profile.id)
            .options(selectinload(ContactRelease.organisation))
            .order_by(ContactRelease.id.desc())
        )
    )


# ---- completion closes the loop ------------------------------------------------------------------------


def complete(
    session: Session,
    actor: User,
    application: Application,
    summary: str,
    skills: list[tuple[str, int]],
    *,
    base_url: str,
    issuer: Any = None,
    now: datetime | None = None,
) -> Outcome:
    """Record the engagement as completed: a project-verified outcome on the person's profile and
    the demonstrated skills raised to project-verified. With `issuer` (an IssuerContext), also issue
    the completion credential in the same transaction."""
    require(actor, "post_project", application.project.organisation)
    if application.status is not ApplicationStatus.ACCEPTED:
        raise Conflict(str(_l("承諾済みの参加者だけを完了にできます。")))
    refused = _l("完了を記録できるのはプロジェクトが進行中か完了のときです（今は「%(status)s」）。")
    _refuse_unless(application.project, COMPLETE_STATUSES, str(refused))
    if not skills:
        raise Invalid.on("skills", _l("発揮したスキルを1つ以上選んでください。"))
    if len({code for code, _level in skills}) != len(skills):
        raise Invalid.on("skills", _l("同じスキルが2回選ばれています。"))
    for code, level in skills:
        skill = session.get(Skill, code)
        if skill is None or not skill.is_selectable or level not in (1, 2, 3, 4):
            raise Invalid.on("skills", _l("スキルとレベル（1〜4）を一覧から選んでください。"))
    now = now or utcnow()
    project, profile = application.project, application.profile
    outcome = Outcome(
        profile=profile,
        title=project.title,
        description=summary.strip()[:3000],
        role=str(_l("参加者")),
        started_on=project.starts_on,
        ended_on=now.date(),
        organisation_name=project.organisation.name,
        organisation=project.organisation,
        project=project,
        links=[f"{base_url}/projects/{project.public_id}"],
        skills=[OutcomeSkill(skill_code=code, level=level) for code, level in skills],
    )
    session.add(outcome)
    session.flush()
    evidence = f"/people/{profile.public_id}#outcome-{outcome.public_id}"
    for code, level in skills:
        entry = next((s for s in profile.skills if s.skill_code == code and s.source is SkillSource.PROJECT), None)
        if entry is None:
            profile.skills.append(ProfileSkill(skill_code=code, level=level, source=SkillSource.PROJECT,
                                               evidence_url=evidence))  # fmt: skip
        elif level >= entry.level:
            entry.level, entry.evidence_url = level, evidence
    application.status = ApplicationStatus.COMPLETED
    application.outcome_id = outcome.id
    profile.updated_at = now
    session.flush()
    session.refresh(profile)
    reindex_profile(session, profile)
    if issuer is not None:
        from talentbank.credentials.services import issue_completion_credential

        issue_completion_credential(session, actor, project, profile, summary, f"{base_url}{evidence}", issuer)
    _notify_person(session, profile, "engagement_completed", base_url, application=application, project=project)
    audit.record(session, actor, "application.complete", object_type="application", object_id=application.public_id)
    return outcome
