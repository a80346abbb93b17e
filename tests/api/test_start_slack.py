"""A project's start slack over the API (#17): default 30, set, changed, refused with a 422 that names the
field, and in the OpenAPI document."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from talentbank.models import Project
from tests.api.test_projects import PROJECT, post_project
from tests.factories import count


def test_the_slack_defaults_to_30_and_can_be_set_and_changed(client, db, staff, town):
    default = post_project(client, staff, town)
    assert client.get(f"/api/v1/projects/{default}", headers=staff).get_json()["start_slack_days"] == 30
    project_id = post_project(client, staff, town, start_slack_days=0, title="待てない")
    assert client.get(f"/api/v1/projects/{project_id}", headers=staff).get_json()["start_slack_days"] == 0
    changed = client.patch(f"/api/v1/projects/{project_id}", json={"start_slack_days": 60}, headers=staff)
    assert changed.status_code == 200 and changed.get_json()["start_slack_days"] == 60


@pytest.mark.parametrize("value", [-1, 366, "thirty", None])
def test_bad_slack_is_a_422_naming_the_field_and_nothing_changes(client, db, staff, town, value):
    refused = client.post("/api/v1/projects", json={**PROJECT, "organisation_id": str(town.public_id),
                                                   "start_slack_days": value}, headers=staff)  # fmt: skip
    assert refused.status_code == 422 and "start_slack_days" in refused.get_json()["fields"]
    assert count(db, Project) == 0
    project_id = post_project(client, staff, town, start_slack_days=14)
    patched = client.patch(f"/api/v1/projects/{project_id}", json={"start_slack_days": value}, headers=staff)
    assert patched.status_code == 422 and "start_slack_days" in patched.get_json()["fields"]
    assert db.scalar(sa.select(Project.start_slack_days)) == 14


def test_the_openapi_document_describes_the_slack(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    field = schemas["ProjectIn"]["properties"]["start_slack_days"]
    assert field["minimum"] == 0 and field["maximum"] == 365 and field["default"] == 30
    assert "start_slack_days" in schemas["ProjectOut"]["properties"]
