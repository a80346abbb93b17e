"""Internship allocation rounds through the API: create, read the proposal, change the method, publish."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from talentbank.models import (
    AllocationAssignment,
    AllocationRound,
    Application,
    ApplicationStatus,
    MembershipRole,
    OrganisationKind,
    ProjectPay,
)
from tests.api.conftest import bearer
from tests.factories import add_member, make_organisation, make_profile, make_project, make_user


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return response.get_json()


@pytest.fixture
def programme(db):
    """A prefecture office (staff), a town with two one-seat internships, two students who fit."""
    prefecture = make_organisation(db, kind=OrganisationKind.PREFECTURE, verified=True, name="北海道庁")
    staff = make_user(db, display_name="道庁 職員")
    add_member(db, prefecture, staff, MembershipRole.MEMBER)
    town = make_organisation(db, verified=True, name="上士幌町")
    internship = {"is_internship": True, "pay_kind": ProjectPay.INTERNSHIP, "pay_yen": 0, "seats": 1}
    data = make_project(db, town, title="農業データのインターン", needs=(("dssp2-36", 2, True),), **internship)
    web = make_project(db, town, title="町のサイト改善インターン", needs=(("dssp1-01", 2, True),), **internship)
    side_job = make_project(db, town, title="普通の副業")
    analyst = make_profile(db, display_name="分析 学生", skills={"dssp2-36": 3})
    designer = make_profile(db, display_name="設計 学生", skills={"dssp1-01": 3})
    return {"prefecture": prefecture, "staff": staff, "data": data, "web": web, "side_job": side_job,
            "analyst": analyst, "designer": designer}  # fmt: skip


def rounds_path(programme) -> str:
    return f"/api/v1/organisations/{programme['prefecture'].public_id}/allocation-rounds"


def test_create_review_change_method_and_publish(client, db, make_token, programme):
    secret = make_token(programme["staff"])
    body = {"name": "2027年夏", "projects": [str(programme["data"].public_id), str(programme["web"].public_id)]}
    response = client.post(rounds_path(programme), json=body, headers=bearer(secret))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["method"] == "stable" and created["published_at"] is None and created["assignments"] == []
    placed = {(s["project_title"], s["display_name"]) for s in created["proposal"]["seats"]}
    assert placed == {("農業データのインターン", "分析 学生"), ("町のサイト改善インターン", "設計 学生")}
    assert created["proposal"]["open_seats"] == 2
    listed = client.get(rounds_path(programme), headers=bearer(secret)).get_json()["items"]
    assert [r["id"] for r in listed] == [created["id"]]
    path = f"/api/v1/allocation-rounds/{created['id']}"
    changed = client.put(f"{path}/method", json={"method": "max_score"}, headers=bearer(secret)).get_json()
    assert changed["method"] == "max_score"
    assert db.scalar(sa.select(AllocationRound.method)).value == "max_score"
    published = client.post(f"{path}/publish", headers=bearer(secret))
    assert published.status_code == 200, published.get_json()
    assert published.get_json()["proposal"] is None and len(published.get_json()["assignments"]) == 2
    assert db.scalar(sa.select(sa.func.count()).select_from(AllocationAssignment)) == 2
    invited = db.scalars(sa.select(Application).where(Application.status == ApplicationStatus.PENDING)).all()
    assert {a.profile_id for a in invited} == {programme["analyst"].id, programme["designer"].id}
    # Published rounds are settled: a second publish or a method change is a conflict.
    problem(client.post(f"{path}/publish", headers=bearer(secret)), 409)
    problem(client.put(f"{path}/method", json={"method": "stable"}, headers=bearer(secret)), 409)
    assert client.get(path, headers=bearer(secret)).get_json() == published.get_json()


def test_bad_rounds_are_refused_and_nothing_is_saved(client, db, make_token, programme):
    secret = make_token(programme["staff"])
    for bad, field in [
        ({"name": "x", "projects": [str(programme["side_job"].public_id)]}, "projects"),  # not an internship
        ({"name": "x", "projects": [str(uuid.uuid4())]}, "projects"),
        ({"name": "x", "projects": []}, "projects"),
        ({"name": "", "projects": [str(programme["data"].public_id)]}, "name"),
        ({"name": "x", "projects": [str(programme["data"].public_id)], "method": "lottery"}, "method"),
    ]:
        body = problem(client.post(rounds_path(programme), json=bad, headers=bearer(secret)), 422)
        assert any(field in key for key in body["fields"]), body
    assert db.scalar(sa.select(sa.func.count()).select_from(AllocationRound)) == 0


def test_only_members_of_a_verified_prefecture_or_school_run_rounds(client, db, make_token, programme):
    town_owner = make_user(db)
    town = make_organisation(db, owner=town_owner, verified=True)
    body = {"name": "x", "projects": [str(programme["data"].public_id)]}
    path = f"/api/v1/organisations/{town.public_id}/allocation-rounds"
    problem(client.post(path, json=body, headers=bearer(make_token(town_owner))), 403)  # a municipality
    problem(client.post(rounds_path(programme), json=body, headers=bearer(make_token())), 403)
    problem(client.get(rounds_path(programme), headers=bearer(make_token())), 403)
    problem(client.get(f"/api/v1/allocation-rounds/{uuid.uuid4()}", headers=bearer(make_token())), 404)
    problem(client.post(rounds_path(programme), json=body, headers=bearer(make_token(programme["staff"],
                                                                                      scopes=("read",)))), 403)  # fmt: skip
