"""Endorsements and revoking many credentials through the API (the same services as the achievement page)."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from talentbank.credentials import achievements, issuers, issuing
from talentbank.credentials.context import issuer_context
from talentbank.credentials.inputs import AchievementInput, AwardInput
from talentbank.models import Credential, Endorsement, OrganisationKind
from tests.api.conftest import bearer
from tests.factories import make_organisation, make_user

DETAILS = AchievementInput(
    name="データ分析基礎", description="Pythonで集計できる。", criteria="講座を修了した。", tags="",
    expiry_months=None, proof_format="jwt", skill_code="dssp2-36", skill_level=2, skill_code_2="", skill_level_2=1,
)  # fmt: skip


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def issuer(app, db, **fields):
    owner = make_user(db)
    organisation = make_organisation(db, owner=owner, kind=OrganisationKind.SCHOOL, verified=True, **fields)
    with app.test_request_context():
        issuers.setup_issuer(db, owner, organisation, issuer_context())
    db.flush()
    return owner, organisation


@pytest.fixture
def achievement(app, db):
    owner, organisation = issuer(app, db, name="道北高専")
    return achievements.create_achievement(db, owner, organisation, DETAILS)


def test_endorse_then_read_the_signed_endorsement(client, app, db, make_token, achievement):
    owner, prefecture = issuer(app, db, name="北海道")
    body = {"endorser": str(prefecture.public_id), "comment": "道の研修として推薦します。"}
    path = f"/api/v1/achievements/{achievement.public_id}/endorsements"
    response = client.post(path, json=body, headers=bearer(make_token(owner)))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["verified"] is True and created["endorser"]["name"] == "北海道"
    assert created["document"]["type"][-1] == "EndorsementCredential"
    read = client.get(f"/api/v1/endorsements/{created['id']}")
    assert read.status_code == 200 and read.get_json() == created
    detail = client.get(f"/api/v1/achievements/{achievement.public_id}").get_json()
    assert [e["id"] for e in detail["endorsements"]] == [created["id"]]
    problem(client.post(path, json=body, headers=bearer(make_token(owner))), 409)  # once per organisation


def test_endorsing_refuses_bad_input(client, app, db, make_token, achievement):
    owner, prefecture = issuer(app, db)
    secret = make_token(owner)
    path = f"/api/v1/achievements/{achievement.public_id}/endorsements"
    problem(client.post(path, json={"endorser": str(prefecture.public_id), "comment": ""}, headers=bearer(secret)),
            422)  # fmt: skip
    problem(client.post(path, json={"endorser": "nope", "comment": "x"}, headers=bearer(secret)), 422)
    problem(client.post(path, json={"endorser": str(uuid.uuid4()), "comment": "x"}, headers=bearer(secret)), 404)
    own = {"endorser": str(achievement.organisation.public_id), "comment": "自画自賛"}
    problem(client.post(path, json=own, headers=bearer(secret)), 403)  # not an owner there
    problem(client.get(f"/api/v1/endorsements/{uuid.uuid4()}"), 404)
    problem(client.get("/api/v1/endorsements/1"), 404)
    assert db.scalar(sa.select(sa.func.count()).select_from(Endorsement)) == 0


def _issue(app, db, achievement, emails):
    owner = achievement.organisation.memberships[0].user
    with app.test_request_context():
        return [
            issuing.issue_credential(db, owner, achievement, AwardInput(email=e, name="受講者", evidence_url="",
                                                                          narrative=""), issuer_context())
            for e in emails
        ]  # fmt: skip


def test_bulk_revoke_revokes_the_chosen_credentials(client, app, db, make_token, achievement):
    first, second, third = _issue(app, db, achievement, ["a@example.jp", "b@example.jp", "c@example.jp"])
    owner = achievement.organisation.memberships[0].user
    path = f"/api/v1/achievements/{achievement.public_id}/credentials/revoke"
    body = {"credentials": [str(first.public_id), str(second.public_id), str(first.public_id)], "reason": "誤発行"}
    response = client.post(path, json=body, headers=bearer(make_token(owner)))
    assert response.status_code == 200 and response.get_json() == {"revoked": 2}
    db.expire_all()
    assert [c.revoked_at is not None for c in (first, second, third)] == [True, True, False]
    shown = client.get(f"/api/v1/credentials/{first.public_id}").get_json()
    assert shown["status"] == "revoked" and shown["revocation_reason"] == "誤発行"
    response = client.post(path, json=body, headers=bearer(make_token(owner)))
    assert response.get_json() == {"revoked": 0}  # revoked before: left as they were


def test_bulk_revoke_with_an_unknown_or_foreign_id_revokes_none(client, app, db, make_token, achievement):
    [mine] = _issue(app, db, achievement, ["a@example.jp"])
    other_achievement = achievements.create_achievement(db, achievement.organisation.memberships[0].user,
                                                    achievement.organisation, DETAILS)  # fmt: skip
    [foreign] = _issue(app, db, other_achievement, ["b@example.jp"])
    owner = achievement.organisation.memberships[0].user
    path = f"/api/v1/achievements/{achievement.public_id}/credentials/revoke"
    for ids in ([str(mine.public_id), str(uuid.uuid4())], [str(mine.public_id), str(foreign.public_id)]):
        problem(client.post(path, json={"credentials": ids, "reason": "x"}, headers=bearer(make_token(owner))), 404)
    for bad in ({"credentials": [], "reason": "x"}, {"credentials": [str(mine.public_id)], "reason": ""},
                {"credentials": ["nope"], "reason": "x"}):  # fmt: skip
        problem(client.post(path, json=bad, headers=bearer(make_token(owner))), 422)
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).where(Credential.revoked_at.is_not(None))) == 0
    problem(client.post(path, json={"credentials": [str(mine.public_id)], "reason": "x"},
                        headers=bearer(make_token())), 403)  # fmt: skip


def test_reissue_issues_the_same_award_and_revokes_the_old(client, app, db, make_token, achievement):
    (old,) = _issue(app, db, achievement, ["a@example.jp"])
    owner = achievement.organisation.memberships[0].user
    path = f"/api/v1/credentials/{old.public_id}/reissue"
    response = client.post(path, headers=bearer(make_token(owner)))
    assert response.status_code == 201, response.get_json()
    new_id = response.get_json()["id"]
    assert new_id != str(old.public_id)
    assert response.get_json()["status"] != "revoked"
    db.expire_all()
    assert old.revoked_at is not None and new_id in old.revocation_reason
    new = db.scalar(sa.select(Credential).where(Credential.public_id == uuid.UUID(new_id)))
    assert (new.achievement_id, new.recipient_email) == (old.achievement_id, "a@example.jp")
    again = client.post(path, headers=bearer(make_token(owner)))
    assert again.status_code == 409, again.get_json()
