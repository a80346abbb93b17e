"""Organisations over the API: public fields for anyone; creating, editing, members, roles and invitations
for the people the pages allow (the same services decide)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from flask import current_app, url_for
from flask_babel import gettext as _
from pydantic import Field

from talentbank import db
from talentbank.api.core import api_actor, body, bp, operation, params
from talentbank.api.schemas import MULTI_LINE, TEXT, Email, Model, Out, PageQuery, page_of, paginate, paginate_sql
from talentbank.errors import Invalid, NotFound
from talentbank.models import Invitation, Membership, MembershipRole, Organisation, OrganisationKind
from talentbank.organisations import services
from talentbank.organisations.inputs import InvitationInput, OrganisationInput
from talentbank.security import require


class OrganisationOut(Out):
    id: uuid.UUID
    name: str
    name_en: str | None
    kind: OrganisationKind
    municipality_code: str
    description: str
    website: str | None
    verified: bool
    verified_at: datetime | None
    url: str


OrganisationPage = page_of(OrganisationOut, "OrganisationPage")


class OrganisationQuery(PageQuery):
    kind: OrganisationKind | None = None
    verified: bool = Field(False, description="only organisations verified by the site administrators")


def organisation_out(organisation) -> OrganisationOut:
    return OrganisationOut(
        id=organisation.public_id,
        name=organisation.name,
        name_en=organisation.name_en,
        kind=organisation.kind,
        municipality_code=organisation.municipality_code,
        description=organisation.description,
        website=organisation.website,
        verified=organisation.is_verified,
        verified_at=organisation.verified_at,
        url=url_for("organisations.show", public_id=organisation.public_id, _external=True),
    )


@bp.get("/organisations")
@operation(tag="organisations", public=True, query=OrganisationQuery, ok=OrganisationPage)
def list_organisations():
    """Organisations (municipalities, companies, schools, the prefecture office, NPOs)"""
    query = params()
    kind = query.kind.value if query.kind else None
    selected = services.select_organisations(kind=kind, verified_only=query.verified)
    return paginate_sql(query, selected, convert=organisation_out)


@bp.get("/organisations/<organisation_id>")
@operation(tag="organisations", public=True, ok=OrganisationOut)
def get_organisation(organisation_id: str):
    """One organisation's public fields"""
    return organisation_out(services.get_organisation(db.session, organisation_id))


# ---- creating and editing (owners) ---------------------------------------------------------------------

Website = Annotated[str, Field(max_length=300, pattern=r"^https?://[^\s/\x00]+\.[^\s\x00]+$",
                               description="http(s) URL of the organisation's site")]  # fmt: skip


class OrganisationFields(Model):
    name: str = Field(min_length=1, max_length=120, pattern=TEXT)
    name_en: str = Field("", max_length=120, pattern=TEXT, description="English name, optional")
    kind: OrganisationKind
    municipality_code: str = Field(pattern=r"^[0-9]{6}$", description="where it is: a Hokkaido municipality code")
    description: str = Field("", max_length=4000, pattern=TEXT, json_schema_extra=MULTI_LINE)
    website: Website | None = None


class OrganisationPatch(Model):
    """The fields to change; the others keep their value. Changing kind or municipality withdraws verification."""

    name: str | None = Field(None, min_length=1, max_length=120, pattern=TEXT)
    name_en: str | None = Field(None, max_length=120, pattern=TEXT)
    kind: OrganisationKind | None = None
    municipality_code: str | None = Field(None, pattern=r"^[0-9]{6}$")
    description: str | None = Field(None, max_length=4000, pattern=TEXT, json_schema_extra=MULTI_LINE)
    website: Website | None = None


def _organisation_input(values: dict[str, Any]) -> OrganisationInput:
    return OrganisationInput(
        name=values["name"],
        name_en=values.get("name_en") or "",
        kind=str(values["kind"].value if isinstance(values["kind"], OrganisationKind) else values["kind"]),
        municipality_code=values["municipality_code"],
        description=values.get("description") or "",
        website=values.get("website") or "",
    )


@bp.post("/organisations")
@operation(tag="organisations", scope="write", json=OrganisationFields, ok=OrganisationOut, status=201)
def create_organisation():
    """Register an organisation; the caller becomes its first owner. It starts unverified"""
    organisation = services.create_organisation(db.session, api_actor(), _organisation_input(body().model_dump()))
    return organisation_out(organisation), 201


@bp.patch("/organisations/<organisation_id>")
@operation(tag="organisations", scope="write", json=OrganisationPatch, ok=OrganisationOut)
def update_organisation(organisation_id: str):
    """Change some fields of an organisation (its owners)"""
    organisation = services.get_organisation(db.session, organisation_id)
    require(api_actor(), "edit", organisation)
    current = {
        "name": organisation.name,
        "name_en": organisation.name_en,
        "kind": organisation.kind,
        "municipality_code": organisation.municipality_code,
        "description": organisation.description,
        "website": organisation.website,
    }
    changes = body().model_dump(include=body().model_fields_set)
    for required in ("name", "kind", "municipality_code"):
        if required in changes and changes[required] is None:
            raise Invalid.on(required, _("入力してください。"))
    services.update_organisation(db.session, api_actor(), organisation, _organisation_input({**current, **changes}))
    return organisation_out(organisation)


# ---- members and invitations ---------------------------------------------------------------------------


class MemberOut(Out):
    user_id: uuid.UUID = Field(description="the member's account id (names them in the member operations)")
    display_name: str
    role: MembershipRole
    since: datetime


MemberPage = page_of(MemberOut, "MemberPage")


class InvitationOut(Out):
    id: str = Field(description="opaque id of the invitation (for revoking it)")
    email: str = Field(description="the address the invitation was sent to")
    role: MembershipRole
    created_at: datetime
    expires_at: datetime


InvitationPage = page_of(InvitationOut, "InvitationPage")


class InvitationIn(Model):
    email: Email
    role: MembershipRole = MembershipRole.MEMBER


class RoleIn(Model):
    role: MembershipRole


class AcceptInvitationIn(Model):
    token: str = Field(
        min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+$", description="the token from the invitation e-mail"
    )


def _invitation_id(invitation: Invitation) -> str:
    # The pages number invitations; the API names them by part of the stored token hash instead, which is
    # random (SHA-256 of a 256-bit secret) and reveals nothing of the token itself.
    return invitation.token_hash[:32]


def _member_out(membership: Membership) -> MemberOut:
    return MemberOut(
        user_id=membership.user.public_id,
        display_name=membership.user.display_name,
        role=membership.role,
        since=membership.created_at,
    )


def _membership_of(organisation: Organisation, user_id: str) -> Membership:
    for membership in organisation.memberships:
        if str(membership.user.public_id) == user_id:
            return membership
    raise NotFound()


@bp.get("/organisations/<organisation_id>/members")
@operation(tag="organisations", scope="read", query=PageQuery, ok=MemberPage)
def list_members(organisation_id: str):
    """The organisation's members and their roles (its members only)"""
    organisation = services.get_organisation(db.session, organisation_id)
    require(api_actor(), "view_members", organisation)
    return paginate([_member_out(m) for m in organisation.memberships], params())


@bp.put("/organisations/<organisation_id>/members/<user_id>/role")
@operation(tag="organisations", scope="write", json=RoleIn, ok=MemberOut)
def change_member_role(organisation_id: str, user_id: str):
    """Make a member an owner or a plain member (owners); the organisation keeps at least one owner"""
    organisation = services.get_organisation(db.session, organisation_id)
    require(api_actor(), "manage_members", organisation)
    membership = _membership_of(organisation, user_id)
    services.change_role(db.session, api_actor(), organisation, membership.id, body().role.value)
    return _member_out(membership)


@bp.delete("/organisations/<organisation_id>/members/<user_id>")
@operation(tag="organisations", scope="write", ok=None, status=204)
def remove_member(organisation_id: str, user_id: str):
    """Remove a member (owners), or leave the organisation (anyone, for themselves); the last owner stays"""
    organisation = services.get_organisation(db.session, organisation_id)
    actor = api_actor()
    if str(actor.public_id) != user_id:
        require(actor, "manage_members", organisation)
    services.remove_member(db.session, actor, organisation, _membership_of(organisation, user_id).id)
    return "", 204


@bp.get("/organisations/<organisation_id>/invitations")
@operation(tag="organisations", scope="read", query=PageQuery, ok=InvitationPage)
def list_invitations(organisation_id: str):
    """Invitations not yet accepted, revoked or expired (owners)"""
    organisation = services.get_organisation(db.session, organisation_id)
    require(api_actor(), "invite", organisation)
    found = services.pending_invitations(db.session, organisation)
    return paginate([_invitation_out(i) for i in found], params())


def _invitation_out(invitation: Invitation) -> InvitationOut:
    return InvitationOut(
        id=_invitation_id(invitation),
        email=invitation.email,
        role=invitation.role,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
    )


@bp.post("/organisations/<organisation_id>/invitations")
@operation(tag="organisations", scope="write", json=InvitationIn, ok=InvitationOut, status=201)
def invite_member(organisation_id: str):
    """Invite an e-mail address to join (owners); the address is mailed a link that works once"""
    organisation = services.get_organisation(db.session, organisation_id)
    require(api_actor(), "invite", organisation)
    request_body = body()
    invitation = services.invite_member(
        db.session,
        api_actor(),
        organisation,
        InvitationInput(email=request_body.email, role=request_body.role.value),
        base_url=current_app.config["BASE_URL"],
        days=current_app.config["INVITATION_DAYS"],
    )
    return _invitation_out(invitation), 201


@bp.delete("/organisations/<organisation_id>/invitations/<invitation_id>")
@operation(tag="organisations", scope="write", ok=None, status=204)
def revoke_invitation(organisation_id: str, invitation_id: str):
    """Revoke a pending invitation (owners): its link stops working"""
    organisation = services.get_organisation(db.session, organisation_id)
    require(api_actor(), "invite", organisation)
    for invitation in services.pending_invitations(db.session, organisation):
        if _invitation_id(invitation) == invitation_id:
            services.revoke_invitation(db.session, api_actor(), organisation, invitation.id)
            return "", 204
    raise NotFound()


class JoinedOut(Out):
    organisation: OrganisationOut
    role: MembershipRole


@bp.post("/invitations/accept")
@operation(tag="organisations", scope="write", json=AcceptInvitationIn, ok=JoinedOut, errors=(404, 409))
def accept_invitation():
    """Join an organisation with the token from an invitation sent to the caller's confirmed address"""
    membership = services.accept_invitation(db.session, api_actor(), body().token)
    return JoinedOut(organisation=organisation_out(membership.organisation), role=membership.role)
