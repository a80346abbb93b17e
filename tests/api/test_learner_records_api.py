"""Learner records (CLR 2.0, issue 16) over the API: issued as VC-JWT or Data Integrity, valid against the
official CLR 2.0 schema, verified with every credential in it; bad input is a problem document."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import force_locale

from badges.clr import clr_schema_errors
from talentbank.accounts.tokens import create_token
from talentbank.credentials import achievements, issuers, issuing
from talentbank.credentials.inputs import AchievementInput, AwardInput
from talentbank.models import LearnerRecord, OrganisationKind, User
from tests.factories import make_organisation, make_user

LEARNER = "learner@example.jp"


def _details(name: str, proof_format: str) -> AchievementInput:
    return AchievementInput(name=name, description="d", criteria="c", tags="", expiry_months=None,
                            proof_format=proof_format, skill_code="dssp2-36", skill_level=2, skill_code_2="",
                            skill_level_2=1)  # fmt: skip


def _issuer_with_two_badges(db, app):
    from cryptography.fernet import Fernet

    owner = make_user(db)
    school = make_organisation(db, owner=owner, kind=OrganisationKind.SCHOOL, verified=True, name="高専")
    ctx = issuers.IssuerContext(base_url=app.config["BASE_URL"].rstrip("/"),
                                fernet=Fernet(app.config["KEY_ENCRYPTION_KEY"]))  # fmt: skip
    ids = []
    with app.test_request_context():
        issuers.setup_issuer(db, owner, school, ctx)
        for name, proof_format in (("Python基礎", "jwt"), ("データ分析", "di")):
            achievement = achievements.create_achievement(db, owner, school, _details(name, proof_format))
            award = AwardInput(email=LEARNER, name="学習 太郎", evidence_url="", narrative="")
            issuing.issue_credential(db, owner, achievement, award, ctx)
            ids.append(str(achievement.public_id))
    token = create_token(db, owner, name="t", scopes=("read", "issue"), days=7)[1]
    learner = make_user(db, email=LEARNER)
    learner_token = create_token(db, learner, name="l", scopes=("read",), days=7)[1]
    db.commit()
    return school, ids, {"Authorization": f"Bearer {token}"}, {"Authorization": f"Bearer {learner_token}"}


def test_issue_read_and_list_a_learner_record(client, db, app):
    school, ids, headers, learner_headers = _issuer_with_two_badges(db, app)
    for proof_format in ("jwt", "di"):
        response = client.post(f"/api/v1/organisations/{school.public_id}/learner-records", headers=headers,
                               json={"email": LEARNER, "achievements": ids, "proof_format": proof_format,
                                     "track": {"name": "デジタル人材育成トラック"}})  # fmt: skip
        assert response.status_code == 201, response.get_data(as_text=True)
        out = response.get_json()
        assert out["verified"] is True and out["proof_format"] == proof_format
        assert (out["jwt"] is not None) == (proof_format == "jwt")
        assert clr_schema_errors(out["document"]) == []
        assert [n["achievement"] for n in out["nested"]] == ["Python基礎", "データ分析"]
        assert all(n["verification"]["verified"] for n in out["nested"])
        assert "clr_schema_valid" in [c["code"] for c in out["verification"]["checks"]]
        public = client.get(f"/api/v1/learner-records/{out['id']}").get_json()
        assert public["verified"] is True and public["id"] == out["id"]
    listed = client.get("/api/v1/me/learner-records", headers=learner_headers).get_json()
    assert listed["total"] == 2
    assert client.get("/api/v1/me/learner-records", headers=headers).get_json()["total"] == 0


def test_bad_input_is_a_problem_document_and_nothing_is_issued(client, db, app):
    school, ids, headers, _ = _issuer_with_two_badges(db, app)
    path = f"/api/v1/organisations/{school.public_id}/learner-records"
    for body in ({"email": LEARNER, "achievements": []}, {"email": "x", "achievements": ids},
                 {"email": LEARNER, "achievements": ["nope"]}, {"email": LEARNER, "achievements": ids, "extra": 1},
                 {"email": LEARNER, "achievements": ids, "proof_format": "xml"}):  # fmt: skip
        response = client.post(path, headers=headers, json=body)
        assert response.status_code in (400, 422), body
        assert response.mimetype == "application/problem+json"
    with force_locale("en"):
        response = client.post(path, headers={**headers, "Accept-Language": "en"},
                               json={"email": "nobody@example.jp", "achievements": ids})  # fmt: skip
    assert response.status_code == 422
    assert "email" in str(response.get_json())
    assert db.scalar(sa.select(sa.func.count()).select_from(LearnerRecord)) == 0


def test_the_verify_operation_checks_a_record_and_each_badge_in_it(client, db, app):
    school, ids, headers, _ = _issuer_with_two_badges(db, app)
    out = client.post(f"/api/v1/organisations/{school.public_id}/learner-records", headers=headers,
                      json={"email": LEARNER, "achievements": ids, "proof_format": "jwt"}).get_json()  # fmt: skip
    result = client.post("/api/v1/verify", json={"credential": out["jwt"]}).get_json()
    assert result["verified"] is True
    codes = [c["code"] for c in result["checks"]]
    assert "clr_schema_valid" in codes and codes.count("nested_valid") == 2


def test_the_learner_imports_the_record_over_the_api(client, db, app):
    from tests.factories import make_profile

    school, ids, headers, learner_headers = _issuer_with_two_badges(db, app)
    out = client.post(f"/api/v1/organisations/{school.public_id}/learner-records", headers=headers,
                      json={"email": LEARNER, "achievements": ids}).get_json()  # fmt: skip
    learner = db.scalar(sa.select(User).where(User.email == LEARNER))
    make_profile(db, owner=learner)
    db.commit()
    learner_write = create_token(db, learner, name="w", scopes=("read", "write"), days=7)[1]
    db.commit()
    response = client.post("/api/v1/me/credentials/imported", json={"credential": out["document"]},
                           headers={"Authorization": f"Bearer {learner_write}"})  # fmt: skip
    assert response.status_code == 201, response.get_data(as_text=True)
    answer = response.get_json()
    assert sorted(item["achievement_name"] for item in answer["imported"]) == ["Python基礎", "データ分析"]
    assert all(item["counts"] and item["issuer_name"] == "高専" for item in answer["imported"])
    assert answer["id"] == answer["imported"][0]["id"]  # the top-level fields still describe the first badge
    assert "clr_schema_valid" in [c["code"] for c in answer["verification"]["checks"]]
    listed = client.get("/api/v1/me/credentials/imported", headers=learner_headers).get_json()
    assert sorted(item["achievement_name"] for item in listed["items"]) == ["Python基礎", "データ分析"]
    assert {item["id"] for item in listed["items"]} == {item["id"] for item in answer["imported"]}
    assert all(item["counts"] for item in listed["items"])
