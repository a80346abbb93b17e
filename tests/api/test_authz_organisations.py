"""Authorization matrix for organisations: creating and editing, members, roles, invitations, and issuer
set-up and keys.

The organisation is `world.organisation` (a verified school owned by `world.issuer`, with `world.member` as
a plain member, already an issuer). Owners and site admins manage members ("edit", "manage_members",
"invite"); only owners set up an issuer or rotate its keys ("manage_issuer"), not admins.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from talentbank.accounts.services import hash_token
from talentbank.db import utcnow
from talentbank.models import Invitation, MembershipRole, OrganisationKind
from talentbank.organisations import services
from talentbank.organisations.inputs import InvitationInput
from tests.api.matrix import ROLES, Row, World, build_world, case_id, matrix_cases, run_row
from tests.factories import add_member, make_organisation

INVITATION_TOKEN = "matrix-invitation-token-0123456789abcdef"
ORGANISATION = {"name": "新しい組織", "kind": "company", "municipality_code": "011002"}


def expect(**statuses: int) -> dict[str, int]:
    assert set(statuses) == set(ROLES), set(ROLES) ^ set(statuses)
    return statuses


def owners_and_admin(status: int) -> dict[str, int]:
    return expect(anonymous=401, other_person=403, owner=403, other_org_member=403, org_member=403,
                  issuer=status, admin=status)  # fmt: skip


OWNERS_ONLY = expect(anonymous=401, other_person=403, owner=403, other_org_member=403, org_member=403, issuer=200,
                     admin=403)  # fmt: skip


def _organisation_path(world: World, suffix: str = "") -> str:
    return f"/api/v1/organisations/{world.organisation.public_id}{suffix}"


def _pending_invitation(world: World) -> None:
    invitation = services.invite_member(
        world.db, world.issuer, world.organisation, InvitationInput(email="invitee@example.jp", role="member"),
        base_url="http://localhost",
    )  # fmt: skip
    world.made["invitation"] = invitation.token_hash[:32]


def _invitation_for_the_owner(world: World) -> None:
    """An invitation to world.organisation addressed to world.person, whose token the test knows."""
    world.db.add(
        Invitation(
            organisation=world.organisation,
            email=world.person.email,
            role=MembershipRole.MEMBER,
            token_hash=hash_token(INVITATION_TOKEN),
            invited_by=world.issuer,
            expires_at=utcnow() + timedelta(days=7),
        )
    )
    world.db.flush()


def _new_verified_organisation(world: World) -> None:
    """A verified organisation that is not yet an issuer, owned by world.issuer with world.member."""
    organisation = make_organisation(world.db, owner=world.issuer, kind=OrganisationKind.COMPANY, verified=True)
    add_member(world.db, organisation, world.member)
    world.made["organisation"] = organisation.public_id


ROWS = [
    Row(
        "create_organisation",
        lambda w: ("POST", "/api/v1/organisations", ORGANISATION),
        expect(anonymous=401, other_person=201, owner=201, other_org_member=201, org_member=201, issuer=201, admin=201),
    ),
    Row(
        "update_organisation",
        lambda w: ("PATCH", _organisation_path(w), {"description": "高専です。"}),
        owners_and_admin(200),
    ),
    Row(
        "invite_member",
        lambda w: ("POST", _organisation_path(w, "/invitations"), {"email": "newcomer@example.jp"}),
        owners_and_admin(201),
    ),
    Row(
        "revoke_invitation",
        lambda w: ("DELETE", _organisation_path(w, f"/invitations/{w.made['invitation']}"), None),
        owners_and_admin(204),
        prepare=_pending_invitation,
    ),
    Row(
        "change_member_role",
        lambda w: ("PUT", _organisation_path(w, f"/members/{w.member.public_id}/role"), {"role": "owner"}),
        owners_and_admin(200),
    ),
    # A member may leave by themselves; owners and admins may remove them.
    Row(
        "remove_member",
        lambda w: ("DELETE", _organisation_path(w, f"/members/{w.member.public_id}"), None),
        {**owners_and_admin(204), "org_member": 204},
    ),
    # Only the addressee (a confirmed account with that e-mail) may use the token; the others are told so.
    Row(
        "accept_invitation",
        lambda w: ("POST", "/api/v1/invitations/accept", {"token": INVITATION_TOKEN}),
        expect(anonymous=401, other_person=422, owner=200, other_org_member=422, org_member=422, issuer=422, admin=422),
        prepare=_invitation_for_the_owner,
    ),
    Row(
        "setup_issuer",
        lambda w: ("POST", f"/api/v1/organisations/{w.made['organisation']}/issuer", None),
        {**OWNERS_ONLY, "issuer": 201},
        prepare=_new_verified_organisation,
    ),
    # world.organisation is an issuer already: a second set-up is a conflict, for its owner.
    Row("setup_issuer", lambda w: ("POST", _organisation_path(w, "/issuer"), None), {**OWNERS_ONLY, "issuer": 409}),
    Row("rotate_issuer_key", lambda w: ("POST", _organisation_path(w, "/issuer/rotate"), {}), OWNERS_ONLY),
]


@pytest.mark.parametrize(("row", "role"), matrix_cases(ROWS), ids=case_id)
def test_authorization_matrix(row, role, db, app, client):
    run_row(row, role, build_world(db, app), client)
