"""A person's rights over their data (APPI): export everything held about them, delete the account."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from talentbank import audit
from talentbank.accounts.passwords import verify_password
from talentbank.credentials.learner_records import records_of_email
from talentbank.db import utcnow
from talentbank.errors import Invalid
from talentbank.learning.enrolments import enrolments_of_profile
from talentbank.models import (
    AccountToken,
    ApiToken,
    AuditEvent,
    DeletedProfile,
    Invitation,
    Membership,
    MembershipRole,
    Notification,
    OutboxMessage,
    Profile,
    User,
)
from talentbank.profiles.services import own_profile


def export_personal_data(session: Session, actor: User) -> dict[str, Any]:
    """Everything held about the actor, as JSON-ready data (APPI Art. 33 disclosure)."""
    profile = own_profile(session, actor)
    memberships = session.scalars(
        sa.select(Membership).where(Membership.user_id == actor.id).options(selectinload(Membership.organisation))
    ).all()
    events = session.scalars(sa.select(AuditEvent).where(AuditEvent.actor_id == actor.id).order_by(AuditEvent.id)).all()
    mail = session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.to_address == actor.email).order_by(OutboxMessage.id)
    ).all()
    return {
        "format": "talentbank-personal-data/1",
        "exported_at": utcnow().isoformat(),
        "account": {
            "email": actor.email,
            "display_name": actor.display_name,
            "locale": actor.locale,
            "created_at": actor.created_at.isoformat(),
            "email_verified_at": _iso(actor.email_verified_at),
            "last_login_at": _iso(actor.last_login_at),
            "policy_version": actor.policy_version,
            "policy_accepted_at": _iso(actor.policy_accepted_at),
        },
        "profile": _profile_data(profile) if profile else None,
        "learning": [
            {
                "opportunity": e.opportunity.title,
                "provider": e.opportunity.organisation.name,
                "status": e.status.value,
                "enrolled_at": e.enrolled_at.isoformat(),
                "finished_at": _iso(e.finished_at),
            }
            for e in (enrolments_of_profile(session, profile) if profile else [])
        ],
        # Comprehensive Learner Records issued to the account's address (issue 16).
        "learner_records": [
            {
                "name": r.name,
                "issuer": r.organisation.name,
                "issued_at": r.issued_at.isoformat(),
                "revoked_at": _iso(r.revoked_at),
                "credentials": list(r.credential_ids),
            }
            for r in records_of_email(session, actor.email)
        ],
        "memberships": [
            {"organisation": m.organisation.name, "role": m.role.value, "since": m.created_at.isoformat()}
            for m in memberships
        ],
        "activity": [
            {"time": e.occurred_at.isoformat(), "action": e.action, "ip_address": e.ip_address} for e in events
        ],
        "mail": [{"time": m.created_at.isoformat(), "subject": m.subject, "body": m.body_text} for m in mail],
        "notifications": [
            {"time": n.created_at.isoformat(), "text": n.text, "read_at": _iso(n.read_at)}
            for n in session.scalars(sa.select(Notification).where(Notification.user_id == actor.id))
        ],
        # Token metadata only: the secrets were never stored.
        "api_tokens": [
            {
                "name": t.name,
                "scopes": t.scopes,
                "created_at": t.created_at.isoformat(),
                "expires_at": t.expires_at.isoformat(),
                "last_used_at": _iso(t.last_used_at),
                "revoked_at": _iso(t.revoked_at),
            }
            for t in session.scalars(sa.select(ApiToken).where(ApiToken.user_id == actor.id))
        ],
    }


def _iso(value: datetime | Any) -> str | None:
    return value.isoformat() if value is not None else None


def _profile_data(profile: Profile) -> dict[str, Any]:
    return {
        "public_id": str(profile.public_id),
        "display_name": profile.display_name,
        "furigana": profile.furigana,
        "headline": profile.headline,
        "bio": profile.bio,
        "home_municipality": profile.home_municipality.name_ja if profile.home_municipality else None,
        "home_prefecture": profile.home_prefecture,
        "regions_of_interest": [r.name_ja for r in profile.regions],
        "motives": list(profile.motives),
        "side_job_ok": profile.side_job_ok,
        "hours_per_week": profile.hours_per_week,
        "earliest_start": _iso(profile.earliest_start),
        "work_mode": profile.work_mode.value,
        "max_travel_km": profile.max_travel_km,
        "onsite_days_per_month": profile.onsite_days_per_month,
        "pay_kind": profile.pay_kind.value if profile.pay_kind else None,
        "pay_yen": profile.pay_yen,
        "open_to_offers": profile.open_to_offers,
        "visibility": profile.visibility.value,
        "is_hidden": profile.is_hidden,
        "is_student": profile.is_student,
        "school_name": profile.school_name,
        "skills": [
            {
                "code": s.skill_code,
                "name": s.skill.name_ja,
                "level": s.level,
                "years": s.years,
                "source": s.source.value,
                "evidence_url": s.evidence_url,
            }
            for s in profile.skills
        ],
        "outcomes": [
            {
                "title": o.title,
                "description": o.description,
                "role": o.role,
                "started_on": _iso(o.started_on),
                "ended_on": _iso(o.ended_on),
                "organisation": o.organisation_name,
                "linked_organisation": str(o.organisation.public_id) if o.organisation else None,
                "links": list(o.links),
                "hidden": o.is_hidden,
                "skills": [{"code": s.skill_code, "level": s.level} for s in o.skills],
            }
            for o in profile.outcomes
        ],
    }


def _is_sole_owner(membership: Membership) -> bool:
    owners = [m for m in membership.organisation.memberships if m.role is MembershipRole.OWNER]
    return owners == [membership]


def delete_account(
    session: Session, actor: User, password: str, *, hasher: PasswordHasher, now: datetime | None = None
) -> None:
    """Delete the account and its personal data (APPI Art. 35); the public page then answers 410 Gone.

    Audit events keep their action and time but lose the link to the person; mail sent to the
    address is deleted. Credentials already issued stay valid for whoever holds them.
    """
    if not verify_password(hasher, actor.password_hash, password):
        raise Invalid.on("password", _l("パスワードが正しくありません。"))
    sole_owner_of = [m.organisation.name for m in actor.memberships if _is_sole_owner(m)]
    if sole_owner_of:
        raise Invalid.on(
            "confirm",
            _l("次の組織の管理者があなただけです。先に別の管理者を指名してください：%(names)s",
               names="、".join(sole_owner_of)),
        )  # fmt: skip
    profile = own_profile(session, actor)
    if profile is not None:
        session.add(DeletedProfile(public_id=profile.public_id, deleted_at=now or utcnow()))
    session.execute(sa.delete(OutboxMessage).where(OutboxMessage.to_address == actor.email))
    session.execute(sa.delete(Invitation).where(Invitation.email == actor.email))
    session.execute(sa.delete(AccountToken).where(AccountToken.user_id == actor.id))
    session.execute(
        sa.update(AuditEvent).where(AuditEvent.actor_id == actor.id).values(actor_id=None, ip_address=None, details={})
    )
    audit.record(session, None, "account.deleted")
    session.delete(actor)
    session.flush()
