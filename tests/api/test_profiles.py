"""Profiles over the API: search, one profile per its visibility, and the caller's own profile, skills, outcomes."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from talentbank.db import utcnow
from talentbank.models import (
    DeletedProfile,
    Outcome,
    OutcomeSkill,
    Profile,
    ProfileSkill,
    Project,
    ProjectPay,
    ProjectStatus,
    ProjectWorkMode,
    SkillSource,
    Subprefecture,
    Theme,
    Visibility,
)
from tests.api.conftest import bearer
from tests.factories import count, make_organisation, make_profile, make_user

PROFILE = {
    "display_name": "帯広 太郎",
    "furigana": "おびひろ たろう",
    "headline": "十勝で酪農のデータ分析をしています",
    "bio": "**乳量予測**が得意です。",
    "home": "012076",
    "regions": ["tokachi", "kushiro"],
    "motives": ["learning", "hometown"],
    "side_job_ok": True,
    "hours_per_week": 8,
    "earliest_start": "2027-01-10",
    "work_mode": "hybrid",
    "max_travel_km": 80,
    "pay_kind": "hourly",
    "pay_yen": 3000,
    "open_to_offers": True,
    "visibility": "public",
}


def refused_fields(response) -> set[str]:
    """The fields a 422 names, without list positions (`skill.0` is `skill`)."""
    assert response.status_code == 422 and response.mimetype == "application/problem+json", response.status_code
    return {name.split(".")[0] for name in response.get_json()["fields"]}


def names(response) -> set[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["display_name"] for item in response.get_json()["items"]}


def make_project(db, organisation) -> Project:
    project = Project(
        organisation=organisation,
        title="農業データの見える化",
        problem="課題",
        expected_outcome="成果",
        theme=Theme.AGRICULTURE,
        municipality_code="012076",
        work_mode=ProjectWorkMode.REMOTE,
        hours_per_week=8,
        starts_on=date(2026, 12, 1),
        pay_kind=ProjectPay.HOURLY,
        pay_yen=2000,
        status=ProjectStatus.OPEN,
        opened_at=utcnow(),
    )
    db.add(project)
    db.flush()
    return project


# ---- search --------------------------------------------------------------------------------------


def test_visitors_find_public_profiles_and_members_also_members_only_ones(client, db, make_token):
    make_profile(db, display_name="公開さん", visibility=Visibility.PUBLIC)
    make_profile(db, display_name="会員限定さん", visibility=Visibility.MEMBERS)
    make_profile(db, display_name="非公開さん", visibility=Visibility.PRIVATE)
    make_profile(db, display_name="隠れさん", visibility=Visibility.PUBLIC, is_hidden=True)
    member = make_user(db)
    read = make_token(member, scopes=("read",))
    write_only = make_token(member, scopes=("write",))
    assert names(client.get("/api/v1/profiles")) == {"公開さん"}
    assert names(client.get("/api/v1/profiles", headers=bearer(read))) == {"公開さん", "会員限定さん"}
    # A token without the read scope reads as a visitor does.
    assert names(client.get("/api/v1/profiles", headers=bearer(write_only))) == {"公開さん"}
    body = client.get("/api/v1/profiles", headers=bearer(read)).get_json()
    assert body["total"] == 2 and body["page"] == 1 and body["per_page"] == 20


def test_search_filters_as_on_the_people_page(client, db):
    dairy = make_profile(
        db,
        display_name="酪農データの人",
        headline="十勝で酪農のデータ分析",
        home_municipality_code="012076",
        skills={"dssp2-35": 4},
        hours_per_week=10,
    )
    make_profile(
        db,
        display_name="観光の人",
        headline="函館の観光DX",
        home_municipality_code="012025",
        skills={"dssp2-35": 2},
        open_to_offers=False,
    )
    helper = make_profile(db, display_name="Emily", headline="Python developer", home_prefecture="東京都")
    helper.regions = [db.scalar(sa.select(Subprefecture).where(Subprefecture.slug == "tokachi"))]
    db.add(ProfileSkill(profile_id=dairy.id, skill_code="dssp2-36", level=3, source=SkillSource.BADGE))
    db.flush()

    def found(query: str) -> set[str]:
        return names(client.get(f"/api/v1/profiles?{query}"))

    assert found("q=酪農") == {"酪農データの人"}
    assert found("q=python") == {"Emily"}
    assert found("skill=dssp2-35:3") == {"酪農データの人"}
    assert found("skill=dssp2-35") == {"酪農データの人", "観光の人"}
    assert found("skill=dssp2-35:2&skill=dssp2-36:3") == {"酪農データの人"}
    assert found("skill=dssp2-35&verified=true") == set()
    assert found("verified=true") == {"酪農データの人"}
    assert found("subprefecture=tokachi") == {"酪農データの人", "Emily"}  # lives there, or wants to help there
    assert found("municipality=012025") == {"観光の人"}
    assert found("min_hours=9") == {"酪農データの人"}
    assert found("open_to_offers=true") == {"酪農データの人", "Emily"}
    assert found("remote=true") == {"酪農データの人", "観光の人", "Emily"}  # the factory's default is remote
    assert found("q=存在しない言葉") == set()


def test_search_pages_hold_what_they_say(client, db):
    for number in range(7):
        make_profile(db, display_name=f"人{number}", headline="防災のGIS")
    first = client.get("/api/v1/profiles?q=防災&per_page=5").get_json()
    second = client.get("/api/v1/profiles?q=防災&per_page=5&page=2").get_json()
    assert first["total"] == second["total"] == 7
    assert len(first["items"]) == 5 and len(second["items"]) == 2
    assert {i["id"] for i in first["items"]}.isdisjoint({i["id"] for i in second["items"]})
    assert len(client.get("/api/v1/profiles?per_page=100").get_json()["items"]) == 7


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=101", "per_page"),
        ("page=501", "page"),
        ("skill=dssp2-35:5", "skill"),
        ("skill=a&skill=b&skill=c&skill=d&skill=e&skill=f", "skill"),
        ("subprefecture=atlantis", "subprefecture"),
        ("municipality=12345", "municipality"),
        ("min_hours=81", "min_hours"),
        ("q=" + "長" * 201, "q"),
    ],
)
def test_bad_search_parameters_are_422(client, db, query, field):
    assert field in refused_fields(client.get(f"/api/v1/profiles?{query}"))


def test_a_page_of_profiles_costs_the_same_queries_however_long(client, db, app):
    organisation = make_organisation(db)
    for number in range(12):
        profile = make_profile(db, display_name=f"人{number}", skills={"dssp2-36": 2, "dssp2-35": 1})
        profile.regions = list(db.scalars(sa.select(Subprefecture).limit(2)))
        profile.outcomes = [
            Outcome(title="成果", organisation=organisation, skills=[OutcomeSkill(skill_code="dssp2-36", level=2)])
        ]
    db.flush()
    engine = app.extensions["talentbank.engine"]
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def queries(per_page: int) -> int:
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            response = client.get(f"/api/v1/profiles?per_page={per_page}")
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
        assert len(response.get_json()["items"]) == per_page
        return len(statements)

    assert queries(2) == queries(12)


# ---- one profile ---------------------------------------------------------------------------------


def test_a_profile_shows_its_public_fields_and_never_the_email(client, db, make_token):
    organisation = make_organisation(db, name="上士幌町")
    owner = make_user(db, email="taro@example.jp")
    profile = make_profile(
        db,
        owner=owner,
        display_name="帯広 太郎",
        headline="酪農のデータ分析",
        bio="**乳量予測**が得意です。",
        home_municipality_code="012076",
        hours_per_week=8,
        pay_yen=3000,
        skills={"dssp2-36": 2},
    )
    db.add(
        ProfileSkill(
            profile_id=profile.id,
            skill_code="dssp2-36",
            level=3,
            source=SkillSource.BADGE,
            evidence_url="https://example.jp/credentials/1",
        )
    )
    profile.outcomes = [
        Outcome(
            title="見える成果",
            role="実装",
            organisation=organisation,
            organisation_name="上士幌町",
            links=["https://example.jp/case"],
            skills=[OutcomeSkill(skill_code="dssp2-36", level=2)],
        ),
        Outcome(title="隠した成果", is_hidden=True),
    ]
    db.flush()
    response = client.get(f"/api/v1/profiles/{profile.public_id}")
    assert response.status_code == 200
    assert "taro@example.jp" not in response.get_data(as_text=True)
    data = response.get_json()
    assert data["id"] == str(profile.public_id) and data["display_name"] == "帯広 太郎"
    assert data["bio"] == "**乳量予測**が得意です。"  # the Markdown as written, not HTML
    assert data["home"] == {
        "municipality_code": "012076",
        "municipality_ja": "帯広市",
        "municipality_en": "Obihiro-shi",
        "subprefecture": "tokachi",
        "prefecture": "北海道",
    }
    assert data["url"].endswith(f"/people/{profile.public_id}")
    assert sorted((s["code"], s["source"], s["level"], s["verified"]) for s in data["skills"]) == [
        ("dssp2-36", "badge", 3, True),
        ("dssp2-36", "self", 2, False),
    ]
    badge = next(s for s in data["skills"] if s["source"] == "badge")
    assert badge["evidence_url"] == "https://example.jp/credentials/1" and badge["name_ja"]
    assert [o["title"] for o in data["outcomes"]] == ["見える成果"]
    outcome = data["outcomes"][0]
    assert outcome["organisation"] == str(organisation.public_id) and outcome["links"] == ["https://example.jp/case"]
    assert [s["code"] for s in outcome["skills"]] == ["dssp2-36"] and not outcome["project_verified"]
    assert "hidden" not in outcome and "visibility" not in data and "is_hidden" not in data
    # The owner reading the public view sees what others see; their own view is /me/profile.
    mine = client.get(f"/api/v1/profiles/{profile.public_id}", headers=bearer(make_token(owner))).get_json()
    assert [o["title"] for o in mine["outcomes"]] == ["見える成果"]


def test_profile_visibility_deleted_and_bad_ids(client, db, make_token):
    public = make_profile(db, visibility=Visibility.PUBLIC)
    members = make_profile(db, visibility=Visibility.MEMBERS)
    private = make_profile(db, visibility=Visibility.PRIVATE)
    hidden = make_profile(db, visibility=Visibility.PUBLIC, is_hidden=True)
    member = bearer(make_token(make_user(db), scopes=("read",)))
    owner = bearer(make_token(private.user, scopes=("read",)))
    write_only = bearer(make_token(make_user(db), scopes=("write",)))

    def status(profile_id, headers=None) -> int:
        response = client.get(f"/api/v1/profiles/{profile_id}", headers=headers or {})
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json"
        return response.status_code

    assert status(public.public_id) == 200
    assert status(members.public_id) == 404 and status(members.public_id, member) == 200
    assert status(members.public_id, write_only) == 404
    assert status(private.public_id, member) == 404 and status(private.public_id, owner) == 200
    assert status(hidden.public_id, member) == 404
    gone = make_profile(db)
    gone_id = gone.public_id
    db.delete(gone)
    db.add(DeletedProfile(public_id=gone_id, deleted_at=utcnow()))
    db.flush()
    assert status(gone_id) == 410
    assert status("not-a-uuid") == 404 and status("00000000-0000-0000-0000-000000000000") == 404


# ---- the caller's own profile --------------------------------------------------------------------


def test_create_then_replace_my_profile(client, db, make_token):
    user = make_user(db, email="me@example.jp")
    headers = bearer(make_token(user))
    missing = client.get("/api/v1/me/profile", headers=headers)
    assert missing.status_code == 404 and missing.get_json()["detail"] == "まだプロフィールがありません。"

    created = client.put("/api/v1/me/profile", json=PROFILE, headers=headers)
    assert created.status_code == 201, created.get_data(as_text=True)
    profile = db.scalar(sa.select(Profile).where(Profile.user_id == user.id))
    assert profile.display_name == "帯広 太郎" and profile.home_municipality_code == "012076"
    assert sorted(r.slug for r in profile.regions) == ["kushiro", "tokachi"]
    assert profile.pay_yen == 3000 and profile.earliest_start == date(2027, 1, 10)
    assert profile.visibility is Visibility.PUBLIC
    data = created.get_json()
    assert data["id"] == str(profile.public_id) and data["home"]["municipality_ja"] == "帯広市"
    assert {r["subprefecture"] for r in data["regions"]} == {"tokachi", "kushiro"}
    assert data["visibility"] == "public" and data["is_hidden"] is False
    assert "me@example.jp" not in created.get_data(as_text=True)
    assert names(client.get("/api/v1/profiles?q=酪農")) == {"帯広 太郎"}  # indexed for search

    changed = {**PROFILE, "home": "012025", "headline": "漁業のDX", "visibility": "private", "is_hidden": True}
    replaced = client.put("/api/v1/me/profile", json=changed, headers=headers)
    assert replaced.status_code == 200
    assert replaced.get_json()["home"]["municipality_ja"] == "函館市"
    assert count(db, Profile) == 1
    db.refresh(profile)
    assert profile.home_municipality_code == "012025" and profile.visibility is Visibility.PRIVATE
    assert profile.is_hidden
    assert names(client.get("/api/v1/profiles?q=漁業")) == set()

    mine = client.get("/api/v1/me/profile", headers=headers).get_json()
    assert mine["headline"] == "漁業のDX" and mine["is_hidden"] is True and mine["visibility"] == "private"

    # Fields left out take their defaults, as a PUT replaces the whole profile.
    minimal = client.put("/api/v1/me/profile", json={"display_name": "太郎", "home": "012076"}, headers=headers)
    assert minimal.status_code == 200
    db.refresh(profile)
    assert profile.headline == "" and profile.regions == [] and profile.visibility is Visibility.MEMBERS
    assert profile.pay_kind is None and profile.pay_yen is None


def test_a_home_outside_hokkaido_needs_a_prefecture(client, db, make_token):
    user = make_user(db)
    headers = bearer(make_token(user))
    outside = {"display_name": "東京の人", "home": "outside", "home_prefecture": "東京都"}
    response = client.put("/api/v1/me/profile", json=outside, headers=headers)
    assert response.status_code == 201
    assert response.get_json()["home"] == {
        "municipality_code": None,
        "municipality_ja": None,
        "municipality_en": None,
        "subprefecture": None,
        "prefecture": "東京都",
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"home": "999999"}, "home"),  # no such municipality
        ({"home": "outside"}, "home_prefecture"),
        ({"home_prefecture": "大阪"}, "home_prefecture"),
        ({"regions": ["atlantis"]}, "regions"),
        ({"pay_kind": "hourly", "pay_yen": None}, "pay_yen"),
        ({"display_name": "   "}, "display_name"),
        ({"display_name": "名前\x00"}, "display_name"),
        ({"hours_per_week": 81}, "hours_per_week"),
        ({"motives": ["fame"]}, "motives"),
        ({"work_mode": "anywhere"}, "work_mode"),
        ({"earliest_start": "2027-02-30"}, "earliest_start"),
        ({"bio": "x" * 10_001}, "bio"),
    ],
)
def test_bad_profile_input_is_422_and_changes_nothing(client, db, make_token, change, field):
    user = make_user(db)
    profile = make_profile(db, owner=user, display_name="元の名前", headline="元の見出し")
    response = client.put("/api/v1/me/profile", json={**PROFILE, **change}, headers=bearer(make_token(user)))
    assert field in refused_fields(response), response.get_json()
    db.refresh(profile)
    assert profile.display_name == "元の名前" and profile.headline == "元の見出し"
    assert profile.home_municipality_code is None and profile.regions == []


def test_bad_input_creates_no_profile(client, db, make_token):
    user = make_user(db)
    response = client.put("/api/v1/me/profile", json={**PROFILE, "home": "999999"}, headers=bearer(make_token(user)))
    assert response.status_code == 422
    assert count(db, Profile) == 0


@pytest.mark.parametrize(
    ("method", "path", "payload", "field"),
    [
        ("PUT", "/api/v1/me/profile", {**PROFILE, "user_id": 1}, "user_id"),
        ("PUT", "/api/v1/me/profile", {**PROFILE, "id": "00000000-0000-0000-0000-000000000000"}, "id"),
        ("PUT", "/api/v1/me/profile", {**PROFILE, "is_admin": True}, "is_admin"),
        ("PUT", "/api/v1/me/profile", {**PROFILE, "skills": [{"code": "dssp2-36", "source": "badge"}]}, "skills"),
        ("PUT", "/api/v1/me/profile/skills/dssp2-52", {"level": 3, "source": "badge"}, "source"),
        ("PUT", "/api/v1/me/profile/skills/dssp2-52", {"level": 3, "evidence_url": "https://x.jp"}, "evidence_url"),
        ("POST", "/api/v1/me/profile/outcomes", {"title": "成果", "project_verified": True}, "project_verified"),
        ("POST", "/api/v1/me/profile/outcomes", {"title": "成果", "hidden": True}, "hidden"),
        ("POST", "/api/v1/me/profile/outcomes", {"title": "成果", "profile_id": 1}, "profile_id"),
    ],
)
def test_mass_assignment_is_refused_and_changes_nothing(client, db, make_token, method, path, payload, field):
    victim = make_profile(db, display_name="他人")
    user = make_user(db)
    profile = make_profile(db, owner=user, display_name="元の名前")
    response = client.open(path, method=method, json=payload, headers=bearer(make_token(user)))
    assert field in refused_fields(response)
    db.refresh(profile)
    db.refresh(victim)
    assert profile.display_name == "元の名前" and profile.user_id == user.id and victim.display_name == "他人"
    assert count(db, ProfileSkill) == 0 and count(db, Outcome) == 0


def test_writes_need_the_write_scope(client, db, make_token):
    user = make_user(db)
    make_profile(db, owner=user, display_name="元の名前")
    headers = bearer(make_token(user, scopes=("read",)))
    assert client.put("/api/v1/me/profile", json=PROFILE, headers=headers).status_code == 403
    assert client.put("/api/v1/me/profile/skills/dssp2-36", json={"level": 2}, headers=headers).status_code == 403
    assert client.post("/api/v1/me/profile/outcomes", json={"title": "x"}, headers=headers).status_code == 403
    assert client.get("/api/v1/me/profile", headers=headers).status_code == 200
    assert db.scalar(sa.select(Profile.display_name)) == "元の名前" and count(db, Outcome) == 0


# ---- skills --------------------------------------------------------------------------------------


def test_declare_change_and_remove_self_declared_skills(client, db, make_token):
    user = make_user(db)
    profile = make_profile(db, owner=user)
    db.add(ProfileSkill(profile_id=profile.id, skill_code="dssp2-36", level=2, source=SkillSource.BADGE))
    headers = bearer(make_token(user))

    added = client.put("/api/v1/me/profile/skills/dssp2-36", json={"level": 3, "years": 2.5}, headers=headers)
    assert added.status_code == 201, added.get_data(as_text=True)
    assert added.get_json() | {"name_ja": None, "name_en": None} == {
        "code": "dssp2-36",
        "name_ja": None,
        "name_en": None,
        "level": 3,
        "years": 2.5,
        "source": "self",
        "verified": False,
        "evidence_url": None,
    }
    changed = client.put("/api/v1/me/profile/skills/dssp2-36", json={"level": 4}, headers=headers)
    assert changed.status_code == 200 and changed.get_json()["level"] == 4
    entries = {(s.source, s.level, s.years) for s in db.scalars(sa.select(ProfileSkill))}
    assert entries == {(SkillSource.SELF, 4, None), (SkillSource.BADGE, 2, None)}  # the badge entry stays

    assert client.delete("/api/v1/me/profile/skills/dssp2-36", headers=headers).status_code == 204
    assert {s.source for s in db.scalars(sa.select(ProfileSkill))} == {SkillSource.BADGE}
    refused = client.delete("/api/v1/me/profile/skills/dssp2-36", headers=headers)
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    assert count(db, ProfileSkill) == 1
    absent = client.delete("/api/v1/me/profile/skills/dssp2-52", headers=headers)
    assert absent.status_code == 404 and absent.get_json()["detail"]


@pytest.mark.parametrize(
    ("code", "payload", "field"),
    [
        ("nonsense", {"level": 2}, "skill_code"),
        ("dssp1-01", {"level": 2}, "skill_code"),  # old vocabulary, not selectable
        ("x" * 40, {"level": 2}, "skill_code"),
        ("dssp2-36", {"level": 5}, "level"),
        ("dssp2-36", {"level": 0}, "level"),
        ("dssp2-36", {}, "level"),
        ("dssp2-36", {"level": 2, "years": 61}, "years"),
        ("dssp2-36", {"level": 2, "years": -1}, "years"),
    ],
)
def test_bad_skill_input_is_422_and_saves_nothing(client, db, make_token, code, payload, field):
    user = make_user(db)
    make_profile(db, owner=user, skills={"dssp2-36": 1})
    response = client.put(f"/api/v1/me/profile/skills/{code}", json=payload, headers=bearer(make_token(user)))
    assert field in refused_fields(response)
    assert [(s.skill_code, s.level) for s in db.scalars(sa.select(ProfileSkill))] == [("dssp2-36", 1)]


def test_no_profile_yet_means_404_with_a_message(client, db, make_token):
    headers = bearer(make_token(make_user(db)))
    for response in [
        client.put("/api/v1/me/profile/skills/dssp2-36", json={"level": 2}, headers=headers),
        client.delete("/api/v1/me/profile/skills/dssp2-36", headers=headers),
        client.post("/api/v1/me/profile/outcomes", json={"title": "成果"}, headers=headers),
    ]:
        assert response.status_code == 404 and response.get_json()["detail"] == "まだプロフィールがありません。"
    assert count(db, Profile) == 0 and count(db, Outcome) == 0


# ---- outcomes ------------------------------------------------------------------------------------


OUTCOME = {
    "title": "町役場の窓口予約をkintoneで電子化",
    "description": "予約を**電子化**しました",
    "role": "実装",
    "started_on": "2025-04-01",
    "ended_on": "2025-09-30",
    "organisation_name": "",
    "links": ["https://example.jp/case"],
    "skill_codes": ["dssp2-52", "dssp2-06"],
    "skill_level": 3,
}


def test_add_edit_and_delete_outcomes(client, db, make_token):
    organisation = make_organisation(db, name="上士幌町 デジタル推進係")
    user = make_user(db)
    profile = make_profile(db, owner=user, skills={"dssp2-52": 1})
    headers = bearer(make_token(user))

    created = client.post(
        "/api/v1/me/profile/outcomes", json={**OUTCOME, "organisation": str(organisation.public_id)}, headers=headers
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    data = created.get_json()
    outcome = db.scalar(sa.select(Outcome))
    assert data["id"] == str(outcome.public_id) and data["hidden"] is False and not data["project_verified"]
    assert outcome.title == OUTCOME["title"] and outcome.links == ["https://example.jp/case"]
    assert outcome.organisation_id == organisation.id and outcome.organisation_name == "上士幌町 デジタル推進係"
    assert {(s["code"], s["level"]) for s in data["skills"]} == {("dssp2-52", 3), ("dssp2-06", 3)}
    # Skills used appear on the profile, at least at that level.
    assert {s.skill_code: s.level for s in db.scalars(sa.select(ProfileSkill))} == {"dssp2-52": 3, "dssp2-06": 3}

    edited = client.put(
        f"/api/v1/me/profile/outcomes/{outcome.public_id}",
        json={"title": "窓口予約の電子化（改訂）", "skill_codes": ["dssp2-52"], "skill_level": 4},
        headers=headers,
    )
    assert edited.status_code == 200 and edited.get_json()["title"] == "窓口予約の電子化（改訂）"
    db.refresh(outcome)
    assert outcome.links == [] and outcome.organisation_id is None and [s.level for s in outcome.skills] == [4]

    public = client.get(f"/api/v1/profiles/{profile.public_id}").get_json()
    assert [o["title"] for o in public["outcomes"]] == ["窓口予約の電子化（改訂）"]

    deleted = client.delete(f"/api/v1/me/profile/outcomes/{outcome.public_id}", headers=headers)
    assert deleted.status_code == 204 and deleted.get_data() == b""
    assert count(db, Outcome) == 0


def test_my_profile_lists_hidden_outcomes_too(client, db, make_token):
    user = make_user(db)
    profile = make_profile(db, owner=user)
    profile.outcomes = [Outcome(title="見える"), Outcome(title="隠した", is_hidden=True)]
    db.flush()
    mine = client.get("/api/v1/me/profile", headers=bearer(make_token(user))).get_json()
    assert {(o["title"], o["hidden"]) for o in mine["outcomes"]} == {("見える", False), ("隠した", True)}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"started_on": "2025-05-01", "ended_on": "2025-04-01"}, "ended_on"),
        ({"links": ["javascript:alert(1)"]}, "links"),
        ({"links": ["http://localhost"]}, "links"),
        ({"links": ["http://[x.jp"]}, "links"),  # urlsplit raises on an unclosed IPv6 host
        ({"links": [f"https://example.jp/{n}" for n in range(6)]}, "links"),
        ({"skill_codes": ["nonsense"]}, "skill_codes"),
        ({"skill_codes": [f"dssp2-{n:02d}" for n in range(1, 12)]}, "skill_codes"),
        ({"organisation": "00000000-0000-0000-0000-000000000000"}, "organisation"),
        ({"organisation": "not-a-uuid"}, "organisation"),
        ({"title": ""}, "title"),
        ({"skill_level": 5}, "skill_level"),
    ],
)
def test_bad_outcomes_are_422_and_save_nothing(client, db, make_token, change, field):
    user = make_user(db)
    make_profile(db, owner=user)
    response = client.post("/api/v1/me/profile/outcomes", json={**OUTCOME, **change}, headers=bearer(make_token(user)))
    assert field in refused_fields(response), response.get_json()
    assert count(db, Outcome) == 0 and count(db, ProfileSkill) == 0


def test_nobody_edits_or_deletes_someone_else_s_outcome(client, db, make_token):
    owner = make_user(db)
    profile = make_profile(db, owner=owner)
    profile.outcomes = [Outcome(title="本人の成果")]
    db.flush()
    outcome = profile.outcomes[0]
    intruder = make_user(db)
    make_profile(db, owner=intruder)
    headers = bearer(make_token(intruder))
    path = f"/api/v1/me/profile/outcomes/{outcome.public_id}"
    assert client.put(path, json={"title": "改ざん"}, headers=headers).status_code == 404
    assert client.delete(path, headers=headers).status_code == 404
    assert client.put("/api/v1/me/profile/outcomes/not-a-uuid", json={"title": "x"}, headers=headers).status_code == 404
    db.refresh(outcome)
    assert outcome.title == "本人の成果" and count(db, Outcome) == 1


def test_an_outcome_recorded_for_a_project_cannot_be_edited_but_can_be_deleted(client, db, make_token):
    user = make_user(db)
    profile = make_profile(db, owner=user)
    project = make_project(db, make_organisation(db, verified=True))
    profile.outcomes = [Outcome(title="プロジェクトの成果", project_id=project.id)]
    db.flush()
    outcome = profile.outcomes[0]
    headers = bearer(make_token(user))
    path = f"/api/v1/me/profile/outcomes/{outcome.public_id}"
    assert client.get("/api/v1/me/profile", headers=headers).get_json()["outcomes"][0]["project_verified"] is True
    refused = client.put(path, json={"title": "書き換え"}, headers=headers)
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    db.refresh(outcome)
    assert outcome.title == "プロジェクトの成果"
    assert client.delete(path, headers=headers).status_code == 204
    assert count(db, Outcome) == 0


def test_a_project_verified_outcome_can_be_hidden_and_shown_again(client, db, make_token):
    user = make_user(db)
    profile = make_profile(db, owner=user)
    project = make_project(db, make_organisation(db, verified=True))
    profile.outcomes = [Outcome(title="プロジェクトの成果", project_id=project.id)]
    db.flush()
    outcome = profile.outcomes[0]
    headers = bearer(make_token(user))
    path = f"/api/v1/me/profile/outcomes/{outcome.public_id}/visibility"
    hidden = client.put(path, json={"hidden": True}, headers=headers)
    assert hidden.status_code == 200 and hidden.get_json()["hidden"] is True
    assert client.get(f"/api/v1/profiles/{profile.public_id}").get_json()["outcomes"] == []
    db.refresh(outcome)
    assert outcome.is_hidden and outcome.title == "プロジェクトの成果"
    shown = client.put(path, json={"hidden": False}, headers=headers)
    assert shown.get_json()["hidden"] is False
    assert [o["title"] for o in client.get(f"/api/v1/profiles/{profile.public_id}").get_json()["outcomes"]] == [
        "プロジェクトの成果"
    ]
    for bad in ({}, {"hidden": "sometimes"}, {"hidden": True, "title": "x"}):
        refused = client.put(path, json=bad, headers=headers)
        assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    other = make_user(db)
    make_profile(db, owner=other)
    assert client.put(path, json={"hidden": True}, headers=bearer(make_token(other))).status_code == 404
    db.refresh(outcome)
    assert outcome.is_hidden is False
