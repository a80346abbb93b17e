"""An internship allocation round in a real browser: prefecture staff place students on seats, review
the proposal, publish it; a placed student finds the invitation among their notifications and accepts."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from talentbank.models import MembershipRole, OrganisationKind, ProjectPay
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_journeys import log_in


def seed(app) -> dict[str, object]:
    from tests.factories import add_member, make_organisation, make_profile, make_project, make_user

    with Session(app.extensions["talentbank.engine"]) as session:
        prefecture = make_organisation(session, kind=OrganisationKind.PREFECTURE, verified=True, name="北海道 配属係")
        staff = make_user(session, email="haizoku@pref.example.jp", display_name="道庁 配属担当")
        add_member(session, prefecture, staff, MembershipRole.MEMBER)
        town = make_organisation(session, verified=True, name="中札内村 産業課", municipality_code="016373")
        internship = {"is_internship": True, "pay_kind": ProjectPay.INTERNSHIP, "pay_yen": 0, "seats": 1}
        make_project(
            session, town, title="枝豆の収穫データを整えるインターン", needs=(("dssp2-36", 2, True),), **internship
        )
        make_project(session, town, title="村のWebサイト改善インターン", needs=(("dssp1-01", 2, True),), **internship)
        student = make_user(session, email="student-a@kosen.example.jp", display_name="高専 学生A")
        make_profile(session, owner=student, display_name="高専 学生A", skills={"dssp2-36": 4})
        make_profile(session, display_name="高専 学生B", skills={"dssp1-01": 3})
        session.commit()
        return {"prefecture": prefecture.public_id}


def test_staff_allocate_publish_and_a_student_accepts_from_notifications(browser, live_server, error_state):
    base_url, app = live_server
    ids = seed(app)

    staff = browser.new_context(locale="ja-JP").new_page()
    staff.set_default_timeout(10_000)
    log_in(staff, base_url, "haizoku@pref.example.jp")
    staff.goto(f"{base_url}/orgs/{ids['prefecture']}")
    staff.get_by_role("link", name="インターンシップの配属").click()
    error_state(staff, {"#name": ""})
    staff.get_by_label("配属の名前").fill("2027年夏 十勝DXインターン")
    staff.get_by_label(re.compile("枝豆の収穫データを整えるインターン")).check()
    staff.get_by_label(re.compile("村のWebサイト改善インターン")).check()
    staff.get_by_role("button", name="配属案を作る").click()
    staff.get_by_role("heading", name="2027年夏 十勝DXインターン").wait_for()
    proposal = staff.locator("table").first
    assert proposal.get_by_role("row", name=re.compile("枝豆の収穫データを整えるインターン.*高専 学生A")).is_visible()
    assert proposal.get_by_role("row", name=re.compile("村のWebサイト改善インターン.*高専 学生B")).is_visible()
    staff.screenshot(path=str(SCREENSHOTS / "allocation-round-ja.png"), full_page=True)
    staff.get_by_role("button", name="この案で公開する").click()
    staff.get_by_role("heading", name=re.compile("公開した配属")).wait_for()

    student = browser.new_context(locale="ja-JP").new_page()
    student.set_default_timeout(10_000)
    log_in(student, base_url, "student-a@kosen.example.jp")
    student.get_by_role("link", name=re.compile("通知")).click()
    student.get_by_role("heading", name="通知").wait_for()
    invitation = student.get_by_role("link", name=re.compile("枝豆の収穫データを整えるインターン"))
    assert student.locator("li.unread", has=invitation).is_visible()
    student.screenshot(path=str(SCREENSHOTS / "notifications-ja.png"), full_page=True)
    invitation.click()
    student.get_by_role("button", name="招待を承諾する（連絡先が伝わります）").click()
    student.get_by_text("承諾しました。").wait_for()
    for page in (staff, student):
        page.context.close()
