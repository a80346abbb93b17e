"""In-app notifications: every notification e-mail to a registered person is also kept on the site."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from talentbank.db import count_rows, insert_rows, utcnow
from talentbank.models import Notification, OutboxMessage, User

# The subject's service prefix (【北海道デジタル人材バンク】 / [Hokkaido Digital Talent Bank]) is noise on the site.
_SUBJECT_PREFIX = re.compile(r"^\s*(【[^】]*】|\[[^\]]*\])\s*")
KEEP = 100  # the newest notifications shown


def _fields(user_id: int, kind: str, subject: str, body_text: str, base_url: str) -> dict[str, object]:
    """A notification's columns from a mail: its subject, and the last link into the site in its body."""
    prefix = base_url.rstrip("/") + "/"
    links = [line.strip() for line in body_text.splitlines() if line.strip().startswith(prefix)]
    return {
        "user_id": user_id,
        "kind": kind,
        "text": _SUBJECT_PREFIX.sub("", subject)[:200],
        "url": links[-1][len(prefix) - 1 :][:300] if links else None,
        "created_at": utcnow(),
    }


def record(session: Session, user: User, message: OutboxMessage, base_url: str) -> Notification:
    """Keep `message` (just queued for `user`) as a notification, pointing at the page its body links to."""
    notification = Notification(**_fields(user.id, message.kind, message.subject, message.body_text, base_url))
    session.add(notification)
    return notification


def record_many(session: Session, messages: list[dict[str, Any]], users: dict[str, int], base_url: str) -> int:
    """Keep the queued mail rows (as `mail.queue_mails` returns them) sent to registered people.

    `users` maps e-mail addresses to user ids; mails to addresses without an account are skipped.
    """
    rows = [
        _fields(users[m["to_address"]], m["kind"], m["subject"], m["body_text"], base_url)
        for m in messages
        if m["to_address"] in users
    ]
    insert_rows(session, Notification.__table__, rows)
    return len(rows)


def unread_count(session: Session, user: User) -> int:
    return count_rows(session, select_of_user(user, unread_only=True))


def latest(session: Session, user: User) -> list[Notification]:
    """The newest `KEEP` of the user's notifications, for the notifications page."""
    return list(session.scalars(select_of_user(user).limit(KEEP)))


def select_of_user(user: User, *, unread_only: bool = False) -> sa.Select:
    """The user's notifications (all, or the unread ones), newest first with the id breaking ties: the
    page shows the newest `KEEP` of them, the API pages through them all."""
    query = sa.select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return query.order_by(Notification.created_at.desc(), Notification.id.desc())


def mark_all_read(session: Session, user: User) -> int:
    result = session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0
