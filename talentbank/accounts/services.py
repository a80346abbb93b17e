"""Accounts: registration with e-mail confirmation, authentication, password reset and change.

Registration and the reset request behave identically for known and unknown addresses: the page
always says "check your mail", and only the mail itself differs.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from talentbank import audit, mail
from talentbank.accounts.inputs import PasswordChangeInput, RegistrationInput
from talentbank.accounts.passwords import password_problem, verify_password
from talentbank.db import utcnow
from talentbank.errors import Invalid, NotFound
from talentbank.models import AccountToken, User

VERIFY_EMAIL = "verify_email"
RESET_PASSWORD = "reset_password"  # noqa: S105  (a token purpose, not a password)
# The version of the purposes of use (利用目的) shown at registration; bump it when the text changes.
POLICY_VERSION = "2026-11"
TOKEN_LIFETIMES = {VERIFY_EMAIL: timedelta(days=3), RESET_PASSWORD: timedelta(hours=2)}


def normalise_email(email: str) -> str:
    """Addresses are compared case-insensitively: stored lower-cased and stripped."""
    return email.strip().lower()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def _issue_token(session: Session, user: User, purpose: str, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        AccountToken(
            purpose=purpose,
            user_id=user.id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + TOKEN_LIFETIMES[purpose],
        )
    )
    return token


def register_user(
    session: Session,
    registration: RegistrationInput,
    *,
    hasher: PasswordHasher,
    base_url: str,
    locale: str,
    min_length: int = 10,
    now: datetime | None = None,
) -> User | None:
    """Create an unconfirmed account and mail a confirmation link; returns None if the address is taken.

    A taken address gets a mail saying so instead (so the page cannot reveal who is registered).
    """
    now = now or utcnow()
    email = normalise_email(registration.email)
    problem = password_problem(registration.password, email=email, min_length=min_length)
    if problem:
        raise Invalid(problem, {"password": problem})
    existing = find_user_by_email(session, email)
    if existing is not None:
        mail.queue_mail(session, to=email, template="already_registered", locale=existing.locale, base_url=base_url)
        audit.record(session, None, "account.register_existing", object_type="user", object_id=existing.public_id)
        return None
    user = User(
        email=email,
        display_name=registration.display_name.strip(),
        password_hash=hasher.hash(registration.password),
        locale=locale,
        created_at=now,
        policy_version=POLICY_VERSION,
        policy_accepted_at=now,
    )
    session.add(user)
    session.flush()
    token = _issue_token(session, user, VERIFY_EMAIL, now)
    mail.queue_mail(session, to=email, template="verify_email", locale=locale, base_url=base_url, token=token)
    audit.record(session, user, "account.register", object_type="user", object_id=user.public_id)
    return user


def _usable_token(session: Session, token: str, purpose: str, now: datetime) -> AccountToken:
    record = session.scalar(
        sa.select(AccountToken).where(AccountToken.token_hash == hash_token(token), AccountToken.purpose == purpose)
    )
    if record is None or record.used_at is not None or record.expires_at <= now:
        raise NotFound(str(_l("このリンクは無効か、期限が切れています。")))
    return record


def check_token(session: Session, token: str, purpose: str, *, now: datetime | None = None) -> None:
    """Raise NotFound unless `token` is an unused, unexpired token for `purpose`."""
    _usable_token(session, token, purpose, now or utcnow())


def confirm_email(session: Session, token: str, *, now: datetime | None = None) -> User:
    """Mark the account's address confirmed; the token is used up."""
    now = now or utcnow()
    record = _usable_token(session, token, VERIFY_EMAIL, now)
    record.used_at = now
    record.user.email_verified_at = record.user.email_verified_at or now
    audit.record(session, record.user, "account.email_confirmed", object_type="user", object_id=record.user.public_id)
    session.flush()
    return record.user


def authenticate(
    session: Session, email: str, password: str, *, hasher: PasswordHasher, now: datetime | None = None
) -> User | None:
    """Return the user when the password is right and the account active, else None.

    Unknown addresses still cost one hash verification, so timing does not tell them apart.
    """
    user = find_user_by_email(session, email)
    if user is None:
        verify_password(hasher, _dummy_hash(hasher), password)
        audit.record(session, None, "account.login_failed", reason="unknown")
        return None
    if not verify_password(hasher, user.password_hash, password) or not user.is_active:
        audit.record(session, user, "account.login_failed", object_type="user", object_id=user.public_id)
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.last_login_at = now or utcnow()
    audit.record(session, user, "account.login", object_type="user", object_id=user.public_id)
    session.flush()
    return user


_DUMMY_HASHES: dict[int, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = id(hasher)
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = hasher.hash(secrets.token_hex(16))
    return _DUMMY_HASHES[key]


def resend_confirmation(session: Session, user: User, *, base_url: str, now: datetime | None = None) -> None:
    token = _issue_token(session, user, VERIFY_EMAIL, now or utcnow())
    mail.queue_mail(session, to=user.email, template="verify_email", locale=user.locale, base_url=base_url, token=token)
    session.flush()


def request_password_reset(session: Session, email: str, *, base_url: str, now: datetime | None = None) -> None:
    """Mail a single-use reset link if the address is registered; do nothing visible otherwise."""
    user = find_user_by_email(session, email)
    if user is None or not user.is_active:
        audit.record(session, None, "account.reset_requested_unknown")
        return
    token = _issue_token(session, user, RESET_PASSWORD, now or utcnow())
    mail.queue_mail(
        session, to=user.email, template="reset_password", locale=user.locale, base_url=base_url, token=token
    )
    audit.record(session, user, "account.reset_requested", object_type="user", object_id=user.public_id)
    session.flush()


def reset_password(
    session: Session,
    token: str,
    password: str,
    *,
    hasher: PasswordHasher,
    min_length: int = 10,
    now: datetime | None = None,
) -> User:
    """Set a new password through a reset token; ends every existing session of the account."""
    now = now or utcnow()
    record = _usable_token(session, token, RESET_PASSWORD, now)
    user = record.user
    problem = password_problem(password, email=user.email, min_length=min_length)
    if problem:
        raise Invalid(problem, {"password": problem})
    record.used_at = now
    _set_password(user, password, hasher)
    # Following the link proves the address too.
    user.email_verified_at = user.email_verified_at or now
    audit.record(session, user, "account.password_reset", object_type="user", object_id=user.public_id)
    session.flush()
    return user


def change_password(
    session: Session, actor: User, change: PasswordChangeInput, *, hasher: PasswordHasher, min_length: int = 10
) -> None:
    """Change the actor's own password after checking the current one; other sessions end."""
    if not verify_password(hasher, actor.password_hash, change.current_password):
        message = str(_l("現在のパスワードが正しくありません。"))
        raise Invalid(message, {"current_password": message})
    problem = password_problem(change.password, email=actor.email, min_length=min_length)
    if problem:
        raise Invalid(problem, {"password": problem})
    _set_password(actor, change.password, hasher)
    audit.record(session, actor, "account.password_changed", object_type="user", object_id=actor.public_id)
    session.flush()


def _set_password(user: User, password: str, hasher: PasswordHasher) -> None:
    user.password_hash = hasher.hash(password)
    user.session_version += 1


def end_sessions(session: Session, user: User) -> None:
    """Invalidate every session cookie of `user` (logout ends the account's sessions everywhere)."""
    user.session_version += 1
    audit.record(session, user, "account.logout", object_type="user", object_id=user.public_id)
    session.flush()


def set_locale(session: Session, user: User, locale: str) -> None:
    if locale in mail.SUPPORTED_LOCALES:
        user.locale = locale
        session.flush()


def create_admin(session: Session, email: str, display_name: str, password: str, *, hasher: PasswordHasher) -> User:
    """Create (or promote) a site administrator; used by the CLI only."""
    problem = password_problem(password, email=email)
    if problem:
        raise Invalid(problem, {"password": problem})
    user = find_user_by_email(session, email)
    if user is None:
        user = User(email=normalise_email(email), display_name=display_name, password_hash="", locale="ja")
        session.add(user)
    user.password_hash = hasher.hash(password)
    user.is_admin = True
    user.email_verified_at = user.email_verified_at or utcnow()
    session.flush()
    audit.record(session, None, "account.admin_created", object_type="user", object_id=user.public_id)
    return user
