import sqlalchemy as sa

from talentbank.models import AccountToken, AuditEvent, User
from tests.factories import PASSWORD, make_user
from tests.web.helpers import link_in, outbox, user_count

GOOD = {
    "email": "Aiko@Example.jp",
    "display_name": "北野 愛子",
    "password": "sapporo snow festival 2026",
    "password_confirm": "sapporo snow festival 2026",
    "accept_terms": "y",
}


def register(client, **changes):
    return client.post("/register", data={**GOOD, **changes})


def test_register_confirm_and_land_on_dashboard(client, db):
    response = register(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/register/sent")
    user = db.scalar(sa.select(User).where(User.email == "aiko@example.jp"))
    assert user is not None and user.email_verified_at is None
    assert user.password_hash.startswith("$argon2id$")
    [message] = outbox(db, "aiko@example.jp")
    confirm_path = link_in(message, "/confirm/")

    page = client.get(confirm_path)
    assert page.status_code == 200
    response = client.post(confirm_path)
    assert response.status_code == 302
    dashboard = client.get("/dashboard")
    assert "北野 愛子" in dashboard.get_data(as_text=True)
    db.refresh(user)
    assert user.email_verified_at is not None
    # the link is single-use
    assert client.get(confirm_path).status_code == 404


def test_registration_answers_the_same_for_a_known_address(client, db):
    make_user(db, email="known@example.jp")
    known = register(client, email="known@example.jp")
    unknown = register(client, email="new@example.jp")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert user_count(db) == 2
    [mail_to_known] = outbox(db, "known@example.jp")
    assert mail_to_known.kind == "already_registered"


def test_duplicate_email_in_other_case_creates_nothing(client, db):
    make_user(db, email="dup@example.jp")
    register(client, email="DUP@example.jp")
    assert user_count(db) == 1


def test_malformed_email_is_refused_and_nothing_saved(client, db):
    response = register(client, email="not-an-address")
    assert response.status_code == 422
    assert "メールアドレスの形式が正しくありません" in response.get_data(as_text=True)
    assert user_count(db) == 0 and outbox(db) == []


def test_short_password_is_refused_beside_the_field(client, db):
    response = register(client, password="short1", password_confirm="short1")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="password-error"' in body and "10文字以上" in body
    assert user_count(db) == 0


def test_common_password_is_refused(client, db):
    response = register(client, password="password123", password_confirm="password123")
    assert response.status_code == 422
    assert "よく使われている" in response.get_data(as_text=True)
    assert user_count(db) == 0


def test_long_passphrase_is_accepted_without_truncation(client, db):
    phrase = "十勝の畑で" * 20  # 100 characters
    register(client, password=phrase, password_confirm=phrase)
    user = db.scalar(sa.select(User))
    from talentbank.accounts.passwords import hasher, verify_password

    assert verify_password(hasher("fast"), user.password_hash, phrase)
    assert not verify_password(hasher("fast"), user.password_hash, phrase[:72])


def test_over_long_fields_are_refused(client, db):
    response = register(client, display_name="長" * 81)
    assert response.status_code == 422
    response = register(client, email=("a" * 250) + "@example.jp")
    assert response.status_code == 422
    assert user_count(db) == 0


def test_terms_must_be_accepted(client, db):
    response = client.post("/register", data={k: v for k, v in GOOD.items() if k != "accept_terms"})
    assert response.status_code == 422
    assert user_count(db) == 0


def test_login_and_logout(client, db, login):
    user = make_user(db)
    login(client, user)
    assert client.get("/dashboard").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_wrong_password_and_unknown_email_answer_the_same(client, db):
    user = make_user(db)
    wrong = client.post("/login", data={"email": user.email, "password": "not the password"})
    unknown = client.post("/login", data={"email": "nobody@example.jp", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 422
    assert "メールアドレスまたはパスワードが正しくありません" in wrong.get_data(as_text=True)
    strip = lambda r: r.get_data(as_text=True).replace(user.email, "").replace("nobody@example.jp", "")
    assert strip(wrong).split("<main")[1].split("</main>")[0].replace('value=""', "") == strip(unknown).split("<main")[
        1
    ].split("</main>")[0].replace('value=""', "")
    failures = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "account.login_failed")).all()
    assert len(failures) == 2


def test_unconfirmed_account_cannot_log_in_and_gets_a_new_link(client, db):
    user = make_user(db, verified=False)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 422
    assert "確認が済んでいません" in response.get_data(as_text=True)
    assert [m.kind for m in outbox(db, user.email)] == ["verify_email"]
    assert client.get("/dashboard").status_code == 302


def test_login_rotates_the_session(client, db):
    user = make_user(db)
    with client.session_transaction() as session:
        session["planted"] = "attacker value"
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session


def test_logout_invalidates_old_cookies_server_side(app, client, db, login, make_client):
    user = make_user(db)
    login(client, user)
    stolen = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    client.post("/logout")
    thief = make_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    assert thief.get("/dashboard").status_code == 302


def test_safe_next_redirect_only(client, db):
    user = make_user(db)
    for target in [
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "/%0d%0aSet-Cookie:x",
    ]:
        response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": target})
        assert response.headers["Location"] in {"/dashboard", "http://localhost/dashboard"}, target
        client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": "/orgs/"})
    assert response.headers["Location"].endswith("/orgs/")


def test_password_reset_flow(client, db):
    user = make_user(db, email="reset@example.jp")
    response = client.post("/forgot", data={"email": "RESET@example.jp"})
    assert response.status_code == 302
    [message] = outbox(db, "reset@example.jp")
    reset_path = link_in(message, "/reset/")
    assert client.get(reset_path).status_code == 200
    new_password = "a brand new passphrase"
    response = client.post(reset_path, data={"password": new_password, "password_confirm": new_password})
    assert response.status_code == 302
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 422
    assert client.post("/login", data={"email": user.email, "password": new_password}).status_code == 302
    # single use
    assert client.get(reset_path).status_code == 404
    again = client.post(
        reset_path, data={"password": "another passphrase 1", "password_confirm": "another passphrase 1"}
    )
    assert again.status_code == 404


def test_reset_request_answers_the_same_for_unknown_address(client, db):
    make_user(db, email="known@example.jp")
    known = client.post("/forgot", data={"email": "known@example.jp"})
    unknown = client.post("/forgot", data={"email": "unknown@example.jp"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert outbox(db, "unknown@example.jp") == []


def test_expired_reset_token_is_refused(client, db):
    from datetime import timedelta

    user = make_user(db)
    client.post("/forgot", data={"email": user.email})
    token = link_in(outbox(db, user.email)[0], "/reset/").split("/reset/")[1]
    record = db.scalar(sa.select(AccountToken))
    record.expires_at = record.created_at - timedelta(seconds=1)
    assert client.get(f"/reset/{token}").status_code == 404


def test_password_change_ends_other_sessions(client, db, login, make_client):
    user = make_user(db)
    login(client, user)
    other_device = make_client()
    login(other_device, user)
    new_password = "a completely new passphrase"
    response = client.post(
        "/settings/password",
        data={"current_password": PASSWORD, "password": new_password, "password_confirm": new_password},
    )
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200
    assert other_device.get("/dashboard").status_code == 302


def test_password_change_needs_the_current_password(client, db, login):
    user = make_user(db)
    login(client, user)
    before = user.password_hash
    response = client.post(
        "/settings/password",
        data={
            "current_password": "wrong wrong wrong",
            "password": "new passphrase 123",
            "password_confirm": "new passphrase 123",
        },
    )
    assert response.status_code == 422
    assert "現在のパスワードが正しくありません" in response.get_data(as_text=True)
    db.refresh(user)
    assert user.password_hash == before


def test_disabled_account_cannot_log_in(client, db):
    user = make_user(db, is_disabled=True)
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 422


def test_audit_log_never_holds_the_password(client, db, caplog):
    with caplog.at_level("INFO", logger="talentbank.audit"):
        register(client)
        client.post("/login", data={"email": GOOD["email"], "password": "wrong password here"})
    assert GOOD["password"] not in caplog.text
    assert "wrong password here" not in caplog.text
    assert "account.register" in caplog.text
