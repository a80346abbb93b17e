"""Personal access tokens for /api/v1: created on the settings page, shown once, stored as SHA-256.

A token is `tbp_` + 43 URL-safe characters (256 random bits), so a plain SHA-256 is the right storage:
the secret cannot be guessed, and lookup by hash needs no per-token salt.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from talentbank import audit
from talentbank.accounts.services import hash_token
from talentbank.db import utcnow
from talentbank.errors import Invalid, NotFound
from talentbank.models import ApiToken, User

PREFIX = "tbp_"
SCOPES = ("read", "write", "issue")
SCOPE_LABELS = {
    "read": _l("読み取り（プロフィール・プロジェクト・バッジの参照）"),
    "write": _l("書き込み（自分のプロフィール、プロジェクト、応募）"),
    "issue": _l("発行（バッジの発行と取り消し）"),
}
LIFETIMES_DAYS = (7, 30, 90, 365)
MAX_ACTIVE_TOKENS = 20


def create_token(
    session: Session, user: User, *, name: str, scopes: Iterable[str], days: int, now: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret (the only time the secret exists in clear)."""
    now = now or utcnow()
    name = name.strip()
    chosen = [scope for scope in SCOPES if scope in set(scopes)]
    if not name or len(name) > 80:
        raise Invalid.on("name", _l("名前は1〜80文字で入力してください。"))
    if not chosen:
        raise Invalid.on("scopes", _l("権限を1つ以上選んでください。"))
    if days not in LIFETIMES_DAYS:
        raise Invalid.on("days", _l("有効期間を選んでください。"))
    if len(active_tokens(session, user, now=now)) >= MAX_ACTIVE_TOKENS:
        raise Invalid.on(
            "name",
            _l("有効なトークンは%(count)s個までです。使わないものを取り消してください。", count=MAX_ACTIVE_TOKENS),
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        prefix=secret[: len(PREFIX) + 6],
        token_hash=hash_token(secret),
        scopes=" ".join(chosen),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    audit.record(
        session, user, "api_token.create", object_type="api_token", object_id=token.public_id, scopes=token.scopes
    )
    return token, secret


def active_tokens(session: Session, user: User, *, now: datetime | None = None) -> list[ApiToken]:
    now = now or utcnow()
    return list(
        session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
            .order_by(ApiToken.created_at.desc())
        )
    )


def revoke_token(session: Session, user: User, public_id: object, *, now: datetime | None = None) -> ApiToken:
    """Revoke one of `user`'s tokens. Someone else's token is NotFound, the same as no token."""
    token = session.scalar(sa.select(ApiToken).where(ApiToken.public_id == public_id, ApiToken.user_id == user.id))
    if token is None:
        raise NotFound(str(_l("トークンが見つかりません。")))
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        audit.record(session, user, "api_token.revoke", object_type="api_token", object_id=token.public_id)
    return token


def authenticate_token(session: Session, secret: str, *, now: datetime | None = None) -> ApiToken | None:
    """The live token whose secret this is (its user active), or None. Marks it used (at most once a minute)."""
    now = now or utcnow()
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
    return token
