import json

import sqlalchemy as sa

from talentbank.models import (
    AuditEvent,
    DeletedProfile,
    Outcome,
    Profile,
    ProfileSearchTerm,
    ProfileSkill,
    SkillSource,
    User,
    Visibility,
)
from tests.factories import PASSWORD, make_organisation, make_profile, make_user

PROFILE = {
    "display_name": "帯広 太郎",
    "furigana": "おびひろ たろう",
    "headline": "十勝で酪農のデータ分析をしています",
    "bio": "**乳量予測**が得意です。",
    "home": "012076",
    "home_prefecture": "",
    "regions": ["12"],
    "motives": ["learning", "hometown"],
    "side_job_ok": "y",
    "hours_per_week": "8",
    "earliest_start": "2027-01-10",
    "work_mode": "hybrid",
    "max_travel_km": "80",
    "pay_kind": "hourly",
    "pay_yen": "3000",
    "open_to_offers": "y",
    "visibility": "public",
}


def profile_count(db) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(Profile))


def test_create_profile_and_see_it(client, db, login):
    user = make_user(db)
    login(client, user)
    assert "プロフィールを作成" in client.get("/me/profile").get_data(as_text=True)
    response = client.post("/me/profile", data=PROFILE)
    assert response.status_code == 302, response.get_data(as_text=True)
    profile = db.scalar(sa.select(Profile))
    assert response.headers["Location"].endswith(f"/people/{profile.public_id}")
    assert profile.home_municipality_code == "012076" and profile.work_mode.value == "hybrid"
    assert [r.id for r in profile.regions] == [12] and profile.motives == ["learning", "hometown"]
    page = client.get(f"/people/{profile.public_id}").get_data(as_text=True)
    assert "帯広 太郎" in page and "<strong>乳量予測</strong>" in page and "帯広市" in page
    assert "プロフィールを編集" in page
    assert user.email not in page


def test_profile_can_be_outside_hokkaido(client, db, login):
    login(client, make_user(db))
    response = client.post("/me/profile", data={**PROFILE, "home": "outside", "home_prefecture": "東京都"})
    assert response.status_code == 302
    profile = db.scalar(sa.select(Profile))
    assert profile.home_municipality_code is None and profile.home_prefecture == "東京都"
    bad = client.post("/me/profile", data={**PROFILE, "home": "outside", "home_prefecture": ""})
    assert bad.status_code == 422


def test_bad_profile_input_saves_nothing(client, db, login):
    login(client, make_user(db))
    cases = [
        {"home": "999999"},
        {"bio": "あ" * 20_000},
        {"hours_per_week": "-3"},
        {"max_travel_km": "100000"},
        {"display_name": ""},
        {"regions": ["999"]},
        {"visibility": "everyone"},
    ]
    for change in cases:
        response = client.post("/me/profile", data={**PROFILE, **change})
        assert response.status_code == 422, change
    assert profile_count(db) == 0


def test_script_in_every_text_field_is_rendered_inert(client, db, login):
    login(client, make_user(db))
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>[x](javascript:alert(3))"
    client.post(
        "/me/profile",
        data={
            **PROFILE,
            "display_name": payload[:80],
            "headline": payload[:140],
            "bio": payload,
            "furigana": payload[:80],
        },
    )
    profile = db.scalar(sa.select(Profile))
    client.post(
        "/me/outcomes/new",
        data={"title": payload[:140], "description": payload, "role": payload[:80], "organisation_name": payload[:120]},
    )
    page = client.get(f"/people/{profile.public_id}").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page and 'href="javascript:' not in page
    assert "&lt;script&gt;" in page


def test_add_skills_and_see_how_each_is_backed(client, db, login):
    user = make_user(db)
    profile = make_profile(db, owner=user)
    login(client, user)
    assert client.post("/me/skills", data={"skill_code": "dssp2-36", "level": "3", "years": "2.5"}).status_code == 302
    db.add(
        ProfileSkill(
            profile_id=profile.id,
            skill_code="dssp2-52",
            level=2,
            source=SkillSource.BADGE,
            evidence_url="https://example.jp/credentials/1",
        )
    )
    page = client.get(f"/people/{profile.public_id}").get_data(as_text=True)
    assert "機械学習・深層学習" in page and "自己申告" in page
    assert "バッジで検証" in page and "https://example.jp/credentials/1" in page
    assert 'class="self"' in page and 'class="verified"' in page


def test_bad_skill_input_saves_nothing(client, db, login):
    user = make_user(db)
    make_profile(db, owner=user, skills={"dssp2-36": 2})
    login(client, user)
    for form in [
        {"skill_code": "dssp2-36", "level": "5"},
        {"skill_code": "dssp2-36", "level": "0"},
        {"skill_code": "nonsense", "level": "2"},
        {"skill_code": "dssp1-01", "level": "2"},  # old vocabulary, not selectable
        {"skill_code": "dssp2-36", "level": "3"},  # duplicate
    ]:
        assert client.post("/me/skills", data=form).status_code == 422, form
    assert db.scalar(sa.select(sa.func.count()).select_from(ProfileSkill)) == 1


def test_remove_only_own_self_declared_skills(client, db, login, make_client):
    owner = make_user(db)
    profile = make_profile(db, owner=owner, skills={"dssp2-36": 2})
    skill_id = profile.skills[0].id
    other = make_user(db)
    make_profile(db, owner=other)
    other_client = make_client()
    login(other_client, other)
    assert other_client.post(f"/me/skills/{skill_id}/delete").status_code == 404
    login(client, owner)
    assert client.post(f"/me/skills/{skill_id}/delete").status_code == 302
    assert db.scalar(sa.select(sa.func.count()).select_from(ProfileSkill)) == 0


def test_outcome_skills_appear_on_the_profile(client, db, login):
    user = make_user(db)
    profile = make_profile(db, owner=user, skills={"dssp2-52": 1})
    login(client, user)
    response = client.post(
        "/me/outcomes/new",
        data={
            "title": "町役場の窓口予約をkintoneで電子化",
            "role": "実装",
            "started_on": "2025-04-01",
            "ended_on": "2025-09-30",
            "links": "https://example.jp/case",
            "skill_codes": ["dssp2-52", "dssp2-06"],
            "skill_level": "3",
        },
    )
    assert response.status_code == 302
    db.expire_all()
    levels = {s.skill_code: s.level for s in db.scalar(sa.select(Profile)).skills}
    assert levels == {"dssp2-52": 3, "dssp2-06": 3}
    page = client.get(f"/people/{profile.public_id}").get_data(as_text=True)
    assert "町役場の窓口予約をkintoneで電子化" in page and "https://example.jp/case" in page


def test_bad_outcomes_save_nothing(client, db, login):
    user = make_user(db)
    make_profile(db, owner=user)
    login(client, user)
    base = {"title": "成果", "skill_level": "2"}
    for change in [
        {"started_on": "2025-05-01", "ended_on": "2025-04-01"},
        {"links": "javascript:alert(1)"},
        {"links": "\n".join(f"https://example.jp/{n}" for n in range(6))},
        {"skill_codes": ["nonsense"]},
        {"title": ""},
    ]:
        assert client.post("/me/outcomes/new", data={**base, **change}).status_code == 422, change
    assert db.scalar(sa.select(sa.func.count()).select_from(Outcome)) == 0


def test_cannot_edit_someone_elses_outcome(client, db, login):
    owner = make_user(db)
    make_profile(db, owner=owner)
    login(client, owner)
    client.post("/me/outcomes/new", data={"title": "本人の成果", "skill_level": "2"})
    outcome = db.scalar(sa.select(Outcome))
    client.post("/logout")
    intruder = make_user(db)
    make_profile(db, owner=intruder)
    login(client, intruder)
    assert client.post(f"/me/outcomes/{outcome.public_id}/edit", data={"title": "改ざん"}).status_code == 404
    assert client.post(f"/me/outcomes/{outcome.public_id}/delete").status_code == 404
    db.refresh(outcome)
    assert outcome.title == "本人の成果"


def test_visibility_rules(client, db, login, make_client):
    public = make_profile(db, display_name="公開さん", visibility=Visibility.PUBLIC)
    members = make_profile(db, display_name="会員限定さん", visibility=Visibility.MEMBERS)
    private = make_profile(db, display_name="非公開さん", visibility=Visibility.PRIVATE)
    hidden = make_profile(db, display_name="隠れさん", visibility=Visibility.PUBLIC, is_hidden=True)
    assert client.get(f"/people/{public.public_id}").status_code == 200
    assert client.get(f"/people/{members.public_id}").status_code == 404
    names = client.get("/people").get_data(as_text=True)
    assert "公開さん" in names and "会員限定さん" not in names
    login(client, make_user(db))
    assert client.get(f"/people/{members.public_id}").status_code == 200
    assert client.get(f"/people/{private.public_id}").status_code == 404
    assert client.get(f"/people/{hidden.public_id}").status_code == 404
    names = client.get("/people").get_data(as_text=True)
    assert "会員限定さん" in names and "非公開さん" not in names and "隠れさん" not in names
    owner_client = make_client()
    login(owner_client, private.user)
    assert owner_client.get(f"/people/{private.public_id}").status_code == 200


def test_json_ld_has_only_public_fields(client, db):
    profile = make_profile(
        db,
        headline="GISで防災",
        visibility=Visibility.PUBLIC,
        home_municipality_code="012068",
        pay_yen=5000,
        hours_per_week=7,
    )
    page = client.get(f"/people/{profile.public_id}").get_data(as_text=True)
    block = page.split('<script type="application/ld+json">')[1].split("</script>")[0]
    data = json.loads(block)
    assert data["@type"] == "Person" and data["name"] == profile.display_name
    assert data["homeLocation"]["name"] == "釧路市"
    assert "5000" not in block and profile.user.email not in block


def test_search_by_skill_level_text_and_place(client, db):
    make_profile(
        db,
        display_name="酪農データの人",
        headline="十勝で酪農のデータ分析",
        home_municipality_code="012076",
        skills={"dssp2-35": 4},
    )
    make_profile(
        db, display_name="観光の人", headline="函館の観光DX", home_municipality_code="012025", skills={"dssp2-35": 2}
    )
    make_profile(db, display_name="Emily", headline="Python developer for tourism apps", home_prefecture="東京都")

    def names(query: str) -> str:
        return client.get(f"/people?{query}").get_data(as_text=True)

    assert "酪農データの人" in names("q=酪農") and "観光の人" not in names("q=酪農")
    assert "観光の人" in names("q=観光") and "Emily" in names("q=python")
    assert "Emily" in names("q=Tourism")  # English words, any case
    page = names("skill=dssp2-35&level=3")
    assert "酪農データの人" in page and "観光の人" not in page
    page = names("subprefecture=12")  # 十勝
    assert "酪農データの人" in page and "観光の人" not in page
    page = names("municipality=012025")
    assert "観光の人" in page and "酪農データの人" not in page
    assert "0 人が見つかりました" in names("q=存在しない言葉")


def test_a_longer_word_is_one_phrase_scored_as_its_bigrams(client, db):
    """A word of three to eight kanji/katakana characters is looked up as one phrase term, also inside
    a longer run (ビッグデータ分析基盤), scoring what its bigrams score together: the order and the
    scores are those of the bigram lookup; a word whose bigrams recur falls back to the bigrams."""
    from talentbank.profiles.search import SearchCriteria, _query_terms, search_profile_ids

    headline = make_profile(db, display_name="見出しさん", headline="ビッグデータ分析基盤")
    bio = make_profile(db, display_name="紹介文さん", bio="データ分析の仕事")
    make_profile(db, display_name="別の人", headline="分析とデータ")  # no データ分析: no タ分
    criteria = SearchCriteria(text="データ分析")
    assert _query_terms(criteria) == ["データ分析"]
    rows, total = search_profile_ids(db, None, criteria)
    # four bigrams, each 3.0 in a headline and 1.0 in a bio
    assert rows == [(headline.id, 12.0), (bio.id, 4.0)] and total == 2
    assert _query_terms(SearchCriteria(text="データ分析 データ")) == ["デー", "ータ", "タ分", "分析"]
    assert search_profile_ids(db, None, SearchCriteria(text="データ分析 データ")) == (rows, 2)
    assert _query_terms(SearchCriteria(text="データ分析 python")) == ["データ分析", "python"]
    page = client.get("/people?q=データ分析").get_data(as_text=True)
    assert page.index("見出しさん") < page.index("紹介文さん") and "別の人" not in page and "2 人" in page


def test_several_skills_must_all_match(client, db):
    make_profile(db, display_name="両方さん", skills={"dssp2-35": 3, "dssp2-52": 2})
    make_profile(db, display_name="片方さん", skills={"dssp2-35": 4})
    page = client.get("/people?skill=dssp2-35&level=2&skill=dssp2-52&level=2").get_data(as_text=True)
    assert "両方さん" in page and "片方さん" not in page
    page = client.get("/people?skill=dssp2-35&level=4&skill=&level=1").get_data(as_text=True)
    assert "片方さん" in page and "両方さん" not in page


def test_verified_only_filter(client, db):
    verified = make_profile(db, display_name="検証済みさん")
    db.add(ProfileSkill(profile_id=verified.id, skill_code="dssp2-36", level=3, source=SkillSource.BADGE))
    make_profile(db, display_name="自己申告さん", skills={"dssp2-36": 4})
    page = client.get("/people?skill=dssp2-36&verified=1").get_data(as_text=True)
    assert "検証済みさん" in page and "自己申告さん" not in page


def test_search_with_absurd_parameters_never_fails(client, db):
    make_profile(db)
    for query in [
        "page=-5",
        "page=999999999",
        "hours=abc",
        "hours=100000",
        "subprefecture=x",
        "skill=" + "x" * 500,
        "q=" + "長" * 5000,
        "skill=dssp2-35&level=99",
        "municipality=<script>",
        "q=%ff",
        "skill=a&skill=b&skill=c&skill=d&skill=e&skill=f",
    ]:
        assert client.get(f"/people?{query}").status_code == 200, query
    # A NUL is refused where the query string enters (PostgreSQL could not even compare with it).
    refused = client.get("/people?q=%00%ff")
    assert refused.status_code == 422 and "U+0000" in refused.get_data(as_text=True)


def test_search_paginates(client, db):
    for number in range(25):
        make_profile(db, display_name=f"人{number:02d}", headline="防災のGIS")
    first = client.get("/people?q=防災").get_data(as_text=True)
    second = client.get("/people?q=防災&page=2").get_data(as_text=True)
    assert "25 人" in first and "1 / 2" in first and "2 / 2" in second
    assert first.count('class="card person"') == 20 and second.count('class="card person"') == 5


def test_text_search_follows_visibility_hiding_and_updates_without_a_reindex(client, db, make_client):
    """The index rows carry who may find the profile and its updated_at: an update of the profile
    that changes no text (visibility, hiding, any column) still reaches the text search at once."""
    from datetime import UTC, datetime

    older = make_profile(db, display_name="古い更新さん", headline="防災のGIS", visibility=Visibility.PUBLIC)
    newer = make_profile(db, display_name="新しい更新さん", headline="防災のGIS", visibility=Visibility.PUBLIC)
    member = make_client()
    member.post("/login", data={"email": make_user(db).email, "password": PASSWORD})

    def order(web) -> list[str]:
        page = web.get("/people?q=防災").get_data(as_text=True)
        return sorted((n for n in ["古い更新さん", "新しい更新さん"] if n in page), key=page.index)

    older.updated_at, newer.updated_at = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    db.flush()
    assert order(client) == ["新しい更新さん", "古い更新さん"]  # equal scores: most recently updated first
    older.hours_per_week = 3  # no text changes; updated_at moves
    db.flush()
    assert order(client) == ["古い更新さん", "新しい更新さん"]
    older.visibility = Visibility.MEMBERS
    db.flush()
    assert order(client) == ["新しい更新さん"] and order(member) == ["古い更新さん", "新しい更新さん"]
    older.is_hidden = True
    db.flush()
    assert order(member) == ["新しい更新さん"]
    assert "1 人" in client.get("/people?q=防災&page=5").get_data(as_text=True)  # past the last page: still the total


def test_index_follows_edits(client, db, login):
    user = make_user(db)
    login(client, user)
    client.post("/me/profile", data={**PROFILE, "headline": "漁業のDX"})
    assert "帯広 太郎" in client.get("/people?q=漁業").get_data(as_text=True)
    client.post("/me/profile", data={**PROFILE, "headline": "林業のDX"})
    assert "帯広 太郎" not in client.get("/people?q=漁業").get_data(as_text=True)
    assert "帯広 太郎" in client.get("/people?q=林業").get_data(as_text=True)


def test_hide_profile_without_deleting(client, db, login, make_client):
    user = make_user(db)
    login(client, user)
    client.post("/me/profile", data={**PROFILE, "is_hidden": "y"})
    profile = db.scalar(sa.select(Profile))
    visitor = make_client()
    assert visitor.get(f"/people/{profile.public_id}").status_code == 404
    assert "帯広 太郎" not in visitor.get("/people").get_data(as_text=True)
    assert "現在隠されています" in client.get(f"/people/{profile.public_id}").get_data(as_text=True)


def test_export_holds_everything_about_the_person(client, db, login):
    user = make_user(db, email="export@example.jp")
    login(client, user)
    client.post("/me/profile", data=PROFILE)
    client.post("/me/skills", data={"skill_code": "dssp2-36", "level": "3"})
    client.post("/me/outcomes/new", data={"title": "除雪ルート最適化", "skill_level": "2"})
    response = client.get("/me/data/export.json")
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = response.get_json()
    assert data["account"]["email"] == "export@example.jp"
    assert data["profile"]["display_name"] == "帯広 太郎" and data["profile"]["furigana"] == "おびひろ たろう"
    assert data["profile"]["skills"][0]["code"] == "dssp2-36"
    assert data["profile"]["outcomes"][0]["title"] == "除雪ルート最適化"
    assert any(event["action"] == "account.login" for event in data["activity"])
    client.post("/settings/tokens", data={"name": "自動化", "scopes": ["read"], "days": "30"})
    tokens = client.get("/me/data/export.json").get_json()["api_tokens"]
    assert [t["name"] for t in tokens] == ["自動化"] and "tbp_" not in json.dumps(tokens)
    html = client.get("/me/data/export.html").get_data(as_text=True)
    assert "除雪ルート最適化" in html and "export@example.jp" in html


def test_registration_records_consent(client, db):
    client.post(
        "/register",
        data={
            "email": "c@example.jp",
            "display_name": "同意",
            "password": "consent passphrase 1",
            "password_confirm": "consent passphrase 1",
            "accept_terms": "y",
        },
    )
    user = db.scalar(sa.select(User))
    assert user.policy_version == "2026-11" and user.policy_accepted_at is not None


def test_delete_account_removes_personal_data_and_answers_410(client, db, login):
    marker = "削除マーカー7f3a"
    user = make_user(db, email="leaving@example.jp", display_name=marker)
    login(client, user)
    client.post("/me/profile", data={**PROFILE, "display_name": marker, "bio": marker})
    client.post("/me/outcomes/new", data={"title": marker, "skill_level": "2"})
    client.post("/forgot", data={"email": "leaving@example.jp"})
    profile_id = db.scalar(sa.select(Profile.public_id))
    assert client.post("/me/delete", data={"password": "wrong password!", "confirm": "y"}).status_code == 422
    response = client.post("/me/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    assert client.get(f"/people/{profile_id}").status_code == 410
    assert db.scalar(sa.select(User).where(User.email == "leaving@example.jp")) is None
    assert db.scalar(sa.select(sa.func.count()).select_from(ProfileSearchTerm)) == 0
    assert db.get(DeletedProfile, profile_id) is not None
    for event in db.scalars(sa.select(AuditEvent)):
        assert event.actor_id is None or event.actor_id != user.id
    # The marker survives nowhere.
    engine = db.get_bind()
    with engine.connect() as connection:
        for table in sa.inspect(engine).get_table_names():
            rows = connection.execute(sa.text(f'SELECT * FROM "{table}"')).all()  # noqa: S608
            assert not any(marker in str(row) for row in rows), table
            assert not any("leaving@example.jp" in str(row) for row in rows), table


def test_sole_owner_must_hand_over_before_deleting(client, db, login):
    user = make_user(db)
    make_organisation(db, owner=user, name="一人だけの組織")
    login(client, user)
    response = client.post("/me/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 422
    assert "一人だけの組織" in response.get_data(as_text=True)
    assert db.get(User, user.id) is not None


def test_skill_picker_finds_japanese_english_and_tool_tags(client):
    def codes(query: str) -> list[str]:
        return [item["code"] for item in client.get(f"/skills/search.json?q={query}").get_json()]

    assert "dssp2-52" in codes("kintone")
    assert "dssp2-36" in codes("機械学習")
    assert "dssp2-36" in codes("machine learning")
    assert "dssp2-40" in codes("GIS")
    assert codes("") == [] and len(codes("a")) <= 20


def test_outcome_can_link_a_registered_organisation(client, db, login):
    organisation = make_organisation(db, name="上士幌町 デジタル推進係", verified=True)
    user = make_user(db)
    profile = make_profile(db, owner=user)
    login(client, user)
    form = client.get("/me/outcomes/new").get_data(as_text=True)
    assert "上士幌町 デジタル推進係" in form
    response = client.post(
        "/me/outcomes/new",
        data={"title": "ドローン配送の実証", "skill_level": "2", "organisation": str(organisation.public_id)},
    )
    assert response.status_code == 302
    page = client.get(f"/people/{profile.public_id}").get_data(as_text=True)
    assert f'href="/orgs/{organisation.public_id}"' in page
    bad = client.post("/me/outcomes/new", data={"title": "x", "skill_level": "2", "organisation": "not-a-uuid"})
    assert bad.status_code == 422
