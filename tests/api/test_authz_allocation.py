"""Authorization matrix for internship allocation rounds.

`world.organisation` is a verified school: its members and site admins run rounds ("run_allocation").
The round covers one open internship of `world.other_organisation` that asks for dssp2-36, which
`world.person` has at level 3, so the proposal places them and publishing succeeds.
"""

from __future__ import annotations

import pytest

from talentbank.projects import allocation
from tests.api.matrix import ROLES, Row, World, build_world, case_id, matrix_cases, run_row
from tests.factories import make_project

RUNNERS = {"anonymous": 401, "other_person": 403, "owner": 403, "other_org_member": 403}


def runners(status: int) -> dict[str, int]:
    expected = {**RUNNERS, "org_member": status, "issuer": status, "admin": status}
    assert set(expected) == set(ROLES)
    return expected


def _internship(world: World) -> None:
    project = make_project(world.db, world.other_organisation, is_internship=True, seats=1)
    world.made["project"] = project.public_id


def _round(world: World) -> None:
    _internship(world)
    created = allocation.create_round(
        world.db, world.issuer, world.organisation, name="夏の配属", project_ids=[str(world.made["project"])],
        method="stable",
    )  # fmt: skip
    world.made["round"] = created.public_id


ROWS = [
    Row(
        "create_allocation_round",
        lambda w: (
            "POST",
            f"/api/v1/organisations/{w.organisation.public_id}/allocation-rounds",
            {"name": "夏の配属", "projects": [str(w.made["project"])]},
        ),
        runners(201),
        prepare=_internship,
    ),
    Row(
        "set_allocation_method",
        lambda w: ("PUT", f"/api/v1/allocation-rounds/{w.made['round']}/method", {"method": "max_score"}),
        runners(200),
        prepare=_round,
    ),
    Row(
        "publish_allocation_round",
        lambda w: ("POST", f"/api/v1/allocation-rounds/{w.made['round']}/publish", None),
        runners(200),
        prepare=_round,
    ),
]


@pytest.mark.parametrize(("row", "role"), matrix_cases(ROWS), ids=case_id)
def test_authorization_matrix(row, role, db, app, client):
    run_row(row, role, build_world(db, app), client)
