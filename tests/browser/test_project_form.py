"""The guided project form in a real browser: hints and examples beside each field, and hybrid work refused
without its on-site days (the error lands on that field, nothing is saved)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from talentbank.models import Project
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_journeys import log_in


def test_town_office_is_guided_and_hybrid_needs_onsite_days(browser, live_server, error_state):
    from tests.factories import make_organisation, make_user

    base_url, app = live_server
    with Session(app.extensions["talentbank.engine"]) as session:
        clerk = make_user(session, email="guided@town.example.jp", display_name="上士幌町 職員")
        town = make_organisation(session, owner=clerk, verified=True, name="上士幌町 デジタル推進係")
        town_id, town_row = town.public_id, town.id
        session.commit()

    office = browser.new_context(viewport={"width": 1280, "height": 860}, locale="ja-JP").new_page()
    office.set_default_timeout(10_000)
    log_in(office, base_url, "guided@town.example.jp")
    office.goto(f"{base_url}/orgs/{town_id}/projects/new")
    error_state(office, {"#title": ""})  # every required field, and no skill chosen
    problem = office.get_by_label("困っていること（ふだんの言葉で）")
    assert "誰が、いつ、どれくらい困っているかを数字で" in problem.evaluate(
        "el => el.getAttribute('aria-describedby').split(' ').map(id => document.getElementById(id).textContent).join(' ')"
    )
    assert office.locator("#problem-example").get_by_text("建設課の職員2人").is_visible()
    office.get_by_label("プロジェクト名").fill("除雪の問い合わせをWebで受け付けたい")
    problem.fill("冬の除雪の問い合わせ電話が1日100件来て、職員2人が対応に追われている。")
    office.get_by_label("終わったときにできていてほしいこと").fill("問い合わせの半分がWebで完結する。")
    office.get_by_label("ハイブリッド", exact=True).check()
    office.get_by_label("1週間に必要な時間").fill("6")
    office.get_by_label("開始日").fill((datetime.now(UTC).date() + timedelta(days=30)).isoformat())
    office.get_by_label("報酬").select_option("hourly")
    office.get_by_label("金額（円）").fill("3000")
    office.locator("#need_skill_0").select_option("dssp2-52")
    office.get_by_role("button", name="保存する（下書き）").click()

    days = office.get_by_label("現地に来てほしい日数（月あたり、ハイブリッドの場合）")
    assert days.get_attribute("aria-invalid") == "true"
    assert office.locator("#onsite_days_per_month-error").inner_text() == (
        "ハイブリッドの場合は、現地に来てほしい日数（月1〜31日）を入力してください。"
    )
    assert office.get_by_label("プロジェクト名").input_value() == "除雪の問い合わせをWebで受け付けたい"  # kept
    with Session(app.extensions["talentbank.engine"]) as session:
        # Nothing saved for this town (the live server is shared with the other journeys).
        assert session.scalar(sa.select(sa.func.count()).where(Project.organisation_id == town_row)) == 0
    office.screenshot(path=str(SCREENSHOTS / "project-form-ja.png"), full_page=True)

    days.fill("2")
    office.get_by_role("button", name="保存する（下書き）").click()
    office.get_by_text("現地は月2日").wait_for()
    office.context.close()
