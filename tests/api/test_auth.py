"""Personal access tokens, scopes, CSRF for browser sessions, problem documents and rate limits."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from talentbank.accounts.services import hash_token
from talentbank.db import utcnow
from talentbank.models import ApiToken, AuditEvent
from tests.api.conftest import bearer
from tests.factories import make_user


def test_a_token_is_shown_once_stored_hashed_and_works_as_bearer(client, db, login):
    user = make_user(db)
    login(client, user)
    page = client.post("/settings/tokens", data={"name": "発行スクリプト", "scopes": ["read"], "days": "30"})
    assert page.status_code == 200
    secret = re.search(r"tbp_[A-Za-z0-9_-]{43}", page.get_data(as_text=True)).group()
    stored = db.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored.token_hash == hash_token(secret) and secret not in stored.prefix + stored.token_hash
    assert secret not in client.get("/settings/tokens").get_data(as_text=True)  # never shown again

    anonymous = client.application.test_client()
    me = anonymous.get("/api/v1/me", headers=bearer(secret))
    assert me.status_code == 200
    assert me.get_json()["email"] == user.email and me.get_json()["scopes"] == ["read"]
    assert me.get_json()["via"] == "token"
    assert "Set-Cookie" not in me.headers  # a token call never starts a browser session


def test_token_form_errors_are_shown_and_nothing_is_saved(client, db, login):
    login(client, make_user(db))
    page = client.post("/settings/tokens", data={"name": "", "days": "30"})
    assert page.status_code == 422
    page = client.post("/settings/tokens", data={"name": "x", "days": "30"})  # no scope
    assert page.status_code == 422 and "権限を1つ以上選んでください" in page.get_data(as_text=True)
    page = client.post("/settings/tokens", data={"name": "x", "scopes": ["read"], "days": "9999"})
    assert page.status_code == 422
    assert db.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


@pytest.mark.parametrize(
    "header",
    [
        "Bearer tbp_" + "A" * 43,  # well-formed, unknown
        "Bearer ",
        "Bearer not-a-token",
        "Basic dXNlcjpwYXNz",
        "Bearer " + "tbp_" + "x" * 500,
    ],
)
def test_bad_credentials_are_401_with_a_bearer_challenge(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "unauthorized"


def test_expired_and_revoked_tokens_stop_working(client, db, make_token, login):
    user = make_user(db)
    secret = make_token(user)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    token = db.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    token.expires_at = utcnow() - timedelta(seconds=1)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401

    token.expires_at = utcnow() + timedelta(days=1)
    login(client, user)
    assert client.post(f"/settings/tokens/{token.public_id}/revoke").status_code == 302
    assert client.application.test_client().get("/api/v1/me", headers=bearer(secret)).status_code == 401
    assert db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "api_token.revoke")) is not None


def test_a_disabled_account_s_tokens_stop_working(client, db, make_token):
    user = make_user(db)
    secret = make_token(user)
    user.is_disabled = True
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_nobody_revokes_someone_else_s_token(client, db, make_token, login):
    owner = make_user(db)
    secret = make_token(owner)
    token = db.scalar(sa.select(ApiToken).where(ApiToken.user_id == owner.id))
    login(client, make_user(db))
    assert client.post(f"/settings/tokens/{token.public_id}/revoke").status_code == 404
    assert client.post("/settings/tokens/not-a-uuid/revoke").status_code == 404
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200


@pytest.mark.parametrize("name", ["access_token", "token", "api_key", "Authorization"])
def test_tokens_in_the_query_string_are_refused(client, db, make_token, name):
    secret = make_token()
    response = client.get(f"/api/v1/me?{name}={secret}")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    # Even next to a valid header, and under any parameter name.
    assert client.get(f"/api/v1/skills?q={secret}", headers=bearer(secret)).status_code == 422


def test_a_token_without_the_scope_is_403(client, db, make_token):
    secret = make_token(scopes=("write",))
    response = client.get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 403 and response.get_json()["code"] == "forbidden"


def test_browser_sessions_call_the_api_and_writes_need_the_csrf_token(client, db, login, csrf_enabled):
    user = make_user(db)
    client.get("/login")
    login_page = client.get("/login").get_data(as_text=True)
    csrf_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"email": user.email, "password": "correct horse battery staple",
                                "csrf_token": csrf_token})  # fmt: skip
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.get_json()["via"] == "session"
    page = client.get("/settings/tokens").get_data(as_text=True)  # the session's token, as a page script would
    csrf_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    payload = {"credential": "x"}
    assert client.post("/api/v1/verify", json=payload).status_code == 400  # cookie write without the header
    assert client.post("/api/v1/verify", json=payload, headers={"X-CSRFToken": "wrong"}).status_code == 400
    assert client.post("/api/v1/verify", json=payload, headers={"X-CSRFToken": csrf_token}).status_code == 200
    # Programs with a token (and anonymous callers of public operations) need no CSRF token.
    assert client.application.test_client().post("/api/v1/verify", json=payload).status_code == 200


def test_errors_are_problem_documents(client):
    response = client.get("/api/v1/organisations/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 404 and body["title"] == "Not Found" and body["instance"].startswith("urn:uuid:")
    response = client.get("/api/v1/skills?per_page=0")
    assert response.status_code == 422 and "per_page" in response.get_json()["fields"]
    assert client.get("/api/v1/no-such-thing").mimetype == "application/problem+json"
    assert client.delete("/api/v1/skills").status_code == 405


def test_unknown_body_fields_are_refused(client):
    response = client.post("/api/v1/verify", json={"credential": "x", "is_admin": True})
    assert response.status_code == 422 and "is_admin" in response.get_json()["fields"]


def test_last_used_is_recorded(client, db, make_token):
    user = make_user(db)
    secret = make_token(user)
    client.get("/api/v1/me", headers=bearer(secret))
    token = db.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.last_used_at is not None


def test_rate_limit_is_per_token_with_retry_after(database_url, tmp_path, db, make_token):
    from tests.conftest import make_test_app

    app = make_test_app(database_url, tmp_path, API_LIMIT="3 per minute")
    first, second = make_token(), make_token()
    db.commit()
    client = app.test_client()
    statuses = [client.get("/api/v1/me", headers=bearer(first)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/me", headers=bearer(first))
    assert limited.mimetype == "application/problem+json" and int(limited.headers["Retry-After"]) > 0
    assert client.get("/api/v1/me", headers=bearer(second)).status_code == 200  # another token's own budget
