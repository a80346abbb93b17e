"""The caller's own account over the API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flask import g
from pydantic import ConfigDict, Field

from talentbank import db, notifications
from talentbank.api.core import api_actor, bp, operation, params
from talentbank.api.schemas import Out, PageQuery, page_of, paginate_sql
from talentbank.models import MembershipRole, OrganisationKind
from talentbank.organisations.services import organisations_of
from talentbank.profiles.data_rights import export_personal_data


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


class NotificationOut(Out):
    text: str
    url: str | None = Field(description="the page it is about (a path on this site)")
    kind: str
    created_at: datetime
    read_at: datetime | None


NotificationPage = page_of(NotificationOut, "NotificationPage")


class NotificationQuery(PageQuery):
    unread: bool = Field(False, description="only those not yet read")


class MarkedRead(Out):
    marked: int = Field(description="how many were unread")


@bp.get("/me/notifications")
@operation(tag="account", scope="read", query=NotificationQuery, ok=NotificationPage)
def my_notifications():
    """The caller's notifications (applications, invitations, answers, completions), newest first"""
    query = params()
    selected = notifications.select_of_user(api_actor(), unread_only=query.unread)
    return paginate_sql(query, selected, convert=NotificationOut.model_validate)


@bp.post("/me/notifications/read")
@operation(tag="account", scope="write", ok=MarkedRead)
def mark_notifications_read():
    """Mark all of the caller's notifications as read"""
    return MarkedRead(marked=notifications.mark_all_read(db.session, api_actor()))


class PersonalDataOut(Out):
    """Everything held about the caller (APPI Art. 33), the same document as the page's JSON export."""

    model_config = ConfigDict(extra="allow")

    format: str = Field(description="talentbank-personal-data/1")
    exported_at: str
    account: dict[str, Any]
    profile: dict[str, Any] | None
    memberships: list[dict[str, Any]]
    activity: list[dict[str, Any]]
    mail: list[dict[str, Any]]
    notifications: list[dict[str, Any]]
    api_tokens: list[dict[str, Any]] = Field(description="token metadata only; secrets are never stored")


@bp.get("/me/export")
@operation(tag="account", scope="read", ok=PersonalDataOut)
def export_my_data():
    """Everything held about the caller: account, profile, memberships, activity, mail, notifications, tokens"""
    return export_personal_data(db.session, api_actor())
