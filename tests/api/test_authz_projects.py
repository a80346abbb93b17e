"""Authorization matrix for projects, applications and completion.

The project belongs to `world.organisation` (a verified school that is an issuer, owned by `world.issuer`,
with `world.member`); "owner" is `world.person`, the applicant or invitee. Only `world.person` and
`world.other_person` have profiles, so the others cannot apply (422: create a profile first).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from talentbank.models import ProjectStatus
from talentbank.projects import applications, posting
from talentbank.projects.inputs import NeedInput, ProjectInput
from tests.api.matrix import ROLES, Row, World, build_world, case_id, matrix_cases, run_row

TODAY = datetime.now(UTC).date()
BODY = {
    "title": "校務のデータ化",
    "problem": "出欠と成績の集計を紙でしている。",
    "expected_outcome": "集計が表計算で自動になる。",
    "theme": "education",
    "municipality_code": "016331",
    "work_mode": "remote",
    "hours_per_week": 4,
    "starts_on": (TODAY + timedelta(days=30)).isoformat(),
    "pay_kind": "volunteer",
    "needs": [{"skill": "dssp2-36", "min_level": 2, "must_have": True}],
}
BASE_URL = "http://localhost"


def expect(**statuses: int) -> dict[str, int]:
    assert set(statuses) == set(ROLES), set(ROLES) ^ set(statuses)
    return statuses


def _open_project(world: World) -> None:
    details = ProjectInput(
        title=BODY["title"], problem=BODY["problem"], expected_outcome=BODY["expected_outcome"], theme="education",
        municipality_code="016331", work_mode="remote", onsite_days_per_month=None, hours_per_week=4,
        starts_on=TODAY + timedelta(days=30), ends_on=None, pay_kind="volunteer", pay_yen=0, travel_covered=False,
        seats=1, deadline=None, is_internship=False, eligibility="", needs=(NeedInput("dssp2-36", 2, True),),
    )  # fmt: skip
    project = posting.save_project(world.db, world.issuer, world.organisation, details)
    posting.transition(world.db, world.issuer, project, ProjectStatus.OPEN, base_url=BASE_URL)
    world.made["project"] = project


def _application(world: World) -> None:
    """world.person applied (pending; their contact is released to the school)."""
    _open_project(world)
    application = applications.apply(world.db, world.person, world.made["project"], "参加したいです", base_url=BASE_URL)
    world.made["application"] = application.public_id


def _invitation(world: World) -> None:
    """The school invited world.person (pending)."""
    _open_project(world)
    invitation = applications.invite(
        world.db, world.issuer, world.made["project"], world.profile, "", base_url=BASE_URL
    )
    world.made["application"] = invitation.public_id


def _accepted(world: World) -> None:
    _application(world)
    application = applications.get_application(world.db, str(world.made["application"]))
    applications.respond(world.db, world.issuer, application, True, base_url=BASE_URL)


def _engaged(world: World) -> None:
    """An accepted application on a project now in progress (completion is recorded then)."""
    _accepted(world)
    posting.transition(world.db, world.issuer, world.made["project"], ProjectStatus.IN_PROGRESS, base_url=BASE_URL)


def _internship_application(world: World) -> None:
    """world.person applied to an open internship (pending), which they may rank."""
    _open_project(world)
    project = world.made["project"]
    project.is_internship = True
    application = applications.apply(world.db, world.person, project, "", base_url=BASE_URL)
    world.made["application"] = application.public_id


def _project_path(world: World, suffix: str = "") -> str:
    return f"/api/v1/projects/{world.made['project'].public_id}{suffix}"


def _application_path(world: World, action: str) -> str:
    return f"/api/v1/applications/{world.made['application']}/{action}"


MEMBERS_ONLY = expect(
    anonymous=401, other_person=403, owner=403, other_org_member=403, org_member=200, issuer=200, admin=403
)
MEMBERS_CREATE = {**MEMBERS_ONLY, "org_member": 201, "issuer": 201}

ROWS = [
    Row(
        "create_project",
        lambda w: ("POST", "/api/v1/projects", {**BODY, "organisation_id": str(w.organisation.public_id)}),
        MEMBERS_CREATE,
    ),
    Row(
        "update_project",
        lambda w: ("PATCH", _project_path(w), {"title": "校務のデータ化（第2期）"}),
        MEMBERS_ONLY,
        prepare=_open_project,
    ),
    Row(
        "transition_project",
        lambda w: ("POST", _project_path(w, "/transition"), {"status": "closed"}),
        MEMBERS_ONLY,
        prepare=_open_project,
    ),
    Row(
        "apply_to_project",
        lambda w: ("POST", _project_path(w, "/applications"), {"message": "参加したいです"}),
        # Only the two people have profiles; the others are refused before anything else is checked.
        expect(anonymous=401, other_person=201, owner=201, other_org_member=422, org_member=422, issuer=422, admin=422),
        prepare=_open_project,
    ),
    Row(
        "invite_to_project",
        lambda w: ("POST", _project_path(w, "/invitations"), {"profile_id": str(w.profile.public_id)}),
        MEMBERS_CREATE,
        prepare=_open_project,
    ),
    Row(
        "accept_application",  # an invitation: only the invited person answers it
        lambda w: ("POST", _application_path(w, "accept"), None),
        expect(anonymous=401, other_person=404, owner=200, other_org_member=404, org_member=403, issuer=403, admin=404),
        prepare=_invitation,
    ),
    Row(
        "decline_application",  # an application: only the organisation answers it
        lambda w: ("POST", _application_path(w, "decline"), None),
        expect(anonymous=401, other_person=404, owner=403, other_org_member=404, org_member=200, issuer=200, admin=404),
        prepare=_application,
    ),
    Row(
        "withdraw_application",  # either side
        lambda w: ("POST", _application_path(w, "withdraw"), None),
        expect(anonymous=401, other_person=404, owner=200, other_org_member=404, org_member=200, issuer=200, admin=404),
        prepare=_application,
    ),
    Row(
        "complete_application",
        lambda w: (
            "POST",
            _application_path(w, "complete"),
            {"summary": "集計を自動化した", "skills": [{"skill": "dssp2-36", "level": 3}], "issue_badge": True},
        ),
        MEMBERS_ONLY,
        prepare=_engaged,
    ),
    Row(
        "put_internship_preferences",  # only the applicant ranks their own applications
        lambda w: ("PUT", "/api/v1/me/internship-preferences", {"applications": [str(w.made["application"])]}),
        expect(anonymous=401, other_person=422, owner=200, other_org_member=422, org_member=422, issuer=422, admin=422),
        prepare=_internship_application,
    ),
]


@pytest.mark.parametrize(("row", "role"), matrix_cases(ROWS), ids=case_id)
def test_authorization_matrix(row, role, db, app, client):
    run_row(row, role, build_world(db, app), client)
