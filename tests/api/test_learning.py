"""学びの場 (#15) through the API: publishing, editing and closing an opportunity, the public search and
its filters, enrolling and withdrawing, the provider's learners, and completion issuing the badge. Same
services and rules as the pages; bad input is a 4xx naming its field, never a 500."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from talentbank.db import utcnow
from talentbank.models import Credential, Enrolment, EnrolmentStatus, LearningOpportunity, OrganisationKind
from tests.api.conftest import bearer, issuer_of
from tests.api.test_credentials import create_achievement
from tests.factories import add_member, count, make_organisation, make_profile, make_project, make_user

TODAY = utcnow().date()
PYTHON = "dssp2-36"
COURSE = {
    "title": "オンラインPython講座",
    "description": "地域のオープンデータで学ぶ。",
    "format": "self_paced",
    "study_hours": 20,
    "course_url": "https://example.jp/python",
    "skills": [{"skill": PYTHON, "level": 3}],
}
ONSITE = {
    **COURSE,
    "title": "十勝のデータ分析実践",
    "format": "onsite",
    "municipality_code": "016331",
    "starts_on": (TODAY + timedelta(days=14)).isoformat(),
    "ends_on": (TODAY + timedelta(days=60)).isoformat(),
    "deadline": (TODAY + timedelta(days=7)).isoformat(),
    "cost_yen": 5000,
    "capacity": 2,
    "language": "en",
    "skills": [{"skill": PYTHON, "level": 2}, {"skill": "dssp2-52", "level": 1}],
}


def publish(client, headers, organisation, **changes) -> dict:
    response = client.post(
        f"/api/v1/organisations/{organisation.public_id}/learning-opportunities",
        json={**COURSE, **changes},
        headers=headers,
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def path(opportunity: dict, suffix: str = "") -> str:
    return f"/api/v1/learning-opportunities/{opportunity['id']}{suffix}"


@pytest.fixture
def learner(db, make_token):
    """Someone with a profile: (user, headers)."""
    user = make_user(db, display_name="山田 太郎")
    make_profile(db, owner=user, skills={PYTHON: 1})
    return user, bearer(make_token(user))


def test_a_member_publishes_and_everyone_reads_it(client, db, school, issuer):
    badge_id = create_achievement(client, school, issuer)
    project = make_project(db, school)
    db.commit()
    made = publish(client, issuer, school, **ONSITE, achievement_id=badge_id, project_id=str(project.public_id))
    assert made["status"] == "open" and made["can_manage"] is True and made["my_enrolment"] is None
    assert made["provider"] == {"id": str(school.public_id), "name": school.name, "verified": True}
    assert made["badge"]["id"] == badge_id and made["badge"]["url"].endswith(f"/achievements/{badge_id}")
    assert made["project"]["id"] == str(project.public_id) and made["project"]["url"].endswith(
        f"/projects/{project.public_id}"
    )
    assert [(s["code"], s["level"]) for s in made["skills"]] == [(PYTHON, 2), ("dssp2-52", 1)]
    assert made["skills"][0]["name_ja"]
    assert made["municipality"]["code"] == "016331" and made["online"] is False
    assert (made["capacity"], made["seats_taken"], made["seats_left"]) == (2, 0, 2)
    assert made["url"].endswith(f"/learning/{made['id']}")

    anonymous = client.get(path(made))
    assert anonymous.status_code == 200
    read = anonymous.get_json()
    assert read["can_manage"] is False and read["cost_yen"] == 5000 and read["deadline"] == ONSITE["deadline"]
    assert client.get("/api/v1/learning-opportunities/not-an-id").status_code == 404


def test_the_public_search_takes_the_pages_filters(client, db, school, issuer):
    online = publish(client, issuer, school)
    onsite = publish(client, issuer, school, **ONSITE)
    later = publish(
        client, issuer, school, **{**ONSITE, "title": "来年の講座", "starts_on": (TODAY + timedelta(days=200)).isoformat(),
                                   "ends_on": (TODAY + timedelta(days=260)).isoformat(), "deadline": None},
    )  # fmt: skip

    def found(query: str = "") -> list[str]:
        response = client.get(f"/api/v1/learning-opportunities?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return [item["id"] for item in response.get_json()["items"]]

    assert found() == [online["id"], onsite["id"], later["id"]]  # the soonest start first; always open = today
    assert found("free_only=true") == [online["id"]]
    assert found("online_only=true") == [online["id"]]
    assert found("format=onsite") == [onsite["id"], later["id"]]
    assert found(f"skill={PYTHON}&min_level=3") == [online["id"]]
    assert found("skill=dssp2-52") == [onsite["id"], later["id"]]
    assert found("starts_within_weeks=4") == [online["id"], onsite["id"]]
    assert found("language=en") == [onsite["id"], later["id"]]
    subprefecture = onsite["municipality"]["subprefecture"]
    assert found(f"subprefecture={subprefecture}") == [online["id"], onsite["id"], later["id"]]
    elsewhere = "sorachi" if subprefecture != "sorachi" else "kamikawa"
    assert found(f"subprefecture={elsewhere}") == [online["id"]]  # online ones are everywhere
    assert found("per_page=1&page=2") == [onsite["id"]]

    unknown = client.get("/api/v1/learning-opportunities?subprefecture=atlantis")
    assert unknown.status_code == 422 and "subprefecture" in unknown.get_json()["fields"]
    for bad in ("min_level=5", "format=lecture", "starts_within_weeks=-1", "language=both", "colour=red"):
        response = client.get(f"/api/v1/learning-opportunities?{bad}")
        assert response.status_code == 422, bad
        assert response.mimetype == "application/problem+json"


def test_closed_ones_leave_the_search_but_stay_on_the_organisations_list(client, school, issuer):
    first = publish(client, issuer, school)
    second = publish(client, issuer, school, title="第2期")
    closed = client.post(path(first, "/close"), headers=issuer)
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    again = client.post(path(first, "/close"), headers=issuer)
    assert again.status_code == 409 and again.mimetype == "application/problem+json"

    assert [i["id"] for i in client.get("/api/v1/learning-opportunities").get_json()["items"]] == [second["id"]]
    listed = client.get(f"/api/v1/organisations/{school.public_id}/learning-opportunities").get_json()
    assert [(i["id"], i["status"]) for i in listed["items"]] == [(second["id"], "open"), (first["id"], "closed")]
    assert listed["total"] == 2
    assert client.get(path(first)).get_json()["status"] == "closed"
    assert client.get("/api/v1/organisations/nobody/learning-opportunities").status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"starts_on": (TODAY + timedelta(days=10)).isoformat(), "ends_on": (TODAY + timedelta(days=5)).isoformat()},
         "ends_on"),
        ({"cost_yen": -1}, "cost_yen"),
        ({"skills": [{"skill": "no-such-skill", "level": 2}]}, "skills"),
        ({"skills": [{"skill": "dssp2", "level": 2}]}, "skills"),  # a category, not a selectable item
        ({"skills": []}, "skills"),
        ({"skills": [{"skill": PYTHON, "level": 5}]}, "skills.0.level"),
        ({"format": "onsite"}, "municipality_code"),
        ({"format": "onsite", "municipality_code": "999999"}, "municipality_code"),
        ({"course_url": "javascript:alert(1)"}, "course_url"),
        ({"study_hours": 0}, "study_hours"),
        ({"capacity": 0}, "capacity"),
        ({"deadline": (TODAY - timedelta(days=1)).isoformat()}, "deadline"),
        ({"format": "lecture"}, "format"),
        ({"title": ""}, "title"),
        ({"achievement_id": "00000000-0000-4000-8000-000000000000"}, "achievement_id"),
        ({"project_id": "00000000-0000-4000-8000-000000000000"}, "project_id"),
        ({"organisation_id": "00000000-0000-4000-8000-000000000000"}, "organisation_id"),  # unknown field
    ],
)  # fmt: skip
def test_bad_input_is_a_422_naming_the_field_and_nothing_is_saved(client, db, school, issuer, changes, field):
    response = client.post(
        f"/api/v1/organisations/{school.public_id}/learning-opportunities", json={**COURSE, **changes}, headers=issuer
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["fields"], response.get_json()
    assert count(db, LearningOpportunity) == 0


def test_another_organisations_badge_is_refused(client, db, school, issuer, make_token):
    other_owner = make_user(db)
    other = make_organisation(db, owner=other_owner, kind=OrganisationKind.SCHOOL, verified=True)
    issuer_of(client.application, db, other, other_owner)
    theirs = create_achievement(client, other, bearer(make_token(other_owner)))
    response = client.post(
        f"/api/v1/organisations/{school.public_id}/learning-opportunities",
        json={**COURSE, "achievement_id": theirs},
        headers=issuer,
    )
    assert response.status_code == 422 and "achievement_id" in response.get_json()["fields"]


def test_only_members_of_a_verified_organisation_publish(client, db, school, make_token, learner):
    _user, outsider = learner
    target = f"/api/v1/organisations/{school.public_id}/learning-opportunities"
    assert client.post(target, json=COURSE).status_code == 401
    assert client.post(target, json=COURSE, headers=outsider).status_code == 403
    read_only = bearer(make_token(school.memberships[0].user, scopes=("read",)))
    assert client.post(target, json=COURSE, headers=read_only).status_code == 403
    unverified = make_organisation(db, owner=make_user(db))
    owner_headers = bearer(make_token(unverified.memberships[0].user))
    response = client.post(
        f"/api/v1/organisations/{unverified.public_id}/learning-opportunities", json=COURSE, headers=owner_headers
    )
    assert response.status_code == 403
    assert (
        client.post("/api/v1/organisations/nobody/learning-opportunities", json=COURSE, headers=outsider).status_code
        == 404
    )
    assert count(db, LearningOpportunity) == 0


def test_patch_changes_the_fields_sent_and_keeps_the_others(client, db, school, issuer, learner):
    made = publish(client, issuer, school, **ONSITE)
    response = client.patch(
        path(made), json={"title": "十勝のデータ分析実践（第2期）", "capacity": None}, headers=issuer
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    changed = response.get_json()
    assert changed["title"] == "十勝のデータ分析実践（第2期）" and changed["capacity"] is None
    assert changed["seats_left"] is None
    assert changed["municipality"]["code"] == "016331" and changed["cost_yen"] == 5000
    assert [s["code"] for s in changed["skills"]] == [PYTHON, "dssp2-52"]

    skills = client.patch(path(made), json={"skills": [{"skill": "dssp2-52", "level": 3}]}, headers=issuer)
    assert [(s["code"], s["level"]) for s in skills.get_json()["skills"]] == [("dssp2-52", 3)]

    backwards = client.patch(path(made), json={"ends_on": (TODAY + timedelta(days=1)).isoformat()}, headers=issuer)
    assert backwards.status_code == 422 and "ends_on" in backwards.get_json()["fields"]
    null_title = client.patch(path(made), json={"title": None}, headers=issuer)
    assert null_title.status_code == 422 and "title" in null_title.get_json()["fields"]
    db.expire_all()
    assert db.scalar(sa.select(LearningOpportunity.title)) == "十勝のデータ分析実践（第2期）"

    _user, outsider = learner
    assert client.patch(path(made), json={"title": "乗っ取り"}, headers=outsider).status_code == 403
    assert client.patch(path(made), json={"title": "乗っ取り"}).status_code == 401
    assert client.post(path(made, "/close"), headers=outsider).status_code == 403
    assert client.patch("/api/v1/learning-opportunities/nothing", json={}, headers=issuer).status_code == 404


def test_enrolling_withdrawing_and_the_history(client, db, school, issuer, learner):
    _user, headers = learner
    made = publish(client, issuer, school, **ONSITE)
    enrolled = client.post(path(made, "/enrolments"), headers=headers)
    assert enrolled.status_code == 201, enrolled.get_data(as_text=True)
    enrolment = enrolled.get_json()
    assert enrolment["status"] == "enrolled" and enrolment["opportunity_id"] == made["id"]
    assert enrolment["provider_name"] == school.name and enrolment["credential_id"] is None

    twice = client.post(path(made, "/enrolments"), headers=headers)
    assert twice.status_code == 409 and twice.mimetype == "application/problem+json"
    detail = client.get(path(made), headers=headers).get_json()
    assert detail["my_enrolment"] == "enrolled" and detail["seats_taken"] == 1 and detail["seats_left"] == 1

    history = client.get("/api/v1/me/enrolments", headers=headers).get_json()
    assert [item["id"] for item in history["items"]] == [enrolment["id"]] and history["total"] == 1

    left = client.post(path(made, "/withdraw"), headers=headers)
    assert left.status_code == 200 and left.get_json()["status"] == "withdrawn"
    assert client.post(path(made, "/withdraw"), headers=headers).status_code == 409
    assert client.get(path(made)).get_json()["seats_taken"] == 0
    again = client.post(path(made, "/enrolments"), headers=headers)
    assert again.status_code == 201 and again.get_json()["id"] == enrolment["id"]

    assert client.post(path(made, "/enrolments")).status_code == 401
    assert client.get("/api/v1/me/enrolments").status_code == 401


def test_enrolment_refusals_are_409s_or_422s(client, db, school, issuer, learner, make_token):
    _user, headers = learner
    full = publish(client, issuer, school, **{**ONSITE, "capacity": 1})
    others = []
    for _ in range(2):
        someone = make_user(db)
        make_profile(db, owner=someone)
        others.append(bearer(make_token(someone)))
    db.commit()
    assert client.post(path(full, "/enrolments"), headers=others[0]).status_code == 201
    assert client.post(path(full, "/enrolments"), headers=headers).status_code == 409
    assert client.get(path(full)).get_json()["seats_left"] == 0

    students = publish(client, issuer, school, eligibility="students")
    refused = client.post(path(students, "/enrolments"), headers=headers)
    assert refused.status_code == 409 and "学生" in refused.get_json()["detail"]

    late = publish(client, issuer, school, **{**ONSITE, "capacity": None})
    db.execute(sa.update(LearningOpportunity).where(LearningOpportunity.public_id == uuid.UUID(late["id"]))
               .values(deadline=TODAY - timedelta(days=1)))  # fmt: skip
    db.commit()
    assert client.post(path(late, "/enrolments"), headers=headers).status_code == 409

    closed = publish(client, issuer, school)
    client.post(path(closed, "/close"), headers=issuer)
    assert client.post(path(closed, "/enrolments"), headers=headers).status_code == 409

    no_profile = bearer(make_token(make_user(db)))
    db.commit()
    assert client.post(path(closed, "/withdraw"), headers=no_profile).status_code == 404
    assert client.post(path(full, "/enrolments"), headers=no_profile).status_code == 422
    assert client.post("/api/v1/learning-opportunities/nothing/enrolments", headers=headers).status_code == 404


def test_the_provider_adds_learners_by_email_line_by_line(client, db, school, issuer, learner):
    user, headers = learner
    made = publish(client, issuer, school, **{**ONSITE, "capacity": 1})
    someone = make_user(db)
    make_profile(db, owner=someone)
    db.commit()
    response = client.post(
        path(made, "/learners"),
        json={"emails": [f"  {user.email.upper()} ", "nobody@example.jp", user.email, someone.email]},
        headers=issuer,
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    result = response.get_json()
    assert result["enrolled"] == 1
    lines = result["items"]
    assert [line["email"] for line in lines] == [user.email, "nobody@example.jp", someone.email]
    assert lines[0]["enrolment"]["display_name"] == "山田 太郎" and lines[0]["problem"] is None
    assert lines[0]["enrolment"]["added_by_provider"] is True
    assert lines[1]["enrolment"] is None and lines[1]["problem"]
    assert lines[2]["enrolment"] is None and lines[2]["problem"]  # full
    assert client.get("/api/v1/me/enrolments", headers=headers).get_json()["total"] == 1

    assert client.post(path(made, "/learners"), json={"emails": []}, headers=issuer).status_code == 422
    assert client.post(path(made, "/learners"), json={"emails": [user.email]}, headers=headers).status_code == 403


def test_only_members_see_the_learners(client, db, school, issuer, learner, make_token):
    _user, headers = learner
    made = publish(client, issuer, school)
    client.post(path(made, "/enrolments"), headers=headers)
    member = make_user(db)
    add_member(db, school, member)
    db.commit()
    listed = client.get(path(made, "/enrolments"), headers=bearer(make_token(member)))
    assert listed.status_code == 200
    [only] = listed.get_json()["items"]
    assert only["display_name"] == "山田 太郎" and only["status"] == "enrolled" and only["credential_id"] is None
    assert only["added_by_provider"] is False
    assert "email" not in only
    assert client.get(path(made, "/enrolments"), headers=headers).status_code == 403
    assert client.get(path(made, "/enrolments")).status_code == 401


def test_completion_issues_the_badge_and_not_completed_issues_nothing(client, db, school, issuer, learner, make_token):
    user, headers = learner
    badge_id = create_achievement(client, school, issuer)
    made = publish(client, issuer, school, achievement_id=badge_id)
    mine = client.post(path(made, "/enrolments"), headers=headers).get_json()["id"]
    other = make_user(db, display_name="佐藤 花子")
    make_profile(db, owner=other)
    db.commit()
    theirs = client.post(path(made, "/enrolments"), headers=bearer(make_token(other))).get_json()["id"]

    without_issue = bearer(make_token(school.memberships[0].user, scopes=("read", "write")))
    body = {"enrolments": [mine], "completed": True}
    assert client.post(path(made, "/completions"), json=body, headers=without_issue).status_code == 403
    assert client.post(path(made, "/completions"), json=body, headers=headers).status_code == 403

    done = client.post(path(made, "/completions"), json=body, headers=issuer)
    assert done.status_code == 200, done.get_data(as_text=True)
    [learner_item] = done.get_json()["items"]
    assert learner_item["id"] == mine and learner_item["status"] == "completed"
    credential = db.scalar(
        sa.select(Credential).where(Credential.public_id == uuid.UUID(learner_item["credential_id"]))
    )
    assert credential is not None and credential.profile.user_id == user.id
    history = client.get("/api/v1/me/enrolments", headers=headers).get_json()["items"]
    assert history[0]["credential_id"] == learner_item["credential_id"] and history[0]["credential_url"]

    again = client.post(path(made, "/completions"), json=body, headers=issuer)
    assert again.status_code == 422 and "enrolments" in again.get_json()["fields"]

    not_done = client.post(
        path(made, "/completions"), json={"enrolments": [theirs], "completed": False}, headers=issuer
    )
    assert not_done.status_code == 200
    assert not_done.get_json()["items"][0] == {**not_done.get_json()["items"][0], "status": "not_completed",
                                               "credential_id": None}  # fmt: skip
    assert count(db, Credential) == 1

    listed = client.get(path(made, "/enrolments"), headers=issuer).get_json()["items"]
    assert [(i["display_name"], i["status"], i["credential_id"] is not None) for i in listed] == [
        ("山田 太郎", "completed", True),
        ("佐藤 花子", "not_completed", False),
    ]


def test_the_issue_scope_is_needed_only_when_a_badge_is_issued(client, db, school, issuer, learner, make_token):
    _user, headers = learner
    without_issue = bearer(make_token(school.memberships[0].user, scopes=("read", "write")))
    no_badge = publish(client, issuer, school)
    badge = publish(
        client, issuer, school, title="バッジ付き", achievement_id=create_achievement(client, school, issuer)
    )
    plain = client.post(path(no_badge, "/enrolments"), headers=headers).get_json()["id"]
    badged = client.post(path(badge, "/enrolments"), headers=headers).get_json()["id"]

    done = client.post(path(no_badge, "/completions"), json={"enrolments": [plain], "completed": True},
                       headers=without_issue)  # fmt: skip
    assert done.status_code == 200 and done.get_json()["items"][0]["status"] == "completed"
    refused = client.post(path(badge, "/completions"), json={"enrolments": [badged], "completed": True},
                          headers=without_issue)  # fmt: skip
    assert refused.status_code == 403 and "issue" in refused.get_json()["detail"]
    marked = client.post(path(badge, "/completions"), json={"enrolments": [badged], "completed": False},
                         headers=without_issue)  # fmt: skip
    assert marked.status_code == 200 and marked.get_json()["items"][0]["status"] == "not_completed"
    assert count(db, Credential) == 0


def test_completing_someone_never_enrolled_is_refused(client, db, school, issuer, learner):
    _user, headers = learner
    made = publish(client, issuer, school)
    elsewhere = publish(client, issuer, school, title="別の講座")
    enrolment = client.post(path(elsewhere, "/enrolments"), headers=headers).get_json()["id"]
    for enrolments in ([enrolment], ["00000000-0000-4000-8000-000000000000"]):
        response = client.post(path(made, "/completions"), json={"enrolments": enrolments, "completed": True},
                               headers=issuer)  # fmt: skip
        assert response.status_code == 422 and "enrolments" in response.get_json()["fields"]
    for bad in ({"enrolments": [], "completed": True}, {"enrolments": ["x"], "completed": True},
                {"enrolments": [enrolment]}, {"enrolments": [enrolment], "completed": "yes"}):  # fmt: skip
        assert client.post(path(made, "/completions"), json=bad, headers=issuer).status_code == 422, bad
    db.expire_all()
    assert db.scalar(sa.select(Enrolment.status)) is EnrolmentStatus.ENROLLED


def test_the_document_lists_the_learning_operations_with_their_scopes(client):
    document = client.get("/api/v1/openapi.json").get_json()
    scopes = {
        (method.upper(), route): operation.get("x-scope", "public")
        for route, item in document["paths"].items()
        if "learning" in route or route == "/api/v1/me/enrolments"
        for method, operation in item.items()
    }
    base = "/api/v1/learning-opportunities"
    assert scopes == {
        ("GET", base): "public",
        ("GET", base + "/{opportunity_id}"): "public",
        ("PATCH", base + "/{opportunity_id}"): "write",
        ("POST", base + "/{opportunity_id}/close"): "write",
        ("POST", base + "/{opportunity_id}/enrolments"): "write",
        ("GET", base + "/{opportunity_id}/enrolments"): "read",
        ("POST", base + "/{opportunity_id}/withdraw"): "write",
        ("POST", base + "/{opportunity_id}/learners"): "write",
        ("POST", base + "/{opportunity_id}/completions"): "write",
        ("GET", "/api/v1/me/enrolments"): "read",
        ("GET", "/api/v1/organisations/{organisation_id}/learning-opportunities"): "public",
        ("POST", "/api/v1/organisations/{organisation_id}/learning-opportunities"): "write",
        ("POST", "/api/v1/organisations/{organisation_id}/learning-opportunities/import"): "write",
        ("GET", "/api/v1/me/learning-paths"): "read",
    }
    tags = {operation["tags"][0] for route, item in document["paths"].items() if "learning" in route
            for operation in item.values()}  # fmt: skip
    assert tags == {"learning"}
