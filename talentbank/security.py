"""Who may do what: the one place that decides. `require` raises `PermissionDenied`."""

from __future__ import annotations

from typing import Any

from talentbank.errors import PermissionDenied
from talentbank.models import MembershipRole, Organisation, OrganisationKind, Profile, User, Visibility


def _is_user(actor: Any) -> bool:
    return isinstance(actor, User) and actor.is_active


def is_admin(actor: Any) -> bool:
    return _is_user(actor) and actor.is_admin


def role_in(actor: Any, organisation: Organisation) -> MembershipRole | None:
    if not _is_user(actor):
        return None
    for membership in organisation.memberships:
        if membership.user_id == actor.id:
            return membership.role
    return None


def can(actor: Any, action: str, obj: Any = None) -> bool:
    """True when `actor` (a User, or None/anonymous) may do `action` to `obj`."""
    if action in {"create_organisation", "create_profile"}:
        return _is_user(actor)
    if action in {"verify_organisation", "view_outbox", "admin"}:
        return is_admin(actor)
    if action == "view_staff_statistics":  # exact (unsuppressed) supply figures: 道庁 staff and admins
        return is_admin(actor) or (
            _is_user(actor)
            and any(m.organisation.kind is OrganisationKind.PREFECTURE and m.organisation.is_verified
                    for m in actor.memberships)
        )  # fmt: skip
    if isinstance(obj, Profile):
        return _can_on_profile(actor, action, obj)
    if isinstance(obj, Organisation):
        role = role_in(actor, obj)
        if action in {"edit", "manage_members", "invite"}:
            return role is MembershipRole.OWNER or is_admin(actor)
        if action == "view_members":
            return role is not None or is_admin(actor)
        # Issuing needs a verified organisation: set-up and keys by its owners, awards by any member.
        if action == "manage_issuer":
            return obj.is_verified and role is MembershipRole.OWNER
        if action == "issue":
            return obj.is_verified and role is not None
        # Internship allocation rounds: members of a verified prefecture office or school.
        if action == "run_allocation":
            return (
                obj.is_verified
                and obj.kind in (OrganisationKind.PREFECTURE, OrganisationKind.SCHOOL)
                and (role is not None or is_admin(actor))
            )
        # 学びの場: members of a verified organisation publish learning and manage its learners.
        if action == "publish_learning":
            return obj.is_verified and role is not None
        # Any member drafts and manages projects; publishing also needs verification (checked there).
        if action == "post_project":
            return role is not None
    return False


def _can_on_profile(actor: Any, action: str, profile: Profile) -> bool:
    is_owner = _is_user(actor) and profile.user_id == actor.id
    if action == "edit":
        return is_owner
    if action == "view":
        if is_owner:
            return True
        if profile.is_hidden or profile.visibility is Visibility.PRIVATE:
            return False
        return profile.visibility is Visibility.PUBLIC or _is_user(actor)
    return False


def require(actor: Any, action: str, obj: Any = None) -> None:
    if not can(actor, action, obj):
        raise PermissionDenied(action=action)
