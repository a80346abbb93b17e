"""学びの場 (#15) in the browser's terms: the nav, browsing and searching, publishing through the form
(each bad input refused with its message, nothing saved), enrolling and withdrawing, the provider's
learners page and completion onto the profile, the project page listing its class, a person's
learning page with the gap path, and the wrong user everywhere."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import force_locale

from talentbank.db import utcnow as db_now
from talentbank.learning import enrolments, opportunities
from talentbank.learning.views import _project_choices
from talentbank.models import (
    Enrolment,
    EnrolmentStatus,
    LearningOpportunity,
    ProfileSkill,
    ProjectStatus,
    SkillSource,
)
from talentbank.projects import ranking
from tests.factories import count, make_organisation, make_profile, make_project, make_user
from tests.web import test_learning
from tests.web.test_learning import PYTHON, TODAY, course, python_badge

kosen = test_learning.kosen  # the verified KOSEN issuer fixture


def form_data(**overrides) -> dict:
    data = {
        "title": "オンラインPython講座", "description": "地域のオープンデータで学ぶ。", "format": "self_paced",
        "language": "ja", "municipality_code": "", "starts_on": "", "ends_on": "", "study_hours": "20",
        "cost_yen": "0", "eligibility": "anyone", "capacity": "", "deadline": "", "course_url": "",
        "achievement_id": "", "project_id": "", "skill_0": PYTHON, "level_0": "3",
    }  # fmt: skip
    return {**data, **overrides}


def publish(db, school, **overrides) -> LearningOpportunity:
    opportunity = opportunities.save_opportunity(db, school.memberships[0].user, school, course(**overrides))
    db.commit()
    return opportunity


def test_the_nav_leads_to_the_learning_page_and_its_search(client, db, kosen):
    publish(db, kosen)
    publish(db, kosen, title="有料の対面講座", format="onsite", municipality_code="012041", cost_yen=5000)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/learning"' in home and "学びの場" in home
    page = client.get("/learning").get_data(as_text=True)
    assert "オンラインPython講座" in page and "有料の対面講座" in page
    free = client.get("/learning?free=1").get_data(as_text=True)
    assert "オンラインPython講座" in free and "有料の対面講座" not in free
    deep = client.get(f"/learning?skill={PYTHON}&level=4").get_data(as_text=True)
    assert 'data-total="0"' in deep
    assert client.get("/learning?level=x&weeks=-3&page=abc&subprefecture=%ff").status_code == 200
    english = client.get("/learning", headers={"Accept-Language": "en"})
    assert english.status_code == 200


def test_a_member_publishes_through_the_form_with_the_schools_badge(client, db, login, kosen):
    badge = python_badge(db, kosen)
    db.commit()
    login(client, kosen.memberships[0].user)
    assert client.get(f"/orgs/{kosen.public_id}").get_data(as_text=True).count("/learning/new") == 1
    form = client.get(f"/orgs/{kosen.public_id}/learning/new").get_data(as_text=True)
    assert badge.name in form
    response = client.post(f"/orgs/{kosen.public_id}/learning/new", data=form_data(achievement_id=str(badge.public_id)))
    assert response.status_code == 302
    opportunity = db.scalars(sa.select(LearningOpportunity)).one()
    assert opportunity.achievement_id == badge.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert badge.name in page and "受講者" in page


def test_bad_input_on_the_form_is_refused_with_its_message_and_nothing_is_saved(client, db, login, kosen):
    other = make_organisation(db, verified=True)
    draft = make_project(db, other, title="下書きの課題", status=ProjectStatus.DRAFT)
    foreign = python_badge(db, kosen)
    db.commit()
    login(client, kosen.memberships[0].user)
    cases = [
        (
            {"starts_on": str(TODAY + timedelta(days=9)), "ends_on": str(TODAY + timedelta(days=2))},
            "終了日は開始日より後",
        ),
        ({"cost_yen": "-1"}, "受講料は0円以上"),
        ({"skill_0": "no-such-skill"}, "スキルとレベル"),
        ({"format": "onsite"}, "開催する市町村"),
        ({"study_hours": "0"}, "1〜5000"),
        ({"course_url": "javascript:alert(1)"}, "https://"),
        ({"project_id": "not-a-project"}, "教材にできるのは"),
        ({"project_id": "00000000-0000-4000-8000-000000000000"}, "教材にできるのは"),
        ({"project_id": str(draft.public_id)}, "教材にできるのは"),
    ]
    for overrides, message in cases:
        response = client.post(f"/orgs/{kosen.public_id}/learning/new", data=form_data(**overrides))
        assert response.status_code == 422, overrides
        assert message in response.get_data(as_text=True), overrides
    # Another organisation's member cannot offer the school's badge, nor publish for the school.
    login(client, other.memberships[0].user)
    response = client.post(
        f"/orgs/{other.public_id}/learning/new", data=form_data(achievement_id=str(foreign.public_id))
    )
    assert response.status_code == 422 and "この組織のバッジだけ" in response.get_data(as_text=True)
    assert client.post(f"/orgs/{kosen.public_id}/learning/new", data=form_data()).status_code == 403
    assert count(db, LearningOpportunity) == 0


def test_the_pbl_picker_lists_open_projects_newest_first_and_keeps_the_link(app, client, db, login, kosen):
    town = make_organisation(db, verified=True)
    older = make_project(
        db, town, title="古い課題", created_at=db_now() - timedelta(days=9), municipality_code="012041"
    )
    newer = make_project(db, town, title="新しい課題", status=ProjectStatus.IN_PROGRESS)
    make_project(db, town, title="下書きの課題", status=ProjectStatus.DRAFT)
    db.commit()
    login(client, kosen.memberships[0].user)
    form = client.get(f"/orgs/{kosen.public_id}/learning/new").get_data(as_text=True)
    picker = re.search(r'<select[^>]*id="project_id".*?</select>', form, re.S).group(0)
    values = re.findall(r'<option[^>]*value="([^"]*)"', picker)
    assert values[0] == "" and "教材にしない" in picker and "下書きの課題" not in picker
    assert values.index(str(newer.public_id)) < values.index(str(older.public_id))
    assert "古い課題（" in picker and '<label for="project_id">教材にするプロジェクト（PBL、任意）</label>' in form
    response = client.post(
        f"/orgs/{kosen.public_id}/learning/new", data=form_data(format="pbl", project_id=str(older.public_id))
    )
    assert response.status_code == 302
    opportunity = db.scalars(sa.select(LearningOpportunity)).one()
    assert opportunity.project_id == older.id
    # The project closes; editing keeps it, selected, and saving again leaves the link as it was.
    older.status = ProjectStatus.COMPLETED
    db.commit()
    edit = client.get(f"/learning/{opportunity.public_id}/edit").get_data(as_text=True)
    assert re.search(rf'<option selected value="{older.public_id}"|<option value="{older.public_id}" selected', edit)
    with app.test_request_context(), force_locale("en"):
        assert dict(_project_choices())[""] == "None (not tied to a project)"
        assert dict(_project_choices())[str(newer.public_id)].startswith("新しい課題 (")
    saved = client.post(
        f"/learning/{opportunity.public_id}/edit", data=form_data(format="pbl", project_id=str(older.public_id))
    )
    assert saved.status_code == 302
    db.refresh(opportunity)
    assert opportunity.project_id == older.id


def test_a_non_member_cannot_edit_close_or_see_the_learners(client, db, login, kosen):
    opportunity = publish(db, kosen)
    stranger = make_user(db)
    db.commit()
    login(client, stranger)
    base = f"/learning/{opportunity.public_id}"
    assert client.get(f"{base}/edit").status_code == 403
    assert client.post(f"{base}/edit", data=form_data(title="乗っ取り")).status_code == 403
    assert client.post(f"{base}/close").status_code in (302, 403)
    assert client.get(f"{base}/learners").status_code == 403
    assert client.post(f"{base}/learners", data={"emails": stranger.email}).status_code == 403
    assert client.post(f"{base}/completions", data={"result": "completed"}).status_code == 403
    db.refresh(opportunity)
    assert opportunity.title == "オンラインPython講座" and opportunity.status.value == "open"


def test_enrol_withdraw_and_the_capacity_message(client, db, login, kosen):
    opportunity = publish(db, kosen, capacity=1)
    first, second = make_profile(db), make_profile(db)
    db.commit()
    login(client, first.user)
    base = f"/learning/{opportunity.public_id}"
    assert client.post(f"{base}/enrol").status_code == 302
    assert "受講中" in client.get(base).get_data(as_text=True)
    login(client, second.user)
    page = client.get(base).get_data(as_text=True)
    assert "定員に達しています。" in page and f'action="{base}/enrol"' not in page
    client.post(f"{base}/enrol")
    assert count(db, Enrolment) == 1
    login(client, first.user)
    assert client.post(f"{base}/withdraw").status_code == 302
    assert enrolments.enrolment_of(db, opportunity, first).status is EnrolmentStatus.WITHDRAWN


def test_the_provider_adds_and_completes_learners_and_the_badge_lands_on_the_profile(client, db, login, kosen):
    badge = python_badge(db, kosen)
    opportunity = publish(db, kosen, achievement_id=str(badge.public_id))
    finished, dropped = make_profile(db), make_profile(db)
    db.commit()
    login(client, kosen.memberships[0].user)
    base = f"/learning/{opportunity.public_id}"
    added = client.post(
        f"{base}/learners", data={"emails": f"{finished.user.email}\n{dropped.user.email}\nnobody@x.jp"}
    )
    assert added.get_data(as_text=True).count('data-added="ok"') == 2
    one = enrolments.enrolment_of(db, opportunity, finished)
    two = enrolments.enrolment_of(db, opportunity, dropped)
    client.post(f"{base}/completions", data={"result": "completed", "enrolment": str(one.public_id)})
    client.post(f"{base}/completions", data={"result": "not_completed", "enrolment": str(two.public_id)})
    db.expire_all()
    assert (one.status, two.status) == (EnrolmentStatus.COMPLETED, EnrolmentStatus.NOT_COMPLETED)
    verified = db.scalars(sa.select(ProfileSkill).where(ProfileSkill.profile_id == finished.id,
                                                        ProfileSkill.source == SkillSource.BADGE)).all()  # fmt: skip
    assert [s.skill_code for s in verified] == [PYTHON]
    profile_page = client.get(f"/people/{finished.public_id}").get_data(as_text=True)
    assert "バッジで検証" in profile_page
    # Completing someone who never enrolled: a message, nothing changes.
    response = client.post(f"{base}/completions", data={"result": "completed", "enrolment": str(two.public_id)},
                           follow_redirects=True)  # fmt: skip
    assert "受講中の人だけ" in response.get_data(as_text=True)


def test_the_project_page_lists_the_class_that_works_on_it(client, db, kosen, town):
    project = make_project(db, town)
    publish(db, kosen, title="PBL：町のデータ", format="pbl", project_id=str(project.public_id))
    page = client.get(f"/projects/{project.public_id}").get_data(as_text=True)
    assert "この課題に取り組む授業" in page and "PBL：町のデータ" in page


def test_the_person_sees_the_course_that_closes_their_gap_and_their_history(
    client, db, login, kosen, town, monkeypatch
):
    make_project(db, town, needs=((PYTHON, 2, True), ("dssp2-37", 2, True)), municipality_code="016331")
    person = make_profile(db, skills={"dssp2-37": 3}, hours_per_week=10)
    opportunity = publish(db, kosen)
    db.commit()
    login(client, person.user)
    loads = []
    real = ranking.open_projects_for
    monkeypatch.setattr(ranking, "open_projects_for", lambda *args: loads.append(1) or real(*args))
    for path in ("/me/learning", "/dashboard"):
        page = client.get(path).get_data(as_text=True)
        assert f'data-suggestion="{opportunity.public_id}"' in page, path
        assert "上士幌町の募集条件を満たします" in page, path
    assert len(loads) == 2  # once per page: the dashboard's two lists share one need index
    client.post(f"/learning/{opportunity.public_id}/enrol")
    history = client.get("/me/learning").get_data(as_text=True)
    assert re.search(rf'data-history="{opportunity.public_id}">.*?受講中', history, re.S)
