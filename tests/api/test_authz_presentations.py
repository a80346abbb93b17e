"""Authorization matrix for presentations (#16): asking for a presentation request is the applicant's (or,
for an import, anyone's with a profile); the wallet's response endpoint is public (the request id, the
challenge and the holder's proof are the checks)."""

from __future__ import annotations

import pytest

from talentbank.models import PresentationPurpose
from talentbank.wallet import presentations
from tests.api.matrix import Row, World, build_world, case_id, matrix_cases, run_row
from tests.api.test_authz_projects import BASE_URL, _application, expect


def _request(world: World) -> None:
    created = presentations.create_request(world.db, world.person, PresentationPurpose.IMPORT, BASE_URL)
    world.made["request"] = created.request.public_id


ROWS = [
    Row("create_presentation_request",
        lambda w: ("POST", "/api/v1/me/presentation-requests",
                   {"purpose": "application", "application_id": str(w.made["application"])}),
        expect(anonymous=401, other_person=404, owner=201, other_org_member=404, org_member=404, issuer=404,
               admin=404), prepare=_application),
    Row("respond_to_presentation_request",
        lambda w: ("POST", f"/api/v1/presentation-requests/{w.made['request']}/response", {}),
        expect(anonymous=200, other_person=200, owner=200, other_org_member=200, org_member=200, issuer=200,
               admin=200), prepare=_request),
]  # fmt: skip


@pytest.mark.parametrize(("row", "role"), matrix_cases(ROWS), ids=case_id)
def test_authorization_matrix(row, role, db, app, client):
    run_row(row, role, build_world(db, app), client)
