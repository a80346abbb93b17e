"""Configuration: defaults in code, overridden by instance/talentbank.cfg, TALENTBANK_* variables, or a mapping.

Precedence, lowest first: the defaults below, the instance file, the environment, the mapping given to
`create_app` (tests). Nothing here runs at import time; `load_config` is called by the app factory.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from flask import Flask

ENV_PREFIX = "TALENTBANK_"
# Where templates/, migrations/ and alembic.ini live: the checkout's top-level folders (an editable install, as
# `make run` and `make test` do), or the copies a wheel carries in talentbank/_bundled/ (made by setup.py).
_BUNDLED = Path(__file__).resolve().parent / "_bundled"
FROM_CHECKOUT = not _BUNDLED.is_dir()
PROJECT_ROOT = Path(__file__).resolve().parent.parent if FROM_CHECKOUT else _BUNDLED
TEMPLATES = PROJECT_ROOT / "templates"


def default_instance_path() -> Path:
    """The instance folder unless TALENTBANK_INSTANCE_PATH names one: the checkout's `instance/`, or for a wheel
    install `instance/` in the working directory (never inside site-packages)."""
    return (PROJECT_ROOT if FROM_CHECKOUT else Path.cwd()) / "instance"


DEFAULTS: dict[str, Any] = {
    # None means "SQLite in the instance folder" (resolved in `resolve_database_url`).
    "DATABASE_URL": None,
    "SQLITE_BUSY_TIMEOUT_MS": 5000,
    "REDIS_URL": None,
    # auto: Redis when REDIS_URL is set, else the database (memory in the test suite); or redis, database, memory.
    "RATELIMIT_STORAGE": "auto",
    "BASE_URL": "http://127.0.0.1:5000",
    "SECURE_COOKIES": True,
    "HSTS_SECONDS": 31536000,
    "PASSWORD_HASH": "argon2id",  # "fast" in tests only
    "PASSWORD_MIN_LENGTH": 10,
    "PASSWORD_MAX_LENGTH": 128,
    "LOGIN_LIMIT": "10 per 15 minutes",
    "REGISTER_LIMIT": "20 per hour",
    "RESET_LIMIT": "10 per hour",
    # Verification may fetch other issuers' documents: a per-IP limit keeps it from being a relay.
    "VERIFY_LIMIT": "60 per minute",
    "API_LIMIT": "300 per minute",
    "TOKEN_LIMIT": "20 per hour",
    # The wallet protocols' POSTs (OpenID4VCI token, nonce and credential; the OpenID4VP response) come from
    # no account and the presentation check is costly (canonicalisation, signatures): a per-IP limit.
    "WALLET_PROTOCOL_LIMIT": "60 per minute",
    "RESET_TOKEN_HOURS": 2,
    "INVITATION_DAYS": 14,
    "SESSION_IDLE_MINUTES": 120,
    "MAIL_FROM": "talentbank <no-reply@talentbank.invalid>",
    "SMTP_HOST": None,
    "SMTP_PORT": 25,
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_STARTTLS": False,
    "SMTP_TIMEOUT": 10,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "RATELIMIT_ENABLED": True,
    # The open data files are regenerated on request when older than this.
    "OPENDATA_MAX_AGE_HOURS": 24,
}

# Values that arrive as strings from the environment and must become other types.
_BOOLEAN_KEYS = {"SECURE_COOKIES", "SMTP_STARTTLS", "RATELIMIT_ENABLED", "TESTING"}
_INTEGER_KEYS = {
    "SQLITE_BUSY_TIMEOUT_MS",
    "HSTS_SECONDS",
    "PASSWORD_MIN_LENGTH",
    "PASSWORD_MAX_LENGTH",
    "RESET_TOKEN_HOURS",
    "INVITATION_DAYS",
    "SESSION_IDLE_MINUTES",
    "SMTP_PORT",
    "SMTP_TIMEOUT",
    "MAX_CONTENT_LENGTH",
    "OPENDATA_MAX_AGE_HOURS",
}


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill `app.config` from defaults, the instance file, the environment and `overrides`."""
    app.config.update(DEFAULTS)
    app.config.from_pyfile("talentbank.cfg", silent=True)
    app.config.update(_from_environment(os.environ))
    app.config.update(overrides or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(
            Path(app.instance_path), "secret_key", lambda: secrets.token_hex(32)
        )
    if not app.config.get("KEY_ENCRYPTION_KEY"):
        # Encrypts issuers' private signing keys at rest (Fernet). Keep it apart from database backups.
        app.config["KEY_ENCRYPTION_KEY"] = _instance_secret(
            Path(app.instance_path), "key_encryption_key", lambda: Fernet.generate_key().decode()
        )
    app.config["DATABASE_URL"] = resolve_database_url(app.config["DATABASE_URL"], app.instance_path)
    _derive_flask_settings(app)


def _from_environment(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        key = name[len(ENV_PREFIX) :]
        if key in _BOOLEAN_KEYS:
            values[key] = raw.strip().lower() in {"1", "true", "yes", "on"}
        elif key in _INTEGER_KEYS:
            values[key] = int(raw)
        else:
            values[key] = raw
    return values


def resolve_database_url(url: str | None, instance_path: str) -> str:
    """Return the database URL, defaulting to SQLite at `instance/talentbank.db`.

    A bare `postgresql://` URL is pointed at psycopg 3, the driver we ship.
    """
    if not url:
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{Path(instance_path) / 'talentbank.db'}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _instance_secret(instance_path: Path, name: str, generate: Callable[[], str]) -> str:
    """Read a secret from the instance folder, creating it (mode 600) on first run."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / name
    if not path.exists():
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker created it first
            return path.read_text().strip()
        with os.fdopen(descriptor, "w") as handle:
            handle.write(generate())
    return path.read_text().strip()


def _derive_flask_settings(app: Flask) -> None:
    secure = bool(app.config["SECURE_COOKIES"])
    app.config.update(
        SESSION_COOKIE_NAME="__Host-session" if secure else "tb_session",
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=app.config["SESSION_IDLE_MINUTES"]),
        BABEL_DEFAULT_LOCALE="ja",
        BABEL_DEFAULT_TIMEZONE="Asia/Tokyo",
        RATELIMIT_HEADERS_ENABLED=True,
        WTF_CSRF_TIME_LIMIT=None,
    )
