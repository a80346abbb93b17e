"""Authorization matrix for the credential operations."""

from __future__ import annotations

import pytest

from tests.api.matrix import ROLES, Row, build_world, case_id, matrix_cases, run_row

EVERYONE_200 = dict.fromkeys(ROLES, 200)

ROWS = [
    Row("verify", lambda w: ("POST", "/api/v1/verify", {"credential": "not a credential"}), EVERYONE_200),
]


@pytest.mark.parametrize(("row", "role"), matrix_cases(ROWS), ids=case_id)
def test_authorization_matrix(row, role, db, app, client):
    run_row(row, role, build_world(db, app), client)
