"""Small factory functions for test data. Each flushes; the client fixture commits before requests."""

from __future__ import annotations

import itertools
from datetime import date
from types import MappingProxyType

import sqlalchemy as sa
from sqlalchemy.orm import Session

from talentbank.accounts.passwords import hasher
from talentbank.db import utcnow
from talentbank.models import (
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    Project,
    ProjectNeed,
    ProjectPay,
    ProjectStatus,
    ProjectWorkMode,
    Theme,
    User,
)

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)
_HASH = hasher("fast").hash(PASSWORD)


def count(session: Session, model) -> int:
    """How many rows of `model` the database holds (what a refused write must leave unchanged)."""
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def make_user(session: Session, *, email: str | None = None, verified: bool = True, **fields) -> User:
    number = next(_seq)
    user = User(
        email=email or f"person{number}@example.jp",
        display_name=fields.pop("display_name", f"人材{number}"),
        password_hash=_HASH,
        email_verified_at=utcnow() if verified else None,
        **fields,
    )
    session.add(user)
    session.flush()
    return user


def make_organisation(
    session: Session,
    *,
    owner: User | None = None,
    kind: OrganisationKind = OrganisationKind.MUNICIPALITY,
    municipality_code: str = "016331",
    verified: bool = False,
    **fields,
) -> Organisation:
    owner = owner or make_user(session)
    organisation = Organisation(
        name=fields.pop("name", f"組織{next(_seq)}"),
        kind=kind,
        municipality_code=municipality_code,
        verified_at=utcnow() if verified else None,
        **fields,
    )
    organisation.memberships.append(Membership(user=owner, role=MembershipRole.OWNER))
    session.add(organisation)
    session.flush()
    return organisation


def add_member(session: Session, organisation: Organisation, user: User, role=MembershipRole.MEMBER) -> Membership:
    membership = Membership(organisation=organisation, user=user, role=role)
    session.add(membership)
    session.flush()
    return membership


def make_profile(session: Session, *, owner: User | None = None, skills: dict[str, int] | None = None, **fields):
    """A profile (indexed for search); `skills` maps DSS codes to self-declared levels."""
    from talentbank.models import Profile, ProfileSkill, Visibility
    from talentbank.profiles.search import reindex_profile

    owner = owner or make_user(session)
    fields.setdefault("visibility", Visibility.PUBLIC)
    profile = Profile(user=owner, display_name=fields.pop("display_name", owner.display_name), **fields)
    profile.skills = [ProfileSkill(skill_code=code, level=level) for code, level in (skills or {}).items()]
    session.add(profile)
    session.flush()
    session.refresh(profile)
    reindex_profile(session, profile)
    session.flush()
    return profile


# The columns of an open remote project, but for its title and organisation: `make_project`'s, and those
# of tests that insert many projects in one statement.
PROJECT_DEFAULTS = MappingProxyType(
    {
        "problem": "課題",
        "expected_outcome": "成果",
        "theme": Theme.AGRICULTURE,
        "municipality_code": "011002",
        "work_mode": ProjectWorkMode.REMOTE,
        "hours_per_week": 8,
        "starts_on": date(2026, 12, 1),
        "pay_kind": ProjectPay.HOURLY,
        "pay_yen": 2000,
        "status": ProjectStatus.OPEN,
    }
)


def make_project(session: Session, organisation: Organisation, *, needs=(("dssp2-36", 2, True),), **fields):
    """An open remote project (`PROJECT_DEFAULTS`); `needs` holds (DSS code, minimum level, must-have) triples.

    A project in a status only reached through open gets `opened_at` (its `created_at` when given, else
    now) unless the caller sets it; drafts and cancelled ones get none."""
    status = fields.get("status", PROJECT_DEFAULTS["status"])
    if status not in (ProjectStatus.DRAFT, ProjectStatus.CANCELLED):
        fields.setdefault("opened_at", fields.get("created_at") or utcnow())
    project = Project(
        organisation=organisation,
        needs=[ProjectNeed(skill_code=code, min_level=level, is_must=must) for code, level, must in needs],
        **{"title": f"データ活用{next(_seq)}", **PROJECT_DEFAULTS, **fields},
    )
    session.add(project)
    session.flush()
    return project
