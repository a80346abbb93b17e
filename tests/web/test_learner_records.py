"""Comprehensive Learner Records (CLR 2.0, issue 16) through the pages: an issuer bundles the badges it
gave a learner into a ClrCredential, in either proof format, as a track; the record validates against
1EdTech's official CLR 2.0 schema, verifies with every credential it holds, and its learner sees it."""

from __future__ import annotations

import json

import jwt
import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from badges.clr import clr_schema_errors
from talentbank.models import ImportedCredential, LearnerRecord, ProfileSkill, SkillSource, StatusList
from tests.factories import make_organisation, make_profile, make_user
from tests.web.helpers import outbox
from tests.web.test_credentials import award, create_achievement, setup_issuer

LEARNER = "learner@example.jp"


@pytest.fixture
def school(db):
    return make_organisation(db, kind="school", verified=True, name="道北工業高等専門学校")


def _two_badges(client, login, school) -> list[str]:
    setup_issuer(client, login, school)
    first = create_achievement(client, school, name="Python基礎", proof_format="jwt")
    second = create_achievement(client, school, name="データ分析", proof_format="di")
    award(client, first, email=LEARNER)
    award(client, second, email=LEARNER)
    return [first, second]


def _issue(client, school, ids, **changes):
    data = {"email": LEARNER, "achievement_ids": ids, "track_name": "デジタル人材育成トラック",
            "proof_format": "di", **changes}  # fmt: skip
    return client.post(f"/orgs/{school.public_id}/learner-records/new", data=data)


@pytest.mark.parametrize("proof_format", ["di", "jwt"])
def test_an_issuer_issues_a_learner_record_that_verifies_and_fits_the_official_schema(
    client, db, login, school, proof_format
):
    ids = _two_badges(client, login, school)
    page = client.get(f"/orgs/{school.public_id}/badges").get_data(as_text=True)
    assert f"/orgs/{school.public_id}/learner-records/new" in page  # reachable from the issuer's page
    response = _issue(client, school, ids, proof_format=proof_format)
    assert response.status_code == 302, response.get_data(as_text=True)
    record = db.scalar(sa.select(LearnerRecord))
    assert record.proof_format.value == proof_format and (record.jwt is not None) == (proof_format == "jwt")
    document = record.document
    assert clr_schema_errors(document) == []
    assert document["type"] == ["VerifiableCredential", "ClrCredential"]
    assert LEARNER not in str(document)
    subject = document["credentialSubject"]
    nested = subject["verifiableCredential"]
    assert [n["credentialSubject"]["achievement"]["name"] for n in nested] == ["Python基礎", "データ分析"]
    assert all(n["proof"]["cryptosuite"] == "eddsa-rdfc-2022" for n in nested)  # the JWT award as a DI copy
    assert [a["associationType"] for a in subject["association"]] == ["isPartOf", "isPartOf", "precedes"]
    assert document["credentialStatus"]["statusListIndex"] == str(record.status_index)
    assert db.get(StatusList, record.status_list_id).holds == "records"
    if proof_format == "jwt":
        assert jwt.get_unverified_header(record.jwt)["kid"].endswith("-jwk")

    records_mail = [m for m in outbox(db, LEARNER) if m.kind == "learner_record_issued"]
    assert len(records_mail) == 1 and f"/learner-records/{record.public_id}" in records_mail[0].body_text
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "この学修記録と、含まれるすべてのバッジが本物で、有効です。" in page
    assert "CLR 2.0 の公式スキーマに適合しています。" in page


def test_the_learner_sees_the_record_among_their_credentials_and_others_do_not(client, db, login, make_client, school):
    ids = _two_badges(client, login, school)
    assert _issue(client, school, ids).status_code == 302
    record = db.scalar(sa.select(LearnerRecord))
    learner = make_user(db, email=LEARNER)
    profile = make_profile(db, owner=learner)
    other = make_client()
    login(other, learner)
    page = other.get(f"/people/{profile.public_id}").get_data(as_text=True)
    assert f"/learner-records/{record.public_id}" in page and "学修記録（CLR）" in page
    exported = other.get("/me/data/export.json").get_json()["learner_records"]
    assert [r["name"] for r in exported] == [record.name]  # in the learner's APPI export too
    assert f"/learner-records/{record.public_id}" not in client.get(f"/people/{profile.public_id}").get_data(
        as_text=True
    )


def test_a_revoked_badge_is_left_out_and_revoking_the_record_shows_in_its_verification(client, db, login, school):
    ids = _two_badges(client, login, school)
    credential_id = award(client, ids[0], email="second@example.jp", name="学習 花子")
    client.post(f"/credentials/{credential_id}/revoke", data={"reason": "誤発行"})
    response = _issue(client, school, ids, email="second@example.jp")
    assert response.status_code == 422
    assert "この方には、選んだバッジのうち有効なものがありません。" in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(LearnerRecord)) == 0

    assert _issue(client, school, ids).status_code == 302
    record = db.scalar(sa.select(LearnerRecord))
    assert client.post(f"/learner-records/{record.public_id}/revoke").status_code == 302
    page = client.get(f"/learner-records/{record.public_id}").get_data(as_text=True)
    assert "この学修記録は発行者によって取り消されました。" in page
    assert "この学修記録、または含まれるバッジのどれかを確認できませんでした。" in page


def test_bad_input_is_refused_and_nothing_is_saved(client, db, login, school):
    ids = _two_badges(client, login, school)
    for changes in ({"email": "not-an-address"}, {"achievement_ids": []}, {"proof_format": "xml"},
                    {"achievement_ids": ["not-a-uuid"]}, {"track_name": "x" * 121}):  # fmt: skip
        response = _issue(client, school, ids, **changes)
        assert response.status_code == 422, changes
    with force_locale("en"):
        response = _issue(client, school, ids, email="nobody@example.jp")
    assert response.status_code == 422
    assert db.scalar(sa.select(sa.func.count()).select_from(LearnerRecord)) == 0


def test_someone_outside_the_organisation_may_not_issue_or_revoke(client, db, login, make_client, school):
    ids = _two_badges(client, login, school)
    assert _issue(client, school, ids).status_code == 302
    record = db.scalar(sa.select(LearnerRecord))
    stranger = make_client()
    login(stranger, make_user(db))
    assert stranger.get(f"/orgs/{school.public_id}/learner-records/new").status_code == 403
    assert _issue(stranger, school, ids).status_code == 403
    assert stranger.post(f"/learner-records/{record.public_id}/revoke").status_code == 403
    assert db.scalar(sa.select(sa.func.count()).select_from(LearnerRecord)) == 1
    assert db.get(LearnerRecord, record.id).revoked_at is None


def test_downloads_give_the_record_in_its_format(client, db, login, school):
    ids = _two_badges(client, login, school)
    assert _issue(client, school, ids, proof_format="jwt").status_code == 302
    record = db.scalar(sa.select(LearnerRecord))
    response = client.get(f"/learner-records/{record.public_id}/record.jwt")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    assert response.get_data(as_text=True) == record.jwt
    assert client.get(f"/learner-records/{record.public_id}/record.json").status_code == 200


@pytest.mark.parametrize("proof_format", ["jwt", "di"])
def test_a_learner_imports_a_record_and_each_badge_in_it_counts(client, db, login, make_client, school, proof_format):
    ids = _two_badges(client, login, school)
    assert _issue(client, school, ids, proof_format=proof_format).status_code == 302
    record = db.scalar(sa.select(LearnerRecord))
    submitted = record.jwt or json.dumps(record.document, ensure_ascii=False)
    learner = make_user(db, email=LEARNER)
    profile = make_profile(db, owner=learner)
    learner_client = make_client()
    login(learner_client, learner)
    response = learner_client.post("/me/credentials/import", data={"credential": submitted})
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    assert "学修記録（CLR）から 2 件のバッジを取り込みました" in page
    assert "Python基礎 — " in page and "データ分析 — " in page
    rows = db.scalars(sa.select(ImportedCredential).where(ImportedCredential.profile_id == profile.id)).all()
    assert sorted(row.achievement_name for row in rows) == ["Python基礎", "データ分析"]
    assert all(row.counts for row in rows)
    assert all(row.skills == [{"code": "dssp2-35", "level": 2}] for row in rows)
    skills = db.scalars(sa.select(ProfileSkill).where(ProfileSkill.profile_id == profile.id)).all()
    assert [(s.skill_code, s.source) for s in skills] == [("dssp2-35", SkillSource.BADGE)]


def test_a_record_for_someone_else_or_revoked_is_not_imported(client, db, login, make_client, school):
    ids = _two_badges(client, login, school)
    assert _issue(client, school, ids).status_code == 302
    record = db.scalar(sa.select(LearnerRecord))
    other = make_user(db)
    make_profile(db, owner=other)
    other_client = make_client()
    login(other_client, other)
    response = other_client.post("/me/credentials/import", data={"credential": json.dumps(record.document)})
    assert response.status_code == 422
    assert "recipient_mismatch" in response.get_data(as_text=True)
    assert client.post(f"/learner-records/{record.public_id}/revoke").status_code == 302
    learner = make_user(db, email=LEARNER)
    make_profile(db, owner=learner)
    learner_client = make_client()
    login(learner_client, learner)
    response = learner_client.post("/me/credentials/import", data={"credential": json.dumps(record.document)})
    assert response.status_code == 422 and "revoked" in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(ImportedCredential)) == 0


def test_a_record_from_another_issuer_is_verified_and_each_badge_imported(db, login, make_client):
    """A ClrCredential signed elsewhere (a did:key issuer, built by `badges`): its record and nested proofs are
    checked offline; its badges are imported, shown, and count (their alignments name no DSS item here)."""
    from datetime import UTC, datetime

    from badges import sign_data_integrity
    from tests.interop.test_clr_interop import KEY, METHOD, _record

    now = datetime.now(UTC).replace(microsecond=0)
    document = sign_data_integrity(_record(now), KEY, verification_method=METHOD, created=now)
    learner = make_user(db, email=LEARNER)
    profile = make_profile(db, owner=learner)
    learner_client = make_client()
    login(learner_client, learner)
    response = learner_client.post("/me/credentials/import", data={"credential": json.dumps(document)})
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = db.scalars(sa.select(ImportedCredential).where(ImportedCredential.profile_id == profile.id)).all()
    assert len(rows) == 2 and all(row.counts for row in rows)
    assert {row.issuer_name for row in rows} == {"道東高専"}


def test_the_public_verify_page_checks_a_record_and_each_badge_in_it(client, db, login, make_client, school):
    ids = _two_badges(client, login, school)
    assert _issue(client, school, ids, proof_format="jwt").status_code == 302
    record = db.scalar(sa.select(LearnerRecord))
    visitor = make_client()
    page = visitor.post("/verify", data={"credential": record.jwt}).get_data(as_text=True)
    assert "この証明書は本物で、有効です。" in page and "CLR 2.0 の公式スキーマに適合しています。" in page
    assert page.count("nested_valid") == 2
