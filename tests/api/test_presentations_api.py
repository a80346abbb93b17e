"""Presentations over the API (#16): create a request, the wallet answers at the response endpoint, read the
result; the host reads an application's presented badges. Refusals carry OpenID4VP's error codes."""

from __future__ import annotations

import pytest

from badges.presentation import sign_presentation
from talentbank.db import utcnow
from tests.api.conftest import bearer
from tests.web.test_presentations import applied  # noqa: F401  (the fixture)
from tests.web.test_wallet import claimed  # noqa: F401  (the fixture)


@pytest.fixture
def tokens(applied, make_token):  # noqa: F811
    return bearer(make_token(applied["user"])), bearer(make_token(applied["project"].organisation.memberships[0].user))


def test_create_answer_and_read_a_presentation_for_an_application(applied, tokens, client, db):  # noqa: F811
    mine, host = tokens
    application_id = str(applied["application"].public_id)
    response = client.post("/api/v1/me/presentation-requests", headers=mine,
                           json={"purpose": "application", "application_id": application_id})  # fmt: skip
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert created["status"] == "pending" and created["openid4vp_uri"].startswith("openid4vp://?")
    assert created["authorization_request"]["response_mode"] == "direct_post"
    assert created["verifiable_presentation_request"]["challenge"] == created["challenge"]
    wallet = applied["wallet"]
    vp = sign_presentation(applied["copies"], wallet.key, holder=wallet.did, challenge=created["challenge"],
                           domain=created["domain"], created=utcnow())  # fmt: skip
    answer = applied["wallet_client"].post(
        f"/api/v1/presentation-requests/{created['id']}/response", json={"presentation": vp}
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["verified"] is True
    again = applied["wallet_client"].post(
        f"/api/v1/presentation-requests/{created['id']}/response", json={"presentation": vp}
    )
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_request"
    result = client.get(f"/api/v1/me/presentation-requests/{created['id']}", headers=mine).get_json()
    assert result["status"] == "received" and [b["verified"] for b in result["badges"]] == [True, True]
    assert client.get(f"/api/v1/me/presentation-requests/{created['id']}", headers=host).status_code == 404
    listed = client.get(f"/api/v1/applications/{application_id}/presentations", headers=host).get_json()
    assert [item["holder_did"] for item in listed["items"]] == [wallet.did]


def test_the_application_lists_carry_the_latest_presentation(applied, tokens, client):  # noqa: F811
    mine, host = tokens
    project_id, application_id = str(applied["project"].public_id), str(applied["application"].public_id)

    def presented(headers, path):
        items = client.get(path, headers=headers).get_json()["items"]
        return next(item["presented"] for item in items if item["id"] == application_id)

    host_list = f"/api/v1/projects/{project_id}/applications"
    assert presented(host, host_list) is None and presented(mine, "/api/v1/me/applications") is None
    created = client.post("/api/v1/me/presentation-requests", headers=mine,
                          json={"purpose": "application", "application_id": application_id}).get_json()  # fmt: skip
    assert presented(host, host_list) is None  # a request not yet answered is not a presentation
    wallet = applied["wallet"]
    vp = sign_presentation(applied["copies"][:1], wallet.key, holder=wallet.did, challenge=created["challenge"],
                           domain=created["domain"], created=utcnow())  # fmt: skip
    answered = applied["wallet_client"].post(f"/api/v1/presentation-requests/{created['id']}/response",
                                             json={"presentation": vp})  # fmt: skip
    assert answered.status_code == 200, answered.get_data(as_text=True)
    for headers, path in ((host, host_list), (mine, "/api/v1/me/applications")):
        shown = presented(headers, path)
        assert shown["id"] == created["id"] and shown["status"] == "received" and shown["verified"] is True
        assert shown["holder_did"] == wallet.did and [b["verified"] for b in shown["badges"]] == [True]


def test_bad_requests_are_4xx(applied, tokens, client):  # noqa: F811
    mine, _host = tokens
    for body in ({"purpose": "application"}, {"purpose": "import", "application_id": str(applied["application"].public_id)},
                 {"purpose": "other"}, {}):  # fmt: skip
        response = client.post("/api/v1/me/presentation-requests", headers=mine, json=body)
        assert response.status_code == 422, (body, response.get_data(as_text=True))
    wallet_client = applied["wallet_client"]
    response = wallet_client.post("/api/v1/presentation-requests/00000000-0000-0000-0000-000000000000/response",
                           json={"vp_token": "a.b.c"})  # fmt: skip
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_request"
    response = wallet_client.post("/api/v1/presentation-requests/nope/response", json={"vp_token": 5})
    assert 400 <= response.status_code < 500
