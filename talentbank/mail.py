"""E-mail: messages are queued in the outbox table; a sender delivers them over SMTP when configured.

Without `TALENTBANK_SMTP_HOST`, mail stays in the outbox and admins read it on /admin/outbox, so the
password-reset flow works on a laptop with no mail server.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping, Sequence
from datetime import datetime
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from sqlalchemy.orm import Session

from talentbank.db import insert_rows, utcnow
from talentbank.models import OutboxMessage

SUPPORTED_LOCALES = ("ja", "en")
logger = logging.getLogger(__name__)


def _render(template: str, locale: str, context: Mapping[str, Any]) -> str:
    with force_locale(locale):
        return render_template(f"email/{template}.txt", **context).strip()


def _message_row(to: str, rendered: str, kind: str, now: datetime) -> dict[str, Any]:
    subject, _, body = rendered.partition("\n")
    return {"to_address": to, "subject": subject.strip()[:200], "body_text": body.strip() + "\n", "kind": kind,
            "created_at": now, "attempts": 0}  # fmt: skip


def queue_mail(
    session: Session, *, to: str, template: str, locale: str, flush: bool = True, **context: Any
) -> OutboxMessage:
    """Render `templates/email/<template>.txt` in the recipient's locale and add it to the outbox.

    The first line of the rendered template is the subject; the rest is the body.
    """
    locale = locale if locale in SUPPORTED_LOCALES else "ja"
    message = OutboxMessage(**_message_row(to, _render(template, locale, context), template, utcnow()))
    session.add(message)
    if flush:
        session.flush()
    session.info["mail_queued"] = True
    return message


def queue_mails(
    session: Session, *, template: str, recipients: Sequence[tuple[str, str, Mapping[str, str]]], **context: Any
) -> list[dict[str, Any]]:
    """Queue one message per recipient, as `queue_mail` would, rendering the template once per locale.

    Each recipient is `(address, locale, fills)`. The context holds, wherever a value differs per
    recipient, a marker text that appears nowhere else (a fresh UUID, say); each copy has every
    key of `fills` replaced by its value. Returns the queued rows (address, subject, body, kind...).
    """
    if not recipients:
        return []
    now = utcnow()
    renderings: dict[str, str] = {}
    rows = []
    for to, wanted, fills in recipients:
        locale = wanted if wanted in SUPPORTED_LOCALES else "ja"
        if locale not in renderings:
            renderings[locale] = _render(template, locale, context)
        rendered = renderings[locale]
        for marker, value in fills.items():
            rendered = rendered.replace(marker, value)
        rows.append(_message_row(to, rendered, template, now))
    insert_rows(session, OutboxMessage.__table__, rows)
    session.info["mail_queued"] = True
    return rows


def send_pending(session: Session, config: Mapping[str, Any], *, limit: int = 100) -> int:
    """Send up to `limit` unsent messages over SMTP; returns how many went out. Failures stay queued."""
    if not config.get("SMTP_HOST"):
        return 0
    pending = session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < 5)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    if not pending:
        return 0
    sent = 0
    try:
        smtp = _connect(config)
    except OSError as error:
        logger.warning("SMTP server unreachable, %d messages stay queued: %s", len(pending), error)
        return 0
    with smtp:
        for message in pending:
            message.attempts += 1
            try:
                smtp.send_message(_as_email(message, config["MAIL_FROM"]))
            except smtplib.SMTPException as error:
                message.last_error = str(error)[:500]
                continue
            message.sent_at = utcnow()
            message.last_error = None
            sent += 1
    session.flush()
    return sent


def _connect(config: Mapping[str, Any]) -> smtplib.SMTP:
    smtp = smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=int(config["SMTP_TIMEOUT"]))
    if config.get("SMTP_STARTTLS"):
        smtp.starttls()
    if config.get("SMTP_USERNAME"):
        smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
    return smtp


def _as_email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = f"<outbox-{message.id}@talentbank>"
    email.set_content(message.body_text)
    return email
