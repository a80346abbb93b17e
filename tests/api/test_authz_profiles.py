"""Authorization matrix for the profile operations.

Every /me/... operation acts on the CALLER's own profile, so "owner" (world.person, who has a profile
with dssp2-36 self-declared) and "other_person" (a profile with dssp2-37) act on their own profiles,
while the organisation roles and the admin have no profile at all: they may create one (201), but
anything that needs a profile first is 404 ("まだプロフィールがありません。"). Someone else's outcome
is 404, never 403, so outcome ids do not leak.
"""

from __future__ import annotations

from datetime import date

import pytest

from talentbank.db import utcnow
from talentbank.models import (
    Outcome,
    ProfileSkill,
    Project,
    ProjectPay,
    ProjectStatus,
    ProjectWorkMode,
    SkillSource,
    Theme,
)
from tests.api.matrix import ROLES, Row, build_world, case_id, matrix_cases, run_row

PROFILE = {"display_name": "行列の人", "home": "012076", "visibility": "members"}
NO_PROFILE = ("other_org_member", "org_member", "issuer", "admin")


def expect(anonymous: int, owner: int, other_person: int, without_profile: int) -> dict[str, int]:
    expected = {"anonymous": anonymous, "owner": owner, "other_person": other_person}
    expected.update(dict.fromkeys(NO_PROFILE, without_profile))
    assert set(expected) == set(ROLES)
    return expected


def _add_outcome(world) -> None:
    outcome = Outcome(title="本人の成果")
    world.profile.outcomes.append(outcome)
    world.db.flush()
    world.made["outcome"] = outcome.public_id


def _add_project_outcome(world) -> None:
    project = Project(
        organisation=world.organisation,
        title="完了したプロジェクト",
        problem="課題",
        expected_outcome="成果",
        theme=Theme.AGRICULTURE,
        municipality_code="012076",
        work_mode=ProjectWorkMode.REMOTE,
        hours_per_week=4,
        starts_on=date(2026, 4, 1),
        pay_kind=ProjectPay.HOURLY,
        status=ProjectStatus.OPEN,
        opened_at=utcnow(),
    )
    world.db.add(project)
    world.db.flush()
    outcome = Outcome(title="プロジェクトの成果", project_id=project.id)
    world.profile.outcomes.append(outcome)
    world.db.flush()
    world.made["outcome"] = outcome.public_id


def _badge_verified_skill(world) -> None:
    world.db.add(ProfileSkill(profile_id=world.profile.id, skill_code="dssp2-52", level=2, source=SkillSource.BADGE))
    world.db.flush()


OUTCOME_PATH = "/api/v1/me/profile/outcomes/{}"

ROWS = [
    # Everyone logged in may create their own profile (201) or replace the one they have (200).
    Row("put_my_profile", lambda w: ("PUT", "/api/v1/me/profile", PROFILE), expect(401, 200, 200, 201)),
    # owner changes the dssp2-36 they declared (200); other_person declares it anew (201).
    Row(
        "put_my_skill",
        lambda w: ("PUT", "/api/v1/me/profile/skills/dssp2-36", {"level": 3}),
        expect(401, 200, 201, 404),
    ),
    # Only the owner has dssp2-36 on their profile.
    Row(
        "delete_my_skill", lambda w: ("DELETE", "/api/v1/me/profile/skills/dssp2-36", None), expect(401, 204, 404, 404)
    ),
    # A badge-verified skill stays (409), as on the skills page.
    Row(
        "delete_my_skill",
        lambda w: ("DELETE", "/api/v1/me/profile/skills/dssp2-52", None),
        expect(401, 409, 404, 404),
        prepare=_badge_verified_skill,
    ),
    Row(
        "create_my_outcome",
        lambda w: ("POST", "/api/v1/me/profile/outcomes", {"title": "成果"}),
        expect(401, 201, 201, 404),
    ),
    Row(
        "update_my_outcome",
        lambda w: ("PUT", OUTCOME_PATH.format(w.made["outcome"]), {"title": "書き換え"}),
        expect(401, 200, 404, 404),
        prepare=_add_outcome,
    ),
    # An outcome the organisation recorded for a project is not the person's to rewrite.
    Row(
        "update_my_outcome",
        lambda w: ("PUT", OUTCOME_PATH.format(w.made["outcome"]), {"title": "書き換え"}),
        expect(401, 409, 404, 404),
        prepare=_add_project_outcome,
    ),
    Row(
        "delete_my_outcome",
        lambda w: ("DELETE", OUTCOME_PATH.format(w.made["outcome"]), None),
        expect(401, 204, 404, 404),
        prepare=_add_outcome,
    ),
]


# Hiding works for project-verified outcomes too (the page's 表示・非表示): the owner only.
ROWS.append(
    Row(
        "set_my_outcome_visibility",
        lambda w: ("PUT", OUTCOME_PATH.format(w.made["outcome"]) + "/visibility", {"hidden": True}),
        expect(401, 200, 404, 404),
        prepare=_add_project_outcome,
    )
)


@pytest.mark.parametrize(("row", "role"), matrix_cases(ROWS), ids=case_id)
def test_authorization_matrix(row, role, db, app, client):
    run_row(row, role, build_world(db, app), client)
