"""Helpers for web tests: reading the outbox and pulling links out of mail."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from talentbank.models import OutboxMessage, User


def outbox(session: Session, to: str | None = None) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if to is not None:
        query = query.where(OutboxMessage.to_address == to)
    return list(session.scalars(query))


def link_in(message: OutboxMessage, path_prefix: str) -> str:
    match = re.search(rf"https?://[^/\s]+({re.escape(path_prefix)}[^\s]+)", message.body_text)
    assert match, f"no {path_prefix} link in: {message.body_text}"
    return match.group(1)


def user_count(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(User))
