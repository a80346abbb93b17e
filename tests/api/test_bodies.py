"""Unreadable request bodies on every write operation of the OpenAPI document: malformed JSON, a
Content-Type the operation does not take, and JSON nested deeper than 32 levels are problem documents
(400, 415, 400), answered before the operation looks at its path or body, and never a 500."""

from __future__ import annotations

import json

import pytest

from talentbank.api.core import MAX_JSON_DEPTH
from tests.api.conftest import bearer
from tests.factories import make_organisation, make_profile, make_user

WRITES = {"post", "put", "patch", "delete"}


def nested(depth: int) -> str:
    """A JSON object whose innermost value sits `depth` containers deep."""
    value: object = "x"
    for level in range(depth):
        value = {"a": value} if level % 2 else [value]
    return json.dumps(value)


@pytest.fixture
def writes(client) -> list[tuple[str, str, dict]]:
    """(method, path with placeholder ids, operation object) for every write in the served document."""
    document = client.get("/api/v1/openapi.json").get_json()
    found = [
        (method, path.replace("{", "").replace("}", ""), operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in WRITES
    ]
    assert len(found) > 30  # the document was read, not an empty list iterated
    return found


def problem(response, status: int, operation: dict) -> dict:
    assert response.status_code == status, (operation["operationId"], response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/problem+json", operation["operationId"]
    assert "415" in operation["responses"] and str(status) in operation["responses"], operation["operationId"]
    return response.get_json()


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ('{"name": "町役場",', "application/json", 400, "bad_request"),
        ("{'name': 'single quotes'}", "application/json", 400, "bad_request"),
        (b"\xff\xfe{}", "application/json", 400, "bad_request"),
        ('{"name": "町役場"}', "text/plain", 415, "unsupported_media_type"),
        ("name=町役場", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ("<name>町役場</name>", "application/xml", 415, "unsupported_media_type"),
        (nested(MAX_JSON_DEPTH + 1), "application/json", 400, "bad_request"),
        ("[" * 100_000 + "]" * 100_000, "application/json", 400, "bad_request"),  # past Python's recursion limit
    ],
    ids=["truncated", "single-quotes", "not-utf8", "text-plain", "form-urlencoded", "xml", "33-deep", "100000-deep"],
)
def test_every_write_refuses_an_unreadable_body(client, db, make_token, writes, body, content_type, status, code):
    headers = {**bearer(make_token(make_user(db))), "Content-Type": content_type}
    db.commit()
    for method, path, operation in writes:
        response = client.open(
            path, method=method.upper(), data=body if isinstance(body, bytes) else body.encode(), headers=headers
        )
        found = problem(response, status, operation)
        assert found["code"] == code, (operation["operationId"], found)
        if status == 400:
            assert set(found["fields"]) == {"body"}, (operation["operationId"], found)


def test_32_levels_are_read_and_a_json_body_must_be_an_object(client, db, make_token, writes):
    headers = {**bearer(make_token(make_user(db))), "Content-Type": "application/json"}
    db.commit()
    for method, path, operation in writes:
        if "requestBody" not in operation:
            continue
        # Readable, so the operation's own validation answers (its fields are missing or wrong): 422.
        deep = client.open(path, method=method.upper(), data=nested(MAX_JSON_DEPTH), headers=headers)
        assert problem(deep, 422, operation)["code"] == "invalid"
        for not_an_object in ("[]", "null", "0", '"text"'):
            response = client.open(path, method=method.upper(), data=not_an_object, headers=headers)
            assert problem(response, 422, operation)["fields"] == {"body": "本文はJSONオブジェクトにしてください。"}


def test_an_anonymous_caller_is_told_to_authenticate_before_the_body_is_read(client, writes):
    for method, path, operation in writes:
        if operation["security"][0] == {}:
            continue  # public: reads the body
        response = client.open(path, method=method.upper(), data="{", headers={"Content-Type": "application/json"})
        assert response.status_code == 401 and response.mimetype == "application/problem+json", path


def test_a_form_upload_is_refused_where_only_json_is_read(client, db, make_token, writes):
    headers = bearer(make_token(make_user(db)))
    db.commit()
    uploads = {"multipart/form-data" in operation.get("requestBody", {}).get("content", {}) for *_, operation in writes}
    assert uploads == {True, False}  # both kinds are in the document
    for method, path, operation in writes:
        if "multipart/form-data" in operation.get("requestBody", {}).get("content", {}):
            continue
        response = client.open(
            path, method=method.upper(), data={"name": "町役場"}, content_type="multipart/form-data", headers=headers
        )
        assert problem(response, 415, operation)["code"] == "unsupported_media_type"


def test_a_length_limit_holds_for_the_string_as_sent(client, db, make_token):
    """Strings are trimmed, but a value over its documented maxLength is refused even if the excess is
    spaces (120 characters of name and one ideographic space is 121)."""
    headers = bearer(make_token(make_user(db)))
    db.commit()
    body = {"name": "町" * 120 + "\u3000", "kind": "company", "municipality_code": "014729"}
    response = client.post("/api/v1/organisations", json=body, headers=headers)
    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"name"}
    trimmed = client.post("/api/v1/organisations", json={**body, "name": " 町" * 60}, headers=headers)
    assert trimmed.status_code == 201, trimmed.get_json()
    assert trimmed.get_json()["name"] == (" 町" * 60).strip()  # 120 as sent, trimmed when stored


def test_an_upload_part_without_a_readable_name_is_a_422(client):
    raw = b'--b\r\nContent-Disposition: form-data; name="\x17\nN>"\r\n\r\n[]\r\n--b--\r\n'
    response = client.post("/api/v1/verify", data=raw, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"body"}  # it was a 500


@pytest.mark.parametrize("compromised", [0.0, 1, "true", None])
def test_a_boolean_field_takes_only_a_json_boolean(client, db, make_token, compromised):
    """pydantic alone would read 0.0 and 1 and "true" as booleans; the document says boolean."""
    owner = make_user(db)
    organisation = make_organisation(db, owner=owner, verified=True)
    secret = make_token(owner, scopes=("read", "issue"))
    db.commit()
    path = f"/api/v1/organisations/{organisation.public_id}/issuer"
    assert client.post(path, headers=bearer(secret)).status_code == 201
    response = client.post(f"{path}/rotate", json={"compromised": compromised}, headers=bearer(secret))
    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"compromised"}
    assert client.post(f"{path}/rotate", json={"compromised": False}, headers=bearer(secret)).status_code == 200


@pytest.mark.parametrize("years", [False, True, "2.5"])
def test_a_number_field_takes_only_a_json_number(client, db, make_token, years):
    """pydantic alone would read false as 0.0 and "2.5" as 2.5 (schemathesis found `"years": false`
    accepted); the document says number. Integers are numbers too."""
    owner = make_user(db)
    make_profile(db, owner=owner)
    headers = bearer(make_token(owner))
    db.commit()
    path = "/api/v1/me/profile/skills/dssp2-36"
    response = client.put(path, json={"level": 2, "years": years}, headers=headers)
    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"years"}
    assert client.put(path, json={"level": 2, "years": 3}, headers=headers).status_code == 201
    assert client.put(path, json={"level": 2, "years": 2.5}, headers=headers).get_json()["years"] == 2.5


@pytest.mark.parametrize("started_on", [0, 20260101, False])
def test_a_date_field_takes_only_a_json_string(client, db, make_token, started_on):
    """pydantic alone would read 0 as 1970-01-01; the document says an ISO 8601 date string."""
    owner = make_user(db)
    make_profile(db, owner=owner)
    headers = bearer(make_token(owner))
    db.commit()
    body = {"title": "除雪車の位置共有", "started_on": started_on}
    response = client.post("/api/v1/me/profile/outcomes", json=body, headers=headers)
    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"started_on"}
    created = client.post("/api/v1/me/profile/outcomes", json={**body, "started_on": "2026-01-05"}, headers=headers)
    assert created.status_code == 201 and created.get_json()["started_on"] == "2026-01-05"
