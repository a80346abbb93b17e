"""GET /api/v1/me/learning-paths (#15): the caller's nearly matched projects and the learning that closes
each gap, with reasons and sentences; empty without a profile; needs the read scope."""

from __future__ import annotations

from talentbank.learning import opportunities
from tests.api.conftest import bearer
from tests.factories import make_profile, make_project, make_user
from tests.web import test_learning
from tests.web.test_learning import PYTHON, course

kosen = test_learning.kosen


def test_the_caller_gets_the_course_that_closes_their_gap(client, db, kosen, town, make_token):
    project = make_project(db, town, needs=((PYTHON, 2, True), ("dssp2-37", 2, True)), municipality_code="016331")
    person = make_profile(db, skills={"dssp2-37": 3}, hours_per_week=10)
    opportunity = opportunities.save_opportunity(db, kosen.memberships[0].user, kosen, course())
    db.commit()
    response = client.get("/api/v1/me/learning-paths", headers=bearer(make_token(person.user, scopes=("read",))))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["nearly_matched_total"] == 1
    assert body["nearly_matched"][0]["project"]["id"] == str(project.public_id)
    assert body["nearly_matched"][0]["gaps"][0]["skill"] == PYTHON
    (path,) = body["paths"]
    step = path["steps"][0]
    assert step["opportunity_id"] == str(opportunity.public_id) and step["unlocks"] == [str(project.public_id)]
    assert step["url"].endswith(f"/learning/{opportunity.public_id}")
    assert step["reasons"][0]["code"] == "learning_unlocks" and "上士幌町" in step["why"][0]
    person.user.locale = "en"  # the API answers in the caller's language
    db.commit()
    english = client.get("/api/v1/me/learning-paths", headers=bearer(make_token(person.user)))
    assert "qualifies you" in english.get_json()["paths"][0]["steps"][0]["why"][0]


def test_without_a_profile_it_is_empty_and_without_a_token_it_is_refused(client, db, make_token):
    response = client.get("/api/v1/me/learning-paths", headers=bearer(make_token(make_user(db), scopes=("read",))))
    assert response.get_json() == {"nearly_matched": [], "nearly_matched_total": 0, "paths": [], "paths_total": 0}
    assert client.get("/api/v1/me/learning-paths").status_code == 401
    assert (
        client.get("/api/v1/me/learning-paths?skills=0", headers=bearer(make_token(make_user(db)))).status_code == 422
    )
