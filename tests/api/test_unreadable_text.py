"""Text the API refuses wherever it enters (talentbank/text.py): NUL, other controls, lone surrogates and
non-characters in bodies, query strings and path segments are a 422 naming the field, never a 5xx
(PostgreSQL cannot store NUL, so there it was a 500), and nothing is saved."""

from __future__ import annotations

import json
import re
from urllib.parse import quote, unquote

import pytest
import sqlalchemy as sa
from hypothesis import Phase, given, settings
from schemathesis import GenerationMode

from talentbank.models import Credential
from tests.api.conftest import bearer
from tests.api.fuzzing import ACHIEVEMENT, UNREADABLE_CHARACTERS, poisoned, unreadable_text
from tests.api.test_profiles import PROFILE
from tests.factories import make_profile, make_user

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
EXAMPLES_PER_WRITE = 6


def test_every_write_operation_refuses_unreadable_text(fuzz_app, fuzz_schema, fuzz_caller):
    """Every write of the OpenAPI document, with schema-valid cases whose every string (body, query,
    path) carries a character no text takes: never a 5xx; with a poisoned body or query, a 422 that
    names a field. The caller's token has every scope, so nothing stops the case before validation."""
    _user, headers = fuzz_caller
    client = fuzz_app.test_client()
    operations = [result.ok() for result in fuzz_schema.get_all_operations()]
    writes = [operation for operation in operations if operation.method.upper() in WRITES]
    assert len(writes) > 30
    statuses: dict[str, set[int]] = {}

    for operation in writes:
        _sweep(client, operation, headers, statuses)
    assert len(statuses) == len(writes)
    assert sum(422 in found for found in statuses.values()) > 30, statuses


def _sweep(client, operation, headers: dict[str, str], statuses: dict[str, set[int]]) -> None:
    label = f"{operation.method.upper()} {operation.path}"

    @given(case=operation.as_strategy(GenerationMode.POSITIVE), bad=unreadable_text())
    @settings(max_examples=EXAMPLES_PER_WRITE, deadline=None, database=None, phases=[Phase.generate])
    def run(case, bad):
        # Sent by hand: schemathesis would re-check the poisoned case against the document. A URL cannot
        # carry a lone surrogate (it has no UTF-8 form); a JSON body can, as an escape.
        in_url = re.sub("[\ud800-\udfff]", "\x00", bad)
        body, in_body = (None, 0)
        if isinstance(case.body, dict | list | str) and case.media_type in (None, "application/json"):
            body, in_body = poisoned(case.body, bad)
        query, in_query = poisoned(dict(case.query or {}), in_url)
        # The path is poisoned only when nothing else is: a segment a converter refuses (a UUID) is a 404.
        in_path = "" if in_body or in_query else in_url
        path = operation.path.format(
            **{name: quote(unquote(str(value)) + in_path, safe="") for name, value in case.path_parameters.items()}
        )
        response = client.open(
            path,
            method=operation.method.upper(),
            query_string=query,
            data=None if body is None else json.dumps(body),
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code < 500, (label, response.get_data(as_text=True)[:300])
        statuses.setdefault(label, set()).add(response.status_code)
        if in_body or in_query:
            assert response.status_code == 422, (label, repr(bad), response.get_data(as_text=True)[:300])
            assert response.get_json()["fields"], (label, response.get_data(as_text=True)[:300])

    run()


def _achievement(client, school, headers) -> str:
    created = client.post(f"/api/v1/organisations/{school.public_id}/achievements", json=ACHIEVEMENT, headers=headers)
    assert created.status_code == 201, created.get_data(as_text=True)
    return created.get_json()["id"]


def _credentials(db) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(Credential))


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x85", "\ufffe"])
def test_a_recipient_name_with_a_control_is_refused_in_single_and_bulk_awards(client, db, school, issuer, character):
    headers = issuer
    achievement = _achievement(client, school, headers)
    before = _credentials(db)
    single = client.post(
        f"/api/v1/achievements/{achievement}/credentials",
        json={"email": "taro@example.jp", "name": f"山田{character}太郎"},
        headers=headers,
    )
    assert single.status_code == 422, single.get_data(as_text=True)
    assert "name" in single.get_json()["fields"]
    bulk = client.post(
        f"/api/v1/achievements/{achievement}/credentials/bulk",
        json={"rows": [{"email": "hanako@example.jp", "name": f"花子{character}"}]},
        headers={**headers, "Idempotency-Key": f"batch-{ord(character)}"},
    )
    assert bulk.status_code == 422, bulk.get_data(as_text=True)
    assert "rows.0.name" in bulk.get_json()["fields"]
    db.expire_all()
    assert _credentials(db) == before


def test_a_lone_surrogate_in_json_is_refused_and_the_message_follows_the_language(client, db, make_token):
    headers = {**bearer(make_token(make_profile(db).user)), "Content-Type": "application/json"}
    db.commit()
    body = json.dumps({**PROFILE, "display_name": "X"}).replace('"X"', '"\\ud800"')
    japanese = client.put("/api/v1/me/profile", data=body, headers=headers)
    assert japanese.status_code == 422, japanese.get_data(as_text=True)
    assert "U+D800" in japanese.get_json()["fields"]["display_name"]
    assert "使えない文字" in japanese.get_json()["fields"]["display_name"]
    client.set_cookie("tb_lang", "en")
    english = client.put("/api/v1/me/profile", data=body, headers=headers)
    assert "character that cannot be used" in english.get_json()["fields"]["display_name"]


def test_newlines_only_where_the_field_is_multi_line_and_nothing_saved_is_lost(client, db, make_token):
    profile = make_profile(db, bio="前の自己紹介")
    headers = bearer(make_token(profile.user))
    db.commit()
    refused = client.put("/api/v1/me/profile", json={**PROFILE, "display_name": "山田\n太郎"}, headers=headers)
    assert refused.status_code == 422 and "display_name" in refused.get_json()["fields"]
    refused = client.put("/api/v1/me/profile", json={**PROFILE, "bio": "新しい\x00自己紹介"}, headers=headers)
    assert refused.status_code == 422 and "bio" in refused.get_json()["fields"]
    db.refresh(profile)
    assert profile.bio == "前の自己紹介"
    accepted = client.put("/api/v1/me/profile", json={**PROFILE, "bio": "一行目\n二行目\tタブ"}, headers=headers)
    assert accepted.status_code == 200, accepted.get_data(as_text=True)
    db.refresh(profile)
    assert profile.bio == "一行目\n二行目\tタブ"


@pytest.mark.parametrize("character", UNREADABLE_CHARACTERS[:4])
def test_query_strings_and_path_segments_are_refused(client, db, make_token, character):
    headers = bearer(make_token(make_user(db)))
    db.commit()
    query = client.get("/api/v1/profiles", query_string={"q": f"町{character}"}, headers=headers)
    assert query.status_code == 422 and "q" in query.get_json()["fields"], query.get_data(as_text=True)
    path = client.get(f"/api/v1/skills/dssp2{character}36", headers=headers)
    assert path.status_code == 422, path.get_data(as_text=True)


def test_a_verified_credential_with_a_nul_inside_is_refused(client, db):
    document = {"@context": ["https://www.w3.org/ns/credentials/v2"], "name": "x\x00y"}
    response = client.post("/api/v1/verify", data=json.dumps({"credential": document}), content_type="application/json")
    assert response.status_code == 422 and "credential" in response.get_json()["fields"]
