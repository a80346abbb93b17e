"""Authorization matrix for 学びの場 (#15): publishing (one, or a catalogue import), editing and closing
learning opportunities, enrolling
and withdrawing, adding learners and recording completions.

The opportunity belongs to `world.organisation` (a verified school that is an issuer, owned by
`world.issuer`, with `world.member`) and awards the school's badge; "owner" is `world.person`, the learner.
Only `world.person` and `world.other_person` have profiles, so the others cannot enrol (422: create a
profile first) and have no enrolment to withdraw (404). The site admin has no membership: publishing
and managing learners is for members, as on the pages.
"""

from __future__ import annotations

import pytest

from talentbank.credentials import achievements
from talentbank.credentials.inputs import AchievementInput
from talentbank.learning import enrolments, opportunities
from talentbank.learning.inputs import OpportunityInput, TaughtSkillInput
from tests.api.matrix import ROLES, Row, World, build_world, case_id, matrix_cases, run_row

BODY = {
    "title": "オンラインPython講座",
    "description": "地域のオープンデータで学ぶ。",
    "format": "self_paced",
    "study_hours": 20,
    "skills": [{"skill": "dssp2-36", "level": 3}],
}


def expect(**statuses: int) -> dict[str, int]:
    assert set(statuses) == set(ROLES), set(ROLES) ^ set(statuses)
    return statuses


def _opportunity(world: World) -> None:
    """An open self-paced course of the school that awards its badge."""
    badge = achievements.create_achievement(
        world.db, world.issuer, world.organisation,
        AchievementInput(name="Python基礎", description="Pythonでデータを扱える。", criteria="課題を提出した。",
                         tags="", expiry_months=None, proof_format="jwt", skill_code="dssp2-36", skill_level=3,
                         skill_code_2="", skill_level_2=0),
    )  # fmt: skip
    details = OpportunityInput(
        title=BODY["title"], description=BODY["description"], format="self_paced", language="ja",
        municipality_code=None, starts_on=None, ends_on=None, study_hours=20, cost_yen=0, eligibility="anyone",
        capacity=None, deadline=None, course_url="", skills=(TaughtSkillInput("dssp2-36", 3),),
        achievement_id=str(badge.public_id),
    )  # fmt: skip
    world.made["opportunity"] = opportunities.save_opportunity(world.db, world.issuer, world.organisation, details)


def _enrolled(world: World) -> None:
    """world.person is enrolled in it."""
    _opportunity(world)
    world.made["enrolment"] = enrolments.enrol(world.db, world.person, world.made["opportunity"]).public_id


def _path(world: World, suffix: str = "") -> str:
    return f"/api/v1/learning-opportunities/{world.made['opportunity'].public_id}{suffix}"


MEMBERS_ONLY = expect(
    anonymous=401, other_person=403, owner=403, other_org_member=403, org_member=200, issuer=200, admin=403
)
MEMBERS_CREATE = {**MEMBERS_ONLY, "org_member": 201, "issuer": 201}

ROWS = [
    Row(
        "create_learning_opportunity",
        lambda w: ("POST", f"/api/v1/organisations/{w.organisation.public_id}/learning-opportunities", BODY),
        MEMBERS_CREATE,
    ),
    Row(
        "import_learning_opportunities",
        lambda w: (
            "POST",
            f"/api/v1/organisations/{w.organisation.public_id}/learning-opportunities/import",
            {"rows": [{**BODY, "code": "PY-1"}]},
        ),
        MEMBERS_ONLY,
    ),
    Row(
        "update_learning_opportunity",
        lambda w: ("PATCH", _path(w), {"title": "オンラインPython講座（第2期）"}),
        MEMBERS_ONLY,
        prepare=_opportunity,
    ),
    Row(
        "close_learning_opportunity",
        lambda w: ("POST", _path(w, "/close"), None),
        MEMBERS_ONLY,
        prepare=_opportunity,
    ),
    Row(
        "enrol_in_learning_opportunity",
        lambda w: ("POST", _path(w, "/enrolments"), None),
        # Only the two people have profiles; the others are asked to create one first.
        expect(anonymous=401, other_person=201, owner=201, other_org_member=422, org_member=422, issuer=422, admin=422),
        prepare=_opportunity,
    ),
    Row(
        "withdraw_from_learning_opportunity",  # only the learner leaves; nobody else has an enrolment there
        lambda w: ("POST", _path(w, "/withdraw"), None),
        expect(anonymous=401, other_person=404, owner=200, other_org_member=404, org_member=404, issuer=404, admin=404),
        prepare=_enrolled,
    ),
    Row(
        "add_learners",
        lambda w: ("POST", _path(w, "/learners"), {"emails": [w.person.email]}),
        MEMBERS_ONLY,
        prepare=_opportunity,
    ),
    Row(
        "record_learning_completions",
        lambda w: ("POST", _path(w, "/completions"), {"enrolments": [str(w.made["enrolment"])], "completed": True}),
        MEMBERS_ONLY,
        prepare=_enrolled,
    ),
]


@pytest.mark.parametrize(("row", "role"), matrix_cases(ROWS), ids=case_id)
def test_authorization_matrix(row, role, db, app, client):
    run_row(row, role, build_world(db, app), client)
