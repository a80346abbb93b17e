"""Learning capacity on the supply-and-demand page (#15): the opportunities one can still enrol in that
teach a category's skills, there or online, with their seats; and the needed skills no learning nearby
teaches, in a table and a chart."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from talentbank.db import utcnow
from talentbank.learning import opportunities
from talentbank.learning.inputs import OpportunityInput, TaughtSkillInput
from talentbank.models import OrganisationKind
from tests.factories import make_organisation
from tests.web.test_dashboard import HAKODATE, SAPPORO, SKILL, cell, make_project, page

ASAHIKAWA = "012041"  # 上川総合振興局 (kamikawa): no demand there


def offer(db, school, *, code=SKILL, online=False, municipality_code=SAPPORO, capacity=None, **fields):
    details = OpportunityInput(
        title=fields.pop("title", "データ活用講座"), description="講座", format="self_paced" if online else "onsite",
        language="ja", municipality_code=None if online else municipality_code, starts_on=None, ends_on=None,
        study_hours=10, cost_yen=0, eligibility="anyone", capacity=capacity, deadline=fields.pop("deadline", None),
        course_url="", skills=(TaughtSkillInput(code, 3),),
    )  # fmt: skip
    return opportunities.save_opportunity(db, school.memberships[0].user, school, details)


def test_learning_capacity_counts_courses_held_there_or_online_and_their_seats(client, db):
    school = make_organisation(db, kind=OrganisationKind.SCHOOL, verified=True)
    offer(db, school, capacity=20)  # in Sapporo
    offer(db, school, online=True)  # anywhere, no limit
    offer(db, school, municipality_code=HAKODATE, capacity=5)
    closed = offer(db, school, capacity=100)
    opportunities.close_opportunity(db, school.memberships[0].user, closed)
    db.commit()
    html = page(client)
    assert cell(html, "ishikari", "learning_courses") == "2"
    assert cell(html, "ishikari", "learning_seats") == "20＋定員なし"
    assert cell(html, "oshima", "learning_seats") == "5＋定員なし"
    assert cell(html, "kamikawa", "learning_courses") == "1"  # the online one only


def test_needed_skills_with_no_learning_nearby_are_listed_and_charted(client, db):
    town = make_organisation(db, verified=True)
    make_project(db, town, seats=3)  # Sapporo asks for SKILL
    make_project(db, town, municipality_code=HAKODATE, seats=2)
    school = make_organisation(db, kind=OrganisationKind.SCHOOL, verified=True)
    offer(db, school, municipality_code=HAKODATE)  # Hakodate can learn it, Sapporo cannot
    offer(db, school, online=True, code="dssp2-37")  # another skill online
    sapporo = offer(db, school, deadline=utcnow().date() + timedelta(days=1))
    db.commit()
    assert re.findall(r'data-unmet="([^"]+)"', page(client)) == []  # the Sapporo course still takes people
    sapporo.deadline = utcnow().date() - timedelta(days=1)  # its enrolment closed yesterday
    db.commit()
    html = page(client)
    assert re.findall(r'data-unmet="([^"]+)"', html) == [f"ishikari:{SKILL}"]
    charts = json.loads(re.search(r'id="dashboard-charts-data">(.*?)</script>', html, re.S).group(1))
    assert charts["unmet"]["series"][0]["values"] == [3]


def test_the_page_and_the_open_data_count_the_same_people(db):
    """Both read the counts kept on write (models/supply.py): a person once per skill at their highest
    level, verified if any claim is; the open data's cells are the plain way's, with small counts withheld."""
    from talentbank.dashboard.supply import people_by_region
    from talentbank.models import ProfileSkill, SkillSource, Visibility
    from talentbank.opendata.disclosure import published_cells, suppress_cell
    from tests.factories import make_profile
    from tests.supply_oracle import assert_counts_right

    for n in range(12):
        person = make_profile(db, home_municipality_code=SAPPORO if n % 3 else HAKODATE, skills={SKILL: 1 + n % 4})
        if n % 4 == 0:  # the same skill again, badge-verified at another level
            db.add(ProfileSkill(profile=person, skill_code=SKILL, level=2, source=SkillSource.BADGE))
    make_profile(db, home_municipality_code=SAPPORO, skills={SKILL: 3}, visibility=Visibility.PRIVATE)
    db.flush()
    now = utcnow()
    cells, _groups = assert_counts_right(db, now)
    assert published_cells(db, now) == {(code, level, sub): suppress_cell(*counts)
                                         for (sub, code, level), counts in cells.items()}  # fmt: skip
    assert sum(c.people for c in people_by_region(db, now, None).values()) == 12
