"""What a person does in a real browser: register, confirm, log in, switch language, create an organisation."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from talentbank.models import Organisation, OutboxMessage
from tests.browser.conftest import SCREENSHOTS

PASSWORD = "shiretoko drift ice 2026"


def latest_link(app, address: str, prefix: str) -> str:
    with Session(app.extensions["talentbank.engine"]) as session:
        message = session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.to_address == address).order_by(OutboxMessage.id.desc())
        ).first()
    match = re.search(rf"https?://\S+{re.escape(prefix)}\S+", message.body_text)
    assert match, message.body_text
    return match.group(0)


def log_in(page, base_url: str, email: str) -> None:
    """Log in an account made with tests.factories (its shared password)."""
    from tests.factories import PASSWORD as FACTORY_PASSWORD

    page.goto(base_url + "/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(FACTORY_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.get_by_role("heading", name="マイページ").wait_for()


def register_and_confirm(page, base_url: str, app, email: str, name: str) -> None:
    page.goto(base_url + "/")
    page.get_by_role("link", name="新規登録").first.click()
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("表示名").fill(name)
    page.get_by_label("パスワード", exact=True).fill(PASSWORD)
    page.get_by_label("パスワード（確認）").fill(PASSWORD)
    page.get_by_label("利用規約とプライバシーポリシーに同意します").check()
    page.get_by_role("button", name="登録する").click()
    page.get_by_role("heading", name="メールを確認してください").wait_for()
    page.goto(latest_link(app, email, "/confirm/"))
    page.get_by_role("button", name="登録を完了する").click()
    page.get_by_role("heading", name="マイページ").wait_for()


def test_register_login_switch_language_and_create_an_organisation(page, live_server, error_state):
    base_url, app = live_server
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(base_url + "/")
    assert page.locator("html").get_attribute("lang") == "ja"
    page.screenshot(path=str(SCREENSHOTS / "home-ja.png"), full_page=True)
    page.goto(base_url + "/register")
    error_state(page, {"#email": "not-an-address", "#password": "short"}, "form[action$='/register'] button")
    page.goto(base_url + "/login")
    error_state(page, {"#email": "nobody@example.jp", "#password": "not it"}, "form[action$='/login'] button")

    register_and_confirm(page, base_url, app, "hanako@example.jp", "釧路 花子")
    assert page.get_by_text("釧路 花子 さん、ようこそ。").is_visible()

    page.get_by_role("button", name="ログアウト").click()
    page.get_by_role("link", name="ログイン").first.click()
    page.get_by_label("メールアドレス").fill("hanako@example.jp")
    page.get_by_label("パスワード").fill("this is not my password")
    page.get_by_role("button", name="ログイン").click()
    error = page.get_by_role("alert")
    assert "メールアドレスまたはパスワードが正しくありません" in error.inner_text()

    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.get_by_role("heading", name="マイページ").wait_for()

    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="My page").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"

    page.get_by_role("link", name="Register an organisation").first.click()
    error_state(page, {"#name": ""})
    page.get_by_label("Name", exact=True).fill("釧路町 DX推進室")
    page.get_by_label("Type").select_option("municipality")
    page.get_by_label("Location (municipality)").select_option(label="Kushiro-cho (釧路町)")
    page.get_by_role("button", name="Register").click()
    page.get_by_role("heading", name=re.compile("釧路町 DX推進室")).wait_for()
    assert page.get_by_text("016616").is_visible()
    assert page.get_by_text("Not verified").first.is_visible()

    with Session(app.extensions["talentbank.engine"]) as session:
        organisation = session.scalar(sa.select(Organisation).where(Organisation.name == "釧路町 DX推進室"))
        assert organisation is not None and organisation.municipality_code == "016616"

    page.goto(base_url + "/")
    page.screenshot(path=str(SCREENSHOTS / "home-en.png"), full_page=True)


def test_home_page_on_a_phone(browser, live_server):
    base_url, _app = live_server
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(base_url + "/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone: {width}px"
    page.screenshot(path=str(SCREENSHOTS / "home-ja-phone.png"), full_page=True)
    context.close()


def test_profile_skills_outcome_search_and_privacy(browser, live_server, error_state):
    base_url, app = live_server
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(10_000)
    register_and_confirm(page, base_url, app, "rakuno@example.jp", "十勝 酪子")

    page.get_by_role("link", name="プロフィールを作成").click()
    page.get_by_label("ひとことで（見出し）").fill("十勝で酪農のデータ分析をしています")
    page.get_by_label("自己紹介（Markdownが使えます）").fill("**乳量予測**と牛群管理のダッシュボードを作っています。")
    page.get_by_label("拠点").select_option(label="帯広市")
    page.get_by_label("公開（誰でも見られます）").check()
    page.get_by_role("button", name="保存する").click()
    page.get_by_role("heading", name="十勝 酪子").wait_for()

    page.get_by_role("link", name="スキルを管理").click()
    # search-as-you-type: a tool tag finds its DSS item
    page.get_by_label("スキルやツール名で探す").fill("kintone")
    page.locator("#skill-suggestions").get_by_role("option", name=re.compile("サービス活用")).click()
    assert page.get_by_label("スキル", exact=True).input_value() == "dssp2-52"
    page.get_by_label(re.compile("^レベル3")).check()
    page.get_by_role("button", name="追加する").click()
    page.get_by_text("スキルを登録しました。").wait_for()
    for code, level in [("dssp2-35", "4"), ("dssp2-36", "2")]:
        page.get_by_label("スキル", exact=True).select_option(code)
        page.locator(f"input[name=level][value='{level}']").check()
        page.get_by_role("button", name="追加する").click()
        page.get_by_text("スキルを登録しました。").wait_for()

    page.goto(base_url + "/me/outcomes/new")
    page.get_by_label("タイトル").fill("酪農家向け乳量予測ダッシュボード")
    page.get_by_label("あなたの役割").fill("データ分析")
    page.get_by_role("button", name="保存する").click()
    page.get_by_role("heading", name="酪農家向け乳量予測ダッシュボード").wait_for()
    assert page.get_by_text("自己申告").count() == 3

    visitor = browser.new_context(locale="ja-JP").new_page()
    visitor.goto(base_url + "/people?skill=dssp2-35&level=3")
    assert visitor.get_by_role("link", name="十勝 酪子").is_visible()
    visitor.goto(base_url + "/people?q=酪農")
    assert visitor.get_by_role("link", name="十勝 酪子").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "profile-ja.png"), full_page=True)

    page.goto(base_url + "/me/profile")
    error_state(page, {"#display_name": "", "#hours_per_week": "999"})
    page.get_by_label("非公開（自分だけ）").check()
    page.get_by_role("button", name="保存する").click()
    page.get_by_text("プロフィールを保存しました。").wait_for()

    visitor.goto(base_url + "/people?q=酪農")
    assert visitor.get_by_role("link", name="十勝 酪子").count() == 0
    assert visitor.get_by_text("0 人が見つかりました").is_visible()
    visitor.context.close()
    context.close()


def test_skill_search_typed_before_the_script_ran_still_suggests(browser, live_server, error_state):
    """On a slow line someone types into the skill search before the deferred picker script has run."""
    base_url, _app = live_server
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(base_url + "/login")
    page.get_by_label("メールアドレス").fill("rakuno@example.jp")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.get_by_role("heading", name="マイページ").wait_for()

    held = []

    def hold(route):
        held.append(route)

    page.route("**/js/skill-picker.js", hold)
    page.goto(base_url + "/me/skills", wait_until="commit")
    search = page.get_by_label("スキルやツール名で探す")
    search.fill("kintone")
    while not held:
        page.wait_for_timeout(50)
    held[0].continue_()
    page.locator("#skill-suggestions").get_by_role("option", name=re.compile("サービス活用")).wait_for()
    context.close()


def test_educator_issues_learner_claims_visitor_verifies_educator_revokes(browser, live_server, tmp_path, error_state):
    from tests.factories import make_organisation, make_profile, make_user

    base_url, app = live_server
    with Session(app.extensions["talentbank.engine"]) as session:
        teacher = make_user(session, email="teacher@kosen.example.jp", display_name="高専 先生")
        school = make_organisation(session, owner=teacher, kind="school", verified=True, name="道北工業高等専門学校")
        learner = make_user(session, email="learner1@example.jp", display_name="学生 一号")
        profile = make_profile(session, owner=learner, display_name="学生 一号")
        school_id, profile_id = school.public_id, profile.public_id
        session.commit()

    educator = browser.new_context(locale="ja-JP").new_page()
    educator.set_default_timeout(10_000)
    log_in(educator, base_url, "teacher@kosen.example.jp")
    educator.goto(f"{base_url}/orgs/{school_id}")
    educator.get_by_role("link", name="デジタルバッジの発行").click()
    educator.get_by_role("button", name="発行者として設定する").click()
    educator.get_by_role("link", name="バッジを作成").click()
    educator.get_by_label("バッジの名前").fill("データ分析基礎（Python）")
    educator.get_by_label("説明").fill("Pythonでデータを集計・可視化できる。")
    educator.get_by_label("取得条件").fill("30時間の講座を修了し、課題を提出した。")
    educator.get_by_label("証明するスキル", exact=True).select_option("dssp2-35")
    educator.get_by_label("証明するレベル").select_option("3")
    educator.get_by_role("button", name="作成する").click()
    educator.get_by_role("heading", name="データ分析基礎（Python）").wait_for()

    csv_file = tmp_path / "awards.csv"
    csv_file.write_text(
        "email,name,evidence,narrative\n"
        "learner1@example.jp,学生 一号,https://example.jp/1,\n"
        "learner2@example.jp,学生 二号,,\n"
        "oops-not-an-address,学生 三号,,\n"
        "learner4@example.jp,学生 四号,,\n"
        "learner5@example.jp,学生 五号,,\n",
        encoding="utf-8",
    )
    educator.get_by_role("link", name="CSVで一括発行").click()
    educator.get_by_label("CSVファイル").set_input_files(str(csv_file))
    educator.get_by_role("button", name="確認する").click()
    assert educator.get_by_text("誤りがあり発行しない：1件").is_visible()
    assert educator.get_by_text("メールアドレスの形式が正しくありません。").is_visible()
    educator.get_by_role("button", name="4件を発行する").click()
    educator.get_by_text("4件のバッジを発行しました").wait_for()
    educator.screenshot(path=str(SCREENSHOTS / "badges-issued-ja.png"), full_page=True)

    learner_page = browser.new_context(locale="ja-JP").new_page()
    learner_page.set_default_timeout(10_000)
    log_in(learner_page, base_url, "learner1@example.jp")
    link = latest_link(app, "learner1@example.jp", "/credentials/")
    learner_page.goto(link)
    learner_page.get_by_role("button", name="プロフィールに追加する").click()
    learner_page.wait_for_url(f"**/people/{profile_id}")
    assert learner_page.get_by_text("バッジで検証").first.is_visible()
    assert learner_page.get_by_role("link", name="データ分析基礎（Python）").is_visible()

    visitor = browser.new_context(locale="ja-JP", accept_downloads=True).new_page()
    visitor.set_default_timeout(10_000)
    visitor.goto(link)
    with visitor.expect_download() as download:
        visitor.get_by_role("link", name="バッジ画像（PNG）").click()
    baked = tmp_path / "badge.png"
    download.value.save_as(baked)
    visitor.goto(base_url + "/verify")
    error_state(visitor, {"#credential": "{ not a credential"})
    visitor.get_by_label("またはファイルを選ぶ").set_input_files(str(baked))
    visitor.get_by_role("button", name="検証する").click()
    assert visitor.get_by_text("この証明書は本物で、有効です。").is_visible()
    visitor.screenshot(path=str(SCREENSHOTS / "verify-ja.png"), full_page=True)

    educator.goto(link)
    educator.get_by_label("取り消しの理由").fill("評価のやり直し")
    educator.get_by_role("button", name="このバッジを取り消す").click()
    educator.get_by_text("このバッジは発行者によって取り消されました。").wait_for()
    visitor.goto(link)
    assert visitor.get_by_text("この証明書は確認できませんでした。").is_visible()
    assert visitor.get_by_text("発行者によって取り消されています。").is_visible()
    for page in (educator, learner_page, visitor):
        page.context.close()


def test_town_posts_matches_invites_person_accepts_town_completes(browser, live_server):
    from datetime import UTC, datetime, timedelta

    from tests.factories import make_organisation, make_profile, make_user

    base_url, app = live_server
    with Session(app.extensions["talentbank.engine"]) as session:
        clerk = make_user(session, email="clerk@town.example.jp", display_name="町役場 職員")
        town = make_organisation(session, owner=clerk, verified=True, name="鹿追町 企画課", municipality_code="016349")
        person = make_user(session, email="kintone-pro@example.jp", display_name="キントーン 達人")
        profile = make_profile(
            session,
            owner=person,
            display_name="キントーン 達人",
            headline="町役場の業務をkintoneで改善",
            skills={"dssp2-52": 3},
            hours_per_week=6,
            home_municipality_code="016349",
        )
        town_id, profile_id = town.public_id, profile.public_id
        session.commit()

    office = browser.new_context(locale="ja-JP").new_page()
    office.set_default_timeout(10_000)
    log_in(office, base_url, "clerk@town.example.jp")
    office.goto(f"{base_url}/orgs/{town_id}")
    office.get_by_role("link", name="プロジェクトを募集する").click()
    office.get_by_label("プロジェクト名").fill("公民館の予約をkintoneで受け付けたい")
    office.get_by_label("困っていること（ふだんの言葉で）").fill(
        "公民館の予約を電話と紙の台帳で受けていて、二重予約が月に数回起きる。"
    )
    office.get_by_label("終わったときにできていてほしいこと").fill("予約がオンラインで入り、二重予約がなくなる。")
    office.get_by_label("テーマ").select_option("admin_dx")
    office.get_by_label("場所（市町村）").select_option("016349")
    office.get_by_label("リモート").check()
    office.get_by_label("1週間に必要な時間").fill("5")
    start = datetime.now(UTC).date() + timedelta(days=30)
    office.get_by_label("開始日").fill(start.isoformat())
    office.get_by_label("報酬").select_option("hourly")
    office.get_by_label("金額（円）").fill("2500")
    office.locator("#need_skill_0").select_option("dssp2-52")
    office.locator("#need_level_0").select_option("2")
    office.get_by_role("button", name="保存する（下書き）").click()
    office.get_by_role("heading", name=re.compile("公民館の予約をkintoneで受け付けたい")).wait_for()
    office.get_by_role("button", name="募集中にする").click()
    office.get_by_text("状態を「募集中」にしました。").wait_for()

    office.get_by_role("link", name="マッチする人を見る").click()
    card = office.locator("article.match", has_text="キントーン 達人")
    assert card.get_by_text("必須スキル「サービス活用」：レベル3（求めるレベル2）").is_visible()
    office.screenshot(path=str(SCREENSHOTS / "matches-ja.png"), full_page=True)
    card.get_by_role("button", name="招待する").click()
    office.get_by_text("キントーン 達人 さんを招待しました。").wait_for()

    person_page = browser.new_context(locale="ja-JP").new_page()
    person_page.set_default_timeout(10_000)
    log_in(person_page, base_url, "kintone-pro@example.jp")
    person_page.get_by_role("link", name="公民館の予約をkintoneで受け付けたい").first.click()
    person_page.get_by_role("button", name="招待を承諾する（連絡先が伝わります）").click()
    person_page.get_by_text("承諾しました。").wait_for()

    office.goto(office.url.replace("/matches", ""))
    assert office.get_by_role("link", name="kintone-pro@example.jp").is_visible()  # contact released
    office.get_by_role("button", name="進行中にする").click()  # completion is recorded once the work is under way
    office.get_by_text("状態を「進行中」にしました。").wait_for()
    office.get_by_role("link", name="完了を記録").click()
    office.get_by_label("成果のまとめ").fill("予約アプリを公開し、二重予約がゼロになった。")
    office.get_by_role("button", name="完了を記録する").click()
    office.get_by_text("完了を記録しました。").wait_for()

    person_page.goto(f"{base_url}/people/{profile_id}")
    assert person_page.get_by_text("プロジェクトで検証").first.is_visible()
    assert person_page.get_by_text("予約アプリを公開し、二重予約がゼロになった。").is_visible()
    for page in (office, person_page):
        page.context.close()
