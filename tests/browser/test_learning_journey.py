"""学びの場 in a real browser (#15): a KOSEN publishes a free online Python course that awards its badge;
a person who misses Python for a town's project sees the course on their dashboard with the reason,
finds it through the nav and enrols; the KOSEN completes them; the badge shows verified on their profile
and the town's match page now ranks them. And a PBL class attached to the town's project."""

from __future__ import annotations

from sqlalchemy.orm import Session

from talentbank.credentials import achievements, issuers
from talentbank.credentials.inputs import AchievementInput
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_journeys import log_in
from tests.factories import make_organisation, make_profile, make_project, make_user

PYTHON = "dssp2-36"


def test_a_course_closes_a_towns_gap_and_the_badge_brings_the_match(browser, live_server, error_state):
    base_url, app = live_server
    with Session(app.extensions["talentbank.engine"]) as session, app.test_request_context():
        teacher = make_user(session, email="sensei@learning.example.jp", display_name="高専 教員")
        kosen = make_organisation(session, owner=teacher, kind="school", verified=True, name="旭川工業高等専門学校")
        clerk = make_user(session, email="clerk@learning.example.jp", display_name="町 職員")
        town = make_organisation(session, owner=clerk, verified=True, name="上士幌町 デジタル推進係")
        project = make_project(session, town, title="観光客データの分析", municipality_code="016331",
                               needs=((PYTHON, 2, True), ("dssp2-37", 2, True)))  # fmt: skip
        person = make_user(session, email="learner@learning.example.jp", display_name="道東 太郎")
        make_profile(session, owner=person, skills={"dssp2-37": 3}, hours_per_week=10)
        issuers.setup_issuer(
            session, teacher, kosen, issuers.IssuerContext(base_url, app.extensions["talentbank.fernet"])
        )
        badge = achievements.create_achievement(session, teacher, kosen, AchievementInput(
            name="Python基礎", description="Pythonでデータを扱える。", criteria="課題を提出した。", tags="",
            expiry_months=None, proof_format="jwt", skill_code=PYTHON, skill_level=3, skill_code_2="",
            skill_level_2=0))  # fmt: skip
        kosen_id, project_id, badge_name = kosen.public_id, project.public_id, badge.name
        session.commit()

    educator = browser.new_context(locale="ja-JP").new_page()
    educator.set_default_timeout(10_000)
    log_in(educator, base_url, "sensei@learning.example.jp")
    educator.goto(f"{base_url}/orgs/{kosen_id}")
    educator.get_by_role("link", name="学びの場を公開する").click()
    error_state(educator, {"#title": ""})
    educator.get_by_label("講座・プログラムの名前").fill("地域データで学ぶPython入門")
    educator.get_by_label("内容").fill("上士幌町の観光データを教材に、Pythonで集計と可視化を学びます。")
    educator.get_by_label("オンライン（自分のペースで）").check()
    educator.get_by_label("学習時間（合計）").fill("20")
    educator.get_by_label("スキル 1").select_option(PYTHON)
    educator.get_by_label("到達レベル 1").select_option("3")
    educator.get_by_label("修了時に発行するバッジ（任意）").select_option(label=badge_name)
    educator.get_by_role("button", name="公開する").click()
    educator.get_by_text("学びの場を公開しました。").wait_for()
    course_url = educator.url

    office = browser.new_context(locale="ja-JP").new_page()
    office.set_default_timeout(10_000)
    log_in(office, base_url, "clerk@learning.example.jp")
    office.goto(f"{base_url}/projects/{project_id}/matches")
    office.get_by_role("link", name="あと一歩の人も見る").click()
    after_learning = office.locator("section.after-learning")
    card = after_learning.locator("article", has_text="道東 太郎")
    assert card.get_by_role("link", name="地域データで学ぶPython入門").is_visible()
    assert "を身につけると、この募集の必須スキルを満たします。" in card.inner_text()

    learner = browser.new_context(locale="ja-JP").new_page()
    learner.set_default_timeout(10_000)
    log_in(learner, base_url, "learner@learning.example.jp")
    suggestion = learner.locator("#learning-paths")
    assert suggestion.get_by_role("link", name="地域データで学ぶPython入門").is_visible()
    # The live server is shared with other journeys, so other towns' projects may be counted too.
    assert suggestion.get_by_text("を習得すると、").first.is_visible()
    assert "募集条件を満たします" in suggestion.inner_text()
    learner.screenshot(path=str(SCREENSHOTS / "learning-dashboard-ja.png"), full_page=True)
    learner.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="学びの場").click()
    learner.get_by_label("無料のみ").check()
    learner.get_by_role("button", name="検索").click()
    learner.screenshot(path=str(SCREENSHOTS / "learning-ja.png"), full_page=True)
    learner.get_by_role("link", name="地域データで学ぶPython入門").click()
    learner.get_by_role("button", name="申し込む").click()
    learner.get_by_text("に申し込みました。").wait_for()
    learner.screenshot(path=str(SCREENSHOTS / "learning-course-ja.png"), full_page=True)

    educator.goto(f"{base_url}/orgs/{kosen_id}/learning/import")  # the catalogue import, refused a CSV it cannot read
    error_state(educator, {"#csv": b"name,price\nx,1\n"})
    educator.goto(course_url)
    educator.get_by_role("link", name="受講者").click()
    educator.get_by_label("道東 太郎").check()
    educator.get_by_label("修了（バッジを発行）").check()
    educator.get_by_role("button", name="選んだ人の結果を記録する").click()
    educator.get_by_text("バッジを発行し、プロフィールに追加しました。").wait_for()

    learner.goto(base_url + "/me/learning")
    assert learner.locator("#history").get_by_text("修了").is_visible()
    learner.goto(base_url + "/dashboard")
    learner.get_by_role("link", name="道東 太郎").first.click()
    assert learner.get_by_text("バッジで検証").first.is_visible()
    assert learner.get_by_text("修了した学びはプロフィールに表示していません。").is_visible()  # off until chosen
    learner.get_by_role("link", name="プロフィールの編集で表示できます").click()
    learner.get_by_label("拠点").select_option("016331")
    learner.get_by_label("修了した学び（講座、提供者、修了日、バッジ）をプロフィールに表示する").check()
    learner.get_by_role("button", name="保存する").click()
    history = learner.locator("section.learning-history")
    assert history.get_by_role("link", name="地域データで学ぶPython入門").is_visible()
    assert history.get_by_role("link", name="バッジを見る").is_visible()

    office.goto(f"{base_url}/projects/{project_id}/matches")
    assert office.get_by_text("道東 太郎").first.is_visible()
    for page in (educator, learner, office):
        page.context.close()


def test_a_pbl_class_is_attached_to_a_towns_project(browser, live_server):
    base_url, app = live_server
    with Session(app.extensions["talentbank.engine"]) as session:
        teacher = make_user(session, email="pbl@learning.example.jp", display_name="PBL 担当")
        kosen = make_organisation(session, owner=teacher, kind="school", verified=True, name="釧路工業高等専門学校")
        town = make_organisation(session, verified=True, name="釧路市 DX推進室")
        project = make_project(session, town, title="漁港の水揚げデータを見える化", municipality_code="012068")
        kosen_id, project_id = kosen.public_id, project.public_id
        session.commit()
    page = browser.new_context(locale="ja-JP").new_page()
    page.set_default_timeout(10_000)
    log_in(page, base_url, "pbl@learning.example.jp")
    page.goto(f"{base_url}/orgs/{kosen_id}/learning/new")
    page.get_by_label("講座・プログラムの名前").fill("PBL：漁港のデータを見える化する")
    page.get_by_label("内容").fill("学生チームが釧路市の担当者と一緒に、水揚げデータのダッシュボードを作ります。")
    page.get_by_label("地域の課題に取り組むPBL").check()
    page.get_by_label("学習時間（合計）").fill("60")
    page.get_by_label("スキル 1").select_option(PYTHON)
    page.get_by_label("教材にするプロジェクト（PBL、任意）").select_option(str(project_id))
    page.get_by_role("button", name="公開する").click()
    page.get_by_text("学びの場を公開しました。").wait_for()
    page.get_by_role("link", name="漁港の水揚げデータを見える化").click()
    classes = page.locator("#classes")
    assert classes.get_by_role("link", name="PBL：漁港のデータを見える化する").is_visible()
    page.context.close()
