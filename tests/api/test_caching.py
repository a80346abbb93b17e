"""Conditional GET (#18): anonymous reads of the API carry a strong ETag and answer If-None-Match with 304;
only they may be kept by shared caches."""

from __future__ import annotations

from tests.api.conftest import bearer
from tests.factories import make_profile, make_user


def test_an_anonymous_read_has_an_etag_and_public_cache_control(client, db):
    profile = make_profile(db, display_name="公開さん")
    response = client.get(f"/api/v1/profiles/{profile.public_id}")
    assert response.status_code == 200
    etag, weak = response.get_etag()
    assert etag and not weak
    assert response.headers["Cache-Control"] == "public, no-cache"
    assert "Cookie" in response.vary
    assert "Set-Cookie" not in response.headers


def test_the_same_read_with_if_none_match_is_304_without_a_body(client, db):
    profile = make_profile(db, display_name="公開さん")
    first = client.get(f"/api/v1/profiles/{profile.public_id}")
    again = client.get(f"/api/v1/profiles/{profile.public_id}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    listed = client.get("/api/v1/profiles")
    assert client.get("/api/v1/profiles", headers={"If-None-Match": listed.headers["ETag"]}).status_code == 304


def test_a_changed_resource_gets_a_new_etag(client, db):
    profile = make_profile(db, display_name="公開さん", headline="酪農")
    first = client.get(f"/api/v1/profiles/{profile.public_id}")
    profile.headline = "畑作"
    db.flush()
    changed = client.get(f"/api/v1/profiles/{profile.public_id}", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert changed.get_json()["headline"] == "畑作"
    assert changed.headers["ETag"] != first.headers["ETag"]


def test_authenticated_reads_are_never_public(client, db, make_token, login):
    profile = make_profile(db, display_name="公開さん")
    path = f"/api/v1/profiles/{profile.public_id}"
    by_token = client.get(path, headers=bearer(make_token(make_user(db))))
    assert by_token.status_code == 200
    assert by_token.headers["Cache-Control"] == "no-store"
    assert "ETag" not in by_token.headers
    # An anonymous ETag does not turn an authenticated read into a 304.
    anonymous = client.get(path).headers["ETag"]
    with_token = client.get(path, headers={**bearer(make_token(make_user(db))), "If-None-Match": anonymous})
    assert with_token.status_code == 200
    login(client, make_user(db))
    by_session = client.get(path)
    assert by_session.status_code == 200
    assert by_session.headers["Cache-Control"] == "no-store"
    assert "ETag" not in by_session.headers


def test_errors_get_no_etag(client, db):
    missing = client.get("/api/v1/profiles/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert "ETag" not in missing.headers and "public" not in missing.headers.get("Cache-Control", "")
    refused = client.get("/api/v1/profiles?per_page=100000")
    assert refused.status_code == 422
    assert "ETag" not in refused.headers and "public" not in refused.headers.get("Cache-Control", "")
