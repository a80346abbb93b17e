"""Organisations: create and edit, invite members by e-mail, roles, and verification by a site admin."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from talentbank import audit, mail
from talentbank.accounts.services import hash_token, normalise_email
from talentbank.db import utcnow
from talentbank.errors import Conflict, Invalid, NotFound
from talentbank.lookup import by_public_id
from talentbank.models import (
    Invitation,
    Membership,
    MembershipRole,
    Municipality,
    Organisation,
    OrganisationKind,
    User,
)
from talentbank.organisations.inputs import InvitationInput, OrganisationInput
from talentbank.security import require


def get_organisation(session: Session, public_id: str | uuid.UUID) -> Organisation:
    return by_public_id(
        session, Organisation, public_id, selectinload(Organisation.memberships).selectinload(Membership.user)
    )


def select_organisations(*, kind: str | None = None, verified_only: bool = False) -> sa.Select:
    """Organisations (of one kind, or only verified ones) by name, with their municipalities. The id
    breaks ties between equal names, so paging by offset neither repeats nor skips one."""
    query = sa.select(Organisation).options(selectinload(Organisation.municipality))
    if kind in {k.value for k in OrganisationKind}:
        query = query.where(Organisation.kind == OrganisationKind(kind))
    if verified_only:
        query = query.where(Organisation.verified_at.is_not(None))
    return query.order_by(Organisation.name, Organisation.id)


def list_organisations(session: Session, *, kind: str | None = None) -> list[Organisation]:
    """All of `select_organisations`, for the pages."""
    return list(session.scalars(select_organisations(kind=kind)))


def organisations_of(session: Session, user: User) -> list[Membership]:
    return list(
        session.scalars(
            sa.select(Membership)
            .where(Membership.user_id == user.id)
            .options(selectinload(Membership.organisation))
            .order_by(Membership.id)
        )
    )


def _checked_fields(session: Session, details: OrganisationInput) -> dict[str, object]:
    if session.get(Municipality, details.municipality_code) is None:
        message = str(_l("北海道の市町村から選んでください。"))
        raise Invalid(message, {"municipality_code": message})
    if details.kind not in {k.value for k in OrganisationKind}:
        message = str(_l("種別を選んでください。"))
        raise Invalid(message, {"kind": message})
    return {
        "name": details.name.strip(),
        "name_en": (details.name_en or "").strip() or None,
        "kind": OrganisationKind(details.kind),
        "municipality_code": details.municipality_code,
        "description": (details.description or "").strip(),
        "website": (details.website or "").strip() or None,
    }


def create_organisation(session: Session, actor: User, details: OrganisationInput) -> Organisation:
    """Create an organisation; its creator becomes its first owner. It starts unverified."""
    require(actor, "create_organisation")
    organisation = Organisation(**_checked_fields(session, details))
    organisation.memberships.append(Membership(user=actor, role=MembershipRole.OWNER))
    session.add(organisation)
    session.flush()
    audit.record(session, actor, "organisation.create", object_type="organisation", object_id=organisation.public_id)
    return organisation


def update_organisation(session: Session, actor: User, organisation: Organisation, details: OrganisationInput) -> None:
    """Edit an organisation. Changing its kind or municipality withdraws verification."""
    require(actor, "edit", organisation)
    fields = _checked_fields(session, details)
    if organisation.is_verified and (
        fields["kind"] != organisation.kind or fields["municipality_code"] != organisation.municipality_code
    ):
        organisation.verified_at = None
        organisation.verified_by_id = None
    for name, value in fields.items():
        setattr(organisation, name, value)
    session.flush()
    audit.record(session, actor, "organisation.update", object_type="organisation", object_id=organisation.public_id)


def invite_member(
    session: Session,
    actor: User,
    organisation: Organisation,
    invitation: InvitationInput,
    *,
    base_url: str,
    days: int = 14,
    now: datetime | None = None,
) -> Invitation:
    """Invite an e-mail address to the organisation; the link in the mail works once, for that address."""
    require(actor, "invite", organisation)
    now = now or utcnow()
    email = normalise_email(invitation.email)
    if any(m.user.email == email for m in organisation.memberships):
        message = str(_l("この人はすでにメンバーです。"))
        raise Invalid(message, {"email": message})
    token = secrets.token_urlsafe(32)
    record = Invitation(
        organisation=organisation,
        email=email,
        role=MembershipRole(invitation.role),
        token_hash=hash_token(token),
        invited_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(record)
    invitee = session.scalar(sa.select(User).where(User.email == email))
    mail.queue_mail(
        session,
        to=email,
        template="invitation",
        locale=invitee.locale if invitee else actor.locale,
        base_url=base_url,
        token=token,
        organisation_name=organisation.name,
        inviter_name=actor.display_name,
    )
    session.flush()
    audit.record(
        session,
        actor,
        "organisation.invite",
        object_type="organisation",
        object_id=organisation.public_id,
        invitation_id=record.id,
    )
    return record


def pending_invitations(
    session: Session, organisation: Organisation, *, now: datetime | None = None
) -> list[Invitation]:
    now = now or utcnow()
    return list(
        session.scalars(
            sa.select(Invitation)
            .where(
                Invitation.organisation_id == organisation.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > now,
            )
            .order_by(Invitation.id)
        )
    )


def find_invitation(session: Session, token: str, *, now: datetime | None = None) -> Invitation:
    now = now or utcnow()
    invitation = session.scalar(sa.select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if invitation is None or invitation.accepted_at or invitation.revoked_at or invitation.expires_at <= now:
        raise NotFound(str(_l("この招待は無効か、期限が切れています。")))
    return invitation


def accept_invitation(session: Session, actor: User, token: str, *, now: datetime | None = None) -> Membership:
    """Join the organisation named by an invitation sent to the actor's confirmed e-mail address."""
    now = now or utcnow()
    invitation = find_invitation(session, token, now=now)
    if actor.email != invitation.email or actor.email_verified_at is None:
        raise Invalid(str(_l("この招待は別のメールアドレス宛てです。招待されたアドレスでログインしてください。")))
    organisation = invitation.organisation
    if any(m.user_id == actor.id for m in organisation.memberships):
        raise Conflict(str(_l("すでにこの組織のメンバーです。")))
    membership = Membership(organisation=organisation, user=actor, role=invitation.role, created_at=now)
    session.add(membership)
    invitation.accepted_at = now
    session.flush()
    audit.record(session, actor, "organisation.join", object_type="organisation", object_id=organisation.public_id)
    return membership


def revoke_invitation(session: Session, actor: User, organisation: Organisation, invitation_id: int) -> None:
    require(actor, "invite", organisation)
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != organisation.id:
        raise NotFound()
    invitation.revoked_at = invitation.revoked_at or utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "organisation.invitation_revoked",
        object_type="organisation",
        object_id=organisation.public_id,
        invitation_id=invitation.id,
    )


def _membership(organisation: Organisation, membership_id: int) -> Membership:
    for membership in organisation.memberships:
        if membership.id == membership_id:
            return membership
    raise NotFound()


def _owners(organisation: Organisation) -> list[Membership]:
    return [m for m in organisation.memberships if m.role is MembershipRole.OWNER]


def change_role(session: Session, actor: User, organisation: Organisation, membership_id: int, role: str) -> None:
    """Make a member an owner or a plain member; an organisation always keeps at least one owner."""
    require(actor, "manage_members", organisation)
    membership = _membership(organisation, membership_id)
    new_role = MembershipRole(role)
    if new_role is MembershipRole.MEMBER and _owners(organisation) == [membership]:
        raise Invalid(str(_l("最後の管理者の役割は変更できません。")))
    membership.role = new_role
    session.flush()
    audit.record(
        session,
        actor,
        "organisation.role_changed",
        object_type="organisation",
        object_id=organisation.public_id,
        member=membership.user.public_id,
        role=new_role.value,
    )


def remove_member(session: Session, actor: User, organisation: Organisation, membership_id: int) -> None:
    """Remove a member (owners), or leave (anyone, for themselves); the last owner cannot go."""
    membership = _membership(organisation, membership_id)
    if membership.user_id != actor.id:
        require(actor, "manage_members", organisation)
    if _owners(organisation) == [membership]:
        raise Invalid(str(_l("最後の管理者は削除できません。先に別の管理者を指名してください。")))
    organisation.memberships.remove(membership)
    session.flush()
    audit.record(
        session,
        actor,
        "organisation.member_removed",
        object_type="organisation",
        object_id=organisation.public_id,
        member=membership.user.public_id,
    )


def set_verified(
    session: Session, actor: User, organisation: Organisation, verified: bool, *, now: datetime | None = None
) -> None:
    """Mark an organisation verified (or withdraw it). Site admins only."""
    require(actor, "verify_organisation", organisation)
    organisation.verified_at = (now or utcnow()) if verified else None
    organisation.verified_by_id = actor.id if verified else None
    session.flush()
    audit.record(
        session,
        actor,
        "organisation.verify" if verified else "organisation.unverify",
        object_type="organisation",
        object_id=organisation.public_id,
    )
