"""Projects, matching with reasons, applications and scouting with consent, completion."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from talentbank.errors import PermissionDenied
from talentbank.models import (
    Application,
    ApplicationStatus,
    ContactRelease,
    Outcome,
    ProfileSkill,
    Project,
    ProjectStatus,
    SkillSource,
    Visibility,
    WorkMode,
)
from talentbank.projects import posting
from tests.factories import add_member, make_organisation, make_profile, make_user
from tests.web.helpers import outbox

BASE_URL = "http://localhost"
TODAY = datetime.now(UTC).date()
PROJECT = {
    "title": "除雪の問い合わせをWebで受け付けたい",
    "problem": "冬の除雪の問い合わせ電話が1日100件来て、職員2人が対応に追われている。",
    "expected_outcome": "問い合わせの半分がWebで完結する。",
    "theme": "admin_dx",
    "municipality_code": "016331",
    "work_mode": "hybrid",
    "onsite_days_per_month": "2",
    "hours_per_week": "6",
    "starts_on": (TODAY + timedelta(days=30)).isoformat(),
    "ends_on": (TODAY + timedelta(days=120)).isoformat(),
    "pay_kind": "hourly",
    "pay_yen": "3000",
    "travel_covered": "y",
    "seats": "2",
    "deadline": (TODAY + timedelta(days=20)).isoformat(),
    "eligibility": "",
    "need_skill_0": "dssp2-52",
    "need_level_0": "2",
    "need_must_0": "must",
    "need_skill_1": "dssp2-20",
    "need_level_1": "2",
    "need_must_1": "nice",
}


def post_project(client, town, **changes) -> str:
    response = client.post(f"/orgs/{town.public_id}/projects/new", data={**PROJECT, **changes})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def publish(client, project_id):
    assert client.post(f"/projects/{project_id}/status", data={"status": "open"}).status_code == 302


def project_count(db):
    return db.scalar(sa.select(sa.func.count()).select_from(Project))


def test_post_publish_and_browse(client, db, login, make_client, town):
    login(client, town.memberships[0].user)
    project_id = post_project(client, town)
    project = db.scalar(sa.select(Project))
    assert project.status is ProjectStatus.DRAFT and len(project.needs) == 2
    visitor = make_client()
    assert visitor.get(f"/projects/{project_id}").status_code == 404  # drafts are private
    publish(client, project_id)
    page = visitor.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "除雪の問い合わせをWebで受け付けたい" in page and "募集中" in page
    listing = visitor.get("/projects?theme=admin_dx&subprefecture=12&remote=1").get_data(as_text=True)
    assert "除雪の問い合わせ" in listing
    assert "除雪の問い合わせ" not in visitor.get("/projects?theme=tourism").get_data(as_text=True)
    assert "除雪の問い合わせ" in visitor.get("/projects?skill=dssp2-52").get_data(as_text=True)


def test_the_project_page_in_english_keeps_the_host_s_own_words(client, db, login, make_client, town):
    login(client, town.memberships[0].user)
    project_id = post_project(client, town, eligibility="道内の高専・大学の学生")
    publish(client, project_id)
    project = db.scalar(sa.select(Project))
    assert project.opened_at is not None  # publishing opened it; the page says since when, in each language
    japanese = make_client().get(f"/projects/{project_id}").get_data(as_text=True)
    assert "募集開始" in japanese and "Open for applications since" not in japanese
    visitor = make_client()
    visitor.set_cookie("tb_lang", "en")  # what POST /locale sets
    page = visitor.get(f"/projects/{project_id}").get_data(as_text=True)
    assert '<html lang="en">' in page
    for label in ("The problem", "What should be achieved by the end", "Location", "Working style", "Pay",
                  "Number of people needed", "Open for applications since", "Application deadline", "Skills needed",
                  "Who can apply",
                  "Public administration DX", "Open", "Hybrid", "On-site 2 day(s) a month", "6 h/week",
                  "Hourly 3,000 yen", "Travel expenses covered", "Level 2 or above", "Log in to apply"):  # fmt: skip
        assert label in page, label
    for label in ("困っていること", "必要なスキル", "募集中", "ハイブリッド", "ログインして応募する", "週6時間"):
        assert label not in page, label
    place = project.municipality
    assert f"{place.name_romaji}（{place.subprefecture.name_en}）" in page and f"{place.name_ja}（" not in page
    for need in project.needs:
        assert need.skill.name_en in page and need.skill.name_ja not in page
    # The host's own text stays as they wrote it: nothing is machine-translated.
    for text in (PROJECT["title"], PROJECT["problem"], PROJECT["expected_outcome"], "道内の高専・大学の学生",
                 "上士幌町 デジタル推進係"):  # fmt: skip
        assert text in page, text
    # The same through the language switch, for the signed-in member (their account remembers it).
    client.post("/locale", data={"locale": "en"})
    member_page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "The problem" in member_page and PROJECT["problem"] in member_page and "困っていること" not in member_page
    assert town.memberships[0].user.locale == "en"


@pytest.mark.parametrize(
    ("change", "field_message"),
    [
        ({"need_skill_0": "", "need_skill_1": ""}, "必要なスキルを1つ以上"),
        ({"ends_on": (TODAY + timedelta(days=1)).isoformat()}, "終了日は開始日より後"),
        ({"pay_yen": "-5"}, "0円以上"),
        ({"deadline": (TODAY - timedelta(days=1)).isoformat()}, "応募締切は今日以降"),
        ({"municipality_code": "999999"}, "北海道の市町村"),
        ({"need_level_0": "7"}, "レベル（1〜4）"),
        ({"title": ""}, "入力してください"),
        ({"onsite_days_per_month": ""}, "現地に来てほしい日数（月1〜31日）を入力"),
        ({"onsite_days_per_month": "0"}, "現地に来てほしい日数（月1〜31日）を入力"),
    ],
)
def test_bad_projects_are_refused_and_nothing_saved(client, db, login, town, change, field_message):
    login(client, town.memberships[0].user)
    response = client.post(f"/orgs/{town.public_id}/projects/new", data={**PROJECT, **change})
    assert response.status_code == 422
    assert field_message in response.get_data(as_text=True)
    assert project_count(db) == 0


def test_the_guided_form_gives_a_hint_and_an_example_for_every_field(client, db, login, town):
    login(client, town.memberships[0].user)
    page = client.get(f"/orgs/{town.public_id}/projects/new").get_data(as_text=True)
    assert ">インターンシップ（手当）</option>" in page and "無給なら0を入れます" in page  # the hint is not a label
    for name in ("title", "problem", "expected_outcome", "work_mode", "onsite_days_per_month", "hours_per_week",
                 "pay_kind", "pay_yen", "seats", "deadline"):  # fmt: skip
        assert f'id="{name}-hint"' in page and f'id="{name}-example"' in page, name
        assert f'aria-describedby="{name}-hint {name}-example"' in page, name
    assert 'id="needs-hint"' in page and 'id="needs-example"' in page
    assert "誰が、いつ、どれくらい困っているかを数字で" in page
    assert "建設課の職員2人が半日以上対応に追われている" in page  # an example of a problem
    client.post("/locale", data={"locale": "en"})
    english = client.get(f"/orgs/{town.public_id}/projects/new").get_data(as_text=True)
    assert "Example" in english and "who is struggling, when and how much" in english


def test_hybrid_without_onsite_days_is_refused_and_remote_drops_them(client, db, login, town):
    login(client, town.memberships[0].user)
    response = client.post(f"/orgs/{town.public_id}/projects/new", data={**PROJECT, "onsite_days_per_month": ""})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert project_count(db) == 0
    post_project(client, town, work_mode="remote", onsite_days_per_month="")
    assert db.scalar(sa.select(Project)).onsite_days_per_month is None


def test_non_member_cannot_post_and_unverified_cannot_publish(client, db, login, make_client, town):
    outsider = make_user(db)
    login(client, outsider)
    refused = client.post(f"/orgs/{town.public_id}/projects/new", data=PROJECT)
    assert refused.status_code == 403
    page = refused.get_data(as_text=True)
    assert "この操作を行う権限がありません。" in page and "post_project" not in page  # a sentence, not a code
    assert project_count(db) == 0
    unverified = make_organisation(db, name="未確認の町")
    owner_client = make_client()
    login(owner_client, unverified.memberships[0].user)
    project_id = post_project(owner_client, unverified)
    assert owner_client.post(f"/projects/{project_id}/status", data={"status": "open"}).status_code == 403
    assert db.scalar(sa.select(Project)).status is ProjectStatus.DRAFT


def test_status_flow_rules(client, db, login, town):
    login(client, town.memberships[0].user)
    project_id = post_project(client, town)
    assert client.post(f"/projects/{project_id}/status", data={"status": "completed"}).status_code == 409
    for target in ["open", "closed", "in_progress", "completed"]:
        assert client.post(f"/projects/{project_id}/status", data={"status": target}).status_code == 302, target
    assert client.post(f"/projects/{project_id}/status", data={"status": "open"}).status_code == 409
    assert client.post(f"/projects/{project_id}/status", data={"status": "bogus"}).status_code == 422


def test_opening_records_when_and_reopening_moves_it(client, db, login, town):
    login(client, town.memberships[0].user)
    project_id = post_project(client, town)
    project = db.scalar(sa.select(Project))
    assert project.opened_at is None  # a draft has never been open
    before = datetime.now(UTC)
    publish(client, project_id)
    db.refresh(project)
    assert before <= project.opened_at <= datetime.now(UTC) and project.opened_at.tzinfo is not None

    owner = town.memberships[0].user
    closed_on, reopened_on = datetime(2027, 1, 10, tzinfo=UTC), datetime(2027, 2, 1, 9, 30, tzinfo=UTC)
    first = project.opened_at
    posting.transition(db, owner, project, ProjectStatus.CLOSED, base_url=BASE_URL, now=closed_on)
    db.flush()
    db.expire_all()
    assert db.get(Project, project.id).opened_at == first  # closing keeps it
    posting.transition(db, owner, project, ProjectStatus.OPEN, base_url=BASE_URL, now=reopened_on)
    posting.transition(db, owner, project, ProjectStatus.IN_PROGRESS, base_url=BASE_URL,
                       now=datetime(2027, 3, 1, tzinfo=UTC))  # fmt: skip
    db.expire_all()
    assert db.get(Project, project.id).opened_at == reopened_on


def test_an_outsider_cannot_open_a_project_and_nothing_is_recorded(client, db, login, town):
    login(client, town.memberships[0].user)
    project_id = post_project(client, town)
    outsider = make_organisation(db, verified=True).memberships[0].user
    project = db.scalar(sa.select(Project))
    with pytest.raises(PermissionDenied):
        posting.transition(db, outsider, project, ProjectStatus.OPEN, base_url=BASE_URL)
    login(client, outsider)
    assert client.post(f"/projects/{project_id}/status", data={"status": "open"}).status_code == 404  # a draft
    db.expire_all()
    stored = db.get(Project, project.id)
    assert stored.status is ProjectStatus.DRAFT and stored.opened_at is None


def test_matches_show_reasons_and_what_is_missing(client, db, login, town):
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
    make_profile(db, display_name="まだ初心者", skills={"dssp2-52": 1}, hours_per_week=2,
                 home_municipality_code="016331", max_travel_km=10, work_mode=WorkMode.ONSITE)  # fmt: skip
    make_profile(db, display_name="非公開の人", skills={"dssp2-52": 4}, visibility=Visibility.PRIVATE)
    make_profile(db, display_name="オファー不可の人", skills={"dssp2-52": 4}, open_to_offers=False)
    login(client, town.memberships[0].user)
    project_id = post_project(client, town)
    publish(client, project_id)
    page = client.get(f"/projects/{project_id}/matches").get_data(as_text=True)
    assert "kintoneの達人" in page and "まだ初心者" in page
    assert page.index("kintoneの達人") < page.index("まだ初心者")
    assert "非公開の人" not in page and "オファー不可の人" not in page
    assert "必須スキル「サービス活用」：レベル3（求めるレベル2）" in page
    assert "はバッジで検証済み" in page
    assert "必須スキル「サービス活用」がレベル1（求めるレベル2）" in page  # what is missing, for the beginner


def test_matches_rank_only_feasible_people_and_show_near_misses_apart_when_asked(client, db, login, town):
    """The hybrid project asks 2 on-site days a month in 016331 (幕別町) and 6 hours a week."""
    here = {"home_municipality_code": "016331", "skills": {"dssp2-52": 4}, "hours_per_week": 8}
    make_profile(db, display_name="できる人", work_mode=WorkMode.HYBRID, max_travel_km=20, skills={"dssp2-52": 2},
                 home_municipality_code="016331", hours_per_week=8)  # fmt: skip
    make_profile(db, display_name="リモートだけの人", work_mode=WorkMode.REMOTE, **here)
    # 札幌市, about 150 km away
    make_profile(db, display_name="遠くの人", work_mode=WorkMode.ONSITE, max_travel_km=50, skills={"dssp2-52": 4},
                 home_municipality_code="011002", hours_per_week=8)  # fmt: skip
    make_profile(db, display_name="時間が足りない人", work_mode=WorkMode.ONSITE, max_travel_km=20,
                 **{**here, "hours_per_week": 1})  # fmt: skip
    make_profile(db, display_name="月1日だけの人", work_mode=WorkMode.ONSITE, max_travel_km=20,
                 onsite_days_per_month=1, **here)  # fmt: skip
    make_profile(db, display_name="東京の人", work_mode=WorkMode.ONSITE, max_travel_km=300, home_prefecture="東京都",
                 skills={"dssp2-52": 4}, hours_per_week=8)  # fmt: skip
    make_profile(db, display_name="オファー不可の人", work_mode=WorkMode.ONSITE, max_travel_km=20,
                 open_to_offers=False, **here)  # fmt: skip
    login(client, town.memberships[0].user)
    project_id = post_project(client, town)
    publish(client, project_id)
    page = client.get(f"/projects/{project_id}/matches").get_data(as_text=True)
    assert "できる人" in page and "あと一歩の人も見る" in page
    for name in ("リモートだけの人", "遠くの人", "時間が足りない人", "月1日だけの人", "東京の人", "オファー不可の人"):
        assert name not in page, name  # the better-skilled infeasible people are not ranked
    page = client.get(f"/projects/{project_id}/matches?near=1").get_data(as_text=True)
    ranked, near = page.split('id="near-heading"')
    assert "できる人" in ranked and "遠くの人" not in ranked
    stops = {
        "リモートだけの人": "現地での仕事を受けていません",
        "遠くの人": "移動距離が上限を超えます（約",
        "時間が足りない人": "使える時間が必要な時間の3割に届きません（週1時間、必要6時間）",
        "月1日だけの人": "現地の日数が上限を超えます（月2日、上限1日）",
        "東京の人": "移動距離が上限を超えます（約",
    }
    for name, stop in stops.items():
        card = near[near.index(name) :].split("</article>")[0]
        assert stop in card, (name, card)
    assert "オファー不可の人" not in near  # not open to offers: never shown, not even apart


def test_matches_are_for_members_only(client, db, login, town):
    login(client, town.memberships[0].user)
    project_id = post_project(client, town)
    publish(client, project_id)
    client.post("/logout")
    login(client, make_user(db))
    assert client.get(f"/projects/{project_id}/matches").status_code == 403
    assert client.get(f"/projects/{project_id}/matches?near=1").status_code == 403


def test_apply_accept_release_and_complete_closes_the_loop(client, db, login, make_client, town):
    owner = town.memberships[0].user
    login(client, owner)
    project_id = post_project(client, town)
    publish(client, project_id)
    person = make_user(db, email="applicant@example.jp")
    profile = make_profile(db, owner=person, display_name="応募 花子", skills={"dssp2-52": 2})
    person_client = make_client()
    login(person_client, person)
    assert (
        person_client.post(f"/projects/{project_id}/apply", data={"message": "ぜひ参加したいです"}).status_code == 302
    )
    application = db.scalar(sa.select(Application))
    assert application.status is ApplicationStatus.PENDING
    [release] = db.scalars(sa.select(ContactRelease)).all()
    assert release.reason == "applied" and release.fields == ["email", "display_name"]
    assert [m.kind for m in outbox(db, owner.email)] == ["application_received"]
    # applying twice is refused
    assert person_client.post(f"/projects/{project_id}/apply", data={"message": "again"}).status_code == 409
    # the town sees the contact (the person consented by applying) and accepts
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "applicant@example.jp" in page
    assert (
        person_client.post(f"/applications/{application.public_id}/accept").status_code == 403
    )  # not theirs to accept
    assert client.post(f"/applications/{application.public_id}/accept").status_code == 302
    assert [m.kind for m in outbox(db, "applicant@example.jp")] == ["application_answered"]
    # completion (once the work is under way)
    client.post(f"/projects/{project_id}/status", data={"status": "in_progress"})
    response = client.post(
        f"/applications/{application.public_id}/complete",
        data={"summary": "問い合わせフォームを公開し、電話が4割減った。", "skill": ["dssp2-52"], "level_dssp2-52": "3"},
    )
    assert response.status_code == 302
    db.expire_all()
    outcome = db.scalar(sa.select(Outcome))
    assert outcome.project_id is not None and outcome.organisation_id == town.id
    verified = db.scalar(sa.select(ProfileSkill).where(ProfileSkill.source == SkillSource.PROJECT))
    assert verified.skill_code == "dssp2-52" and verified.level == 3
    profile_page = person_client.get(f"/people/{profile.public_id}").get_data(as_text=True)
    assert "プロジェクトで検証" in profile_page and "問い合わせフォームを公開し" in profile_page
    assert f'id="outcome-{outcome.public_id}"' in profile_page
    # the person cannot rewrite what the organisation recorded, but can hide it
    person_client.post(f"/me/outcomes/{outcome.public_id}/edit", data={"title": "書き換え", "skill_level": "2"})
    db.expire_all()
    assert db.get(Outcome, outcome.id).title == "除雪の問い合わせをWebで受け付けたい"
    assert person_client.post(f"/me/outcomes/{outcome.public_id}/visibility", data={"hidden": "1"}).status_code == 302
    assert "問い合わせフォームを公開し" not in make_client().get(f"/people/{profile.public_id}").get_data(as_text=True)
    # deleting it withdraws the project verification it carried
    person_client.post(f"/me/outcomes/{outcome.public_id}/delete")
    assert db.scalar(sa.select(ProfileSkill).where(ProfileSkill.source == SkillSource.PROJECT)) is None


def test_scouting_keeps_contact_hidden_until_accepted(client, db, login, make_client, town):
    login(client, town.memberships[0].user)
    project_id = post_project(client, town)
    publish(client, project_id)
    person = make_user(db, email="scouted@example.jp")
    profile = make_profile(db, owner=person, skills={"dssp2-52": 3})
    response = client.post(
        f"/projects/{project_id}/invite/{profile.public_id}", data={"message": "お力を貸してください"}
    )
    assert response.status_code == 302
    application = db.scalar(sa.select(Application))
    assert "scouted@example.jp" not in client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(ContactRelease)) == 0
    assert [m.kind for m in outbox(db, "scouted@example.jp")] == ["invitation_received"]
    # the town cannot accept its own invitation
    assert client.post(f"/applications/{application.public_id}/accept").status_code == 403
    # someone else cannot accept it either
    stranger = make_client()
    login(stranger, make_user(db))
    assert stranger.post(f"/applications/{application.public_id}/accept").status_code == 404
    person_client = make_client()
    login(person_client, person)
    assert person_client.post(f"/applications/{application.public_id}/accept").status_code == 302
    assert "scouted@example.jp" in client.get(f"/projects/{project_id}").get_data(as_text=True)
    [release] = db.scalars(sa.select(ContactRelease)).all()
    assert release.reason == "accepted_invitation"
    assert "上士幌町 デジタル推進係" in person_client.get("/me/data").get_data(as_text=True)
    # withdrawing ends the organisation's access
    assert person_client.post(f"/applications/{application.public_id}/withdraw").status_code == 302
    assert "scouted@example.jp" not in client.get(f"/projects/{project_id}").get_data(as_text=True)
    db.expire_all()
    assert db.scalar(sa.select(ContactRelease)).withdrawn_at is not None


def test_cannot_apply_to_drafts_closed_or_past_deadline(client, db, login, make_client, town):
    login(client, town.memberships[0].user)
    project_id = post_project(client, town)
    person = make_user(db)
    make_profile(db, owner=person)
    person_client = make_client()
    login(person_client, person)
    assert person_client.post(f"/projects/{project_id}/apply").status_code == 404  # draft: not visible
    publish(client, project_id)
    client.post(f"/projects/{project_id}/status", data={"status": "closed"})
    assert person_client.post(f"/projects/{project_id}/apply").status_code == 409
    assert db.scalar(sa.select(sa.func.count()).select_from(Application)) == 0


def test_member_of_another_organisation_cannot_manage(client, db, login, town):
    login(client, town.memberships[0].user)
    project_id = post_project(client, town)
    publish(client, project_id)
    client.post("/logout")
    other = make_organisation(db, verified=True)
    login(client, other.memberships[0].user)
    assert client.post(f"/projects/{project_id}/status", data={"status": "cancelled"}).status_code == 403
    assert client.post(f"/projects/{project_id}/edit", data=PROJECT).status_code == 403
    assert db.scalar(sa.select(Project)).status is ProjectStatus.OPEN


def test_plain_member_may_post(client, db, login, town):
    member = make_user(db)
    add_member(db, town, member)
    login(client, member)
    post_project(client, town)
    assert project_count(db) == 1


def test_projects_for_you_on_the_dashboard(client, db, login, make_client, town):
    owner_client = make_client()
    login(owner_client, town.memberships[0].user)
    publish(owner_client, post_project(owner_client, town))
    person = make_user(db)
    make_profile(db, owner=person, skills={"dssp2-52": 3}, hours_per_week=6, work_mode=WorkMode.HYBRID,
                 home_municipality_code="016331", max_travel_km=30)  # fmt: skip
    far = make_user(db)  # the hybrid project's on-site days are out of reach from 札幌市 with 30 km
    make_profile(db, owner=far, skills={"dssp2-52": 3}, hours_per_week=6, work_mode=WorkMode.HYBRID,
                 home_municipality_code="011002", max_travel_km=30)  # fmt: skip
    other_client = make_client()
    login(other_client, far)
    assert "除雪の問い合わせをWebで受け付けたい" not in other_client.get("/dashboard").get_data(as_text=True)
    login(client, person)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "あなたに合いそうなプロジェクト" in page and "除雪の問い合わせをWebで受け付けたい" in page
    assert "必須スキル「サービス活用」" in page


def test_completion_can_issue_a_badge_in_one_click(client, db, login, make_client, town):
    from talentbank.models import Credential

    owner = town.memberships[0].user
    login(client, owner)
    client.post(f"/orgs/{town.public_id}/issuer")
    project_id = post_project(client, town)
    publish(client, project_id)
    person = make_user(db, email="finisher@example.jp")
    profile = make_profile(db, owner=person, skills={"dssp2-52": 2})
    person_client = make_client()
    login(person_client, person)
    person_client.post(f"/projects/{project_id}/apply")
    application = db.scalar(sa.select(Application))
    client.post(f"/applications/{application.public_id}/accept")
    client.post(f"/projects/{project_id}/status", data={"status": "in_progress"})
    assert "修了のデジタルバッジ" in client.get(f"/applications/{application.public_id}/complete").get_data(
        as_text=True
    )
    response = client.post(
        f"/applications/{application.public_id}/complete",
        data={"summary": "予約の電子化を完了", "skill": ["dssp2-52"], "level_dssp2-52": "3", "issue_badge": "1"},
    )
    assert response.status_code == 302
    credential = db.scalar(sa.select(Credential))
    assert credential.profile_id == profile.id and credential.recipient_email == "finisher@example.jp"
    assert credential.achievement.name.endswith("修了")
    sources = {(s.skill_code, s.source) for s in db.scalars(sa.select(ProfileSkill))}
    assert ("dssp2-52", SkillSource.BADGE) in sources and ("dssp2-52", SkillSource.PROJECT) in sources
    page = person_client.get(f"/credentials/{credential.public_id}").get_data(as_text=True)
    assert "この証明書は本物で、有効です。" in page
