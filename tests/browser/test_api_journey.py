"""A person creates an API token in the browser, a program uses it, the person revokes it."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_journeys import log_in


def test_create_use_and_revoke_a_personal_access_token(browser, live_server):
    from tests.factories import make_user

    base_url, app = live_server
    with Session(app.extensions["talentbank.engine"]) as session:
        make_user(session, email="developer@example.jp", display_name="開発 花子")
        session.commit()

    page = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(10_000)
    log_in(page, base_url, "developer@example.jp")
    page.get_by_role("link", name="マイページ").click()
    page.get_by_role("link", name="APIアクセストークン").click()
    page.get_by_label("名前（用途）").fill("研修修了バッジの自動発行")
    page.get_by_label("読み取り（プロフィール・プロジェクト・バッジの参照）").check()
    page.get_by_label("有効期間").select_option("30")
    page.get_by_role("button", name="作成する").click()
    secret = page.get_by_test_id("token-secret").inner_text()
    assert re.fullmatch(r"tbp_[A-Za-z0-9_-]{43}", secret)
    page.screenshot(path=str(SCREENSHOTS / "api-token-ja.png"), full_page=True)

    program = browser.new_context()  # no cookies: a program with only the token
    me = program.request.get(f"{base_url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status == 200 and me.json()["email"] == "developer@example.jp" and me.json()["scopes"] == ["read"]
    refused = program.request.get(f"{base_url}/api/v1/me?access_token={secret}")
    assert refused.status == 422 and refused.headers["content-type"] == "application/problem+json"

    page.goto(f"{base_url}/settings/tokens")  # the secret is never shown again
    assert secret not in page.content()
    page.get_by_role("button", name="取り消す").click()
    page.get_by_text("トークン「研修修了バッジの自動発行」を取り消しました。").wait_for()
    after = program.request.get(f"{base_url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert after.status == 401 and "invalid_token" in after.headers["www-authenticate"]

    page.get_by_role("link", name="API", exact=True).click()  # the reference, from the footer
    page.get_by_role("heading", name="API リファレンス").wait_for()
    assert page.locator("code", has_text="/api/v1/projects/{project_id}/matches").count() == 1
    program.close()
