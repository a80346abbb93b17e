"""学びの場 (#15), the services: publishing an opportunity (and each bad input refused with its field,
nothing saved), enrolling (deadline, capacity, eligibility, twice), completing (the badge issued
through the issuing path and badge-verified on the profile; not-completed issues nothing), and
who may do each."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from matching import Reason, gaps
from talentbank.accounts.tokens import create_token
from talentbank.credentials import achievements, issuers
from talentbank.credentials.inputs import AchievementInput
from talentbank.db import utcnow
from talentbank.errors import Conflict, Invalid, PermissionDenied
from talentbank.learning import enrolments, opportunities, paths, reasons
from talentbank.learning.inputs import OpportunityInput, TaughtSkillInput
from talentbank.models import (
    Credential,
    Enrolment,
    EnrolmentStatus,
    LearningOpportunity,
    OrganisationKind,
    ProfileSkill,
    ProjectStatus,
    SkillSource,
)
from talentbank.profiles.data_rights import export_personal_data
from tests.factories import add_member, count, make_organisation, make_profile, make_project, make_user
from tests.web.test_profiles import PROFILE

PYTHON = "dssp2-36"
TODAY = utcnow().date()


def issuer_ctx(app) -> issuers.IssuerContext:
    return issuers.IssuerContext(base_url="http://localhost", fernet=app.extensions["talentbank.fernet"])


@pytest.fixture
def kosen(app, db):
    """A verified KOSEN that issues badges, with an achievement aligned to Python at level 3."""
    owner = make_user(db, display_name="高専 教員")
    school = make_organisation(db, owner=owner, kind=OrganisationKind.SCHOOL, verified=True, name="旭川工業高専")
    with app.test_request_context():
        issuers.setup_issuer(db, owner, school, issuer_ctx(app))
    db.flush()
    return school


def python_badge(db, school):
    owner = school.memberships[0].user
    details = AchievementInput(
        name="Python基礎", description="Pythonでデータを扱える。", criteria="課題を提出した。", tags="",
        expiry_months=None, proof_format="jwt", skill_code=PYTHON, skill_level=3, skill_code_2="", skill_level_2=0,
    )  # fmt: skip
    return achievements.create_achievement(db, owner, school, details)


def course(**overrides) -> OpportunityInput:
    fields = {
        "title": "オンラインPython講座",
        "description": "地域のオープンデータで学ぶ。",
        "format": "self_paced",
        "language": "ja",
        "municipality_code": None,
        "starts_on": None,
        "ends_on": None,
        "study_hours": 20,
        "cost_yen": 0,
        "eligibility": "anyone",
        "capacity": None,
        "deadline": None,
        "course_url": "https://example.jp/python",
        "skills": (TaughtSkillInput(PYTHON, 3),),
        **overrides,
    }
    return OpportunityInput(**fields)


def test_a_member_publishes_an_opportunity_that_awards_the_schools_badge(db, kosen):
    badge = python_badge(db, kosen)
    owner = kosen.memberships[0].user
    opportunity = opportunities.save_opportunity(db, owner, kosen, course(achievement_id=str(badge.public_id)))
    assert opportunity.achievement is badge and [s.skill_code for s in opportunity.skills] == [PYTHON]
    found = db.scalars(opportunities.select_opportunities(opportunities.LearningCriteria(skill=PYTHON), TODAY)).all()
    assert found == [opportunity]
    assert not db.scalars(
        opportunities.select_opportunities(opportunities.LearningCriteria(skill=PYTHON, min_level=4), TODAY)
    ).all()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"starts_on": TODAY + timedelta(days=10), "ends_on": TODAY + timedelta(days=5)}, "ends_on"),
        ({"cost_yen": -1}, "cost_yen"),
        ({"skills": (TaughtSkillInput("no-such-skill", 2),)}, "skills"),
        ({"skills": ()}, "skills"),
        ({"format": "onsite"}, "municipality_code"),
        ({"course_url": "javascript:alert(1)"}, "course_url"),
        ({"study_hours": 0}, "study_hours"),
        ({"capacity": 0}, "capacity"),
        ({"deadline": TODAY - timedelta(days=1)}, "deadline"),
    ],
)
def test_bad_opportunities_are_refused_with_their_field_and_nothing_is_saved(db, kosen, overrides, field):
    with pytest.raises(Invalid) as refused:
        opportunities.save_opportunity(db, kosen.memberships[0].user, kosen, course(**overrides))
    assert field in refused.value.fields
    assert count(db, LearningOpportunity) == 0


def test_a_badge_of_another_organisation_is_refused(db, kosen):
    other = make_organisation(db, kind=OrganisationKind.SCHOOL, verified=True)
    with pytest.raises(Invalid) as refused:
        opportunities.save_opportunity(
            db, other.memberships[0].user, other, course(achievement_id=str(python_badge(db, kosen).public_id))
        )
    assert "achievement_id" in refused.value.fields


def test_only_members_of_a_verified_organisation_publish_and_edit(db, kosen):
    stranger = make_user(db)
    with pytest.raises(PermissionDenied):
        opportunities.save_opportunity(db, stranger, kosen, course())
    unverified = make_organisation(db, kind=OrganisationKind.SCHOOL)
    with pytest.raises(PermissionDenied):
        opportunities.save_opportunity(db, unverified.memberships[0].user, unverified, course())
    opportunity = opportunities.save_opportunity(db, kosen.memberships[0].user, kosen, course())
    with pytest.raises(PermissionDenied):
        opportunities.save_opportunity(db, stranger, kosen, course(title="乗っ取り"), opportunity)
    assert opportunity.title == "オンラインPython講座"


def test_a_pbl_class_works_on_an_open_project(db, kosen, town):
    project = make_project(db, town)
    opportunity = opportunities.save_opportunity(
        db, kosen.memberships[0].user, kosen, course(format="pbl", project_id=str(project.public_id))
    )
    assert opportunities.classes_on_project(db, project) == [opportunity]


def test_enrolment_respects_deadline_capacity_eligibility_and_once(db, kosen):
    owner = kosen.memberships[0].user
    small = opportunities.save_opportunity(db, owner, kosen, course(capacity=1))
    first, second = make_profile(db), make_profile(db)
    enrolments.enrol(db, first.user, small)
    with pytest.raises(Conflict):
        enrolments.enrol(db, first.user, small)
    with pytest.raises(Conflict):
        enrolments.enrol(db, second.user, small)  # full
    students = opportunities.save_opportunity(db, owner, kosen, course(eligibility="students"))
    with pytest.raises(Conflict):
        enrolments.enrol(db, second.user, students)
    late = opportunities.save_opportunity(db, owner, kosen, course(deadline=TODAY))
    with pytest.raises(Conflict):
        enrolments.enrol(db, second.user, late, today=TODAY + timedelta(days=1))
    with pytest.raises(Invalid):
        enrolments.enrol(db, make_user(db), late)  # no profile yet
    enrolments.withdraw(db, first.user, small)
    enrolments.enrol(db, second.user, small)  # the seat came free
    assert count(db, Enrolment) == 2


def test_completion_issues_the_badge_onto_the_profile_and_not_completed_issues_nothing(app, db, kosen):
    badge = python_badge(db, kosen)
    owner = kosen.memberships[0].user
    opportunity = opportunities.save_opportunity(db, owner, kosen, course(achievement_id=str(badge.public_id)))
    finished, dropped = make_profile(db), make_profile(db)
    one = enrolments.enrol(db, finished.user, opportunity)
    two = enrolments.enrol(db, dropped.user, opportunity)
    with pytest.raises(PermissionDenied):
        enrolments.complete(db, finished.user, opportunity, [str(one.public_id)], issuer_ctx(app))
    with app.test_request_context():
        enrolments.complete(db, owner, opportunity, [str(one.public_id)], issuer_ctx(app))
    enrolments.mark_not_completed(db, owner, opportunity, [str(two.public_id)])
    assert (one.status, two.status) == (EnrolmentStatus.COMPLETED, EnrolmentStatus.NOT_COMPLETED)
    credential = db.scalars(sa.select(Credential)).one()
    assert credential.profile_id == finished.id and one.credential_id == credential.id
    verified = db.scalars(
        sa.select(ProfileSkill).where(ProfileSkill.profile_id == finished.id, ProfileSkill.source == SkillSource.BADGE)
    ).all()
    assert [(s.skill_code, s.level) for s in verified] == [(PYTHON, 3)]
    with pytest.raises(Invalid):  # finished already: not again
        enrolments.complete(db, owner, opportunity, [str(one.public_id)], issuer_ctx(app))


def test_completing_someone_who_never_enrolled_is_refused(app, db, kosen):
    owner = kosen.memberships[0].user
    opportunity = opportunities.save_opportunity(db, owner, kosen, course())
    other = opportunities.save_opportunity(db, owner, kosen, course(title="別の講座"))
    elsewhere = enrolments.enrol(db, make_profile(db).user, other)
    for ids in ([str(elsewhere.public_id)], ["not-a-uuid"], []):
        with pytest.raises(Invalid):
            enrolments.complete(db, owner, opportunity, ids, issuer_ctx(app))
    assert elsewhere.status is EnrolmentStatus.ENROLLED


def test_the_provider_adds_learners_by_address_and_sees_them(db, kosen):
    owner = kosen.memberships[0].user
    opportunity = opportunities.save_opportunity(db, owner, kosen, course())
    person = make_profile(db)
    added = enrolments.add_learners(db, owner, opportunity, [person.user.email, "nobody@example.jp", ""])
    assert [a.problem is None for a in added] == [True, False]
    member = make_user(db)
    add_member(db, kosen, member)
    assert [e.profile_id for e in enrolments.learners_of(db, member, opportunity)] == [person.id]
    with pytest.raises(PermissionDenied):
        enrolments.learners_of(db, person.user, opportunity)


def test_the_learning_history_is_in_the_data_export(db, kosen):
    opportunity = opportunities.save_opportunity(db, kosen.memberships[0].user, kosen, course())
    person = make_profile(db)
    enrolments.enrol(db, person.user, opportunity)
    learning = export_personal_data(db, person.user)["learning"]
    assert [(item["opportunity"], item["provider"], item["status"]) for item in learning] == [
        ("オンラインPython講座", "旭川工業高専", "enrolled")
    ]


def test_a_person_who_misses_python_sees_the_course_that_closes_it_with_the_reason(app, db, kosen, town):
    project = make_project(db, town, needs=((PYTHON, 2, True), ("dssp2-37", 2, True)), municipality_code="016331")
    person = make_profile(db, skills={"dssp2-37": 3}, hours_per_week=10)
    owner = kosen.memberships[0].user
    badge = python_badge(db, kosen)
    course_row = opportunities.save_opportunity(db, owner, kosen, course(achievement_id=str(badge.public_id)))
    opportunities.save_opportunity(db, owner, kosen, course(title="入門", skills=(TaughtSkillInput(PYTHON, 1),)))
    found = paths.paths_for_person(db, person, today=TODAY)
    assert [n.project for n in found.near] == [project] and found.n_near == 1
    (path,) = found.paths
    assert path.skill.code == PYTHON and path.projects == [project]
    assert [s.opportunity for s in path.suggestions] == [course_row]  # level 1 does not reach the 2 asked
    with app.test_request_context():
        said = reasons.sentences(path.suggestions[0], path.skill.name_ja)
    assert said[0] == f"この講座で{path.skill.name_ja}（レベル3）を習得すると、上士幌町の募集条件を満たします。"
    assert "オンラインで受講できます。" in said and "無料です。" in said
    enrolments.enrol(db, person.user, course_row)
    enrolled = paths.paths_for_person(db, person, today=TODAY)
    assert course_row not in [s.opportunity for p in enrolled.paths for s in p.suggestions], "already enrolled"
    with app.test_request_context(), force_locale("en"):
        english = reasons.sentences(path.suggestions[0], path.skill.name_en)
    assert "Kamishihoro" in english[0] and "上士幌" not in english[0]
    with app.test_request_context():
        enrolment = enrolments.enrolment_of(db, course_row, person)
        enrolments.complete(db, owner, course_row, [str(enrolment.public_id)], issuer_ctx(app))
    db.refresh(person)
    assert paths.paths_for_person(db, person, today=TODAY).n_near == 0  # qualified now: no longer nearly


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_every_learning_reason_the_engine_writes_has_a_sentence(app, db, kosen, town, locale):
    source = Path(gaps.__file__).read_text()
    codes = set(re.findall(r'Reason\(\s*"(learning_\w+)"', source))
    assert len(codes) >= 8
    project = make_project(db, town, municipality_code="016331")
    opportunity = opportunities.save_opportunity(db, kosen.memberships[0].user, kosen, course())
    cjk = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    numbers = {"level": 3, "projects": 2, "km": 12.5, "yen": 30000, "days": 14}
    with app.test_request_context(), force_locale(locale):
        for code in codes:
            step = gaps.LearningStep(opportunity.id, 0.5, 3, (project.id,), (), (Reason(code, PYTHON, numbers),))
            said = reasons.sentences(paths.Suggestion(opportunity, step, [project]), "Python")
            assert len(said) == 1, code
            assert bool(cjk.search(said[0].replace("上士幌町", ""))) == (locale == "ja"), (code, said)


def test_a_class_keeps_its_project_when_the_project_has_closed(db, kosen, town):
    project = make_project(db, town)
    owner = kosen.memberships[0].user
    opportunity = opportunities.save_opportunity(
        db, owner, kosen, course(format="pbl", project_id=str(project.public_id))
    )
    project.status = ProjectStatus.COMPLETED
    opportunities.save_opportunity(db, owner, kosen, course(format="pbl", title="改題", project_id=str(project.public_id)),
                                   opportunity)  # fmt: skip
    assert opportunity.project is project and opportunity.title == "改題"


def test_learning_history_shows_on_the_profile_only_when_the_person_chose_to(app, db, kosen, client, login):
    badge = python_badge(db, kosen)
    owner = kosen.memberships[0].user
    opportunity = opportunities.save_opportunity(db, owner, kosen, course(achievement_id=str(badge.public_id)))
    person = make_profile(db, display_name="学んだ人")  # a public profile
    unfinished = opportunities.save_opportunity(db, owner, kosen, course(title="受講中の講座"))
    enrolments.enrol(db, person.user, unfinished)
    enrolment = enrolments.enrol(db, person.user, opportunity)
    with app.test_request_context():
        enrolments.complete(db, owner, opportunity, [str(enrolment.public_id)], issuer_ctx(app))
    credential = db.scalars(sa.select(Credential)).one()
    page_url, api_url = f"/people/{person.public_id}", f"/api/v1/profiles/{person.public_id}"
    assert not person.shows_learning  # off by default
    assert "オンラインPython講座" not in client.get(page_url).get_data(as_text=True)
    assert client.get(api_url).get_json()["learning"] == []
    person.shows_learning = True
    db.flush()
    page = client.get(page_url).get_data(as_text=True)
    history = page[page.index("修了した学び") :]
    assert "オンラインPython講座" in history and "旭川工業高専" in history and "修了" in history
    assert f"/credentials/{credential.public_id}" in history and "受講中の講座" not in page
    [record] = client.get(api_url).get_json()["learning"]
    assert record["title"] == "オンラインPython講座" and record["provider"] == "旭川工業高専"
    assert record["credential_url"].endswith(f"/credentials/{credential.public_id}") and record["completed_at"]
    for visibility in ("members", "private"):  # a profile that is not public shows nothing to a visitor
        person.visibility = visibility
        db.flush()
        assert client.get(page_url).status_code == 404 and client.get(api_url).status_code == 404
    login(client, make_profile(db).user)  # a member sees a members-only profile, never a private one
    assert client.get(page_url).status_code == 404
    person.visibility = "members"
    db.flush()
    assert "オンラインPython講座" in client.get(page_url).get_data(as_text=True)


def test_a_person_turns_their_learning_history_on_in_the_form_and_over_the_api(client, db, login):
    person = make_profile(db, home_municipality_code="012076")
    login(client, person.user)
    page = client.get(f"/people/{person.public_id}").get_data(as_text=True)
    assert "修了した学びはプロフィールに表示していません" in page  # the owner is told how to show it
    form = client.get("/me/profile").get_data(as_text=True)
    assert 'name="shows_learning"' in form
    assert client.post("/me/profile", data={**PROFILE, "shows_learning": "y"}).status_code == 302
    assert person.shows_learning
    _token, secret = create_token(db, person.user, name="test", scopes=("read", "write"), days=30)
    headers = {"Authorization": f"Bearer {secret}"}
    body = {"display_name": "学ぶ人", "home": "012076", "shows_learning": False}
    mine = client.put("/api/v1/me/profile", json=body, headers=headers).get_json()
    assert mine["shows_learning"] is False and mine["learning"] == [] and not person.shows_learning
