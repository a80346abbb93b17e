"""The authorization matrix: every write operation × every role gets exactly the expected status.

A test module `tests/api/test_authz_<area>.py` lists `ROWS` (one `Row` per write operation) and calls
`run_row`; `test_authz_complete.py` checks that every non-GET operation appears in some module's ROWS.

Roles, as the World below builds them:
- anonymous: no credentials at all
- other_person: an ordinary account with its own profile, no organisation
- owner: the person the resource belongs to (the profile's owner, the applicant, the recipient)
- other_org_member: owner of a different verified organisation (and issuer there)
- org_member: a plain member of the organisation the resource belongs to
- issuer: the owner of that organisation, a verified issuer with keys set up
- admin: a site administrator with no membership
Every role except anonymous calls with a personal access token holding all three scopes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy.orm import Session

from talentbank.accounts.tokens import create_token
from talentbank.credentials import issuers
from talentbank.models import MembershipRole, Organisation, OrganisationKind, Profile, User
from tests.factories import add_member, make_organisation, make_profile, make_user

ROLES = ("anonymous", "other_person", "owner", "other_org_member", "org_member", "issuer", "admin")


@dataclass
class World:
    db: Session
    app: Flask
    person: User
    profile: Profile
    organisation: Organisation
    issuer: User
    member: User
    other_organisation: Organisation
    other_org_member: User
    other_person: User
    admin: User
    tokens: dict[str, str] = field(default_factory=dict)
    # What a row's `prepare` made (ids of projects, applications, credentials…), for its request.
    made: dict[str, Any] = field(default_factory=dict)

    def user(self, role: str) -> User | None:
        return {
            "anonymous": None,
            "other_person": self.other_person,
            "owner": self.person,
            "other_org_member": self.other_org_member,
            "org_member": self.member,
            "issuer": self.issuer,
            "admin": self.admin,
        }[role]

    def headers(self, role: str) -> dict[str, str]:
        secret = self.tokens.get(role)
        return {"Authorization": f"Bearer {secret}"} if secret else {}

    def issuer_context(self) -> issuers.IssuerContext:
        return issuers.IssuerContext(
            base_url=self.app.config["BASE_URL"].rstrip("/"), fernet=Fernet(self.app.config["KEY_ENCRYPTION_KEY"])
        )


def build_world(db: Session, app: Flask) -> World:
    person = make_user(db, display_name="本人")
    profile = make_profile(db, owner=person, skills={"dssp2-36": 3})
    issuer = make_user(db, display_name="発行者")
    organisation = make_organisation(db, owner=issuer, kind=OrganisationKind.SCHOOL, verified=True, name="高専")
    member = make_user(db, display_name="職員")
    add_member(db, organisation, member, MembershipRole.MEMBER)
    other_org_member = make_user(db, display_name="他組織")
    other_organisation = make_organisation(db, owner=other_org_member, verified=True, name="他の町")
    other_person = make_user(db, display_name="他人")
    make_profile(db, owner=other_person, skills={"dssp2-37": 2})
    admin = make_user(db, display_name="管理者", is_admin=True)
    world = World(
        db=db,
        app=app,
        person=person,
        profile=profile,
        organisation=organisation,
        issuer=issuer,
        member=member,
        other_organisation=other_organisation,
        other_org_member=other_org_member,
        other_person=other_person,
        admin=admin,
    )
    with app.test_request_context():
        issuers.setup_issuer(db, issuer, organisation, world.issuer_context())
        issuers.setup_issuer(db, other_org_member, other_organisation, world.issuer_context())
    for role in ROLES:
        user = world.user(role)
        if user is not None:
            world.tokens[role] = create_token(db, user, name=role, scopes=("read", "write", "issue"), days=7)[1]
    db.flush()
    return world


@dataclass(frozen=True)
class Row:
    """One write operation: how to prepare the resource, the request, and the status for each role."""

    operation: str  # the operationId (the view's name)
    request: Callable[[World], tuple[str, str, dict[str, Any] | None]]  # -> (method, path, json body)
    expected: dict[str, int]
    prepare: Callable[[World], None] = lambda world: None

    def __post_init__(self) -> None:
        assert set(self.expected) == set(ROLES), f"{self.operation}: give a status for every role"


def matrix_cases(rows: list[Row]) -> list[tuple[Row, str]]:
    return [(row, role) for row in rows for role in ROLES]


def case_id(value: Any) -> str:
    return value.operation if isinstance(value, Row) else str(value)


def run_row(row: Row, role: str, world: World, client) -> None:
    with world.app.test_request_context():
        row.prepare(world)
    world.db.commit()
    method, path, json_body = row.request(world)
    response = client.open(path, method=method, json=json_body, headers=world.headers(role))
    assert response.status_code == row.expected[role], (
        f"{row.operation} as {role}: {response.status_code} {response.get_data(as_text=True)[:400]}"
    )
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"
