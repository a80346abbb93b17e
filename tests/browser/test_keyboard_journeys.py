"""With the keyboard alone (Tab, typing, Space, Enter; no clicks): register, edit a profile, apply to a
project, issue a badge. Each step reaches its control by Tab from the top of the page, so a control that
a keyboard cannot reach, or that takes focus in a confusing order, fails the journey."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from talentbank.demo import DEMO_DOMAIN, DEMO_PASSWORD
from talentbank.models import Achievement, Application, Credential, Profile, Project, User
from tests.browser.test_journeys import PASSWORD, latest_link

MAX_TABS = 120


def tab_to(page, selector: str) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab on {page.url}")


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def submit_with(page, selector: str) -> None:
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def keyboard_log_in(page, base_url: str, local: str) -> None:
    page.goto(base_url + "/login")
    type_into(page, "#email", f"{local}@{DEMO_DOMAIN}")
    type_into(page, "#password", DEMO_PASSWORD)
    submit_with(page, "form[action$='/login'] button[type=submit]")
    page.get_by_role("heading", name="マイページ").wait_for()


def one(app, statement):
    with Session(app.extensions["talentbank.engine"]) as session:
        return session.scalar(statement)


def test_register_and_confirm_with_the_keyboard(browser, demo_server):
    base_url, app = demo_server
    page = browser.new_context(locale="ja-JP").new_page()
    page.goto(base_url + "/register")
    type_into(page, "#email", "keyboard@example.jp")
    type_into(page, "#display_name", "根室 キー子")
    type_into(page, "#password", PASSWORD)
    type_into(page, "#password_confirm", PASSWORD)
    tab_to(page, "#accept_terms")
    page.keyboard.press("Space")
    assert page.locator("#accept_terms").is_checked()
    submit_with(page, "form[action$='/register'] button[type=submit]")
    page.get_by_role("heading", name="メールを確認してください").wait_for()
    page.goto(latest_link(app, "keyboard@example.jp", "/confirm/"))
    submit_with(page, "main button[type=submit]")
    page.get_by_role("heading", name="マイページ").wait_for()
    assert one(app, sa.select(User.email_verified_at).where(User.email == "keyboard@example.jp")) is not None


def test_edit_a_profile_and_apply_to_a_project_with_the_keyboard(browser, demo_server):
    base_url, app = demo_server
    page = browser.new_context(locale="ja-JP").new_page()
    keyboard_log_in(page, base_url, "yamada")
    page.goto(base_url + "/me/profile")
    type_into(page, "#headline", "キーボードだけで編集したWebエンジニア")
    submit_with(page, "form[action$='/me/profile'] button[type=submit]")
    page.get_by_text("プロフィールを保存しました。").wait_for()
    yamada = one(app, sa.select(User.id).where(User.email == f"yamada@{DEMO_DOMAIN}"))
    assert (
        one(app, sa.select(Profile.headline).where(Profile.user_id == yamada))
        == "キーボードだけで編集したWebエンジニア"
    )

    project = one(app, sa.select(Project).where(Project.title == "窓口予約のオンライン化（kintone）"))
    page.goto(f"{base_url}/projects/{project.public_id}")
    type_into(page, "#message", "キーボードで応募します。")
    submit_with(page, "form[action$='/apply'] button[type=submit]")
    page.get_by_text("応募しました。").wait_for()
    profile_id = one(app, sa.select(Profile.id).where(Profile.user_id == yamada))
    message = one(
        app,
        sa.select(Application.message).where(
            Application.project_id == project.id, Application.profile_id == profile_id
        ),
    )
    assert message == "キーボードで応募します。"


def test_issue_a_badge_with_the_keyboard(browser, demo_server):
    base_url, app = demo_server
    page = browser.new_context(locale="ja-JP").new_page()
    keyboard_log_in(page, base_url, "dohoku-kosen")
    achievement = one(app, sa.select(Achievement).where(Achievement.name == "データ分析基礎（Python）"))
    page.goto(f"{base_url}/achievements/{achievement.public_id}")
    type_into(page, "#email", "keyboard-learner@example.jp")
    type_into(page, "#name", "網走 学")
    submit_with(page, "form[action$='/award'] button[type=submit]")
    page.get_by_text("網走 学 さんにバッジを発行しました。").wait_for()
    assert one(app, sa.select(Credential.id).where(Credential.recipient_name == "網走 学")) is not None
