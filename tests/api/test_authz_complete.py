"""Every write operation of the API is in some authorization matrix."""

from __future__ import annotations

import importlib
from pathlib import Path

from talentbank.api.openapi import Operation


def test_every_write_operation_is_in_the_matrix(client):
    document = client.get("/api/v1/openapi.json").get_json()
    writes = {
        operation["operationId"]
        for item in document["paths"].values()
        for method, operation in item.items()
        if method != "get"
    }
    covered = set()
    for path in Path(__file__).parent.glob("test_authz_*.py"):
        if path.stem != "test_authz_complete":
            covered |= {row.operation for row in importlib.import_module(f"tests.api.{path.stem}").ROWS}
    assert writes <= set(Operation.registry)
    assert writes - covered == set(), "add these operations to a tests/api/test_authz_*.py matrix"
