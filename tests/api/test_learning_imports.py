"""学びの場 (#15): a provider's catalogue imported over the API — a dry run says what each row would do,
the import creates and updates by the provider's code, sending the same rows again changes nothing, and
any bad row means nothing is saved (422 naming `rows.N.field`). Only members, with the write scope."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from talentbank.models import LearningOpportunity
from tests.api.conftest import bearer
from tests.api.test_learning import COURSE, ONSITE, TODAY
from tests.factories import count, make_organisation, make_user


def url(organisation) -> str:
    return f"/api/v1/organisations/{organisation.public_id}/learning-opportunities/import"


def rows(*changes: dict) -> list[dict]:
    return [{**COURSE, "code": f"PY-{i}", **change} for i, change in enumerate(changes, start=1)]


def test_dry_run_then_import_then_the_same_rows_again(client, db, school, issuer):
    sent = rows({}, {**ONSITE, "code": "ON-2"})
    dry = client.post(url(school), json={"rows": sent, "dry_run": True}, headers=issuer)
    assert dry.status_code == 200, dry.get_json()
    assert dry.get_json()["created"] == 2 and [r["action"] for r in dry.get_json()["rows"]] == ["create", "create"]
    assert all(r["opportunity_id"] is None for r in dry.get_json()["rows"])
    assert count(db, LearningOpportunity) == 0, "a dry run saves nothing"

    done = client.post(url(school), json={"rows": sent}, headers=issuer)
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert (body["created"], body["updated"], body["unchanged"], body["errors"]) == (2, 0, 0, 0)
    ids = [r["opportunity_id"] for r in body["rows"]]
    read = client.get(f"/api/v1/learning-opportunities/{ids[1]}").get_json()
    assert read["title"] == ONSITE["title"] and read["capacity"] == 2 and read["municipality"]["code"] == "016331"

    again = client.post(url(school), json={"rows": sent}, headers=issuer).get_json()
    assert again["unchanged"] == 2 and [r["opportunity_id"] for r in again["rows"]] == ids
    assert count(db, LearningOpportunity) == 2

    changed = client.post(url(school), json={"rows": rows({"study_hours": 30})}, headers=issuer).get_json()
    assert changed["updated"] == 1 and changed["rows"][0]["opportunity_id"] == ids[0]
    assert client.get(f"/api/v1/learning-opportunities/{ids[0]}").get_json()["study_hours"] == 30
    assert count(db, LearningOpportunity) == 2


def test_one_bad_row_means_none_is_saved(client, db, school, issuer):
    sent = rows(
        {},
        {"format": "onsite"},  # no place
        {"ends_on": (TODAY - timedelta(days=1)).isoformat(), "starts_on": (TODAY - timedelta(days=5)).isoformat()},
        {"code": "PY-1"},  # the first row's code again
    )
    response = client.post(url(school), json={"rows": sent}, headers=issuer)
    assert response.status_code == 422
    fields = response.get_json()["fields"]
    assert set(fields) == {"rows.1.municipality_code", "rows.2.ends_on", "rows.3.code"}
    assert count(db, LearningOpportunity) == 0
    dry = client.post(url(school), json={"rows": sent, "dry_run": True}, headers=issuer).get_json()
    assert [r["action"] for r in dry["rows"]] == ["create", "error", "error", "error"]
    assert "municipality_code" in dry["rows"][1]["errors"]


def test_malformed_bodies_are_422s(client, school, issuer):
    for body in ({"rows": []}, {"rows": rows({"code": "bad code!"})}, {"rows": rows({"skills": []})},
                 {"rows": [{"code": "X"}]}, {"rows": "x"}, {}):  # fmt: skip
        response = client.post(url(school), json=body, headers=issuer)
        assert response.status_code == 422, body


def test_only_members_with_the_write_scope_import(client, db, school, make_token):
    outsider = make_user(db)
    unverified = make_organisation(db, owner=make_user(db), verified=False)
    reader = bearer(make_token(school.memberships[0].user, scopes=["read"]))
    db.commit()
    sent = {"rows": rows({})}
    assert client.post(url(school), json=sent).status_code == 401
    assert client.post(url(school), json=sent, headers=bearer(make_token(outsider))).status_code == 403
    assert client.post(url(school), json=sent, headers=reader).status_code == 403
    owner_of_unverified = bearer(make_token(unverified.memberships[0].user))
    assert client.post(url(unverified), json=sent, headers=owner_of_unverified).status_code == 403
    assert count(db, LearningOpportunity) == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(LearningOpportunity)) == 0
