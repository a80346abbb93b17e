"""For a host (#15): on its project's match page and in the API, the people who would qualify after one
known learning opportunity, named with that opportunity; nobody who qualifies already, who misses what
no opportunity teaches, or who is not shown at all."""

from __future__ import annotations

import pytest

from talentbank.accounts.tokens import create_token
from talentbank.learning import opportunities
from talentbank.learning.inputs import TaughtSkillInput
from talentbank.models import OrganisationKind, Visibility
from tests.factories import make_organisation, make_profile, make_project
from tests.web.test_learning import PYTHON, course

SQL = "dssp2-37"


@pytest.fixture
def project(db, town):
    """An open remote project asking Python 2 and SQL 2, one online Python course, and four people."""
    school = make_organisation(db, kind=OrganisationKind.SCHOOL, verified=True, name="釧路高専")
    opportunities.save_opportunity(db, school.memberships[0].user, school,
                                   course(skills=(TaughtSkillInput(PYTHON, 3),)))  # fmt: skip
    make_profile(db, display_name="学べば届く人", skills={SQL: 3})
    make_profile(db, display_name="もうできる人", skills={PYTHON: 3, SQL: 3})
    make_profile(db, display_name="講座のない人", skills={PYTHON: 3})  # misses SQL: nothing teaches it
    make_profile(db, display_name="非公開の人", skills={SQL: 3}, visibility=Visibility.PRIVATE)
    return make_project(db, town, needs=((PYTHON, 2, True), (SQL, 2, True)))


def test_the_match_page_names_the_course_after_which_a_person_would_qualify(client, db, login, town, project):
    login(client, town.memberships[0].user)
    url = f"/projects/{project.public_id}/matches"
    assert "学べば条件を満たす人" not in client.get(url).get_data(as_text=True)
    page = client.get(f"{url}?near=1").get_data(as_text=True)
    section = page[page.index('id="after-learning-heading"') :]
    assert "学べば届く人" in section and "オンラインPython講座" in section and "（釧路高専）で" in section
    assert "（レベル2）を身につけると、この募集の必須スキルを満たします。" in section
    for name in ("もうできる人", "講座のない人", "非公開の人"):
        assert name not in section, name


def test_the_api_lists_them_apart_when_asked_for_members_only(client, db, town, project):
    def headers(user):
        return {"Authorization": f"Bearer {create_token(db, user, name='t', scopes=('read',), days=30)[1]}"}

    url = f"/api/v1/projects/{project.public_id}/matches"
    staff = headers(town.memberships[0].user)
    assert client.get(url, headers=staff).get_json()["after_learning"] == []
    [person] = client.get(f"{url}?after_learning=true", headers=staff).get_json()["after_learning"]
    assert person["display_name"] == "学べば届く人" and person["opportunity"]["title"] == "オンラインPython講座"
    assert person["opportunity"]["provider"] == "釧路高専" and person["opportunity"]["online"] is True
    assert [(g["skill"], g["required"], g["have"]) for g in person["missing"]] == [(PYTHON, 2, 0)]
    assert "を身につけると" in person["sentence"] and 0 < person["score"] <= 1
    town.memberships[0].user.locale = "en"
    db.flush()
    english = client.get(f"{url}?after_learning=true", headers=staff).get_json()
    assert "must-have" in english["after_learning"][0]["sentence"]
    stranger = headers(make_profile(db).user)
    assert client.get(f"{url}?after_learning=true", headers=stranger).status_code in (403, 404)
