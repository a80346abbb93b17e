"""Cross-cutting protections: CSRF, throttling, headers, cookies, error pages."""

import re

import pytest
import sqlalchemy as sa

from talentbank.models import Organisation, User
from tests.factories import PASSWORD, make_organisation, make_user

# Every state-changing route, with a form that would otherwise succeed or at least reach the view.
POST_ROUTES = [
    "/register",
    "/login",
    "/logout",
    "/forgot",
    "/reset/sometoken",
    "/confirm/sometoken",
    "/settings/password",
    "/locale",
    "/orgs/new",
    "/orgs/{org}/edit",
    "/orgs/{org}/invitations",
    "/orgs/{org}/invitations/1/revoke",
    "/orgs/{org}/members/1/role",
    "/orgs/{org}/members/1/remove",
    "/invitations/sometoken",
    "/admin/orgs/{org}/verify",
    "/me/profile",
    "/me/skills",
    "/me/skills/1/delete",
    "/me/outcomes/new",
    "/me/outcomes/sometoken/edit",
    "/me/outcomes/sometoken/delete",
    "/me/outcomes/sometoken/visibility",
    "/me/delete",
    "/orgs/{org}/issuer",
    "/orgs/{org}/issuer/rotate",
    "/orgs/{org}/achievements/new",
    "/orgs/{org}/learner-records/new",
    "/learner-records/sometoken/revoke",
    "/achievements/sometoken/award",
    "/achievements/sometoken/award-profile",
    "/achievements/sometoken/bulk",
    "/achievements/sometoken/revoke",
    "/credentials/sometoken/claim",
    "/credentials/sometoken/revoke",
    "/credentials/sometoken/reissue",
    "/verify",
    "/me/credentials/import",
    "/me/credentials/imported/sometoken/delete",
    "/achievements/sometoken/endorse",
    "/opendata/regenerate",
    "/orgs/{org}/projects/new",
    "/projects/sometoken/edit",
    "/projects/sometoken/status",
    "/projects/sometoken/apply",
    "/projects/sometoken/invite/sometoken",
    "/applications/sometoken/accept",
    "/applications/sometoken/decline",
    "/applications/sometoken/withdraw",
    "/applications/sometoken/complete",
    "/settings/tokens",
    "/settings/tokens/sometoken/revoke",
    "/orgs/{org}/allocation",
    "/allocation/sometoken/method",
    "/allocation/sometoken/publish",
    "/notifications/read",
    "/me/internship-preferences",
    "/orgs/{org}/learning/new",
    "/orgs/{org}/learning/import",
    "/learning/sometoken/edit",
    "/learning/sometoken/close",
    "/learning/sometoken/enrol",
    "/learning/sometoken/withdraw",
    "/learning/sometoken/learners",
    "/learning/sometoken/completions",
    "/credentials/sometoken/wallet",
    "/applications/sometoken/presentation",
    "/me/credentials/presentation",
    "/learner-records/sometoken/wallet",
]
# The JSON API checks CSRF itself, only for cookie-authenticated writes (tests/api/test_auth.py).
API_PREFIX = "/api/v1/"
# OpenID4VCI's token, nonce and credential endpoints take no cookies: a wallet authenticates with the
# pre-authorised code, the access token and its proof (tests/web/test_wallet.py). OpenID4VP's response
# endpoint neither: the request id, its challenge and the holder's proof (tests/web/test_presentations.py).
WALLET_PROTOCOL_PREFIX = ("/oid4vci/", "/oid4vp/")


def test_every_post_route_is_in_the_csrf_list(app):
    posts = {
        re.sub(r"<[^>]+>", "x", rule.rule)
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods
        and rule.endpoint != "static"
        and not rule.rule.startswith((API_PREFIX, *WALLET_PROTOCOL_PREFIX))
    }
    listed = {
        re.sub(r"\{org\}|sometoken|/1/", lambda m: "/x/" if m.group() == "/1/" else "x", route) for route in POST_ROUTES
    }
    assert posts == listed


@pytest.mark.parametrize("route", POST_ROUTES)
def test_post_without_or_with_a_wrong_csrf_token_is_400(client, db, login, csrf_enabled, route):
    admin = make_user(db, is_admin=True)
    organisation = make_organisation(db, owner=admin, name="変更されない組織")
    path = route.format(org=organisation.public_id)
    client.get("/")  # an anonymous session first
    assert client.post(path, data={"name": "x"}).status_code == 400
    assert client.post(path, data={"name": "x", "csrf_token": "forged"}).status_code == 400
    db.refresh(organisation)
    assert organisation.name == "変更されない組織"


def test_csrf_error_page_is_friendly(client, csrf_enabled):
    response = client.post("/login", data={"email": "a@example.jp", "password": "x"})
    assert response.status_code == 400
    assert "不正な送信" in response.get_data(as_text=True)


def test_login_with_a_valid_csrf_token_works(client, db, csrf_enabled):
    user = make_user(db)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_the_locale_switcher_needs_no_token_from_this_site_only(client, db, csrf_enabled):
    """The switcher is on every page without a CSRF token (so anonymous pages set no session cookie); the
    browser's own Sec-Fetch-Site or Origin header shows the form came from this site."""
    for same_site in ({"Sec-Fetch-Site": "same-origin"}, {"Origin": "http://localhost"}):
        client.delete_cookie("tb_lang")
        response = client.post("/locale", data={"locale": "en"}, headers=same_site)
        assert response.status_code == 302, same_site
        assert "tb_lang=en" in response.headers["Set-Cookie"]
    for other_site in (
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is another site's page
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"},  # the fetch metadata decides
    ):
        response = client.post("/locale", data={"locale": "ja"}, headers=other_site)
        assert response.status_code == 400, other_site
        assert "Set-Cookie" not in response.headers
    assert "csrf_token" not in client.get("/").get_data(as_text=True)


def test_login_is_throttled_per_account(client, db, make_client):
    user = make_user(db)
    for attempt in range(10):
        # a different IP each time: only the per-account limit can trip
        response = client.post(
            "/login", data={"email": user.email, "password": "wrong"}, environ_base={"REMOTE_ADDR": f"10.0.0.{attempt}"}
        )
        assert response.status_code == 422
    blocked = client.post(
        "/login", data={"email": user.email, "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.0.1.1"}
    )
    assert blocked.status_code == 429
    assert "試行が多すぎます" in blocked.get_data(as_text=True)
    assert "Retry-After" in blocked.headers


def test_login_is_throttled_per_ip(client, db):
    for number in range(10):
        client.post("/login", data={"email": f"guess{number}@example.jp", "password": "wrong"})
    user = make_user(db)
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 429


def test_successful_logins_do_not_count(client, db, login):
    user = make_user(db)
    for _ in range(12):
        login(client, user)
        client.post("/logout")


def test_security_headers_on_every_page(client, db, login):
    organisation = make_organisation(db)
    login(client, organisation.memberships[0].user)
    for path in ["/", "/orgs/", f"/orgs/{organisation.public_id}", "/skills", "/municipalities", "/dashboard", "/nope"]:
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "object-src 'none'" in csp
        assert "base-uri 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert response.headers["Cache-Control"] == "no-store"  # logged in
        assert "<script>" not in response.get_data(as_text=True)


def test_auth_pages_are_not_cached(client):
    for path in ["/login", "/register", "/forgot"]:
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store"
        assert "Cookie" in response.headers["Vary"]


def test_production_cookie_settings(database_url, tmp_path):
    from tests.conftest import make_test_app

    production = make_test_app(database_url, tmp_path, SECURE_COOKIES=True)
    assert production.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert production.config["SESSION_COOKIE_SECURE"] and production.config["SESSION_COOKIE_HTTPONLY"]
    assert production.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    response = production.test_client().get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_session_cookie_flags(client, db, login):
    user = make_user(db)
    response = login(client, user)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secret_key_is_generated_into_the_instance_folder(tmp_path, monkeypatch):
    from talentbank import create_app

    monkeypatch.setenv("TALENTBANK_INSTANCE_PATH", str(tmp_path))
    first = create_app({"DATABASE_URL": "sqlite://"})
    second = create_app({"DATABASE_URL": "sqlite://"})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_environment_overrides_the_defaults(tmp_path, monkeypatch):
    from talentbank import create_app

    monkeypatch.setenv("TALENTBANK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TALENTBANK_BASE_URL", "https://talent.example.jp")
    monkeypatch.setenv("TALENTBANK_SECURE_COOKIES", "false")
    (tmp_path / "talentbank.cfg").write_text("MAIL_FROM = 'file@example.jp'\nBASE_URL = 'https://file.example.jp'\n")
    app = create_app({"DATABASE_URL": "sqlite://"})
    assert app.config["BASE_URL"] == "https://talent.example.jp"  # environment beats the file
    assert app.config["MAIL_FROM"] == "file@example.jp"
    assert app.config["SECURE_COOKIES"] is False


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    from talentbank import create_app

    monkeypatch.setenv("TALENTBANK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("TALENTBANK_DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'talentbank.db'}"


def test_sqlite_pragmas_on_every_connection(app):
    engine = app.extensions["talentbank.engine"]
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_error_pages_in_both_languages(client):
    assert "ページが見つかりません" in client.get("/nope").get_data(as_text=True)
    client.post("/locale", data={"locale": "en"})
    assert "Page not found" in client.get("/nope").get_data(as_text=True)


def test_unexpected_error_gives_a_generic_500_and_saves_nothing(app, client, db, monkeypatch):
    from talentbank.organisations import services

    user = make_user(db)
    client.post("/login", data={"email": user.email, "password": PASSWORD})

    def explode(*args, **kwargs):
        raise RuntimeError("SELECT secret FROM internals")

    monkeypatch.setattr(services, "create_organisation", explode)
    response = client.post("/orgs/new", data={"name": "x", "kind": "company", "municipality_code": "011002"})
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "SELECT" not in body and "Traceback" not in body
    assert "サーバーでエラーが発生しました" in body
    assert db.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 0


def test_body_over_the_limit_is_413(client):
    response = client.post("/login", data={"email": "a@example.jp", "password": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413


def test_get_routes_change_nothing(client, db, login):
    organisation = make_organisation(db)
    login(client, organisation.memberships[0].user)
    before = db.scalar(sa.select(sa.func.count()).select_from(User)), organisation.name
    for path in [
        "/",
        "/orgs/",
        f"/orgs/{organisation.public_id}",
        f"/orgs/{organisation.public_id}/edit",
        "/orgs/new",
        "/dashboard",
        "/skills",
        "/settings/password",
    ]:
        assert client.get(path).status_code == 200, path
    db.refresh(organisation)
    assert (db.scalar(sa.select(sa.func.count()).select_from(User)), organisation.name) == before
