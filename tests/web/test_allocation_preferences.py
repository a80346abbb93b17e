"""Allocation rounds follow each student's own order of preference among their applications (#5).

Hand-made markets: the engine's scores would send the students one way; the order they state on the
preferences page sends them another, and the proposal is stable with respect to the stated order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from talentbank.models import (
    AllocationRound,
    Application,
    Direction,
    MembershipRole,
    OrganisationKind,
    ProjectPay,
)
from talentbank.projects import allocation
from tests.factories import add_member, make_organisation, make_profile, make_project, make_user

TODAY = datetime.now(UTC).date()
INTERNSHIP = {"is_internship": True, "pay_kind": ProjectPay.INTERNSHIP, "pay_yen": 0, "seats": 1}


def blocking_pairs(market: allocation.Market, assignments: dict[int, int]) -> list[tuple[int, int]]:
    """Every (student, project) pair that would both rather be together than with what they got."""
    found = []
    for student, prefs in market.student_prefs.items():
        current = assignments.get(student)
        better = prefs[: prefs.index(current)] if current in prefs else prefs
        for project in better:
            ranking = market.project_prefs[project]
            holders = [s for s, p in assignments.items() if p == project]
            if student in ranking and (
                len(holders) < market.seats[project] or any(ranking.index(student) < ranking.index(h) for h in holders)
            ):
                found.append((student, project))
    return found


@pytest.fixture
def programme(db):
    """A prefecture office; two one-seat internships a town posted; three students who fit both."""
    prefecture = make_organisation(db, kind=OrganisationKind.PREFECTURE, verified=True, name="北海道庁")
    staff = make_user(db)
    add_member(db, prefecture, staff, MembershipRole.MEMBER)
    town = make_organisation(db, verified=True, name="上士幌町")
    # The data internship asks for a higher level, so the strong student's score there is the better one.
    data = make_project(db, town, title="農業データのインターン", needs=(("dssp2-36", 3, True),), **INTERNSHIP)
    web = make_project(db, town, title="観光データのインターン", needs=(("dssp2-36", 1, True),), **INTERNSHIP)
    strong = make_profile(db, display_name="強い 学生", skills={"dssp2-36": 4})
    middle = make_profile(db, display_name="中間 学生", skills={"dssp2-36": 3})
    weak = make_profile(db, display_name="初心 学生", skills={"dssp2-36": 1})
    allocation_round = AllocationRound(
        organisation=prefecture, name="2027年夏", projects=[data, web], created_by_id=staff.id
    )
    db.add(allocation_round)
    for profile in (strong, middle, weak):
        for project in (data, web):
            db.add(Application(project=project, profile=profile, direction=Direction.APPLIED))
    db.commit()
    return {"round": allocation_round, "staff": staff, "data": data, "web": web, "strong": strong, "middle": middle,
            "weak": weak}  # fmt: skip


def application_of(db, profile, project) -> Application:
    return db.scalar(sa.select(Application).where(Application.profile_id == profile.id,
                                                  Application.project_id == project.id))  # fmt: skip


def state_order(client, login, db, profile, projects) -> None:
    """The person ranks their applications on the preferences page, first choice first."""
    login(client, profile.user)
    form = {f"rank_{application_of(db, profile, p).public_id}": str(n) for n, p in enumerate(projects, start=1)}
    response = client.post("/me/internship-preferences", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)


def placed(db, programme) -> dict[str, str]:
    proposal = allocation.propose(db, programme["round"], today=TODAY)
    return {seat.profile.display_name: seat.project.title for seat in proposal.seats}


def test_without_a_stated_order_the_scores_decide(db, programme):
    found = allocation.market(db, programme["round"], today=TODAY)
    strong, data, web = programme["strong"].id, programme["data"].id, programme["web"].id
    assert found.student_prefs[strong] == [data, web]  # by score: the data internship fits them better
    assert placed(db, programme) == {"強い 学生": "農業データのインターン", "中間 学生": "観光データのインターン"}


def test_the_stated_order_decides_and_the_result_is_stable(client, db, login, programme):
    data, web = programme["data"], programme["web"]
    state_order(client, login, db, programme["strong"], [web, data])  # against their scores
    state_order(client, login, db, programme["middle"], [data, web])
    assert application_of(db, programme["strong"], web).preference_rank == 1
    assert application_of(db, programme["strong"], data).preference_rank == 2

    found = allocation.market(db, programme["round"], today=TODAY)
    assert found.student_prefs[programme["strong"].id] == [web.id, data.id]
    proposal = allocation.propose(db, programme["round"], today=TODAY)
    assignments = {seat.profile.id: seat.project.id for seat in proposal.seats}
    assert assignments == {programme["strong"].id: web.id, programme["middle"].id: data.id}
    assert [seat.student_rank for seat in proposal.seats] == [1, 1]  # both got their first stated choice
    assert blocking_pairs(found, assignments) == []
    assert [p.display_name for p in proposal.unassigned] == ["初心 学生"]


def test_a_weaker_student_s_first_choice_does_not_displace_a_stronger_one(client, db, login, programme):
    data, web = programme["data"], programme["web"]
    state_order(client, login, db, programme["strong"], [web, data])
    state_order(client, login, db, programme["middle"], [web, data])  # the same first choice, weaker
    state_order(client, login, db, programme["weak"], [data, web])
    found = allocation.market(db, programme["round"], today=TODAY)
    proposal = allocation.propose(db, programme["round"], today=TODAY)
    assignments = {seat.profile.id: seat.project.id for seat in proposal.seats}
    # The web seat goes to the stronger of the two who want it; the middle student falls back to data,
    # where the project prefers them to the weak student.
    assert assignments == {programme["strong"].id: web.id, programme["middle"].id: data.id}
    assert blocking_pairs(found, assignments) == []
    # Published, the placements stand on the applications the students made.
    login(client, programme["staff"])
    assert client.post(f"/allocation/{programme['round'].public_id}/publish").status_code == 302
    db.expire_all()
    assert application_of(db, programme["strong"], web).status.value == "accepted"
    assert application_of(db, programme["middle"], data).status.value == "accepted"


def test_the_preferences_page_lists_only_pending_internship_applications(client, db, login, programme):
    ordinary = make_project(db, programme["data"].organisation, title="普通の副業")
    db.add(Application(project=ordinary, profile=programme["strong"], direction=Direction.APPLIED))
    db.commit()
    login(client, programme["strong"].user)
    page = client.get("/me/internship-preferences").get_data(as_text=True)
    assert "農業データのインターン" in page and "観光データのインターン" in page and "普通の副業" not in page
    other = application_of(db, programme["strong"], ordinary)
    refused = client.post("/me/internship-preferences", data={f"rank_{other.public_id}": "1"})
    assert refused.status_code == 422 and "返事待ちのインターンシップへの、あなたの応募だけ" in refused.get_data(
        as_text=True
    )
    assert other.preference_rank is None


def test_bad_orders_and_someone_else_s_applications_are_refused_and_nothing_changes(client, db, login, programme):
    data, web = programme["data"], programme["web"]
    state_order(client, login, db, programme["strong"], [web, data])
    mine = {p: application_of(db, programme["middle"], p) for p in (data, web)}
    login(client, programme["middle"].user)
    twice = client.post("/me/internship-preferences",
                        data={f"rank_{mine[data].public_id}": "1", f"rank_{mine[web].public_id}": "1"})  # fmt: skip
    assert twice.status_code == 422 and "同じ順位が2つあります" in twice.get_data(as_text=True)
    nonsense = client.post("/me/internship-preferences", data={f"rank_{mine[data].public_id}": "first"})
    assert nonsense.status_code == 422
    theirs = application_of(db, programme["strong"], data)
    foreign = client.post("/me/internship-preferences", data={f"rank_{theirs.public_id}": "1"})
    assert foreign.status_code == 422
    db.expire_all()
    assert [mine[p].preference_rank for p in (data, web)] == [None, None]
    assert application_of(db, programme["strong"], web).preference_rank == 1  # theirs unchanged
    assert application_of(db, programme["strong"], data).preference_rank == 2


def test_the_dashboard_links_to_the_preferences_page_only_for_someone_with_an_internship_application(
    client, db, login, programme
):
    ordinary = make_project(db, programme["data"].organisation, title="普通の副業")
    other = make_profile(db, display_name="社会人 副業", skills={"dssp2-36": 2})
    db.add(Application(project=ordinary, profile=other, direction=Direction.APPLIED))
    db.commit()
    login(client, programme["strong"].user)  # applied to both internships
    assert 'href="/me/internship-preferences"' in client.get("/dashboard").get_data(as_text=True)
    login(client, other.user)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "普通の副業" in page and 'href="/me/internship-preferences"' not in page
