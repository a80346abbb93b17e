"""The supply counts kept on write (#15, talentbank/models/supply.py) stay what the plain way counts
(tests/supply_oracle.py) after every kind of write: profile edits, skills, outcomes, badge claims, expiry
and revocation, imported badges, project and course completion, account deletion and disabling, demo
seeding, bulk statements, reference-data changes, a rolled-back savepoint, and two writers changing one
person at once."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from talentbank.credentials import imports
from talentbank.db import utcnow
from talentbank.demo import load_demo_data
from talentbank.learning import enrolments, opportunities
from talentbank.models import (
    Application,
    ApplicationStatus,
    Direction,
    Municipality,
    Profile,
    ProfileSkill,
    ProjectStatus,
    Skill,
    SkillSource,
)
from talentbank.models.supply import ANY_SKILL, groups_at
from talentbank.profiles import outcomes
from talentbank.projects import completion
from tests.factories import PASSWORD, make_profile, make_project, make_user
from tests.supply_oracle import BEGINNING, assert_counts_right
from tests.web import test_credentials, test_learning
from tests.web.test_badge_expiry import claimed_badge, issuer_ctx, make_achievement
from tests.web.test_credentials import _foreign_credential
from tests.web.test_profiles import PROFILE

SAPPORO, HAKODATE = "011002", "012025"
SKILL = "dssp2-36"  # the achievement of make_achievement certifies it at level 3
school = test_credentials.school
kosen = test_learning.kosen


def subprefecture(db, code: str) -> int:
    return db.get(Municipality, code).subprefecture_id


def everyone(db, code: str = SAPPORO, now=None) -> tuple[int, int] | None:
    """(people, verified) with any skill in the subprefecture of `code`, as the tables read at `now`."""
    return groups_at(db, now or utcnow(), ANY_SKILL).get((subprefecture(db, code), ANY_SKILL))


def test_profile_edits_skills_and_outcomes_keep_the_counts(client, db, login):
    user = make_user(db)
    login(client, user)
    assert client.post("/me/profile", data={**PROFILE, "home": SAPPORO}).status_code == 302
    assert assert_counts_right(db) == ({}, {})  # no skill yet: nobody is counted
    assert client.post("/me/skills", data={"skill_code": SKILL, "level": "3"}).status_code == 302
    assert client.post("/me/skills", data={"skill_code": "dssl-01", "level": "2"}).status_code == 302
    cells, groups = assert_counts_right(db)
    sapporo = subprefecture(db, SAPPORO)
    assert cells[(sapporo, SKILL, 3)] == (1, 0) and groups[(sapporo, ANY_SKILL)] == (1, 0)
    assert groups[(sapporo, "ja:マインド・スタンス")] == (1, 0)  # DSS-L: grouped by its category's name

    assert client.post("/me/profile", data={**PROFILE, "home": HAKODATE}).status_code == 302  # moves
    assert_counts_right(db)
    assert everyone(db) is None and everyone(db, HAKODATE) == (1, 0)
    for hidden in ({"visibility": "private"}, {"is_hidden": "y"}):
        assert client.post("/me/profile", data={**PROFILE, "home": HAKODATE, **hidden}).status_code == 302
        assert assert_counts_right(db) == ({}, {})
    assert (
        client.post("/me/profile", data={**PROFILE, "home": "outside", "home_prefecture": "東京都"}).status_code == 302
    )
    assert assert_counts_right(db) == ({}, {})  # only Hokkaido homes are counted
    assert client.post("/me/profile", data={**PROFILE, "home": SAPPORO}).status_code == 302
    assert everyone(db) == (1, 0)

    profile = db.scalar(sa.select(Profile))
    entry = next(s for s in profile.skills if s.skill_code == SKILL)
    assert client.post(f"/me/skills/{entry.id}/delete").status_code == 302
    cells, _groups = assert_counts_right(db)
    assert (sapporo, SKILL, 3) not in cells
    data = {"title": "除雪ルートの最適化", "skill_codes": [SKILL], "skill_level": "2"}
    assert client.post("/me/outcomes/new", data=data).status_code == 302  # declares the skill it used
    cells, _groups = assert_counts_right(db)
    assert cells[(sapporo, SKILL, 2)] == (1, 0)


def test_badges_count_verified_until_they_expire_or_are_revoked(app, client, db, login, school):
    achievement = make_achievement(client, db, login, school, expiry_months=12)
    people = [make_profile(db, skills={SKILL: 1}, home_municipality_code=SAPPORO) for _ in range(3)]
    assert everyone(db) == (3, 0)
    valid = claimed_badge(app, db, school, achievement, people[0], issued_at=utcnow() - timedelta(days=30))
    claimed_badge(app, db, school, achievement, people[1], issued_at=utcnow() - timedelta(days=400))  # expired
    cells, _groups = assert_counts_right(db)
    sapporo = subprefecture(db, SAPPORO)
    assert cells == {(sapporo, SKILL, 3): (1, 1), (sapporo, SKILL, 1): (2, 0)}  # the expired one is back at 1
    assert everyone(db) == (3, 1) and everyone(db, now=BEGINNING) == (3, 2)  # stored: as if current

    summary = imports.refresh_credentials(db, issuer_ctx(app), now=utcnow())  # deletes the expired row
    db.commit()
    assert summary.profiles_changed == 1
    assert_counts_right(db)
    assert everyone(db, now=BEGINNING) == (3, 1)

    login(client, school.memberships[0].user)
    assert client.post(f"/credentials/{valid.public_id}/revoke", data={"reason": "誤発行"}).status_code == 302
    cells, _groups = assert_counts_right(db)
    assert cells == {(sapporo, SKILL, 1): (3, 0)}


def test_imported_badges_keep_the_counts(client, db):
    person = make_user(db, email="owner@example.jp")
    profile = make_profile(db, owner=person, home_municipality_code=SAPPORO)
    token = _foreign_credential("owner@example.jp", valid_until=utcnow() + timedelta(days=30))
    imported, _result = imports.import_credential(db, person, profile, token, issuer_ctx(client.application))
    db.commit()
    assert_counts_right(db)
    assert everyone(db) == (1, 1)
    assert everyone(db, now=utcnow() + timedelta(days=31)) is None  # past its validUntil it counts no more
    imports.remove_imported(db, person, profile, str(imported.public_id))
    db.commit()
    assert assert_counts_right(db) == ({}, {})


def test_project_completion_verifies_and_deleting_the_outcome_withdraws_it(app, db, town):
    person = make_user(db)
    profile = make_profile(db, owner=person, skills={SKILL: 2}, home_municipality_code=SAPPORO)
    project = make_project(db, town, status=ProjectStatus.IN_PROGRESS)
    application = Application(project=project, profile=profile, direction=Direction.APPLIED,
                              status=ApplicationStatus.ACCEPTED)  # fmt: skip
    db.add(application)
    db.flush()
    with app.test_request_context():
        outcome = completion.complete(db, town.memberships[0].user, application, "完了", [(SKILL, 3)],
                                      base_url="http://localhost")  # fmt: skip
    cells, _groups = assert_counts_right(db)
    assert cells == {(subprefecture(db, SAPPORO), SKILL, 3): (1, 1)}
    outcomes.delete_outcome(db, person, str(outcome.public_id))
    cells, _groups = assert_counts_right(db)
    assert cells == {(subprefecture(db, SAPPORO), SKILL, 2): (1, 0)}


def test_completing_a_course_puts_its_badge_in_the_counts(app, db, kosen):
    badge = test_learning.python_badge(db, kosen)
    owner = kosen.memberships[0].user
    course = test_learning.course(achievement_id=str(badge.public_id))
    opportunity = opportunities.save_opportunity(db, owner, kosen, course)
    learner = make_profile(db, skills={SKILL: 1}, home_municipality_code=SAPPORO)
    enrolment = enrolments.enrol(db, learner.user, opportunity)
    with app.test_request_context():  # issues the badge through the issuing path, in a savepoint
        enrolments.complete(db, owner, opportunity, [str(enrolment.public_id)], issuer_ctx(app))
    cells, _groups = assert_counts_right(db)
    assert cells == {(subprefecture(db, SAPPORO), SKILL, 3): (1, 1)}


def test_deleted_and_disabled_accounts_leave_the_counts(client, db, login):
    leaving, disabled, staying = (make_user(db) for _ in range(3))
    for user in (leaving, disabled, staying):
        make_profile(db, owner=user, skills={SKILL: 2}, home_municipality_code=SAPPORO)
    assert everyone(db) == (3, 0)
    disabled.is_disabled = True
    db.flush()
    assert_counts_right(db)
    assert everyone(db) == (2, 0)
    login(client, leaving)
    assert client.post("/me/delete", data={"password": PASSWORD, "confirm": "y"}).status_code == 302
    assert_counts_right(db)
    assert everyone(db) == (1, 0)


def test_demo_seeding_keeps_the_counts(db):
    load_demo_data(db, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    db.commit()
    cells, groups = assert_counts_right(db)
    assert cells and sum(people for (_sub, group), (people, _v) in groups.items() if group == ANY_SKILL) > 5


def test_bulk_statements_rebuild_the_counts_before_they_are_read_or_committed(app, db):
    profile = make_profile(db, skills={SKILL: 1}, home_municipality_code=SAPPORO)
    db.commit()
    db.execute(sa.insert(ProfileSkill), [{"profile_id": profile.id, "skill_code": "dssp2-35", "level": 2,
                                          "source": SkillSource.PROJECT}])  # fmt: skip
    cells, _groups = assert_counts_right(db)  # read in the same transaction
    assert cells[(subprefecture(db, SAPPORO), "dssp2-35", 2)] == (1, 1)
    db.commit()
    with Session(app.extensions["talentbank.engine"]) as other:  # what the transaction left stored
        assert_counts_right(other)
        assert everyone(other) == (1, 1)
    db.execute(sa.update(Profile).where(Profile.id == profile.id).values(visibility="private"))
    db.commit()
    with Session(app.extensions["talentbank.engine"]) as other:
        assert assert_counts_right(other) == ({}, {})


def test_a_skills_new_category_regroups_everyone(db):
    make_profile(db, skills={SKILL: 1}, home_municipality_code=SAPPORO)
    skill = db.get(Skill, SKILL)
    skill.category_no = "99"  # reference data is kept between tests: rolled back below
    try:
        _cells, groups = assert_counts_right(db)
        assert groups[(subprefecture(db, SAPPORO), "no:99")] == (1, 0)
    finally:
        db.rollback()


def test_a_rolled_back_savepoint_leaves_the_counts_right(db):
    profile = make_profile(db, skills={SKILL: 1}, home_municipality_code=SAPPORO)
    savepoint = db.begin_nested()
    profile.skills.append(ProfileSkill(skill_code="dssp2-35", level=4, source=SkillSource.BADGE))
    db.flush()
    assert everyone(db) == (1, 1)
    savepoint.rollback()
    assert_counts_right(db)
    assert everyone(db) == (1, 0)


def test_two_writers_changing_one_person_take_turns(app, db):
    """Without the lock each would add the person from what it saw alone: counted twice for the skill."""
    engine = app.extensions["talentbank.engine"]
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer at a time in; PostgreSQL's row lock is what this tests")
    profile = make_profile(db, home_municipality_code=SAPPORO)
    db.commit()
    first, second = Session(engine), Session(engine)
    first.add(ProfileSkill(profile_id=profile.id, skill_code=SKILL, level=3, source=SkillSource.BADGE))
    first.flush()  # holds the person's row lock until it commits
    second.add(ProfileSkill(profile_id=profile.id, skill_code=SKILL, level=1, source=SkillSource.SELF))
    done = threading.Event()

    def write() -> None:
        second.commit()
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(0.3)
    assert not done.is_set()  # waiting for the first writer
    first.commit()
    writer.join(10)
    assert done.is_set()
    first.close()
    second.close()
    cells, _groups = assert_counts_right(db)
    assert cells == {(subprefecture(db, SAPPORO), SKILL, 3): (1, 1)}
