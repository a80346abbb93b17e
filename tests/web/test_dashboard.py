"""Supply-and-demand dashboard: suppression for the public, exact figures for prefecture staff, filters."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from talentbank.dashboard import services, views
from talentbank.db import utcnow
from talentbank.models import (
    OrganisationKind,
    ProjectStatus,
    Skill,
)
from talentbank.projects import posting
from tests import factories
from tests.factories import add_member, make_organisation, make_profile, make_user

SAPPORO = "011002"  # 石狩振興局 (ishikari)
HAKODATE = "012025"  # 渡島総合振興局 (oshima)
SKILL = "dssp2-36"
OTHER_SKILL = "dssp1-01"  # another category


def make_project(session, organisation, *, municipality_code=SAPPORO, needs=(SKILL,), created_at=None, **fields):
    fields.setdefault("title", "農業データの見える化")
    return factories.make_project(
        session, organisation, municipality_code=municipality_code, needs=[(code, 2, True) for code in needs],
        created_at=created_at or utcnow(), **fields,
    )  # fmt: skip


def make_people(session, count: int, *, municipality_code: str = SAPPORO, skill: str = SKILL) -> list:
    return [make_profile(session, skills={skill: 2}, home_municipality_code=municipality_code) for _ in range(count)]


def category_key(session, code: str) -> str:
    skills = list(session.scalars(sa.select(Skill).order_by(Skill.position)))
    return services._categories(skills)[1][code].key


def cell(html: str, row: str, field: str) -> str:
    """The text of one figure in the first table row marked data-row=`row`."""
    match = re.search(rf'data-row="{re.escape(row)}">.*?data-field="{field}">(.*?)</td>', html, re.S)
    assert match, f"no {row}/{field}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def page(client, **params) -> str:
    response = client.get("/supply-demand", query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def prefecture_staff(db):
    prefecture = make_organisation(db, kind=OrganisationKind.PREFECTURE, verified=True, name="北海道庁")
    staff = make_user(db)
    add_member(db, prefecture, staff)
    return staff


@pytest.fixture
def five_in_ishikari_two_in_oshima(db):
    make_people(db, 5)
    make_people(db, 2, municipality_code=HAKODATE)
    organisation = make_organisation(db, verified=True)
    make_project(db, organisation)
    make_project(db, organisation, municipality_code=HAKODATE)


# --- public view: suppression ----------------------------------------------------------------------


def test_public_view_withholds_small_cells_and_totals_that_would_reveal_them(
    client, db, five_in_ishikari_two_in_oshima
):
    html = page(client)
    assert 'data-view="public"' in html
    assert cell(html, "ishikari", "people") == "5"
    assert cell(html, "ishikari", "gap") == "-4"  # 1 project - 5 people
    assert cell(html, "oshima", "people") == "秘匿"
    assert cell(html, "oshima", "gap") == "秘匿"  # 1 - 2 would give the 2 away
    assert cell(html, "oshima", "projects") == "1"  # demand is never personal
    # Hokkaido's total for the category (7) would reveal Oshima's 2 by subtraction.
    key = category_key(db, SKILL)
    assert cell(html, f"category-{key}", "people") == "秘匿"
    people_figures = re.findall(r'data-field="(?:people|verified_people|gap)">([^<]*)<', html)
    grid_people = re.findall(r"<td[^>]*>([^<]*?) / \d+</td>", html)
    assert "5" in grid_people and "5" in people_figures
    assert not {"2", "7", "-1", "-5"} & set(people_figures + grid_people)


def test_public_view_withholds_verified_count_that_would_single_someone_out(client, db):
    from talentbank.models import ProfileSkill, SkillSource

    people = make_people(db, 6)
    people[0].skills.append(ProfileSkill(skill_code=SKILL, level=2, source=SkillSource.BADGE))
    db.flush()
    html = page(client)
    assert cell(html, "ishikari", "people") == "6"
    assert cell(html, "ishikari", "verified_people") == "秘匿"


def test_public_view_counts_only_aggregatable_profiles(client, db):
    from talentbank.models import Visibility

    make_people(db, 5)
    make_profile(db, skills={SKILL: 2}, home_municipality_code=SAPPORO, visibility=Visibility.PRIVATE)
    assert cell(page(client), "ishikari", "people") == "5"


# --- staff view ------------------------------------------------------------------------------------


def test_prefecture_staff_see_exact_figures(client, db, login, prefecture_staff, five_in_ishikari_two_in_oshima):
    login(client, prefecture_staff)
    html = page(client)
    assert 'data-view="staff"' in html and "道庁職員向けの表示です。" in html
    assert cell(html, "oshima", "people") == "2"
    assert cell(html, "oshima", "gap") == "-1"
    assert cell(html, f"category-{category_key(db, SKILL)}", "people") == "7"


def test_admin_sees_staff_view(client, db, login, five_in_ishikari_two_in_oshima):
    login(client, make_user(db, is_admin=True))
    assert cell(page(client), "oshima", "people") == "2"


@pytest.mark.parametrize(
    "kind, verified", [(OrganisationKind.PREFECTURE, False), (OrganisationKind.MUNICIPALITY, True)]
)
def test_members_of_other_organisations_see_public_view(
    client, db, login, kind, verified, five_in_ishikari_two_in_oshima
):
    organisation = make_organisation(db, kind=kind, verified=verified)
    member = make_user(db)
    add_member(db, organisation, member)
    login(client, member)
    html = page(client)
    assert 'data-view="public"' in html
    assert cell(html, "oshima", "people") == "秘匿"


# --- filters ---------------------------------------------------------------------------------------


def test_subprefecture_filter_shows_only_that_subprefecture(client, db, five_in_ishikari_two_in_oshima):
    html = page(client, subprefecture="ishikari")
    assert 'data-row="ishikari"' in html
    assert 'data-row="oshima"' not in html
    # Per category within Ishikari: every cell built from is published.
    assert cell(html, f"category-{category_key(db, SKILL)}", "people") == "5"


def test_category_filter_counts_only_that_category(client, db):
    make_people(db, 5)
    make_people(db, 6, skill=OTHER_SKILL)
    html = page(client, category=category_key(db, OTHER_SKILL))
    assert cell(html, "ishikari", "people") == "6"
    assert f'data-row="category-{category_key(db, SKILL)}"' not in html


@pytest.mark.parametrize(
    "params",
    [
        {"category": "999", "subprefecture": "atlantis", "period": "forever"},
        {"category": "-1", "period": "-3"},
        {"category": "<script>alert(1)</script>", "subprefecture": "'\"><"},
        {"period": "3" * 5000},
        {"category": "１", "subprefecture": "石狩", "period": "ー"},
        {"category": ["1", "2"], "period": ["3", "all"]},
    ],
)
def test_absurd_filter_values_fall_back_to_all(client, db, params):
    make_people(db, 5)
    html = page(client, **params)
    assert 'data-row="ishikari"' in html and 'data-row="oshima"' in html
    assert "<script>alert(1)" not in html


def test_a_nul_in_a_filter_is_refused_where_it_enters(client):
    response = client.get("/supply-demand", query_string={"period": "\x00"})
    assert response.status_code == 422 and "「period」" in response.get_data(as_text=True)


def test_period_filter_excludes_old_projects(client, db):
    organisation = make_organisation(db, verified=True)
    make_project(db, organisation, created_at=utcnow() - timedelta(days=400))
    make_project(db, organisation, created_at=utcnow() - timedelta(days=100))
    make_project(db, organisation, created_at=utcnow() - timedelta(days=10))
    make_project(db, organisation, status=ProjectStatus.DRAFT)
    assert cell(page(client), "ishikari", "projects") == "3"
    assert cell(page(client, period="12"), "ishikari", "projects") == "2"
    assert cell(page(client, period="3"), "ishikari", "projects") == "1"


def test_period_combines_with_category_and_subprefecture_and_stays_selected(client, db, login, prefecture_staff):
    make_people(db, 5)
    make_people(db, 6, skill=OTHER_SKILL)
    make_people(db, 5, municipality_code=HAKODATE)
    organisation = make_organisation(db, verified=True)
    make_project(db, organisation, created_at=utcnow() - timedelta(days=400), seats=4)
    make_project(db, organisation, created_at=utcnow() - timedelta(days=10), seats=2)
    make_project(db, organisation, needs=(OTHER_SKILL,), created_at=utcnow() - timedelta(days=10))
    make_project(db, organisation, municipality_code=HAKODATE, created_at=utcnow() - timedelta(days=10))
    skill_category = category_key(db, SKILL)
    filters = {"category": skill_category, "subprefecture": "ishikari", "period": "3"}
    html = page(client, **filters)
    assert 'data-row="oshima"' not in html
    assert (cell(html, "ishikari", "projects"), cell(html, "ishikari", "seats")) == ("1", "2")
    assert cell(html, "ishikari", "people") == "5"  # supply is today's, whatever the period
    assert cell(html, f"category-{skill_category}", "seats") == "2"
    assert re.search(r'<option value="3"\s+selected>', html)
    assert re.search(rf'<option value="{skill_category}"\s+selected>', html)
    assert re.search(r'<option value="ishikari"\s+selected>', html)
    everything = page(client, **{**filters, "period": "all"})
    assert (cell(everything, "ishikari", "projects"), cell(everything, "ishikari", "seats")) == ("2", "6")
    login(client, prefecture_staff)  # the staff view applies the same filters
    staff = page(client, **filters)
    assert (cell(staff, "ishikari", "projects"), cell(staff, "ishikari", "people")) == ("1", "5")


def test_period_filter_uses_the_given_now(db):
    organisation = make_organisation(db, verified=True)
    make_project(db, organisation, created_at=datetime(2026, 1, 15, tzinfo=UTC))
    now = datetime(2026, 5, 1, tzinfo=UTC)
    by_region = dict(services.summarise_supply_demand(db, None, period="6", now=now).by_region)
    assert sum(f.projects for f in by_region.values()) == 1
    by_region = dict(services.summarise_supply_demand(db, None, period="3", now=now).by_region)
    assert sum(f.projects for f in by_region.values()) == 0


def test_period_counts_projects_from_when_they_were_opened_not_written(client, db):
    organisation = make_organisation(db, verified=True)
    long_ago = utcnow() - timedelta(days=400)
    make_project(db, organisation, created_at=long_ago, opened_at=utcnow() - timedelta(days=10))  # old draft, new
    make_project(db, organisation, created_at=long_ago, opened_at=utcnow() - timedelta(days=200))
    make_project(db, organisation, created_at=utcnow() - timedelta(days=5), status=ProjectStatus.DRAFT)
    assert cell(page(client, period="3"), "ishikari", "projects") == "1"
    assert cell(page(client, period="12"), "ishikari", "projects") == "2"
    assert cell(page(client), "ishikari", "projects") == "2"


def test_opening_an_old_draft_counts_it_in_the_period_and_reopening_counts_again(db):
    organisation = make_organisation(db, verified=True)
    owner = organisation.memberships[0].user
    project = make_project(db, organisation, status=ProjectStatus.DRAFT, created_at=datetime(2025, 6, 1, tzinfo=UTC))
    now = datetime(2026, 5, 1, tzinfo=UTC)

    def projects_in(period: str) -> int:
        by_region = dict(services.summarise_supply_demand(db, None, period=period, now=now).by_region)
        return sum(f.projects for f in by_region.values())

    posting.transition(db, owner, project, ProjectStatus.OPEN, base_url="http://localhost",
                       now=datetime(2025, 9, 1, tzinfo=UTC))  # fmt: skip
    assert (projects_in("3"), projects_in("12")) == (0, 1)  # opened eight months before `now`
    posting.transition(db, owner, project, ProjectStatus.CLOSED, base_url="http://localhost",
                       now=datetime(2025, 10, 1, tzinfo=UTC))  # fmt: skip
    posting.transition(db, owner, project, ProjectStatus.OPEN, base_url="http://localhost",
                       now=datetime(2026, 4, 20, tzinfo=UTC))  # fmt: skip
    assert (projects_in("3"), projects_in("12")) == (1, 1)


def test_months_back_clamps_to_the_end_of_the_month():
    from talentbank.credentials.achievements import add_months

    assert add_months(datetime(2026, 5, 31, tzinfo=UTC), -3) == datetime(2026, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2026, 1, 10, tzinfo=UTC), -12) == datetime(2025, 1, 10, tzinfo=UTC)


# --- the page --------------------------------------------------------------------------------------


def test_every_chart_has_a_table_beside_it(client, db, five_in_ishikari_two_in_oshima):
    html = page(client)
    blocks = re.findall(r'<div class="chart-with-table">(.*?)</section>', html, re.S)
    assert len(blocks) == 4
    drawings = ('<canvas data-chart="subprefecture"', '<canvas data-chart="category"', "<svg ",
                '<canvas data-chart="unmet"')  # fmt: skip
    for block, chart in zip(blocks, drawings, strict=True):
        assert chart in block and "<table" in block and "<caption>" in block
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in html


def test_charts_are_drawn_from_the_page_s_json_with_the_public_s_figures(client, db, five_in_ishikari_two_in_oshima):
    html = page(client)
    block = re.search(r'<script type="application/json" id="dashboard-charts-data">(.*?)</script>', html, re.S)
    charts = json.loads(block.group(1))
    by_region = charts["subprefecture"]
    series = {s["key"]: dict(zip(by_region["labels"], s["values"], strict=True)) for s in by_region["series"]}
    assert series["people"]["石狩振興局"] == 5
    assert series["people"]["渡島総合振興局"] is None  # withheld in the chart as in the table
    assert series["verified_people"]["渡島総合振興局"] is None
    assert series["seats"]["渡島総合振興局"] == 1
    assert len(by_region["labels"]) == 14


def test_demand_counts_the_seats_of_open_projects_once_per_aggregate(client, db):
    make_people(db, 5)
    organisation = make_organisation(db, verified=True)
    make_project(db, organisation, seats=3, needs=(SKILL, "dssp2-35"))  # two needs of one category
    make_project(db, organisation, seats=4, needs=(OTHER_SKILL,))
    make_project(db, organisation, seats=9, status=ProjectStatus.DRAFT)
    html = page(client)
    assert cell(html, "ishikari", "projects") == "2"
    assert cell(html, "ishikari", "seats") == "7"
    assert cell(html, "ishikari", "gap") == "2"  # 7 seats - 5 people: a shortage, shown to the public
    assert cell(html, f"category-{category_key(db, SKILL)}", "seats") == "3"
    assert cell(html, f"category-{category_key(db, SKILL)}", "gap") == "-2"
    assert cell(html, f"category-{category_key(db, OTHER_SKILL)}", "gap") == "4"  # nobody has it
    assert re.findall(r'<td class="shortage">([^<]*)</td>', html) == ["0 / 4"]  # Ishikari x that category


def test_the_map_has_one_outline_per_subprefecture_coloured_by_gap(client, db, five_in_ishikari_two_in_oshima):
    html = page(client)
    paths = re.findall(r'<path d="M[^"]+" fill="(#[0-9a-f]{6})"[^>]*data-subprefecture="([a-z]+)"', html)
    slugs = [slug for _fill, slug in paths]
    assert sorted(slugs) == sorted(
        ["soya", "kamikawa", "rumoi", "okhotsk", "nemuro", "kushiro", "tokachi", "iburi", "hidaka", "ishikari",
         "sorachi", "shiribeshi", "oshima", "hiyama"]
    )  # fmt: skip
    fills = {slug: fill for fill, slug in paths}
    assert fills["ishikari"] == views.SURPLUS[2]  # 1 seat - 5 people
    assert fills["oshima"] == views.WITHHELD
    assert fills["tokachi"] == views.BALANCED
    assert "石狩振興局：ギャップ -4" in html and "渡島総合振興局：ギャップは秘匿" in html
    assert "気象庁「予報区等GISデータ」" in html  # the source's required credit


def test_the_map_marks_subprefectures_outside_the_filter(client, db, five_in_ishikari_two_in_oshima):
    html = page(client, subprefecture="oshima")
    assert len(re.findall(r"<path d=", html)) == 14
    assert re.search(rf'fill="{views.OUTSIDE}"[^>]*data-subprefecture="ishikari"', html)
    assert "石狩振興局：絞り込みの対象外" in html


def test_page_has_no_inline_script_or_style_and_is_linked_from_the_nav(client, db):
    html = page(client)
    assert "<script" not in html.split("</header>")[1] or 'type="application/json"' in html
    assert " style=" not in html and "<style" not in html
    assert 'href="/supply-demand"' in client.get("/").get_data(as_text=True)
