"""Organisations through the API: register and edit, members and roles, invitations by e-mail (accepted
with the mailed token), and issuer set-up and key rotation. The same services as the pages."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from talentbank.models import AuditEvent, Invitation, Membership, MembershipRole, Organisation, OrganisationKind
from tests.api.conftest import bearer
from tests.factories import add_member, make_organisation, make_user
from tests.web.helpers import link_in, outbox

BODY = {
    "name": "音威子府データ工房",
    "name_en": "Otoineppu Data Works",
    "kind": "company",
    "municipality_code": "014729",
    "description": "村のデータを整える会社です。",
    "website": "https://example.jp/",
}


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def test_create_makes_the_caller_owner_of_an_unverified_organisation(client, db, make_token):
    user = make_user(db)
    response = client.post("/api/v1/organisations", json=BODY, headers=bearer(make_token(user)))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["name"] == BODY["name"] and created["verified"] is False and created["kind"] == "company"
    organisation = db.scalar(sa.select(Organisation).where(Organisation.public_id == uuid.UUID(created["id"])))
    assert [(m.user_id, m.role) for m in organisation.memberships] == [(user.id, MembershipRole.OWNER)]
    assert db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "organisation.create")) is not None


def test_create_refuses_bad_input_and_saves_nothing(client, db, make_token):
    secret = make_token()
    before = db.scalar(sa.select(sa.func.count()).select_from(Organisation))
    for bad, field in [
        ({**BODY, "municipality_code": "999999"}, "municipality_code"),  # not a Hokkaido municipality
        ({**BODY, "kind": "cult"}, "kind"),
        ({**BODY, "website": "javascript:alert(1)"}, "website"),
        ({**BODY, "verified": True}, "verified"),  # no mass assignment
        ({**BODY, "name": ""}, "name"),
    ]:
        body = problem(client.post("/api/v1/organisations", json=bad, headers=bearer(secret)), 422)
        assert any(key.startswith(field) or key.endswith(field) for key in body["fields"]), (field, body)
    assert db.scalar(sa.select(sa.func.count()).select_from(Organisation)) == before


def test_patch_changes_only_the_given_fields_and_moving_withdraws_verification(client, db, make_token):
    owner = make_user(db)
    organisation = make_organisation(db, owner=owner, verified=True, name="旧名", description="紹介")
    secret = make_token(owner)
    path = f"/api/v1/organisations/{organisation.public_id}"
    response = client.patch(path, json={"name": "新名"}, headers=bearer(secret))
    assert response.status_code == 200 and response.get_json()["verified"] is True
    db.refresh(organisation)
    assert (organisation.name, organisation.description) == ("新名", "紹介")
    response = client.patch(path, json={"municipality_code": "011002"}, headers=bearer(secret))
    assert response.status_code == 200 and response.get_json()["verified"] is False
    problem(client.patch(path, json={"name": None}, headers=bearer(secret)), 422)


def test_a_plain_member_cannot_edit(client, db, make_token):
    organisation = make_organisation(db, name="そのまま")
    member = make_user(db)
    add_member(db, organisation, member)
    path = f"/api/v1/organisations/{organisation.public_id}"
    problem(client.patch(path, json={"name": "乗っ取り"}, headers=bearer(make_token(member))), 403)
    db.refresh(organisation)
    assert organisation.name == "そのまま"


def test_members_are_listed_to_members_only_without_email_addresses(client, db, make_token):
    owner = make_user(db, display_name="代表")
    organisation = make_organisation(db, owner=owner)
    add_member(db, organisation, make_user(db, display_name="職員"))
    path = f"/api/v1/organisations/{organisation.public_id}/members"
    response = client.get(path, headers=bearer(make_token(owner)))
    assert response.status_code == 200
    members = response.get_json()["items"]
    assert [(m["display_name"], m["role"]) for m in members] == [("代表", "owner"), ("職員", "member")]
    assert owner.email not in response.get_data(as_text=True)
    problem(client.get(path, headers=bearer(make_token())), 403)
    problem(client.get(path), 401)


def test_invite_accept_with_the_mailed_token(client, db, make_token):
    owner = make_user(db)
    organisation = make_organisation(db, owner=owner)
    invitee = make_user(db, email="staff@example.jp")
    base = f"/api/v1/organisations/{organisation.public_id}"
    response = client.post(
        f"{base}/invitations", json={"email": "Staff@Example.jp", "role": "owner"}, headers=bearer(make_token(owner))
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["email"] == "staff@example.jp"
    listed = client.get(f"{base}/invitations", headers=bearer(make_token(owner))).get_json()["items"]
    assert [i["id"] for i in listed] == [response.get_json()["id"]]
    token = link_in(outbox(db, "staff@example.jp")[0], "/invitations/").rsplit("/", 1)[-1]
    # The token goes in the body, never in the URL; a wrong token is 404, a second use too.
    problem(client.post("/api/v1/invitations/accept", json={"token": "x" * 43}, headers=bearer(make_token(invitee))),
            404)  # fmt: skip
    response = client.post("/api/v1/invitations/accept", json={"token": token}, headers=bearer(make_token(invitee)))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["role"] == "owner"
    assert response.get_json()["organisation"]["id"] == str(organisation.public_id)
    problem(client.post("/api/v1/invitations/accept", json={"token": token}, headers=bearer(make_token(invitee))), 404)


def test_invitations_refuse_bad_input_and_non_owners(client, db, make_token):
    owner = make_user(db)
    organisation = make_organisation(db, owner=owner)
    member = make_user(db)
    add_member(db, organisation, member)
    path = f"/api/v1/organisations/{organisation.public_id}/invitations"
    problem(client.post(path, json={"email": "nope"}, headers=bearer(make_token(owner))), 422)
    problem(client.post(path, json={"email": member.email}, headers=bearer(make_token(owner))), 422)  # a member
    problem(client.post(path, json={"email": "x@example.jp"}, headers=bearer(make_token(member))), 403)
    problem(client.get(path, headers=bearer(make_token(member))), 403)
    assert db.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0 and outbox(db) == []


def test_revoking_an_invitation_stops_its_link(client, db, make_token):
    owner = make_user(db)
    organisation = make_organisation(db, owner=owner)
    secret = make_token(owner)
    path = f"/api/v1/organisations/{organisation.public_id}/invitations"
    invitation_id = client.post(path, json={"email": "later@example.jp"}, headers=bearer(secret)).get_json()["id"]
    assert client.delete(f"{path}/{invitation_id}", headers=bearer(secret)).status_code == 204
    assert client.get(path, headers=bearer(secret)).get_json()["items"] == []
    problem(client.delete(f"{path}/{invitation_id}", headers=bearer(secret)), 404)
    problem(client.delete(f"{path}/1", headers=bearer(secret)), 404)  # page-style numbers mean nothing here


def test_roles_and_removal_keep_one_owner(client, db, make_token):
    owner = make_user(db)
    organisation = make_organisation(db, owner=owner)
    member = make_user(db)
    add_member(db, organisation, member)
    secret = make_token(owner)
    base = f"/api/v1/organisations/{organisation.public_id}/members"
    problem(client.put(f"{base}/{owner.public_id}/role", json={"role": "member"}, headers=bearer(secret)), 422)
    problem(client.delete(f"{base}/{owner.public_id}", headers=bearer(secret)), 422)
    problem(client.put(f"{base}/{member.public_id}/role", json={"role": "boss"}, headers=bearer(secret)), 422)
    problem(client.put(f"{base}/{make_user(db).public_id}/role", json={"role": "owner"}, headers=bearer(secret)), 404)
    response = client.put(f"{base}/{member.public_id}/role", json={"role": "owner"}, headers=bearer(secret))
    assert response.status_code == 200 and response.get_json()["role"] == "owner"
    # Now the former sole owner may step down, and leave by themselves.
    assert (
        client.put(f"{base}/{owner.public_id}/role", json={"role": "member"}, headers=bearer(secret)).status_code == 200
    )
    assert client.delete(f"{base}/{owner.public_id}", headers=bearer(secret)).status_code == 204
    assert db.scalars(sa.select(Membership.user_id).where(Membership.organisation_id == organisation.id)).all() == [
        member.id
    ]


def test_issuer_setup_rotation_and_public_facts(client, db, make_token):
    owner = make_user(db)
    organisation = make_organisation(db, owner=owner, kind=OrganisationKind.SCHOOL, verified=True)
    secret = make_token(owner, scopes=("read", "issue"))
    path = f"/api/v1/organisations/{organisation.public_id}/issuer"
    problem(client.get(path), 404)
    response = client.post(path, headers=bearer(secret))
    assert response.status_code == 201, response.get_json()
    issuer = response.get_json()
    assert issuer["did"].startswith("did:web:") and len(issuer["keys"]) == 1 and issuer["keys"][0]["active"]
    problem(client.post(path, headers=bearer(secret)), 409)
    rotated = client.post(f"{path}/rotate", json={}, headers=bearer(secret)).get_json()
    assert [k["active"] for k in rotated["keys"]] == [False, True]  # the retired key stays published
    withdrawn = client.post(f"{path}/rotate", json={"compromised": True}, headers=bearer(secret)).get_json()
    assert len(withdrawn["keys"]) == 2 and rotated["keys"][1]["id"] not in {k["id"] for k in withdrawn["keys"]}
    public = client.get(path).get_json()
    assert public == withdrawn
    did_document = client.get(public["did_document_url"].removeprefix("http://localhost")).get_json()
    assert {k["id"] for k in public["keys"]} <= {m["id"] for m in did_document["verificationMethod"]}
    problem(client.post(f"{path}/rotate", json={"compromised": [True]}, headers=bearer(secret)), 422)


def test_issuer_setup_needs_the_issue_scope_and_a_verified_organisation(client, db, make_token):
    owner = make_user(db)
    unverified = make_organisation(db, owner=owner)
    path = f"/api/v1/organisations/{unverified.public_id}/issuer"
    problem(client.post(path, headers=bearer(make_token(owner, scopes=("read", "write")))), 403)
    problem(client.post(path, headers=bearer(make_token(owner))), 403)
