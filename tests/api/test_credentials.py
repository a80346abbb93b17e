"""Achievements and credentials through the API: issued credentials verify, revocation shows, bulk awards
are all-or-nothing and idempotent (also under concurrent retries), and only the issuer's members issue."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from talentbank.credentials import achievements, endorsements
from talentbank.credentials.context import issuer_context
from talentbank.credentials.inputs import AchievementInput
from talentbank.models import (
    Achievement,
    AuditEvent,
    Credential,
    IdempotencyKey,
    MembershipRole,
    OrganisationKind,
    ProfileSkill,
    SkillSource,
)
from tests.api.conftest import bearer, issuer_of
from tests.factories import add_member, count, make_organisation, make_profile, make_user
from tests.web.helpers import outbox

ACHIEVEMENT = {
    "name": "データ分析基礎（Python）",
    "description": "Pythonでデータを集計・可視化できる。",
    "criteria": "30時間の講座を修了し、課題を提出した。",
    "tags": ["python", "データ分析"],
    "expiry_months": 24,
    "proof_format": "jwt",
    "skills": [{"code": "dssp2-35", "level": 2}, {"code": "dssp2-36", "level": 3}],
}
ROWS = [
    {"email": "a@example.jp", "name": "青木 一郎", "evidence_url": "https://example.jp/a", "narrative": "よくできた"},
    {"email": "b@example.jp", "name": "馬場 二郎"},
    {"email": "c@example.jp", "name": "千葉 三郎", "evidence_url": "https://example.jp/c"},
]


def create_achievement(client, school, headers, **changes) -> str:
    response = client.post(
        f"/api/v1/organisations/{school.public_id}/achievements", json={**ACHIEVEMENT, **changes}, headers=headers
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def verify(client, credential: dict) -> dict:
    """POST /api/v1/verify with what the recipient holds: the JWT, or the signed JSON."""
    submitted = credential["jwt"] or credential["document"]
    response = client.post("/api/v1/verify", json={"credential": submitted})
    assert response.status_code == 200
    return response.get_json()


def bulk(client, achievement_id, headers, key, rows=ROWS):
    return client.post(
        f"/api/v1/achievements/{achievement_id}/credentials/bulk",
        json={"rows": rows},
        headers={**headers, "Idempotency-Key": key},
    )


# ---- achievements -------------------------------------------------------------------------------------


def test_create_an_achievement_and_read_it_publicly(client, db, school, issuer):
    achievement_id = create_achievement(client, school, issuer)
    stored = db.scalar(sa.select(Achievement))
    assert str(stored.public_id) == achievement_id and stored.organisation_id == school.id
    assert stored.name == ACHIEVEMENT["name"] and stored.expiry_months == 24 and stored.tags == ["python", "データ分析"]
    assert [(s.skill_code, s.level) for s in stored.skills] == [("dssp2-35", 2), ("dssp2-36", 3)]
    assert stored.image_png is None and stored.image_svg is None  # the generated image
    assert db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "achievement.create")) is not None

    public = client.get(f"/api/v1/achievements/{achievement_id}")  # no token
    assert public.status_code == 200
    document = public.get_json()
    assert document["criteria"] == ACHIEVEMENT["criteria"] and document["proof_format"] == "jwt"
    assert [(s["code"], s["level"]) for s in document["skills"]] == [("dssp2-35", 2), ("dssp2-36", 3)]
    assert document["issuer"]["id"] == str(school.public_id) and document["issuer"]["verified"] is True
    assert document["endorsements"] == [] and document["expiry_months"] == 24
    image = client.get(document["image_url"].removeprefix("http://localhost"))
    assert image.status_code == 200 and image.mimetype == "image/png"

    listed = client.get(f"/api/v1/organisations/{school.public_id}/achievements").get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == achievement_id
    assert client.get("/api/v1/achievements/not-a-uuid").status_code == 404
    assert client.get("/api/v1/organisations/not-a-uuid/achievements").status_code == 404


def prefecture_endorses(app, db, achievement_id, **organisation_fields):
    """A verified prefecture office becomes an issuer and endorses the achievement; (office, endorsement)."""
    prefecture_owner = make_user(db)
    prefecture = make_organisation(db, owner=prefecture_owner, kind=OrganisationKind.PREFECTURE, verified=True,
                                   **organisation_fields)  # fmt: skip
    issuer_of(app, db, prefecture, prefecture_owner)
    with app.test_request_context():
        achievement = achievements.get_achievement(db, achievement_id)
        endorsement = endorsements.endorse(db, prefecture_owner, achievement, prefecture, "道として推薦します。",
                                       issuer_context())  # fmt: skip
    db.commit()
    return prefecture, endorsement


def test_endorsements_show_on_the_achievement(app, client, db, school, issuer):
    achievement_id = create_achievement(client, school, issuer)
    prefecture, _ = prefecture_endorses(app, db, achievement_id)
    [endorsement] = client.get(f"/api/v1/achievements/{achievement_id}").get_json()["endorsements"]
    assert endorsement["endorser"]["id"] == str(prefecture.public_id)
    assert endorsement["comment"] == "道として推薦します。" and endorsement["verified"] is True


def test_the_credential_detail_carries_the_achievements_endorsements(app, client, db, school, issuer):
    achievement_id = create_achievement(client, school, issuer)
    response = client.post(
        f"/api/v1/achievements/{achievement_id}/credentials",
        json={"email": "learner@example.jp", "name": "学習 太郎"},
        headers=issuer,
    )
    credential_id = response.get_json()["id"]
    assert client.get(f"/api/v1/credentials/{credential_id}").get_json()["endorsements"] == []
    prefecture, endorsement = prefecture_endorses(app, db, achievement_id, name="北海道 デジタル推進局")

    [listed] = client.get(f"/api/v1/credentials/{credential_id}").get_json()["endorsements"]  # public
    assert listed == client.get(f"/api/v1/achievements/{achievement_id}").get_json()["endorsements"][0]
    assert listed["id"] == str(endorsement.public_id) and listed["verified"] is True
    assert listed["endorser"]["id"] == str(prefecture.public_id)
    assert listed["endorser"]["name"] == "北海道 デジタル推進局"
    assert listed["comment"] == "道として推薦します。"
    assert listed["created_at"].startswith(endorsement.created_at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert listed["url"] == f"http://localhost/endorsements/{endorsement.public_id}"

    endorsement.document = {**endorsement.document, "name": "書き換えられた推薦"}  # no longer what was signed
    db.commit()
    [listed] = client.get(f"/api/v1/credentials/{credential_id}").get_json()["endorsements"]
    assert listed["verified"] is False
    assert client.get(f"/api/v1/endorsements/{endorsement.public_id}").get_json()["verified"] is False


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"skills": [{"code": "no-such-skill", "level": 2}]}, "skills.0.code"),
        ({"skills": [{"code": "dssp2-\x0036", "level": 2}]}, "skills.0.code"),  # NUL: a 500 on PostgreSQL before
        ({"skills": [{"code": "dssp2-35", "level": 2}, {"code": "dssp2-35", "level": 3}]}, "skills.1.code"),
        ({"skills": [{"code": "dssp2-35", "level": 5}]}, "skills.0.level"),
        ({"skills": []}, "skills"),
        ({"name": ""}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"expiry_months": 0}, "expiry_months"),
        ({"proof_format": "ldp"}, "proof_format"),
        ({"tags": ["a,b"]}, "tags.0"),
        ({"image": "https://example.jp/x.png"}, "image"),
    ],
)
def test_bad_achievement_input_is_422_and_saves_nothing(client, db, school, issuer, changes, field):
    response = client.post(
        f"/api/v1/organisations/{school.public_id}/achievements", json={**ACHIEVEMENT, **changes}, headers=issuer
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in response.get_json()["fields"]
    assert count(db, Achievement) == 0


def test_an_organisation_that_is_not_an_issuer_yet_gets_409(client, db, make_token):
    owner = make_user(db)
    organisation = make_organisation(db, owner=owner, kind=OrganisationKind.SCHOOL, verified=True)
    response = client.post(
        f"/api/v1/organisations/{organisation.public_id}/achievements",
        json=ACHIEVEMENT,
        headers=bearer(make_token(owner)),
    )
    assert response.status_code == 409 and response.mimetype == "application/problem+json"
    assert count(db, Achievement) == 0


# ---- issuing one credential ---------------------------------------------------------------------------


@pytest.mark.parametrize("proof_format", ["jwt", "di"])
def test_award_by_email_mails_the_recipient_and_the_credential_verifies(client, db, school, issuer, proof_format):
    achievement_id = create_achievement(client, school, issuer, proof_format=proof_format)
    response = client.post(
        f"/api/v1/achievements/{achievement_id}/credentials",
        json={"email": "Learner@Example.jp", "name": "学習 太郎", "evidence_url": "https://example.jp/work",
              "narrative": "分析レポートを提出した。"},
        headers=issuer,
    )  # fmt: skip
    assert response.status_code == 201, response.get_data(as_text=True)
    issued = response.get_json()
    stored = db.scalar(sa.select(Credential))
    assert issued["id"] == str(stored.public_id) and issued["status"] == "active" and issued["claimed"] is False
    assert stored.recipient_email == "learner@example.jp" and stored.recipient_name == "学習 太郎"
    assert stored.proof_format.value == proof_format
    assert (issued["jwt_url"] is not None) == (proof_format == "jwt")
    assert issued["url"] == f"http://localhost/credentials/{stored.public_id}"
    [message] = outbox(db, "learner@example.jp")
    assert f"/credentials/{stored.public_id}" in message.body_text

    credential = client.get(f"/api/v1/credentials/{issued['id']}").get_json()  # public
    assert credential["verification"]["verified"] is True and credential["status"] == "active"
    assert credential["recipient_name"] == "学習 太郎" and credential["can_claim"] is False
    assert "learner@example.jp" not in response.get_data(as_text=True)
    assert "learner@example.jp" not in client.get(f"/api/v1/credentials/{issued['id']}").get_data(as_text=True)
    result = verify(client, credential)
    assert result["verified"] is True, result
    assert {check["code"] for check in result["checks"]} >= {"proof_valid", "not_revoked"}


def test_award_by_profile_keeps_the_email_hidden(client, db, school, issuer):
    achievement_id = create_achievement(client, school, issuer)
    person = make_user(db, email="hidden@example.jp", display_name="北海 花子")
    profile = make_profile(db, owner=person)
    response = client.post(
        f"/api/v1/achievements/{achievement_id}/credentials",
        json={"profile": f"http://localhost/people/{profile.public_id}", "narrative": "実習を修了。"},
        headers=issuer,
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert "hidden@example.jp" not in response.get_data(as_text=True)
    assert response.get_json()["recipient_name"] == "北海 花子"
    assert db.scalar(sa.select(Credential.recipient_email)) == "hidden@example.jp"
    credential = client.get(f"/api/v1/credentials/{response.get_json()['id']}").get_json()
    assert verify(client, credential)["verified"] is True


@pytest.mark.parametrize(
    ("award", "field"),
    [
        ({"email": "not-an-email", "name": "誤り"}, "email"),
        ({"email": "a@example.jp"}, "name"),
        ({"name": "名前だけ"}, "email"),
        ({"email": "a@example.jp", "name": "両方", "profile": "00000000-0000-0000-0000-000000000000"}, "email"),
        ({"profile": "00000000-0000-0000-0000-000000000000"}, "profile"),
        ({"email": "a@example.jp", "name": "誤り", "evidence_url": "javascript:alert(1)"}, "evidence_url"),
        ({"email": "a@example.jp", "name": "x" * 81}, "name"),
        ({"email": "a@example.jp", "name": "余分", "recipient_email": "b@example.jp"}, "recipient_email"),
    ],
)
def test_bad_award_input_is_422_and_issues_nothing(client, db, school, issuer, award, field):
    achievement_id = create_achievement(client, school, issuer)
    response = client.post(f"/api/v1/achievements/{achievement_id}/credentials", json=award, headers=issuer)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in response.get_json()["fields"]
    assert count(db, Credential) == 0 and outbox(db) == []


def test_other_organisations_and_read_only_tokens_cannot_issue(client, db, school, issuer, make_token):
    achievement_id = create_achievement(client, school, issuer)
    other_owner = make_user(db)
    make_organisation(db, owner=other_owner, kind=OrganisationKind.SCHOOL, verified=True)
    outsider = bearer(make_token(other_owner))
    award = {"email": "a@example.jp", "name": "青木"}
    response = client.post(f"/api/v1/achievements/{achievement_id}/credentials", json=award, headers=outsider)
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    assert bulk(client, achievement_id, outsider, "k-outsider").status_code == 403
    response = client.post(f"/api/v1/organisations/{school.public_id}/achievements", json=ACHIEVEMENT, headers=outsider)
    assert response.status_code == 403
    assert client.get(f"/api/v1/achievements/{achievement_id}/credentials", headers=outsider).status_code == 403
    read_only = bearer(make_token(school.memberships[0].user, scopes=("read",)))
    response = client.post(f"/api/v1/achievements/{achievement_id}/credentials", json=award, headers=read_only)
    assert response.status_code == 403
    assert count(db, Credential) == 0 and count(db, Achievement) == 1 and count(db, IdempotencyKey) == 0


# ---- revoking, listing, claiming ----------------------------------------------------------------------


def test_revoke_and_verification_reports_it(client, db, school, issuer, make_token):
    achievement_id = create_achievement(client, school, issuer)
    credential_id = client.post(
        f"/api/v1/achievements/{achievement_id}/credentials",
        json={"email": "a@example.jp", "name": "青木"},
        headers=issuer,
    ).get_json()["id"]
    member = make_user(db)
    add_member(db, school, member, MembershipRole.MEMBER)
    response = client.post(
        f"/api/v1/credentials/{credential_id}/revoke", json={"reason": "誤って発行"}, headers=bearer(make_token(member))
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["status"] == "revoked"
    stored = db.scalar(sa.select(Credential))
    assert stored.revoked_at is not None and stored.revocation_reason == "誤って発行"

    credential = client.get(f"/api/v1/credentials/{credential_id}").get_json()
    assert credential["status"] == "revoked" and credential["revocation_reason"] == "誤って発行"
    assert credential["verification"]["verified"] is False
    result = verify(client, credential)
    assert result["verified"] is False
    assert [c["code"] for c in result["checks"] if c["check"] == "status"] == ["revoked"]

    again = client.post(f"/api/v1/credentials/{credential_id}/revoke", json={"reason": "二度目"}, headers=issuer)
    assert again.status_code == 409
    blank = client.post(f"/api/v1/credentials/{credential_id}/revoke", json={"reason": " "}, headers=issuer)
    assert blank.status_code == 422 and "reason" in blank.get_json()["fields"]
    assert db.scalar(sa.select(Credential.revocation_reason)) == "誤って発行"


def test_members_list_the_credentials_of_an_achievement(client, db, school, issuer, make_token):
    achievement_id = create_achievement(client, school, issuer)
    for row in ROWS:
        response = client.post(f"/api/v1/achievements/{achievement_id}/credentials", json=row, headers=issuer)
        assert response.status_code == 201
    listed = client.get(f"/api/v1/achievements/{achievement_id}/credentials?per_page=2", headers=issuer).get_json()
    assert listed["total"] == 3 and len(listed["items"]) == 2
    assert [item["recipient_name"] for item in listed["items"]] == ["千葉 三郎", "馬場 二郎"]  # newest first
    assert all("@" not in str(item) for item in listed["items"])
    stranger = bearer(make_token(make_user(db)))
    assert client.get(f"/api/v1/achievements/{achievement_id}/credentials", headers=stranger).status_code == 403
    assert client.get(f"/api/v1/achievements/{achievement_id}/credentials").status_code == 401


def test_the_recipient_claims_and_sees_it_on_their_profile(client, db, school, issuer, make_token):
    achievement_id = create_achievement(client, school, issuer)
    credential_id = client.post(
        f"/api/v1/achievements/{achievement_id}/credentials",
        json={"email": "learner@example.jp", "name": "学習 太郎"},
        headers=issuer,
    ).get_json()["id"]
    learner = make_user(db, email="learner@example.jp")
    token = bearer(make_token(learner))
    assert client.post(f"/api/v1/credentials/{credential_id}/claim", headers=token).status_code == 409  # no profile
    profile = make_profile(db, owner=learner)
    assert client.get(f"/api/v1/credentials/{credential_id}", headers=token).get_json()["can_claim"] is True

    someone = make_user(db)
    make_profile(db, owner=someone)
    refused = client.post(f"/api/v1/credentials/{credential_id}/claim", headers=bearer(make_token(someone)))
    assert refused.status_code == 422
    assert db.scalar(sa.select(Credential.profile_id)) is None

    claimed = client.post(f"/api/v1/credentials/{credential_id}/claim", headers=token)
    assert claimed.status_code == 200, claimed.get_data(as_text=True)
    assert claimed.get_json()["claimed"] is True
    assert db.scalar(sa.select(Credential.profile_id)) == profile.id
    badge_skills = db.scalars(
        sa.select(ProfileSkill).where(ProfileSkill.profile_id == profile.id, ProfileSkill.source == SkillSource.BADGE)
    ).all()
    assert {(s.skill_code, s.level) for s in badge_skills} == {("dssp2-35", 2), ("dssp2-36", 3)}
    assert client.post(f"/api/v1/credentials/{credential_id}/claim", headers=token).status_code == 409

    mine = client.get("/api/v1/me/credentials", headers=token).get_json()
    assert [item["id"] for item in mine["items"]] == [credential_id] and mine["total"] == 1
    nobody = client.get("/api/v1/me/credentials", headers=bearer(make_token(make_user(db)))).get_json()
    assert nobody["items"] == [] and nobody["total"] == 0


# ---- bulk awards and the Idempotency-Key --------------------------------------------------------------


def test_bulk_award_issues_every_row_and_each_verifies(client, db, school, issuer):
    achievement_id = create_achievement(client, school, issuer, proof_format="di")
    response = bulk(client, achievement_id, issuer, "batch-2026-11-22")
    assert response.status_code == 201, response.get_data(as_text=True)
    result = response.get_json()
    assert result["issued"] == 3 and result["already_issued"] == 0
    assert [row["row"] for row in result["credentials"]] == [0, 1, 2]
    emails = db.scalars(sa.select(Credential.recipient_email).order_by(Credential.recipient_email)).all()
    assert emails == ["a@example.jp", "b@example.jp", "c@example.jp"]
    assert sorted(m.to_address for m in outbox(db)) == emails
    for row in result["credentials"]:
        assert verify(client, client.get(f"/api/v1/credentials/{row['credential_id']}").get_json())["verified"]
    [key] = db.scalars(sa.select(IdempotencyKey)).all()
    assert key.key == "batch-2026-11-22" and key.response_status == 201 and key.response_body == result
    assert len(key.request_fingerprint) == 64


def test_the_same_key_replays_and_another_body_is_refused(client, db, school, issuer, make_token):
    achievement_id = create_achievement(client, school, issuer)
    first = bulk(client, achievement_id, issuer, "k1")
    assert first.status_code == 201
    replay = bulk(client, achievement_id, issuer, "k1")
    assert (replay.status_code, replay.get_data()) == (first.status_code, first.get_data())
    assert count(db, Credential) == 3 and len(outbox(db)) == 3

    changed = bulk(client, achievement_id, issuer, "k1", rows=ROWS[:2])
    assert changed.status_code == 422 and "Idempotency-Key" in changed.get_json()["fields"]
    assert count(db, Credential) == 3

    # A new key with the same rows: the rows' own idempotency means nothing is issued twice.
    again = bulk(client, achievement_id, issuer, "k2")
    assert again.status_code == 201
    assert again.get_json()["issued"] == 0 and again.get_json()["already_issued"] == 3
    assert [r["credential_id"] for r in again.get_json()["credentials"]] == [
        r["credential_id"] for r in first.get_json()["credentials"]
    ]
    assert count(db, Credential) == 3 and len(outbox(db)) == 3

    # Keys belong to their caller: another member's "k1" is a request of its own.
    member = make_user(db)
    add_member(db, school, member, MembershipRole.MEMBER)
    theirs = bulk(client, achievement_id, bearer(make_token(member)), "k1", rows=ROWS[:1])
    assert theirs.status_code == 201 and theirs.get_json()["already_issued"] == 1
    assert count(db, IdempotencyKey) == 3 and count(db, Credential) == 3


def test_keys_are_forgotten_after_a_day(client, db, school, issuer):
    from datetime import timedelta

    from talentbank.db import utcnow

    achievement_id = create_achievement(client, school, issuer)
    assert bulk(client, achievement_id, issuer, "daily").status_code == 201
    db.scalar(sa.select(IdempotencyKey)).created_at = utcnow() - timedelta(hours=25)
    fresh = bulk(client, achievement_id, issuer, "daily", rows=ROWS[:1])  # another body: fine after the window
    assert fresh.status_code == 201 and fresh.get_json()["already_issued"] == 1
    assert count(db, IdempotencyKey) == 1


def test_bulk_needs_a_key_and_refuses_every_row_when_one_is_bad(client, db, school, issuer):
    achievement_id = create_achievement(client, school, issuer)
    path = f"/api/v1/achievements/{achievement_id}/credentials/bulk"
    missing = client.post(path, json={"rows": ROWS}, headers=issuer)
    assert missing.status_code == 422 and "Idempotency-Key" in missing.get_json()["fields"]

    bad_rows = [*ROWS, {"email": "not-an-email", "name": "誤り"}, {"email": "a@example.jp", "name": "重複"},
                {"email": "d@example.jp", "name": "土井", "evidence_url": "javascript:alert(1)"}]  # fmt: skip
    response = bulk(client, achievement_id, issuer, "bad", rows=bad_rows)
    assert response.status_code == 422
    fields = response.get_json()["fields"]
    assert set(fields) == {"rows.3", "rows.4", "rows.5"}
    assert "メールアドレスの形式" in fields["rows.3"] and "1行目と同じ" in fields["rows.4"]
    assert "根拠のURL" in fields["rows.5"]
    assert count(db, Credential) == 0 and outbox(db) == [] and count(db, IdempotencyKey) == 0

    too_many = [{"email": f"p{n}@example.jp", "name": f"人{n}"} for n in range(1001)]
    assert bulk(client, achievement_id, issuer, "big", rows=too_many).status_code == 422
    assert bulk(client, achievement_id, issuer, "empty", rows=[]).status_code == 422
    spaced = bulk(client, achievement_id, issuer, "bad key")
    assert spaced.status_code == 422 and "Idempotency-Key" in spaced.get_json()["fields"]
    assert count(db, Credential) == 0
    # A refused request leaves its key unused: the corrected batch goes through under it.
    fixed = bulk(client, achievement_id, issuer, "bad")
    assert fixed.status_code == 201 and fixed.get_json()["issued"] == 3 and count(db, Credential) == 3


def test_ten_concurrent_retries_with_one_key_issue_once(app, db, school, issuer):
    """RELIABILITY SC-21: ten threads send the same key and body at once; one issuance, ten equal answers."""
    with app.test_request_context():
        achievement = achievements.create_achievement(
            db,
            school.memberships[0].user,
            school,
            AchievementInput(
                name="並行テスト",
                description="d",
                criteria="c",
                tags="",
                expiry_months=None,
                proof_format="jwt",
                skill_code="dssp2-35",
                skill_level=2,
                skill_code_2="",
                skill_level_2=1,
            ),
        )
    db.commit()
    path = f"/api/v1/achievements/{achievement.public_id}/credentials/bulk"
    for round_number in range(3):
        rows = [{"email": f"r{round_number}-{n}@example.jp", "name": f"並行 {n}"} for n in range(4)]
        headers = {**issuer, "Idempotency-Key": f"concurrent-{round_number}"}
        barrier = threading.Barrier(10)
        responses: list[tuple[int, bytes]] = []
        failures: list[BaseException] = []

        def send(rows=rows, headers=headers, barrier=barrier, responses=responses, failures=failures):
            try:
                own_client = app.test_client()
                barrier.wait(timeout=30)
                response = own_client.post(path, json={"rows": rows}, headers=headers)
                responses.append((response.status_code, response.get_data()))
            except BaseException as error:  # reported below: a thread's exception would otherwise vanish
                failures.append(error)

        threads = [threading.Thread(target=send) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert failures == []
        assert len(responses) == 10
        assert {status for status, _ in responses} == {201}, responses[0][1][:500]
        assert len({data for _, data in responses}) == 1  # ten identical bodies
        db.commit()  # a new transaction: see what the threads committed
        emails = db.scalars(
            sa.select(Credential.recipient_email).where(Credential.recipient_email.like(f"r{round_number}-%"))
        )
        assert sorted(emails) == sorted(row["email"] for row in rows)  # each row issued exactly once
        assert len([m for m in outbox(db) if m.to_address.startswith(f"r{round_number}-")]) == 4
        assert count(db, IdempotencyKey) == round_number + 1
