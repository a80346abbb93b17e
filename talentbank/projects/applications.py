"""Applications and scouting with consent: the person applies or the organisation invites, the other side
accepts or declines, either withdraws; the contact release records (APPI) that go with them, and the
person's order of preference among their internship applications."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from talentbank import audit
from talentbank.db import utcnow
from talentbank.errors import Conflict, Invalid, NotFound, PermissionDenied
from talentbank.lookup import by_public_id
from talentbank.models import (
    Application,
    ApplicationStatus,
    ContactRelease,
    Direction,
    Profile,
    Project,
    ProjectStatus,
    User,
)
from talentbank.projects.notices import notify_organisation, notify_person
from talentbank.projects.statuses import ANSWER_STATUSES, INVITE_STATUSES, refuse_unless
from talentbank.security import can, require

CONTACT_FIELDS = ["email", "display_name"]


def end_releases(session: Session, application_ids: list[int], now: datetime) -> None:
    session.execute(
        sa.update(ContactRelease)
        .where(ContactRelease.application_id.in_(application_ids), ContactRelease.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
    )


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
    notify_person(session, profile, "invitation_received", base_url, application=application, project=project)
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
        notify_person(session, profile, "application_answered", base_url, application=existing, project=project)
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
    refuse_unless(application.project, ANSWER_STATUSES,
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
        notify_person(session, application.profile, "application_answered", base_url, application=application,
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
    end_releases(session, [application.id], application.responded_at)
    session.flush()
    if _is_person(actor, application):
        notify_organisation(session, application.project, "application_withdrawn", base_url, application=application)
    else:
        notify_person(session, application.profile, "application_withdrawn", base_url, application=application,
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
