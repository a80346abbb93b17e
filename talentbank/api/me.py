"""The caller's own account over the API."""

from __future__ import annotations

import uuid

from flask import g
from pydantic import Field

from talentbank import db
from talentbank.api.core import Out, api_actor, bp, operation
from talentbank.models import MembershipRole, OrganisationKind
from talentbank.organisations.services import organisations_of


class MembershipOut(Out):
    organisation_id: uuid.UUID
    organisation_name: str
    kind: OrganisationKind
    role: MembershipRole
    verified: bool


class MeOut(Out):
    id: uuid.UUID
    display_name: str
    email: str
    locale: str
    is_admin: bool
    profile_id: uuid.UUID | None
    memberships: list[MembershipOut]
    scopes: list[str] = Field(description="what this request may do: read, write, issue")
    via: str = Field(description="token or session")


@bp.get("/me")
@operation(tag="account", scope="read", ok=MeOut)
def me():
    """Who the caller is: account, organisations and roles, and the scopes of this request"""
    user = api_actor()
    return MeOut(
        id=user.public_id,
        display_name=user.display_name,
        email=user.email,
        locale=user.locale,
        is_admin=user.is_admin,
        profile_id=user.profile.public_id if user.profile else None,
        memberships=[
            MembershipOut(
                organisation_id=m.organisation.public_id,
                organisation_name=m.organisation.name,
                kind=m.organisation.kind,
                role=m.role,
                verified=m.organisation.is_verified,
            )
            for m in organisations_of(db.session, user)
        ],
        scopes=sorted(g.api_scopes),
        via="token" if g.api_via_token else "session",
    )
