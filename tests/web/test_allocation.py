"""Cohort allocation rounds: a prefecture office places applicants on internship seats, reviews, publishes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from talentbank.models import (
    AllocationAssignment,
    AllocationRound,
    Application,
    ApplicationStatus,
    Direction,
    MembershipRole,
    OrganisationKind,
    ProjectPay,
)
from tests.factories import add_member, make_organisation, make_profile, make_project, make_user
from tests.web.helpers import outbox


@pytest.fixture
def programme(db):
    """The prefecture office (staff), a town with two internships of one seat each, three students."""
    prefecture = make_organisation(db, kind=OrganisationKind.PREFECTURE, verified=True, name="北海道庁")
    staff = make_user(db, display_name="道庁 職員")
    add_member(db, prefecture, staff, MembershipRole.MEMBER)
    town = make_organisation(db, verified=True, name="上士幌町")
    internship = {"is_internship": True, "pay_kind": ProjectPay.INTERNSHIP, "pay_yen": 0, "seats": 1}
    data = make_project(db, town, title="農業データのインターン", needs=(("dssp2-36", 2, True),), **internship)
    web = make_project(db, town, title="町のサイト改善インターン", needs=(("dssp1-01", 2, True),), **internship)
    strong = make_profile(db, display_name="強い 学生", skills={"dssp2-36": 4, "dssp1-01": 4})
    analyst = make_profile(db, display_name="分析 学生", skills={"dssp2-36": 3})
    designer = make_profile(db, display_name="設計 学生", skills={"dssp1-01": 2})
    make_project(db, town, title="普通の副業")  # not an internship: never in a round
    return {"prefecture": prefecture, "staff": staff, "town": town, "data": data, "web": web,
            "strong": strong, "analyst": analyst, "designer": designer}  # fmt: skip


def create_round(client, programme, method="stable", projects=None):
    projects = projects if projects is not None else [programme["data"], programme["web"]]
    return client.post(
        f"/orgs/{programme['prefecture'].public_id}/allocation",
        data={"name": "2027年夏 DXインターン", "projects": [str(p.public_id) for p in projects], "method": method},
    )


def test_staff_create_review_and_publish_a_round(client, db, login, programme):
    login(client, programme["staff"])
    page = client.get(f"/orgs/{programme['prefecture'].public_id}").get_data(as_text=True)
    assert "インターンシップの配属" in page  # reachable from the organisation page
    form = client.get(f"/orgs/{programme['prefecture'].public_id}/allocation").get_data(as_text=True)
    assert "農業データのインターン" in form and "普通の副業" not in form
    # The analyst applied to the data internship: their own choice comes first.
    db.add(Application(project=programme["data"], profile=programme["analyst"], direction=Direction.APPLIED))
    response = create_round(client, programme)
    assert response.status_code == 302
    review = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "配属案" in review and "強い 学生" in review
    assert "配属されなかった候補者" in review and "分析 学生" in review
    assert db.scalar(sa.select(sa.func.count()).select_from(AllocationAssignment)) == 0  # review saves nothing

    published = client.post(response.headers["Location"] + "/publish")
    assert published.status_code == 302
    seats = {a.project.title: a.profile.display_name for a in db.scalars(sa.select(AllocationAssignment))}
    # Stable, students proposing: both the strong student and the analyst want the data seat first; the
    # project prefers the stronger one, so the analyst is left out (web needs a skill they lack) and the
    # designer takes the web seat. Nobody would rather swap with anyone who would have them.
    assert seats == {"農業データのインターン": "強い 学生", "町のサイト改善インターン": "設計 学生"}
    invited = db.scalar(sa.select(Application).where(Application.profile_id == programme["strong"].id))
    assert invited.direction is Direction.INVITED and invited.status is ApplicationStatus.PENDING
    assert any("招待" in m.subject for m in outbox(db, programme["strong"].user.email))
    applied = db.scalar(sa.select(Application).where(Application.profile_id == programme["analyst"].id))
    assert applied.status is ApplicationStatus.PENDING  # not placed: their application is left as it was
    # Publishing twice is refused, and the page now shows the published record.
    assert client.post(response.headers["Location"] + "/publish").status_code == 302
    assert db.scalar(sa.select(sa.func.count()).select_from(AllocationAssignment)) == 2
    assert "公開した配属" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_an_applicant_s_own_choice_is_accepted_when_placed(client, db, login, programme):
    login(client, programme["staff"])
    db.add(Application(project=programme["web"], profile=programme["designer"], direction=Direction.APPLIED))
    location = create_round(client, programme).headers["Location"]
    client.post(location + "/publish")
    applied = db.scalar(sa.select(Application).where(Application.profile_id == programme["designer"].id))
    assert applied.direction is Direction.APPLIED and applied.status is ApplicationStatus.ACCEPTED


def test_max_score_places_for_the_largest_total(client, db, login, programme):
    def total(method: str) -> float:
        location = create_round(client, programme, method=method).headers["Location"]
        client.post(location + "/publish")
        return db.scalar(
            sa.select(sa.func.sum(AllocationAssignment.score))
            .join(AllocationAssignment.round)
            .where(AllocationRound.method == method)
        )

    login(client, programme["staff"])
    stable = total("stable")
    db.execute(sa.delete(Application))  # the second round starts from the same people
    best = total("max_score")
    assert best >= stable


def test_the_method_can_be_changed_on_review(client, db, login, programme):
    login(client, programme["staff"])
    location = create_round(client, programme).headers["Location"]
    assert client.post(location + "/method", data={"method": "max_score"}).status_code == 302
    assert db.scalar(sa.select(AllocationRound.method)).value == "max_score"
    client.post(location + "/publish")
    assert client.post(location + "/method", data={"method": "stable"}).status_code == 302  # refused: published
    assert db.scalar(sa.select(AllocationRound.method)).value == "max_score"


def test_bad_rounds_are_refused_and_nothing_saved(client, db, login, programme):
    login(client, programme["staff"])
    assert create_round(client, programme, projects=[]).status_code == 422
    assert create_round(client, programme, method="lottery").status_code == 422
    response = client.post(
        f"/orgs/{programme['prefecture'].public_id}/allocation",
        data={"name": "x", "projects": ["00000000-0000-0000-0000-000000000000"], "method": "stable"},
    )
    assert response.status_code == 422
    assert "募集中のインターンシップを1つ以上選んでください" in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(AllocationRound)) == 0


def test_only_prefecture_or_school_members_run_rounds(client, db, login, make_client, programme):
    login(client, programme["staff"])
    location = create_round(client, programme).headers["Location"]
    town_owner = programme["town"].memberships[0].user
    for user in (town_owner, make_user(db)):
        other = make_client()
        login(other, user)
        assert other.get(f"/orgs/{programme['prefecture'].public_id}/allocation").status_code == 403
        assert other.get(location).status_code == 403
        assert other.post(location + "/publish").status_code == 403
        assert other.get(f"/orgs/{programme['town'].public_id}/allocation").status_code == 403  # a town: no rounds
    assert db.scalar(sa.select(sa.func.count()).select_from(AllocationAssignment)) == 0
