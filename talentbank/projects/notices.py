"""Telling the people involved in a project: a mail to the person or to every member of the posting
organisation, each kept as an in-app notification too."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from talentbank import mail, notifications
from talentbank.models import Membership, Organisation, Profile, Project, User


def _members(session: Session, organisation: Organisation) -> list[User]:
    return list(session.scalars(sa.select(User).join(Membership).where(Membership.organisation_id == organisation.id)))


def notify_organisation(session: Session, project: Project, template: str, base_url: str, **context: Any) -> None:
    """Mail every member of the project's organisation, and keep it as an in-app notification."""
    for member in _members(session, project.organisation):
        message = mail.queue_mail(session, to=member.email, template=template, locale=member.locale,
                                  base_url=base_url, project=project, **context)  # fmt: skip
        notifications.record(session, member, message, base_url)


def notify_person(session: Session, profile: Profile, template: str, base_url: str, **context: Any) -> None:
    message = mail.queue_mail(session, to=profile.user.email, template=template, locale=profile.user.locale,
                              base_url=base_url, profile=profile, **context)  # fmt: skip
    notifications.record(session, profile.user, message, base_url)
