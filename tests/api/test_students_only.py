"""Students-only internships over the API: the same rules as the pages (profiles say who is a student)."""

from __future__ import annotations

import sqlalchemy as sa

from talentbank.models import Application, ContactRelease, Profile, Project, WorkMode
from tests.api.conftest import bearer
from tests.api.test_profiles import PROFILE
from tests.api.test_projects import PROJECT, person_with_token, post_project, publish, titles
from tests.factories import count


def students_only_internship(client, staff, town) -> str:
    project_id = post_project(client, staff, town, is_internship=True, is_students_only=True, pay_kind="internship",
                              pay_yen=0, title="学生限定インターン")  # fmt: skip
    publish(client, staff, project_id)
    return project_id


def test_the_profile_says_whether_the_person_is_a_student(client, db, make_token):
    headers = bearer(make_token())
    created = client.put("/api/v1/me/profile", json={**PROFILE, "is_student": True, "school_name": "釧路公立大学"},
                         headers=headers)  # fmt: skip
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.get_json()["is_student"] is True and created.get_json()["school_name"] == "釧路公立大学"
    public = client.get(f"/api/v1/profiles/{created.get_json()['id']}").get_json()
    assert public["is_student"] is True and public["school_name"] == "釧路公立大学"
    refused = client.put("/api/v1/me/profile", json={**PROFILE, "is_student": True, "school_name": "校" * 121},
                         headers=headers)  # fmt: skip
    assert refused.status_code == 422 and "school_name" in refused.get_json()["fields"]
    assert db.scalar(sa.select(Profile)).school_name == "釧路公立大学"
    replaced = client.put("/api/v1/me/profile", json={**PROFILE, "school_name": "釧路公立大学"}, headers=headers)
    assert replaced.get_json()["is_student"] is False and replaced.get_json()["school_name"] is None


def test_only_an_internship_can_be_students_only(client, db, staff, town):
    refused = client.post("/api/v1/projects", json={**PROJECT, "organisation_id": str(town.public_id),
                                                   "is_students_only": True}, headers=staff)  # fmt: skip
    assert refused.status_code == 422 and "is_students_only" in refused.get_json()["fields"]
    assert count(db, Project) == 0
    project_id = students_only_internship(client, staff, town)
    assert client.get(f"/api/v1/projects/{project_id}").get_json()["is_students_only"] is True
    # PATCH keeps it only while the project stays an internship.
    changed = client.patch(f"/api/v1/projects/{project_id}", json={"pay_kind": "hourly", "pay_yen": 2000,
                                                                    "is_internship": False}, headers=staff)  # fmt: skip
    assert changed.status_code == 422 and "is_students_only" in changed.get_json()["fields"]


def test_apply_invite_and_matches_keep_to_students(client, db, make_token, staff, town):
    project_id = students_only_internship(client, staff, town)
    near = {"work_mode": WorkMode.HYBRID, "home_municipality_code": "016331", "max_travel_km": 30}
    _worker, worker, worker_headers = person_with_token(db, make_token, display_name="会社員", skills={"dssp2-52": 3},
                                                        **near)  # fmt: skip
    _student, student, student_headers = person_with_token(db, make_token, display_name="学生", is_student=True,
                                                           skills={"dssp2-52": 3}, **near)  # fmt: skip
    refused = client.post(f"/api/v1/projects/{project_id}/applications", json={"message": ""}, headers=worker_headers)
    assert refused.status_code == 403 and "学生限定" in refused.get_json()["detail"]
    assert count(db, Application) == 0 and count(db, ContactRelease) == 0

    matches = client.get(f"/api/v1/projects/{project_id}/matches", headers=staff).get_json()["items"]
    assert [m["display_name"] for m in matches] == ["学生"]
    scouted = client.post(f"/api/v1/projects/{project_id}/invitations", json={"profile_id": str(worker.public_id)},
                          headers=staff)  # fmt: skip
    assert scouted.status_code == 409 and count(db, Application) == 0
    recommended = client.get("/api/v1/me/recommended-projects", headers=worker_headers).get_json()["items"]
    assert "学生限定インターン" not in [r["project"]["title"] for r in recommended]

    applied = client.post(f"/api/v1/projects/{project_id}/applications", json={"message": ""}, headers=student_headers)
    assert applied.status_code == 201 and db.scalar(sa.select(Application)).profile_id == student.id


def test_the_search_filter(client, db, staff, town):
    students_only_internship(client, staff, town)
    publish(client, staff, post_project(client, staff, town, title="誰でも"))
    assert titles(client.get("/api/v1/projects?students_only=true")) == ["学生限定インターン"]
    assert titles(client.get("/api/v1/projects?students_only=false")) == ["誰でも"]
    assert sorted(titles(client.get("/api/v1/projects"))) == sorted(["学生限定インターン", "誰でも"])
