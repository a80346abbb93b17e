"""Importing an Open Badges 2.0 badge in a real browser (#16): a person opens 「他の発行者のバッジを取り込む」
from their profile, gives the hosted assertion's URL on example.org (the specification's own example badge,
served by tests/ob2_site.py through the app's real fetcher), sees it imported and verified, and finds it on
their profile with its DSS skill; a badge for someone else's address is refused on the form, with the reason."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.browser.test_journeys import log_in
from tests.factories import make_profile, make_user
from tests.ob2_site import HOSTED_URL, ob2_server

_ = ob2_server  # the example.org site's fixture, used by name below

PERSON = "beth@ob2.example.jp"


def test_a_person_imports_an_open_badges_2_badge_by_its_url(browser, live_server, ob2_server, error_state):
    base_url, app = live_server
    with Session(app.extensions["talentbank.engine"]) as session:
        person = make_user(session, email=PERSON, display_name="札幌 ベス")
        profile_id = make_profile(session, owner=person).public_id
        session.commit()
    ob2_server.reset(PERSON)
    app.extensions["talentbank.fetch"] = ob2_server.fetch
    try:
        page = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900}).new_page()
        page.set_default_timeout(10_000)
        log_in(page, base_url, PERSON)
        page.goto(f"{base_url}/people/{profile_id}")
        page.get_by_role("link", name="他の発行者のバッジを取り込む").click()
        page.get_by_role("heading", name="他の発行者のバッジを取り込む").wait_for()
        # Refused first: the same site's badge, published for another address (the reason is on the URL field).
        ob2_server.reset("someone-else@example.jp")
        error_state(page, {"#assertion_url": HOSTED_URL})
        ob2_server.reset(PERSON)
        page.get_by_label("または Open Badges 2.0 のバッジのURL（https://…）").fill(HOSTED_URL)
        page.get_by_role("button", name="取り込む").click()
        page.get_by_role("heading", name="Awesome Robotics Badge — An Example Badge Issuer").wait_for()
        page.get_by_text(
            "検証に成功しました。プロフィールに追加し、対応するスキルを「バッジで検証」にしました。"
        ).wait_for()
        assert "/beths-robotics-badge.json" in ob2_server.requests[0]
        page.get_by_role("link", name="プロフィールを見る").click()
        card = page.locator(".achievement-card", has_text="Awesome Robotics Badge")
        card.wait_for()
        assert "検証済み" in card.inner_text() and "Open Badges 2.0" in card.inner_text()
        assert "dssp2-36" in card.inner_text()
        page.context.close()
    finally:
        app.extensions.pop("talentbank.fetch", None)
