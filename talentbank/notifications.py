"""In-app notifications: every notification e-mail to a registered person is also kept on the site."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from talentbank.db import utcnow
from talentbank.models import Notification, OutboxMessage, User

# The subject's service prefix (【北海道デジタル人材バンク】 / [Hokkaido Digital Talent Bank]) is noise on the site.
_SUBJECT_PREFIX = re.compile(r"^\s*(【[^】]*】|\[[^\]]*\])\s*")
KEEP = 100  # the newest notifications shown


def record(session: Session, user: User, message: OutboxMessage, base_url: str) -> Notification:
    """Keep `message` (just queued for `user`) as a notification, pointing at the page its body links to."""
    prefix = base_url.rstrip("/") + "/"
    links = [line.strip() for line in message.body_text.splitlines() if line.strip().startswith(prefix)]
    notification = Notification(
        user_id=user.id,
        kind=message.kind,
        text=_SUBJECT_PREFIX.sub("", message.subject)[:200],
        url=links[-1][len(prefix) - 1 :][:300] if links else None,
        created_at=utcnow(),
    )
    session.add(notification)
    return notification


def unread_count(session: Session, user: User) -> int:
    return session.scalar(
        sa.select(sa.func.count()).select_from(Notification).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    ) or 0  # fmt: skip


def latest(session: Session, user: User) -> list[Notification]:
    return list(
        session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(KEEP)
        )
    )


def mark_all_read(session: Session, user: User) -> int:
    result = session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0
