"""Importing other issuers' credentials through the API: as JSON, as a VC-JWT string or as a baked image;
listing and removing them. Only a credential that verifies and names the caller makes its skills count."""

from __future__ import annotations

import io
import uuid

import sqlalchemy as sa

from talentbank.credentials import achievements, imports, issuers, issuing
from talentbank.credentials.context import issuer_context
from talentbank.credentials.inputs import AchievementInput, AwardInput
from talentbank.models import ImportedCredential, OrganisationKind, ProfileSkill, SkillSource
from tests.api.conftest import bearer
from tests.factories import make_organisation, make_profile, make_user

PATH = "/api/v1/me/credentials/imported"


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def credential_for(app, db, email: str, proof_format: str = "jwt"):
    owner = make_user(db)
    organisation = make_organisation(db, owner=owner, kind=OrganisationKind.SCHOOL, verified=True)
    details = AchievementInput(
        name="クラウド基礎", description="d", criteria="c", tags="", expiry_months=None, proof_format=proof_format,
        skill_code="dssp2-52", skill_level=3, skill_code_2="", skill_level_2=1,
    )  # fmt: skip
    with app.test_request_context():
        issuers.setup_issuer(db, owner, organisation, issuer_context())
        achievement = achievements.create_achievement(db, owner, organisation, details)
        award = AwardInput(email=email, name="受講者", evidence_url="", narrative="")
        credential = issuing.issue_credential(db, owner, achievement, award, issuer_context())
    db.flush()
    return credential


def badge_skills(db, profile) -> list[tuple[str, int]]:
    return [
        (s.skill_code, s.level)
        for s in db.scalars(sa.select(ProfileSkill).where(ProfileSkill.profile_id == profile.id))
        if s.source is SkillSource.BADGE
    ]


def test_import_a_jwt_then_list_and_remove_it(client, app, db, make_token):
    person = make_user(db)
    profile = make_profile(db, owner=person)
    secret = make_token(person)
    credential = credential_for(app, db, person.email)
    response = client.post(PATH, json={"credential": credential.jwt}, headers=bearer(secret))
    assert response.status_code == 201, response.get_json()
    imported = response.get_json()
    assert imported["verified"] and imported["recipient_matches"] and imported["counts"]
    assert imported["skills"] == [{"code": "dssp2-52", "level": 3}]
    assert imported["verification"]["verified"] is True
    assert [i["id"] for i in imported["imported"]] == [imported["id"]]  # one badge: the list holds it alone
    assert badge_skills(db, profile) == [("dssp2-52", 3)]
    listed = client.get(PATH, headers=bearer(secret)).get_json()
    assert [i["id"] for i in listed["items"]] == [imported["id"]] and "verification" not in listed["items"][0]
    assert client.delete(f"{PATH}/{imported['id']}", headers=bearer(secret)).status_code == 204
    assert client.get(PATH, headers=bearer(secret)).get_json()["items"] == []
    assert badge_skills(db, profile) == []
    problem(client.delete(f"{PATH}/{imported['id']}", headers=bearer(secret)), 404)


def test_import_json_and_a_baked_image(client, app, db, make_token):
    person = make_user(db)
    make_profile(db, owner=person)
    secret = make_token(person)
    credential = credential_for(app, db, person.email, proof_format="di")
    response = client.post(PATH, json={"credential": credential.document}, headers=bearer(secret))
    assert response.status_code == 201 and response.get_json()["counts"] is True
    png = client.get(f"/credentials/{credential.public_id}/badge.png").data
    response = client.post(
        PATH, data={"image": (io.BytesIO(png), "badge.png")}, headers=bearer(secret), content_type="multipart/form-data"
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["achievement_name"] == "クラウド基礎"


def _upload(client, data: bytes, filename: str, secret: str):
    return client.post(
        PATH, data={"image": (io.BytesIO(data), filename)}, headers=bearer(secret), content_type="multipart/form-data"
    )


def test_import_the_downloaded_json_and_jwt_files(client, app, db, make_token):
    person = make_user(db)
    profile = make_profile(db, owner=person)
    secret = make_token(person)
    signed_json = credential_for(app, db, person.email, proof_format="di")
    vc_jwt = credential_for(app, db, person.email, proof_format="jwt")
    files = [
        (client.get(f"/credentials/{signed_json.public_id}/credential.json").data, "credential.json"),
        (client.get(f"/credentials/{vc_jwt.public_id}/credential.jwt").data, "credential.jwt"),
    ]
    for data, filename in files:
        response = _upload(client, data, filename, secret)
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["counts"] is True and response.get_json()["verification"]["verified"] is True
    raw = [i.raw for i in db.scalars(sa.select(ImportedCredential).order_by(ImportedCredential.id))]
    assert raw[1] == vc_jwt.jwt and '"proof"' in raw[0]
    assert badge_skills(db, profile) == [("dssp2-52", 3)]


def test_files_with_no_credential_are_a_422_and_nothing_is_saved(client, app, db, make_token):
    person = make_user(db)
    make_profile(db, owner=person)
    secret = make_token(person)
    for data, filename in [
        (b"\x00\x01\x02\xff garbage", "credential.json"),
        ("ただのメモ".encode(), "credential.jwt"),
        (b'{"unterminated": ', "credential.json"),
        (b'{"a":' * 100_000, "deep.json"),
        (b"", "empty.jwt"),
    ]:
        body = problem(_upload(client, data, filename, secret), 422)
        assert set(body["fields"]) == {"image"}, filename
    assert db.scalar(sa.select(sa.func.count()).select_from(ImportedCredential)) == 0


def test_someone_elses_credential_is_kept_but_does_not_count(client, app, db, make_token):
    person = make_user(db)
    profile = make_profile(db, owner=person)
    credential = credential_for(app, db, "someone.else@example.jp")
    response = client.post(PATH, json={"credential": credential.jwt}, headers=bearer(make_token(person)))
    assert response.status_code == 201
    assert (response.get_json()["recipient_matches"], response.get_json()["counts"]) == (False, False)
    assert badge_skills(db, profile) == []
    # Any JSON object is kept as the page keeps it, marked unverified, with the failed checks.
    response = client.post(PATH, json={"credential": {"type": "nope"}}, headers=bearer(make_token(person)))
    assert response.status_code == 201 and response.get_json()["verified"] is False
    assert "proof_missing" in response.get_json()["failed_checks"] and badge_skills(db, profile) == []


def test_bad_imports_are_refused_and_nothing_is_saved(client, app, db, make_token):
    person = make_user(db)
    make_profile(db, owner=person)
    secret = make_token(person)
    problem(client.post(PATH, json={"credential": "not a credential"}, headers=bearer(secret)), 422)
    problem(client.post(PATH, json={}, headers=bearer(secret)), 422)
    problem(
        client.post(PATH, data={"image": (io.BytesIO(b"\x89PNG not really"), "x.png")}, headers=bearer(secret),
                    content_type="multipart/form-data"),
        422,
    )  # fmt: skip
    problem(client.delete(f"{PATH}/{uuid.uuid4()}", headers=bearer(secret)), 404)
    problem(client.delete(f"{PATH}/1", headers=bearer(secret)), 404)
    assert db.scalar(sa.select(sa.func.count()).select_from(ImportedCredential)) == 0


def test_without_a_profile_import_is_a_conflict_and_the_list_is_empty(client, app, db, make_token):
    person = make_user(db)
    secret = make_token(person)
    credential = credential_for(app, db, person.email)
    problem(client.post(PATH, json={"credential": credential.jwt}, headers=bearer(secret)), 409)
    assert client.get(PATH, headers=bearer(secret)).get_json()["items"] == []
    problem(client.post(PATH, json={"credential": credential.jwt}), 401)


def test_someone_else_cannot_remove_an_import(client, app, db, make_token):
    person = make_user(db)
    profile = make_profile(db, owner=person)
    credential = credential_for(app, db, person.email)
    with app.test_request_context():
        imported, _ = imports.import_credential(db, person, profile, credential.jwt, issuer_context())
    other = make_user(db)
    make_profile(db, owner=other)
    problem(client.delete(f"{PATH}/{imported.public_id}", headers=bearer(make_token(other))), 404)
    assert db.get(ImportedCredential, imported.id) is not None
