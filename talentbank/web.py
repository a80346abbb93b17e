"""Request-level behaviour shared by every page: extensions, locale, session checks, security headers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from argon2 import PasswordHasher
from cryptography.fernet import Fernet
from flask import Flask, current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user, logout_user
from sqlalchemy.orm import Session

from talentbank import audit, db, http_caching, mail, rate_limits, text
from talentbank.accounts import passwords
from talentbank.errors import Invalid
from talentbank.extensions import babel, csrf, limiter, login_manager
from talentbank.models import User

LOCALES = ("ja", "en")
LOCALE_COOKIE = "tb_lang"
ABSOLUTE_SESSION_HOURS = 12

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def select_locale() -> str:
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in LOCALES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    return "ja"


def load_user(user_id: str) -> User | None:
    """Load the user named by a session cookie, refusing cookies from an older session version."""
    public_id, _, version = user_id.partition(":")
    try:
        key = uuid.UUID(public_id)
        expected_version = int(version)
    except ValueError:
        return None
    user = db.session.scalar(sa.select(User).where(User.public_id == key))
    if user is None or not user.is_active or user.session_version != expected_version:
        return None
    return user


def init_app(app: Flask) -> None:
    app.extensions["talentbank.hasher"] = passwords.hasher(app.config["PASSWORD_HASH"])
    app.extensions["talentbank.fernet"] = Fernet(app.config["KEY_ENCRYPTION_KEY"])
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = None  # sessions are rotated at login and versioned server-side
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limits = rate_limits.storage_settings(app.config, app.instance_path)
    app.config.update(limits)
    app.extensions["talentbank.rate_limit_storage"] = rate_limits.describe(limits["RATELIMIT_STORAGE_URI"])
    limiter.init_app(app)

    app.before_request(_begin_request)
    app.before_request(_enforce_absolute_timeout)
    app.before_request(_refuse_unreadable_text)
    http_caching.init_app(app)  # before the security headers: it runs after them
    app.after_request(_security_headers)
    app.after_request(_deliver_queued_mail)
    app.context_processor(lambda: {"current_locale": str(get_locale()), "locales": LOCALES})


def current_actor() -> User | None:
    """The logged-in user as a plain model (what services take as `actor`), or None."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def password_hasher() -> PasswordHasher:
    return current_app.extensions["talentbank.hasher"]


def protect_from_other_sites() -> None:
    """CSRF protection for a form that must not need a session: the locale switcher is on every page,
    and a token in it would give every anonymous visitor a session cookie and make no page cacheable.
    A browser says where a form comes from (`Sec-Fetch-Site`, and `Origin` on every POST), and no page
    can forge either; when neither says this site, the form needs its token as any other does
    (`csrf.protect()` raises the usual 400). Off when CSRF checks are (WTF_CSRF_ENABLED), as theirs are."""
    if not current_app.config["WTF_CSRF_ENABLED"]:
        return
    site = request.headers.get("Sec-Fetch-Site")
    if site == "same-origin":
        return
    origin = request.headers.get("Origin")
    if site is None and origin and urlsplit(origin).netloc == request.host:
        return
    csrf.protect()


def is_safe_next(target: str | None) -> bool:
    """Only same-site absolute paths may be redirect targets (no scheme, host or protocol-relative URL)."""
    if not target:
        return False
    decoded = unquote(target)
    if not decoded.startswith("/") or decoded.startswith("//"):
        return False
    if any(ch in decoded for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in decoded):
        return False
    parts = urlsplit(decoded)
    return not parts.scheme and not parts.netloc


def _begin_request() -> None:
    g.request_id = str(uuid.uuid4())
    audit.current_request_info.set(audit.RequestInfo(ip_address=request.remote_addr, request_id=g.request_id))
    db.sqlite_begin_mode.set("DEFERRED" if request.method in {"GET", "HEAD", "OPTIONS"} else "IMMEDIATE")


def _refuse_unreadable_text() -> None:
    """The text rule (`talentbank.text`) for what every request carries before any view reads it:
    path segments, query parameters, form and multipart field names and file names (one line each),
    and form values (which may be multi-line: the form's own fields refuse tabs and newlines where
    they are one line). A refused request is a 422 naming the field, and nothing has been written. The API
    reads its bodies through its models (`api.schemas.Model`), which apply the same rule per field."""
    fields: dict[str, str] = {}
    is_api = request.path.startswith("/api/")
    path_values = [(name, value) for name, value in (request.view_args or {}).items() if isinstance(value, str)]
    sources = [(path_values, False), (request.args.items(multi=True), False)]
    if not is_api:
        sources.append((request.form.items(multi=True), True))
    for source, multiline in sources:
        for name, value in source:
            character = text.unreadable_character(name) or text.unreadable_character(value, multiline=multiline)
            if character:
                label = name if not text.unreadable_character(name) else text.code_point(character)
                fields.setdefault(label, text.message(label, character))
    for name, upload in () if is_api else request.files.items(multi=True):
        character = text.unreadable_character([name, upload.filename or ""])
        if character:
            fields.setdefault(name, text.message(name, character))
    if fields:
        raise Invalid(next(iter(fields.values())), fields)


def _enforce_absolute_timeout() -> None:
    started = session.get("login_at")
    if started is None or not current_user.is_authenticated:
        return
    if datetime.now(UTC) - datetime.fromtimestamp(started, UTC) > timedelta(hours=ABSOLUTE_SESSION_HOURS):
        logout_user()
        session.clear()


def _deliver_queued_mail(response):
    """With SMTP configured, send the mail this request queued (and committed) right away.

    Failures leave the mail queued for `talentbank send-mail`. A fresh session sees committed rows only.
    """
    if not current_app.config.get("SMTP_HOST") or not db.session.info.pop("mail_queued", False):
        return response
    with Session(current_app.extensions["talentbank.engine"]) as mail_session:
        mail.send_pending(mail_session, current_app.config)
        mail_session.commit()
    return response


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["X-Request-ID"] = g.get("request_id", "")
    if request.blueprint == "accounts" or current_user.is_authenticated:
        headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    if current_app.config["SECURE_COOKIES"]:
        headers["Strict-Transport-Security"] = f"max-age={current_app.config['HSTS_SECONDS']}; includeSubDomains"
    return response
