"""HTTP caching of anonymous pages (#18): a page that a visitor without cookies gets is the same for every
such visitor, so it carries a strong ETag, answers If-None-Match with 304 and may be kept for a minute by a
shared cache; anything personal (signed in, a session of one's own, the account pages) is never stored."""

from __future__ import annotations

import pytest

from tests.factories import make_profile, make_user

PUBLIC_PAGES = ["/", "/projects", "/people", "/skills", "/supply-demand", "/learning"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_an_anonymous_page_is_cacheable_and_revalidates(client, db, csrf_enabled, path):
    first = client.get(path)
    assert first.status_code == 200
    assert "Set-Cookie" not in first.headers  # no session for a visitor who only reads
    assert first.headers["Cache-Control"] == "public, no-cache"
    assert "Cookie" in first.vary
    etag, weak = first.get_etag()
    assert etag and not weak
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_a_changed_page_gets_a_new_etag(client, db):
    profile = make_profile(db, display_name="公開さん", headline="酪農")
    path = f"/people/{profile.public_id}"
    first = client.get(path)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, no-cache"
    profile.headline = "畑作"
    db.flush()
    changed = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and "畑作" in changed.get_data(as_text=True)


def test_the_visitors_language_is_part_of_the_key(client, db):
    client.set_cookie("tb_lang", "en")
    response = client.get("/projects")
    assert response.headers["Cache-Control"] == "public, no-cache" and "Cookie" in response.vary


def test_signed_in_pages_and_account_pages_are_never_stored(client, db, login):
    for path in ("/login", "/register"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers
    anonymous = client.get("/projects").headers["ETag"]
    login(client, make_user(db))
    response = client.get("/projects", headers={"If-None-Match": anonymous})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers


def test_a_page_that_starts_a_session_is_not_public(client, db, csrf_enabled):
    """The verify form carries a CSRF token: its page belongs to the session it starts."""
    response = client.get("/verify")
    assert response.status_code == 200
    assert "Set-Cookie" in response.headers
    assert "public" not in response.headers.get("Cache-Control", "")


def test_errors_and_the_health_check_are_not_cached(client, db):
    assert "Cache-Control" not in client.get("/nope").headers
    health = client.get("/healthz")
    assert health.status_code == 200 and "Cache-Control" not in health.headers and "ETag" not in health.headers
