"""Students-only internships (#5): a profile says the person is a student; a students-only internship admits
only them — applying, being invited, appearing in the matches and in an allocation round's pool."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from talentbank.models import (
    AllocationAssignment,
    Application,
    ContactRelease,
    MembershipRole,
    OrganisationKind,
    Profile,
    Project,
    ProjectPay,
)
from tests.factories import add_member, count, make_organisation, make_profile, make_project, make_user
from tests.web.test_projects import PROJECT, post_project, project_count

INTERNSHIP = {"is_internship": True, "pay_kind": ProjectPay.INTERNSHIP, "pay_yen": 0, "seats": 1}


@pytest.fixture
def people(db, town):
    """A students-only internship, an ordinary project, a student and a working person with the same skills."""
    students_only = make_project(db, town, title="学生限定 データ活用インターン", is_students_only=True, **INTERNSHIP)
    ordinary = make_project(db, town, title="誰でも データ活用の副業")
    student = make_profile(db, display_name="学生 さくら", skills={"dssp2-36": 3}, is_student=True,
                           school_name="帯広畜産大学")  # fmt: skip
    worker = make_profile(db, display_name="会社員 たろう", skills={"dssp2-36": 3})
    return {"students_only": students_only, "ordinary": ordinary, "student": student, "worker": worker}


def test_only_an_internship_can_be_students_only(client, db, login, town):
    login(client, town.memberships[0].user)
    refused = client.post(f"/orgs/{town.public_id}/projects/new", data={**PROJECT, "is_students_only": "y"})
    assert refused.status_code == 422
    assert "学生限定にできるのはインターンシップだけです。" in refused.get_data(as_text=True)
    assert project_count(db) == 0
    project_id = post_project(client, town, is_internship="y", is_students_only="y", pay_kind="internship",
                              pay_yen="0")  # fmt: skip
    assert db.scalar(sa.select(Project)).is_students_only is True
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "学生限定（プロフィールで学生と登録した人だけが応募できます）" in page


def test_a_non_student_cannot_apply_and_nothing_is_saved(client, db, login, people):
    project = people["students_only"]
    login(client, people["worker"].user)
    page = client.get(f"/projects/{project.public_id}").get_data(as_text=True)
    assert "このインターンシップは学生限定です。" in page
    assert f'action="/projects/{project.public_id}/apply"' not in page  # no apply form, a way to the profile
    refused = client.post(f"/projects/{project.public_id}/apply", data={"message": "応募します"})
    assert refused.status_code == 403
    assert "プロフィールで学生であることを登録すると応募できます。" in refused.get_data(as_text=True)
    assert count(db, Application) == 0 and count(db, ContactRelease) == 0
    # The same person may apply to a project open to everyone.
    assert client.post(f"/projects/{people['ordinary'].public_id}/apply", data={"message": ""}).status_code == 302


def test_a_student_applies(client, db, login, people):
    project = people["students_only"]
    login(client, people["student"].user)
    assert f'action="/projects/{project.public_id}/apply"' in client.get(f"/projects/{project.public_id}").get_data(
        as_text=True
    )
    assert client.post(f"/projects/{project.public_id}/apply", data={"message": "学びたいです"}).status_code == 302
    assert db.scalar(sa.select(Application)).profile_id == people["student"].id


def test_a_non_student_cannot_be_scouted_and_is_not_in_the_matches(client, db, login, town, people):
    project = people["students_only"]
    login(client, town.memberships[0].user)
    matches = client.get(f"/projects/{project.public_id}/matches").get_data(as_text=True)
    assert "学生 さくら" in matches and "会社員 たろう" not in matches
    ordinary = client.get(f"/projects/{people['ordinary'].public_id}/matches").get_data(as_text=True)
    assert "学生 さくら" in ordinary and "会社員 たろう" in ordinary  # the filter is for that project only
    refused = client.post(f"/projects/{project.public_id}/invite/{people['worker'].public_id}", data={"message": ""})
    assert refused.status_code == 409
    assert "学生として登録していないため" in refused.get_data(as_text=True)
    assert count(db, Application) == 0
    invited = client.post(f"/projects/{project.public_id}/invite/{people['student'].public_id}", data={"message": ""})
    assert invited.status_code == 302 and db.scalar(sa.select(Application)).profile_id == people["student"].id


def test_a_person_who_stops_being_a_student_drops_out_of_the_matches(client, db, login, town, people):
    login(client, town.memberships[0].user)
    url = f"/projects/{people['students_only'].public_id}/matches"
    assert "学生 さくら" in client.get(url).get_data(as_text=True)
    people["student"].is_student = False
    db.commit()
    assert "学生 さくら" not in client.get(url).get_data(as_text=True)


def test_projects_for_you_leave_out_students_only_internships_for_non_students(client, db, login, people):
    login(client, people["worker"].user)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "誰でも データ活用の副業" in dashboard and "学生限定 データ活用インターン" not in dashboard
    login(client, people["student"].user)
    assert "学生限定 データ活用インターン" in client.get("/dashboard").get_data(as_text=True)


def test_search_filter_and_listing(client, people):
    only = client.get("/projects?students=1").get_data(as_text=True)
    assert "学生限定 データ活用インターン" in only and "誰でも データ活用の副業" not in only
    without = client.get("/projects?students=0").get_data(as_text=True)
    assert "学生限定 データ活用インターン" not in without and "誰でも データ活用の副業" in without
    both = client.get("/projects").get_data(as_text=True)
    assert "学生限定 データ活用インターン" in both and "誰でも データ活用の副業" in both
    assert "学生限定のインターンシップだけ" in both  # the filter is offered


def test_only_students_are_in_an_allocation_round_s_pool(client, db, login, people):
    prefecture = make_organisation(db, kind=OrganisationKind.PREFECTURE, verified=True, name="北海道庁")
    staff = make_user(db)
    add_member(db, prefecture, staff, MembershipRole.MEMBER)
    # The working person is the stronger candidate, but the internship is for students only.
    people["worker"].skills[0].level = 4
    db.commit()
    login(client, staff)
    created = client.post(
        f"/orgs/{prefecture.public_id}/allocation",
        data={"name": "学生限定の配属", "projects": [str(people["students_only"].public_id)], "method": "stable"},
    )
    review = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "学生 さくら" in review and "会社員 たろう" not in review
    assert client.post(created.headers["Location"] + "/publish").status_code == 302
    placed = db.scalar(sa.select(AllocationAssignment))
    assert placed.profile_id == people["student"].id and count(db, AllocationAssignment) == 1


def test_the_profile_form_records_the_student_and_the_school(client, db, login):
    from tests.web.test_profiles import PROFILE

    user = make_user(db)
    login(client, user)
    assert 'name="is_student"' in client.get("/me/profile").get_data(as_text=True)
    saved = client.post("/me/profile", data={**PROFILE, "is_student": "y", "school_name": " 北見工業大学 "})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    profile = db.scalar(sa.select(Profile))
    assert profile.is_student is True and profile.school_name == "北見工業大学"
    assert "北見工業大学" in client.get(f"/people/{profile.public_id}").get_data(as_text=True)
    too_long = client.post("/me/profile", data={**PROFILE, "is_student": "y", "school_name": "校" * 121})
    assert too_long.status_code == 422
    db.expire_all()
    assert db.scalar(sa.select(Profile)).school_name == "北見工業大学"  # unchanged
    # No longer a student: the school goes too.
    assert client.post("/me/profile", data={**PROFILE, "school_name": "北見工業大学"}).status_code == 302
    db.expire_all()
    profile = db.scalar(sa.select(Profile))
    assert profile.is_student is False and profile.school_name is None
