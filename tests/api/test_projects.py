"""Projects, applications and matching through the API: the same services and rules as the pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from talentbank.credentials import issuers
from talentbank.credentials.context import issuer_context
from talentbank.models import (
    Application,
    ApplicationStatus,
    ContactRelease,
    Credential,
    Direction,
    Outcome,
    ProfileSkill,
    Project,
    ProjectStatus,
    SkillSource,
    Visibility,
    WorkMode,
)
from tests.api.conftest import bearer
from tests.factories import add_member, count, make_organisation, make_profile, make_user
from tests.web.helpers import outbox

TODAY = datetime.now(UTC).date()
PROJECT = {
    "title": "除雪の問い合わせをWebで受け付けたい",
    "problem": "冬の除雪の問い合わせ電話が1日100件来て、職員2人が対応に追われている。",
    "expected_outcome": "問い合わせの半分がWebで完結する。",
    "theme": "admin_dx",
    "municipality_code": "016331",
    "work_mode": "hybrid",
    "onsite_days_per_month": 2,
    "hours_per_week": 6,
    "starts_on": (TODAY + timedelta(days=30)).isoformat(),
    "ends_on": (TODAY + timedelta(days=120)).isoformat(),
    "pay_kind": "hourly",
    "pay_yen": 3000,
    "travel_covered": True,
    "seats": 2,
    "deadline": (TODAY + timedelta(days=20)).isoformat(),
    "is_internship": False,
    "eligibility": "",
    "needs": [
        {"skill": "dssp2-52", "min_level": 2, "must_have": True},
        {"skill": "dssp2-20", "min_level": 2, "must_have": False},
    ],
}


def post_project(client, headers, organisation, **changes) -> str:
    response = client.post(
        "/api/v1/projects", json={**PROJECT, "organisation_id": str(organisation.public_id), **changes}, headers=headers
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def transition(client, headers, project_id, status):
    return client.post(f"/api/v1/projects/{project_id}/transition", json={"status": status}, headers=headers)


def publish(client, headers, project_id):
    response = transition(client, headers, project_id, "open")
    assert response.status_code == 200, response.get_data(as_text=True)


def person_with_token(db, make_token, *, email=None, **profile_fields):
    person = make_user(db, email=email)
    profile = make_profile(db, owner=person, **profile_fields)
    return person, profile, bearer(make_token(person))


def titles(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["title"] for item in response.get_json()["items"]]


# ---- posting, reading, browsing -------------------------------------------------------------------


def test_post_read_publish_and_search(client, db, staff, town):
    response = client.post("/api/v1/projects", json={**PROJECT, "organisation_id": str(town.public_id)}, headers=staff)
    assert response.status_code == 201
    created = response.get_json()
    project = db.scalar(sa.select(Project))
    assert str(project.public_id) == created["id"] and project.status is ProjectStatus.DRAFT
    assert project.organisation_id == town.id and project.created_by_id == town.memberships[0].user_id
    assert (project.title, project.hours_per_week, project.pay_yen, project.onsite_days_per_month) == (
        PROJECT["title"], 6, 3000, 2,
    )  # fmt: skip
    assert project.travel_covered and project.seats == 2 and project.deadline.isoformat() == PROJECT["deadline"]
    assert {(n.skill_code, n.min_level, n.is_must) for n in project.needs} == {
        ("dssp2-52", 2, True), ("dssp2-20", 2, False),
    }  # fmt: skip
    assert created["status"] == "draft" and created["allowed_transitions"] == ["open", "cancelled"]
    assert created["opened_at"] is None  # never open yet
    assert created["organisation"] == {"id": str(town.public_id), "name": town.name, "verified": True}
    assert created["municipality"]["subprefecture"] == "tokachi"
    assert created["needs"][0] == {
        "skill": "dssp2-52", "name_ja": "サービス活用", "name_en": "Service Utilization", "min_level": 2,
        "must_have": True,
    }  # fmt: skip

    anonymous = client.application.test_client()
    assert anonymous.get(f"/api/v1/projects/{project.public_id}").status_code == 404  # drafts are private
    assert titles(anonymous.get("/api/v1/projects?open_only=false")) == []
    assert client.get(f"/api/v1/projects/{project.public_id}", headers=staff).status_code == 200

    publish(client, staff, project.public_id)
    shown = anonymous.get(f"/api/v1/projects/{project.public_id}").get_json()
    assert shown["status"] == "open" and shown["title"] == PROJECT["title"] and shown["allowed_transitions"] == []
    db.refresh(project)
    assert datetime.fromisoformat(shown["opened_at"]) == project.opened_at and project.opened_at.tzinfo is not None
    listed = anonymous.get("/api/v1/projects").get_json()["items"]
    assert [item["opened_at"] for item in listed] == [shown["opened_at"]]
    assert "email" not in str(shown)

    found = anonymous.get("/api/v1/projects?theme=admin_dx&subprefecture=tokachi&remote_ok=true&skill=dssp2-52")
    assert titles(found) == [PROJECT["title"]] and found.get_json()["total"] == 1
    assert titles(anonymous.get("/api/v1/projects?pay_kind=hourly")) == [PROJECT["title"]]
    assert titles(anonymous.get("/api/v1/projects?theme=tourism")) == []
    assert titles(anonymous.get("/api/v1/projects?subprefecture=ishikari")) == []
    assert titles(anonymous.get("/api/v1/projects?skill=dssp2-36")) == []
    assert titles(anonymous.get("/api/v1/projects?pay_kind=volunteer")) == []
    assert titles(anonymous.get("/api/v1/projects?internship=true")) == []
    unknown = anonymous.get("/api/v1/projects?subprefecture=atlantis")
    assert unknown.status_code == 422 and "subprefecture" in unknown.get_json()["fields"]
    assert anonymous.get("/api/v1/projects?theme=space").status_code == 422

    transition(client, staff, project.public_id, "closed")
    assert titles(anonymous.get("/api/v1/projects")) == []  # open only, by default
    assert titles(anonymous.get("/api/v1/projects?open_only=false")) == [PROJECT["title"]]


def test_search_filters_remote_internships_and_pages(client, db, staff, town):
    onsite = post_project(client, staff, town, title="現地の仕事", work_mode="onsite")
    intern = post_project(client, staff, town, title="学生インターン", pay_kind="internship", pay_yen=0)
    for project_id in (onsite, intern):
        publish(client, staff, project_id)
    anonymous = client.application.test_client()
    assert titles(anonymous.get("/api/v1/projects?remote_ok=true")) == ["学生インターン"]  # hybrid, not onsite
    assert titles(anonymous.get("/api/v1/projects?remote_ok=false&internship=true")) == ["学生インターン"]
    first = anonymous.get("/api/v1/projects?per_page=1").get_json()
    second = anonymous.get("/api/v1/projects?per_page=1&page=2").get_json()
    assert first["total"] == second["total"] == 2
    assert {first["items"][0]["id"], second["items"][0]["id"]} == {onsite, intern}
    assert anonymous.get("/api/v1/projects?per_page=101").status_code == 422


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"needs": []}, "needs"),
        ({"ends_on": (TODAY + timedelta(days=1)).isoformat()}, "ends_on"),  # before the start
        ({"pay_yen": -5}, "pay_yen"),
        ({"pay_yen": 0}, "pay_yen"),  # hourly pay needs an amount
        ({"deadline": (TODAY - timedelta(days=1)).isoformat()}, "deadline"),
        ({"deadline": (TODAY + timedelta(days=40)).isoformat()}, "deadline"),  # after the start
        ({"municipality_code": "999999"}, "municipality_code"),
        ({"municipality_code": "Sapporo"}, "municipality_code"),
        ({"needs": [{"skill": "dssp2-52", "min_level": 7, "must_have": True}]}, "needs"),
        ({"needs": [{"skill": "nonsense", "min_level": 2, "must_have": True}]}, "needs"),
        ({"needs": [{"skill": "dssp2-52", "min_level": 2}, {"skill": "dssp2-52", "min_level": 3}]}, "needs"),
        ({"needs": [{"skill": f"dssp2-{n}", "min_level": 2} for n in range(10, 16)]}, "needs"),  # six rows
        ({"title": "   "}, "title"),
        ({"hours_per_week": 61}, "hours_per_week"),
        ({"seats": 0}, "seats"),
        ({"onsite_days_per_month": None}, "onsite_days_per_month"),  # hybrid work says how many days on site
        ({"onsite_days_per_month": 0}, "onsite_days_per_month"),
        ({"theme": "space"}, "theme"),
        ({"starts_on": "next week"}, "starts_on"),
        ({"status": "open"}, "status"),  # no mass assignment
    ],
)
def test_bad_projects_are_refused_and_nothing_saved(client, db, staff, town, change, field):
    response = client.post(
        "/api/v1/projects", json={**PROJECT, "organisation_id": str(town.public_id), **change}, headers=staff
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    problem = response.get_json()
    assert response.mimetype == "application/problem+json" and problem["code"] == "invalid"
    assert any(key.split(".")[0] == field for key in problem["fields"]), problem["fields"]
    assert count(db, Project) == 0


def test_service_messages_come_back_in_the_account_s_language(client, db, make_token, town):
    body = {**PROJECT, "organisation_id": str(town.public_id), "ends_on": (TODAY + timedelta(days=1)).isoformat()}
    owner = town.memberships[0].user
    headers = bearer(make_token(owner))
    japanese = client.post("/api/v1/projects", json=body, headers=headers).get_json()
    assert japanese["fields"]["ends_on"] == "終了日は開始日より後にしてください。"
    owner.locale = "en"
    english = client.post("/api/v1/projects", json=body, headers=headers).get_json()
    assert english["fields"]["ends_on"] and english["fields"]["ends_on"] != japanese["fields"]["ends_on"]
    assert english["fields"]["ends_on"].isascii()


def test_only_members_post_and_only_verified_organisations_publish(client, db, make_token, town):
    outsider = bearer(make_token(make_user(db)))
    body = {**PROJECT, "organisation_id": str(town.public_id)}
    refused = client.post("/api/v1/projects", json=body, headers=outsider)
    assert refused.status_code == 403 and refused.get_json()["detail"] == "この操作を行う権限がありません。"
    missing = {**body, "organisation_id": "00000000-0000-4000-8000-000000000000"}
    assert client.post("/api/v1/projects", json=missing, headers=outsider).status_code == 404
    reader = bearer(make_token(town.memberships[0].user, scopes=("read",)))
    assert client.post("/api/v1/projects", json=body, headers=reader).status_code == 403  # no write scope
    assert client.post("/api/v1/projects", json=body).status_code == 401
    assert count(db, Project) == 0

    member = make_user(db)
    add_member(db, town, member)
    post_project(client, bearer(make_token(member)), town)  # a plain member may post
    assert count(db, Project) == 1

    unverified = make_organisation(db, name="未確認の町")
    owner = bearer(make_token(unverified.memberships[0].user))
    project_id = post_project(client, owner, unverified)
    refused = transition(client, owner, project_id, "open")
    assert refused.status_code == 403
    assert refused.get_json()["detail"] == "プロジェクトを公開できるのは、確認済みの組織だけです。"
    assert db.scalar(sa.select(Project).where(Project.organisation_id == unverified.id)).status is ProjectStatus.DRAFT


def test_status_flow(client, db, make_token, staff, town):
    project_id = post_project(client, staff, town)
    assert transition(client, staff, project_id, "completed").status_code == 409
    assert transition(client, staff, project_id, "bogus").status_code == 422
    opened_at = []
    for target, allowed in [
        ("open", ["closed", "in_progress", "cancelled"]),
        ("closed", ["open", "in_progress", "cancelled"]),
        ("open", ["closed", "in_progress", "cancelled"]),
        ("in_progress", ["completed", "cancelled"]),
        ("completed", []),
    ]:
        response = transition(client, staff, project_id, target)
        assert response.status_code == 200, target
        assert response.get_json()["status"] == target and response.get_json()["allowed_transitions"] == allowed
        assert db.scalar(sa.select(Project)).status is ProjectStatus(target)
        opened_at.append(datetime.fromisoformat(response.get_json()["opened_at"]))
    first, closed, reopened, *later = opened_at
    assert closed == first and reopened > first and later == [reopened, reopened]  # moved only by opening
    assert transition(client, staff, project_id, "open").status_code == 409
    other = make_organisation(db, verified=True)
    outsider = bearer(make_token(other.memberships[0].user))
    assert transition(client, outsider, project_id, "cancelled").status_code == 403
    assert db.scalar(sa.select(Project)).status is ProjectStatus.COMPLETED


def test_partial_update(client, db, make_token, staff, town):
    project_id = post_project(client, staff, town)
    url = f"/api/v1/projects/{project_id}"
    response = client.patch(
        url,
        json={"title": "除雪の問い合わせをLINEでも", "ends_on": None, "needs": [{"skill": "dssp2-36", "min_level": 3}]},
        headers=staff,
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["title"] == "除雪の問い合わせをLINEでも"
    assert [n["skill"] for n in response.get_json()["needs"]] == ["dssp2-36"]
    project = db.scalar(sa.select(Project))
    assert project.title == "除雪の問い合わせをLINEでも" and project.ends_on is None
    assert [(n.skill_code, n.min_level, n.is_must) for n in project.needs] == [("dssp2-36", 3, True)]
    assert project.problem == PROJECT["problem"] and project.pay_yen == 3000 and project.seats == 2  # unchanged

    moved = client.patch(url, json={"municipality_code": "011002"}, headers=staff).get_json()
    assert moved["municipality"]["code"] == "011002" and moved["municipality"]["subprefecture"] == "ishikari"

    for bad in (
        {"ends_on": (TODAY + timedelta(days=1)).isoformat()},
        {"title": None},
        {"needs": []},
        {"pay_yen": -1},
        {"onsite_days_per_month": None},  # the project is hybrid
        {"organisation_id": str(make_organisation(db).public_id)},
    ):
        refused = client.patch(url, json=bad, headers=staff)
        assert refused.status_code == 422, bad
    db.expire_all()
    project = db.scalar(sa.select(Project))
    assert project.title == "除雪の問い合わせをLINEでも" and project.ends_on is None
    assert project.organisation_id == town.id and project.onsite_days_per_month == 2

    outsider = bearer(make_token(make_organisation(db, verified=True).memberships[0].user))
    assert client.patch(url, json={"title": "乗っ取り"}, headers=outsider).status_code == 404  # a draft
    publish(client, staff, project_id)
    assert client.patch(url, json={"title": "乗っ取り"}, headers=outsider).status_code == 403
    assert db.scalar(sa.select(Project)).title == "除雪の問い合わせをLINEでも"


# ---- matching -------------------------------------------------------------------------------------


def test_matches_with_reasons_as_codes_and_sentences(client, db, make_token, staff, town):
    strong = make_profile(
        db,
        display_name="kintoneの達人",
        headline="町役場の業務をkintoneで改善",
        skills={"dssp2-52": 3},
        home_municipality_code="016331",
        hours_per_week=8,
        max_travel_km=50,
        work_mode=WorkMode.HYBRID,
    )
    db.add(ProfileSkill(profile_id=strong.id, skill_code="dssp2-20", level=2, source=SkillSource.BADGE))
    beginner = make_profile(db, display_name="まだ初心者", skills={"dssp2-52": 1}, hours_per_week=2,
                            home_municipality_code="016331", max_travel_km=10, work_mode=WorkMode.ONSITE)  # fmt: skip
    # the project asks 2 on-site days a month: a remote-only expert is a near miss, never ranked
    remote = make_profile(db, display_name="リモートの達人", skills={"dssp2-52": 4}, hours_per_week=8,
                          home_municipality_code="016331", work_mode=WorkMode.REMOTE)  # fmt: skip
    make_profile(db, display_name="非公開の人", skills={"dssp2-52": 4}, visibility=Visibility.PRIVATE)
    make_profile(db, display_name="オファー不可の人", skills={"dssp2-52": 4}, open_to_offers=False)
    project_id = post_project(client, staff, town)
    publish(client, staff, project_id)

    response = client.get(f"/api/v1/projects/{project_id}/matches", headers=staff)
    assert response.status_code == 200
    matches = response.get_json()["items"]
    names = [m["display_name"] for m in matches]
    assert names.index("kintoneの達人") < names.index("まだ初心者")
    assert "非公開の人" not in names and "オファー不可の人" not in names and "リモートの達人" not in names
    assert response.get_json()["near_misses"] == []  # only when asked
    asked = client.get(f"/api/v1/projects/{project_id}/matches?near_misses=true", headers=staff).get_json()
    assert [m["display_name"] for m in asked["items"]] == names
    [near] = asked["near_misses"]
    assert near["profile_id"] == str(remote.public_id) and near["blocker"]["code"] == "no_onsite"
    assert near["blocker"]["sentence"] == "現地での仕事を受けていません（リモートのみ）"
    best = matches[0]
    assert best["profile_id"] == str(strong.public_id) and 0 < best["score"] <= 1
    assert best["headline"] == "町役場の業務をkintoneで改善"
    met = next(r for r in best["reasons"] if r["code"] == "must_have_met")
    assert met["subject"] == "dssp2-52" and met["numbers"]["level"] == 3 and met["numbers"]["required"] == 2
    assert "必須スキル「サービス活用」：レベル3（求めるレベル2）" in best["why"]
    assert any("はバッジで検証済み" in line for line in best["why"])
    weak = next(m for m in matches if m["profile_id"] == str(beginner.public_id))
    assert "必須スキル「サービス活用」がレベル1（求めるレベル2）" in weak["missing"]
    assert any(r["code"] == "must_have_partial" for r in weak["reasons"])

    town.memberships[0].user.locale = "en"
    near_en = client.get(f"/api/v1/projects/{project_id}/matches?near_misses=true", headers=staff).get_json()
    assert near_en["near_misses"][0]["blocker"]["sentence"] == "Does not work on site (remote only)"
    english = client.get(f"/api/v1/projects/{project_id}/matches", headers=staff).get_json()["items"][0]
    assert english["reasons"] == best["reasons"] and english["why"] != best["why"]  # the same reasons, in English
    assert 'Must-have skill "Service Utilization": level 3 (required 2)' in english["why"]
    limited = client.get(f"/api/v1/projects/{project_id}/matches?limit=1", headers=staff).get_json()["items"]
    assert [m["display_name"] for m in limited] == ["kintoneの達人"]
    for bad in ("0", "101", "many"):
        assert client.get(f"/api/v1/projects/{project_id}/matches?limit={bad}", headers=staff).status_code == 422

    outsider = bearer(make_token(make_user(db)))
    assert client.get(f"/api/v1/projects/{project_id}/matches", headers=outsider).status_code == 403
    assert client.get(f"/api/v1/projects/{project_id}/matches?near_misses=true", headers=outsider).status_code == 403
    assert client.get(f"/api/v1/projects/{project_id}/matches?near_misses=maybe", headers=staff).status_code == 422
    assert client.get(f"/api/v1/projects/{project_id}/matches").status_code == 401
    assert client.get("/api/v1/projects/not-a-uuid/matches", headers=staff).status_code == 404


def test_projects_for_you(client, db, make_token, staff, town):
    project_id = post_project(client, staff, town)
    publish(client, staff, project_id)
    post_project(client, staff, town, title="まだ下書き")  # drafts are never suggested
    _person, _profile, headers = person_with_token(db, make_token, skills={"dssp2-52": 3}, hours_per_week=6,
                                                   work_mode=WorkMode.HYBRID, home_municipality_code="016331",
                                                   max_travel_km=30)  # fmt: skip
    _far, _far_profile, far_headers = person_with_token(db, make_token, skills={"dssp2-52": 3}, hours_per_week=6,
                                                        work_mode=WorkMode.REMOTE)  # fmt: skip
    # the hybrid project's 2 on-site days a month: not for a remote-only person
    assert client.get("/api/v1/me/recommended-projects", headers=far_headers).get_json()["items"] == []
    response = client.get("/api/v1/me/recommended-projects", headers=headers)
    assert response.status_code == 200
    [suggestion] = response.get_json()["items"]
    assert suggestion["project"]["id"] == project_id and suggestion["project"]["title"] == PROJECT["title"]
    assert any(line.startswith("必須スキル「サービス活用」") for line in suggestion["why"])
    assert any(r["code"] == "must_have_met" for r in suggestion["reasons"])
    assert client.get("/api/v1/me/recommended-projects?limit=0", headers=headers).status_code == 422

    client.post(f"/api/v1/projects/{project_id}/applications", json={}, headers=headers)
    assert client.get("/api/v1/me/recommended-projects", headers=headers).get_json()["items"] == []
    no_profile = bearer(make_token(make_user(db)))
    assert client.get("/api/v1/me/recommended-projects", headers=no_profile).get_json() == {"items": []}
    assert client.get("/api/v1/me/recommended-projects").status_code == 401


# ---- applications and invitations -----------------------------------------------------------------


def test_apply_release_answer_and_withdraw(client, db, make_token, staff, town):
    project_id = post_project(client, staff, town)
    publish(client, staff, project_id)
    _person, profile, headers = person_with_token(db, make_token, email="applicant@example.jp")

    response = client.post(
        f"/api/v1/projects/{project_id}/applications", json={"message": "ぜひ参加したいです"}, headers=headers
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    mine = response.get_json()
    assert mine["direction"] == "applied" and mine["status"] == "pending" and mine["contact"] is None
    application = db.scalar(sa.select(Application))
    assert str(application.public_id) == mine["id"] and application.message == "ぜひ参加したいです"
    [release] = db.scalars(sa.select(ContactRelease)).all()
    assert release.reason == "applied" and release.fields == ["email", "display_name"]
    assert [m.kind for m in outbox(db, town.memberships[0].user.email)] == ["application_received"]

    again = client.post(f"/api/v1/projects/{project_id}/applications", json={"message": "again"}, headers=headers)
    assert again.status_code == 409 and again.get_json()["code"] == "conflict"
    assert count(db, Application) == 1

    listed = client.get(f"/api/v1/projects/{project_id}/applications", headers=staff).get_json()["items"]
    assert listed[0]["contact"] == {"email": "applicant@example.jp", "display_name": profile.display_name}
    assert listed[0]["message"] == "ぜひ参加したいです"
    assert client.get(f"/api/v1/projects/{project_id}/applications", headers=headers).status_code == 403

    mine_list = client.get("/api/v1/me/applications", headers=headers).get_json()
    assert [a["id"] for a in mine_list["items"]] == [mine["id"]] and mine_list["items"][0]["contact"] is None

    url = f"/api/v1/applications/{application.public_id}"
    assert client.post(f"{url}/accept", headers=headers).status_code == 403  # not theirs to accept
    declined = client.post(f"{url}/decline", headers=staff)
    assert declined.status_code == 200 and declined.get_json()["status"] == "declined"
    assert declined.get_json()["contact"] is None  # a declined application no longer shows the contact
    db.expire_all()
    assert db.scalar(sa.select(Application)).status is ApplicationStatus.DECLINED
    assert [m.kind for m in outbox(db, "applicant@example.jp")] == ["application_answered"]
    assert client.post(f"{url}/accept", headers=staff).status_code == 409
    assert client.post(f"{url}/withdraw", headers=headers).status_code == 409


def test_withdrawing_ends_the_contact_release(client, db, make_token, staff, town):
    project_id = post_project(client, staff, town)
    publish(client, staff, project_id)
    _person, _profile, headers = person_with_token(db, make_token, email="leaver@example.jp")
    application_id = client.post(f"/api/v1/projects/{project_id}/applications", json={}, headers=headers).get_json()[
        "id"
    ]
    assert client.post(f"/api/v1/applications/{application_id}/accept", headers=staff).get_json()["contact"]
    withdrawn = client.post(f"/api/v1/applications/{application_id}/withdraw", headers=headers)
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"
    listed = client.get(f"/api/v1/projects/{project_id}/applications", headers=staff).get_json()["items"]
    assert listed[0]["contact"] is None and "leaver@example.jp" not in str(listed)
    assert db.scalar(sa.select(ContactRelease)).withdrawn_at is not None


def test_who_cannot_apply(client, db, make_token, staff, town):
    project_id = post_project(client, staff, town)
    _person, _profile, headers = person_with_token(db, make_token)
    assert client.post(f"/api/v1/projects/{project_id}/applications", json={}, headers=headers).status_code == 404
    publish(client, staff, project_id)
    no_profile = client.post(
        f"/api/v1/projects/{project_id}/applications", json={}, headers=bearer(make_token(make_user(db)))
    )
    assert no_profile.status_code == 422
    make_profile(db, owner=town.memberships[0].user)
    assert client.post(f"/api/v1/projects/{project_id}/applications", json={}, headers=staff).status_code == 409
    too_long = client.post(
        f"/api/v1/projects/{project_id}/applications", json={"message": "あ" * 2001}, headers=headers
    )
    assert too_long.status_code == 422 and "message" in too_long.get_json()["fields"]
    transition(client, staff, project_id, "closed")
    assert client.post(f"/api/v1/projects/{project_id}/applications", json={}, headers=headers).status_code == 409
    assert count(db, Application) == 0


def test_invitation_rules(client, db, make_token, staff, town):
    project_id = post_project(client, staff, town)
    scouted = make_profile(db, skills={"dssp2-52": 3})
    url = f"/api/v1/projects/{project_id}/invitations"
    assert client.post(url, json={"profile_id": str(scouted.public_id)}, headers=staff).status_code == 409  # draft
    publish(client, staff, project_id)
    hidden = make_profile(db, visibility=Visibility.PRIVATE)
    closed = make_profile(db, open_to_offers=False)
    for profile_id in (hidden.public_id, closed.public_id, "00000000-0000-4000-8000-000000000000"):
        assert client.post(url, json={"profile_id": str(profile_id)}, headers=staff).status_code == 404
    assert client.post(url, json={"profile_id": "someone"}, headers=staff).status_code == 422
    outsider = bearer(make_token(make_user(db)))
    assert client.post(url, json={"profile_id": str(scouted.public_id)}, headers=outsider).status_code == 403
    assert count(db, Application) == 0
    response = client.post(url, json={"profile_id": str(scouted.public_id), "message": "お力を"}, headers=staff)
    assert response.status_code == 201 and response.get_json()["direction"] == "invited"
    assert client.post(url, json={"profile_id": str(scouted.public_id)}, headers=staff).status_code == 409
    assert count(db, Application) == 1


# ---- what each project status allows ---------------------------------------------------------------


def test_completing_closes_the_pending_ones(client, db, make_token, staff, town):
    project_id = post_project(client, staff, town)
    publish(client, staff, project_id)
    _person, invitee, invitee_headers = person_with_token(db, make_token, email="late-invitee@example.jp")
    invitation = client.post(
        f"/api/v1/projects/{project_id}/invitations", json={"profile_id": str(invitee.public_id)}, headers=staff
    ).get_json()
    _person, _profile, engaged_headers = person_with_token(db, make_token, email="engaged@example.jp")
    engaged = client.post(f"/api/v1/projects/{project_id}/applications", json={}, headers=engaged_headers).get_json()
    assert client.post(f"/api/v1/applications/{engaged['id']}/accept", headers=staff).status_code == 200
    _person, _profile, outsider = person_with_token(db, make_token)
    assert transition(client, outsider, project_id, "in_progress").status_code == 403
    assert transition(client, staff, project_id, "in_progress").status_code == 200
    assert transition(client, staff, project_id, "completed").get_json()["status"] == "completed"
    listed = client.get(f"/api/v1/projects/{project_id}/applications", headers=staff).get_json()["items"]
    assert {a["id"]: a["status"] for a in listed} == {invitation["id"]: "closed", engaged["id"]: "accepted"}
    assert outbox(db, "late-invitee@example.jp")[-1].kind == "project_completed"
    assert "project_completed" not in [m.kind for m in outbox(db, "engaged@example.jp")]
    refused = client.post(f"/api/v1/applications/{invitation['id']}/accept", headers=invitee_headers)
    assert refused.status_code == 409 and count(db, ContactRelease) == 1  # only the engaged person's


def test_cancelling_closes_pending_ones_and_refuses_answers(client, db, make_token, staff, town):
    project_id = post_project(client, staff, town)
    publish(client, staff, project_id)
    _person, invitee, invitee_headers = person_with_token(db, make_token, email="invitee@example.jp")
    _person, _profile, applicant_headers = person_with_token(db, make_token, email="applicant@example.jp")
    invitation = client.post(
        f"/api/v1/projects/{project_id}/invitations", json={"profile_id": str(invitee.public_id)}, headers=staff
    ).get_json()
    applied = client.post(f"/api/v1/projects/{project_id}/applications", json={}, headers=applicant_headers)
    assert applied.status_code == 201
    cancelled = transition(client, staff, project_id, "cancelled")
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    listed = client.get(f"/api/v1/projects/{project_id}/applications", headers=staff).get_json()["items"]
    assert {a["status"] for a in listed} == {"closed"} and all(a["contact"] is None for a in listed)
    assert db.scalar(sa.select(ContactRelease)).withdrawn_at is not None
    for address in ("invitee@example.jp", "applicant@example.jp"):
        assert outbox(db, address)[-1].kind == "project_cancelled"
    # the people involved still read the cancelled project and their closed entry; nobody can answer it
    assert client.get(f"/api/v1/projects/{project_id}", headers=invitee_headers).status_code == 200
    mine = client.get("/api/v1/me/applications", headers=invitee_headers).get_json()["items"]
    assert [a["status"] for a in mine] == ["closed"]
    refused = client.post(f"/api/v1/applications/{invitation['id']}/accept", headers=invitee_headers)
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    assert count(db, ContactRelease) == 1  # only the applicant's (ended) release
    assert client.get(f"/api/v1/projects/{project_id}", headers=bearer(make_token(make_user(db)))).status_code == 404


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_invitations_are_not_answered_after_completion(client, db, make_token, staff, town, answer):
    project_id = post_project(client, staff, town)
    publish(client, staff, project_id)
    _person, invitee, headers = person_with_token(db, make_token)
    invitation = client.post(
        f"/api/v1/projects/{project_id}/invitations", json={"profile_id": str(invitee.public_id)}, headers=staff
    ).get_json()
    for status in ("in_progress", "completed"):
        assert transition(client, staff, project_id, status).status_code == 200
    refused = client.post(f"/api/v1/applications/{invitation['id']}/{answer}", headers=headers)
    assert refused.status_code == 409 and refused.get_json()["code"] == "conflict"
    assert "完了" in refused.get_json()["detail"]
    assert db.scalar(sa.select(Application)).status is ApplicationStatus.CLOSED  # closed on completing
    assert count(db, ContactRelease) == 0


def test_completion_needs_the_project_in_progress(client, db, make_token, staff, town):
    project_id = post_project(client, staff, town)
    publish(client, staff, project_id)
    _person, _profile, headers = person_with_token(db, make_token)
    application_id = client.post(f"/api/v1/projects/{project_id}/applications", json={}, headers=headers).get_json()[
        "id"
    ]
    client.post(f"/api/v1/applications/{application_id}/accept", headers=staff)
    body = {"summary": "フォームを公開した", "skills": [{"skill": "dssp2-52", "level": 3}]}
    url = f"/api/v1/applications/{application_id}/complete"
    refused = client.post(url, json=body, headers=staff)
    assert refused.status_code == 409 and "募集中" in refused.get_json()["detail"]
    assert count(db, Outcome) == 0
    transition(client, staff, project_id, "in_progress")
    assert client.post(url, json=body, headers=staff).status_code == 200


# ---- completion -----------------------------------------------------------------------------------


def _accepted_application(client, db, make_token, staff, town, **profile_fields):
    project_id = post_project(client, staff, town)
    publish(client, staff, project_id)
    _person, profile, headers = person_with_token(db, make_token, **profile_fields)
    application_id = client.post(f"/api/v1/projects/{project_id}/applications", json={}, headers=headers).get_json()[
        "id"
    ]
    assert client.post(f"/api/v1/applications/{application_id}/accept", headers=staff).status_code == 200
    assert transition(client, staff, project_id, "in_progress").status_code == 200  # completion needs the work begun
    return application_id, profile, headers


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"skills": []}, 422),
        ({"skills": [{"skill": "nonsense", "level": 2}]}, 422),
        ({"skills": [{"skill": "dssp2-52", "level": 5}]}, 422),
        ({"skills": [{"skill": "dssp2-52", "level": 2}, {"skill": "dssp2-52", "level": 3}]}, 422),
        ({"summary": ""}, 422),
        ({"issue_badge": True}, 409),  # the town is not an issuer yet
    ],
)
def test_bad_completions_save_nothing(client, db, make_token, staff, town, change, status):
    application_id, _profile, _headers = _accepted_application(client, db, make_token, staff, town)
    body = {"summary": "フォームを公開した", "skills": [{"skill": "dssp2-52", "level": 3}], **change}
    response = client.post(f"/api/v1/applications/{application_id}/complete", json=body, headers=staff)
    assert response.status_code == status, response.get_data(as_text=True)
    assert count(db, Outcome) == 0 and count(db, Credential) == 0
    assert db.scalar(sa.select(Application)).status is ApplicationStatus.ACCEPTED


def test_only_the_organisation_completes_an_accepted_engagement(client, db, make_token, staff, town):
    application_id, _profile, headers = _accepted_application(client, db, make_token, staff, town)
    body = {"summary": "フォームを公開した", "skills": [{"skill": "dssp2-52", "level": 3}]}
    url = f"/api/v1/applications/{application_id}/complete"
    assert client.post(url, json=body, headers=headers).status_code == 403  # the person cannot verify themselves
    assert client.post(url, json=body).status_code == 401
    assert count(db, Outcome) == 0
    assert client.post(url, json=body, headers=staff).status_code == 200
    assert client.post(url, json=body, headers=staff).status_code == 409  # already completed
    assert count(db, Outcome) == 1


# ---- the whole loop -------------------------------------------------------------------------------


def test_post_publish_match_invite_accept_complete(client, app, db, make_token, staff, town):
    owner = town.memberships[0].user
    with app.test_request_context():
        issuers.setup_issuer(db, owner, town, issuer_context())
    _person, profile, headers = person_with_token(
        db, make_token, email="scouted@example.jp", display_name="招待 花子", skills={"dssp2-52": 3},
        hours_per_week=6, home_municipality_code="016331", max_travel_km=100, work_mode=WorkMode.HYBRID,
    )  # fmt: skip

    project_id = post_project(client, staff, town)
    publish(client, staff, project_id)
    matches = client.get(f"/api/v1/projects/{project_id}/matches", headers=staff).get_json()["items"]
    assert matches[0]["profile_id"] == str(profile.public_id)

    invited = client.post(
        f"/api/v1/projects/{project_id}/invitations",
        json={"profile_id": matches[0]["profile_id"], "message": "お力を貸してください"},
        headers=staff,
    )
    assert invited.status_code == 201
    invitation = invited.get_json()
    assert invitation["direction"] == "invited" and invitation["status"] == "pending"
    assert invitation["contact"] is None  # nothing is shared before the person accepts
    assert count(db, ContactRelease) == 0
    assert [m.kind for m in outbox(db, "scouted@example.jp")] == ["invitation_received"]
    listed = client.get(f"/api/v1/projects/{project_id}/applications", headers=staff).get_json()["items"]
    assert listed[0]["contact"] is None and "scouted@example.jp" not in str(listed)
    # invited people are not matched again
    matched_again = client.get(f"/api/v1/projects/{project_id}/matches", headers=staff).get_json()["items"]
    assert str(profile.public_id) not in [m["profile_id"] for m in matched_again]

    url = f"/api/v1/applications/{invitation['id']}"
    assert client.post(f"{url}/accept", headers=staff).status_code == 403  # not the town's to accept
    stranger = bearer(make_token(make_user(db)))
    assert client.post(f"{url}/accept", headers=stranger).status_code == 404
    mine = client.get("/api/v1/me/applications", headers=headers).get_json()["items"]
    assert [(a["id"], a["direction"], a["message"]) for a in mine] == [
        (invitation["id"], "invited", "お力を貸してください")
    ]
    accepted = client.post(f"{url}/accept", headers=headers)
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    assert accepted.get_json()["contact"] is None  # the person's own view carries no contact block

    # the contact is released to the town, and recorded
    listed = client.get(f"/api/v1/projects/{project_id}/applications", headers=staff).get_json()["items"]
    assert listed[0]["contact"] == {"email": "scouted@example.jp", "display_name": "招待 花子"}
    [release] = db.scalars(sa.select(ContactRelease)).all()
    assert release.reason == "accepted_invitation" and release.organisation_id == town.id

    assert transition(client, staff, project_id, "in_progress").status_code == 200
    completed = client.post(
        f"{url}/complete",
        json={
            "summary": "問い合わせフォームを公開し、電話が4割減った。",
            "skills": [{"skill": "dssp2-52", "level": 4}],
            "issue_badge": True,
        },
        headers=staff,
    )
    assert completed.status_code == 200, completed.get_data(as_text=True)
    result = completed.get_json()
    assert result["application"]["status"] == "completed" and result["badge_issued"] is True
    assert result["outcome"]["project_verified"] is True and result["outcome"]["project_id"] == project_id
    assert result["outcome"]["skills"] == [{"skill": "dssp2-52", "level": 4}]
    assert result["outcome"]["url"].endswith(f"/people/{profile.public_id}#outcome-{result['outcome']['id']}")

    db.expire_all()
    outcome = db.scalar(sa.select(Outcome))
    assert str(outcome.public_id) == result["outcome"]["id"] and outcome.profile_id == profile.id
    assert outcome.project_id is not None and outcome.organisation_id == town.id
    assert outcome.description == "問い合わせフォームを公開し、電話が4割減った。"
    verified = db.scalar(
        sa.select(ProfileSkill).where(ProfileSkill.profile_id == profile.id, ProfileSkill.source == SkillSource.PROJECT)
    )
    assert (verified.skill_code, verified.level) == ("dssp2-52", 4)
    credential = db.scalar(sa.select(Credential))
    assert credential.profile_id == profile.id and credential.recipient_email == "scouted@example.jp"
    application = db.scalar(sa.select(Application))
    assert application.status is ApplicationStatus.COMPLETED and application.direction is Direction.INVITED
    assert application.outcome_id == outcome.id
    mine = client.get("/api/v1/me/applications", headers=headers).get_json()["items"]
    assert mine[0]["status"] == "completed"
    # the outcome shows on the person's public profile as project-verified, with the skill raised
    shown = client.application.test_client().get(f"/api/v1/profiles/{profile.public_id}")
    assert shown.status_code == 200, shown.get_data(as_text=True)
    [on_profile] = [o for o in shown.get_json()["outcomes"] if o["id"] == result["outcome"]["id"]]
    assert on_profile["project_verified"] is True and on_profile["organisation_name"] == town.name
    assert on_profile["description"] == "問い合わせフォームを公開し、電話が4割減った。"
    assert {(s["code"], s["level"], s["source"]) for s in shown.get_json()["skills"]} >= {("dssp2-52", 4, "project")}


# ---- the applicant's order of preference ----------------------------------------------------------


def test_an_applicant_ranks_their_internship_applications(client, db, make_token, staff, town):
    internships = []
    for title in ("インターンA", "インターンB"):
        project_id = post_project(client, staff, town, title=title, is_internship=True, pay_kind="internship",
                                  pay_yen=0)  # fmt: skip
        publish(client, staff, project_id)
        internships.append(project_id)
    _person, _profile, headers = person_with_token(db, make_token, skills={"dssp2-52": 2})
    applied = [
        client.post(f"/api/v1/projects/{p}/applications", json={"message": ""}, headers=headers).get_json()["id"]
        for p in internships
    ]
    url = "/api/v1/me/internship-preferences"
    ranked = client.put(url, json={"applications": [applied[1], applied[0]]}, headers=headers)
    assert ranked.status_code == 200, ranked.get_data(as_text=True)
    assert [(a["project_title"], a["preference_rank"]) for a in ranked.get_json()["items"]] == [
        ("インターンB", 1),
        ("インターンA", 2),
    ]
    mine = client.get("/api/v1/me/applications", headers=headers).get_json()["items"]
    assert {a["project_title"]: a["preference_rank"] for a in mine} == {"インターンA": 2, "インターンB": 1}

    _other, _other_profile, other_headers = person_with_token(db, make_token)
    for bad, who in (
        ({"applications": [applied[0], applied[0]]}, headers),  # twice
        ({"applications": ["not-a-uuid"]}, headers),
        ({"applications": [applied[0]]}, other_headers),  # someone else's
    ):
        refused = client.put(url, json=bad, headers=who)
        assert refused.status_code == 422 and "applications" in str(refused.get_json()["fields"]), bad
    db.expire_all()
    assert sorted((a.preference_rank for a in db.scalars(sa.select(Application))), key=str) == [1, 2]
    # Leaving one out clears its rank.
    assert client.put(url, json={"applications": [applied[0]]}, headers=headers).status_code == 200
    db.expire_all()
    ranks = {str(a.public_id): a.preference_rank for a in db.scalars(sa.select(Application))}
    assert ranks == {applied[0]: 1, applied[1]: None}
