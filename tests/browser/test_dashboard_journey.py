"""The supply-and-demand dashboard in a real browser: charts, tables, the map, filters, the staff view."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from talentbank.db import utcnow
from talentbank.models import OrganisationKind, Project, ProjectNeed, ProjectPay, ProjectStatus, ProjectWorkMode, Theme
from tests.browser import test_journeys as journeys
from tests.browser.conftest import SCREENSHOTS

# (municipality, how many people, their skills and levels): Sapporo (Ishikari), Hakodate (Oshima),
# Asahikawa (Kamikawa), Kushiro (Kushiro). Kamikawa and Kushiro stay under five people.
PEOPLE = (
    ("011002", 7, {"dssp2-36": 2, "dssp1-25": 1}),
    ("011002", 6, {"dssp1-01": 3}),
    ("012025", 5, {"dssp2-36": 2, "dssp1-25": 1}),
    ("012041", 3, {"dssp2-36": 2}),
    ("012068", 1, {"dssp1-01": 2}),
)
SKILLS = ("dssp2-36", "dssp1-01", "dssp1-25")


def seed(app) -> str:
    from tests.factories import add_member, make_organisation, make_profile, make_user

    with Session(app.extensions["talentbank.engine"]) as session:
        for code, count, skills in PEOPLE:
            for _ in range(count):
                make_profile(session, skills=skills, home_municipality_code=code)
        town = make_organisation(session, verified=True, name="需要テスト町役場")
        for code, skills in (("011002", SKILLS), ("012041", SKILLS[:2]), ("012068", SKILLS[:1]), ("012068", SKILLS)):
            session.add(
                Project(
                    organisation=town,
                    title="データ活用の伴走",
                    problem="課題",
                    expected_outcome="成果",
                    theme=Theme.AGRICULTURE,
                    municipality_code=code,
                    work_mode=ProjectWorkMode.REMOTE,
                    hours_per_week=8,
                    starts_on=date(2026, 12, 1),
                    pay_kind=ProjectPay.HOURLY,
                    pay_yen=2000,
                    status=ProjectStatus.OPEN,
                    opened_at=utcnow(),
                    needs=[ProjectNeed(skill_code=skill, min_level=2, is_must=True) for skill in skills],
                )
            )
        prefecture = make_organisation(session, kind=OrganisationKind.PREFECTURE, verified=True, name="北海道庁")
        staff = make_user(session)
        add_member(session, prefecture, staff)
        session.commit()
        return staff.email


def assert_charts_drawn(page) -> None:
    """Chart.js loaded, drew both bar charts with three series each, and the canvases hold ink."""
    page.locator("canvas[data-chart][data-rendered=true]").nth(1).wait_for()
    assert page.evaluate("typeof window.Chart") == "function"
    for key in ("subprefecture", "category"):
        drawn = page.evaluate(
            """key => {
                const canvas = document.querySelector(`canvas[data-chart=${key}]`);
                const chart = window.Chart.getChart(canvas);
                const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
                let inked = 0;
                for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { inked++; } }
                const bars = chart.getDatasetMeta(0).data.map(bar => bar.width || 0);
                return {series: chart.data.datasets.length, inked, widest: Math.max(...bars), height: canvas.clientHeight};
            }""",
            key,
        )
        assert drawn["series"] == 3, drawn
        assert drawn["inked"] > 5000 and drawn["widest"] > 50 and drawn["height"] > 100, drawn


def assert_map_drawn(page) -> None:
    regions = page.locator("svg[data-chart=map] path[data-subprefecture]")
    assert regions.count() == 14
    boxes = [region.bounding_box() for region in regions.all()]
    assert all(box["width"] > 20 and box["height"] > 20 for box in boxes)  # shapes, not dots
    kamikawa = page.locator("svg[data-chart=map] path[data-subprefecture=kamikawa]")
    assert "上川総合振興局" in kamikawa.get_attribute("aria-label")


def test_dashboard_shows_charts_tables_and_map(page, live_server):
    base_url, app = live_server
    staff_email = seed(app)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    errors = []  # a Content-Security-Policy refusal shows up here as a console error
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(base_url + "/")
    page.get_by_role("link", name="需要と供給").click()
    page.get_by_role("heading", name="デジタル人材の需要と供給").wait_for()
    assert page.locator("[data-view=public]").is_visible()
    assert_charts_drawn(page)
    assert_map_drawn(page)
    assert page.locator(".chart-with-table table").count() == 4  # the fourth: needed skills with no learning near
    assert page.locator("#no-learning .chart-with-table table").count() == 1
    assert errors == []
    ishikari = page.locator("#by-subprefecture tr[data-row=ishikari]")
    assert ishikari.locator("[data-field=people]").inner_text() == "13"
    assert page.locator("#by-subprefecture tr[data-row=kushiro] [data-field=people]").inner_text() == "秘匿"
    page.screenshot(path=str(SCREENSHOTS / "dashboard-ja.png"), full_page=True)

    page.get_by_label("振興局", exact=True).select_option("kushiro")
    page.get_by_label("プロジェクトの掲載時期").select_option("12")
    page.get_by_role("button", name="絞り込む").click()
    page.wait_for_url("**subprefecture=kushiro**")
    assert page.locator("#by-subprefecture tbody tr").count() == 1
    assert page.locator("#by-subprefecture tr[data-row=kushiro] [data-field=projects]").inner_text() == "2"

    journeys.log_in(page, base_url, staff_email)
    page.goto(base_url + "/supply-demand")
    assert page.locator("[data-view=staff]").is_visible()
    assert page.locator("#by-subprefecture tr[data-row=kushiro] [data-field=people]").inner_text() == "1"


# What the demo data set holds (talentbank/demo_data.py), and so what the dashboard must show from it:
# Kamikawa: five people (Asahikawa ×3, Higashikawa, Furano), two open projects in Asahikawa;
# Tokachi: four people and two open projects (Obihiro, Kamishihoro). Visitors see demand, and supply only
# where it cannot single anyone out; prefecture staff see the exact figures and so the real gaps.
DEMO_STAFF = "pref-digital@demo.talentbank.example"
DEMO_PASSWORD = "hokkaido-demo-2026"


def test_the_demo_data_s_gaps_for_a_visitor_and_for_prefecture_staff(browser, demo_server):
    base_url, _app = demo_server
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(base_url + "/supply-demand")
        assert page.locator("[data-view=public]").is_visible()
        kamikawa = page.locator("#by-subprefecture tr[data-row=kamikawa]")
        assert kamikawa.locator("[data-field=projects]").inner_text() == "2"
        tokachi = page.locator("#by-subprefecture tr[data-row=tokachi]")
        assert tokachi.locator("[data-field=projects]").inner_text() == "2"
        # Demand is public; the small supply figures are withheld from visitors (open-data rule).
        assert tokachi.locator("[data-field=people]").inner_text() == "秘匿"
        assert kamikawa.locator("[data-field=gap]").inner_text() == "秘匿"

        page.goto(base_url + "/login")
        page.get_by_label("メールアドレス").fill(DEMO_STAFF)
        page.get_by_label("パスワード").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        page.get_by_role("link", name="需要と供給").click()
        page.locator("[data-view=staff]").wait_for()
        tokachi = page.locator("#by-subprefecture tr[data-row=tokachi]")
        assert tokachi.locator("[data-field=people]").inner_text() == "4"
        assert tokachi.locator("[data-field=seats]").inner_text() == "4"
        assert tokachi.locator("[data-field=gap]").inner_text() == "0"
        assert page.locator("#by-subprefecture tr[data-row=kamikawa] [data-field=gap]").inner_text() == "-1"
        assert_charts_drawn(page)
        assert_map_drawn(page)
        page.screenshot(path=str(SCREENSHOTS / "dashboard-demo-staff-ja.png"), full_page=True)

        # Within one category the demo has a real shortage: Tokachi's two projects want four people (two
        # seats each) who can prepare and use data, and two people there have such a skill.
        page.get_by_label("スキル分類", exact=True).select_option(label="データ活用")
        page.get_by_role("button", name="絞り込む").click()
        page.wait_for_url("**category=**")
        tokachi = page.locator("#by-subprefecture tr[data-row=tokachi]")
        assert tokachi.locator("[data-field=seats]").inner_text() == "4"
        assert tokachi.locator("[data-field=gap]").inner_text() == "2"
        shortage = page.locator("svg[data-chart=map] path[data-subprefecture=tokachi]")
        assert shortage.get_attribute("data-gap") == "+2"
        assert shortage.get_attribute("fill") != page.locator("path[data-subprefecture=soya]").get_attribute("fill")
        assert_charts_drawn(page)
        page.screenshot(path=str(SCREENSHOTS / "dashboard-demo-staff-data-ja.png"), full_page=True)
    finally:
        context.close()
