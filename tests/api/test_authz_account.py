"""Authorization matrix for the caller's own account operations."""

from __future__ import annotations

import pytest

from tests.api.matrix import ROLES, Row, build_world, case_id, matrix_cases, run_row

SIGNED_IN_200 = {**dict.fromkeys(ROLES, 200), "anonymous": 401}

ROWS = [
    Row("mark_notifications_read", lambda w: ("POST", "/api/v1/me/notifications/read", None), SIGNED_IN_200),
]


@pytest.mark.parametrize(("row", "role"), matrix_cases(ROWS), ids=case_id)
def test_authorization_matrix(row, role, db, app, client):
    run_row(row, role, build_world(db, app), client)
