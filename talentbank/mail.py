"""E-mail: messages are queued in the outbox table; a sender delivers them over SMTP when configured.

Without `TALENTBANK_SMTP_HOST`, mail stays in the outbox and admins read it on /admin/outbox, so the
password-reset flow works on a laptop with no mail server.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from sqlalchemy.orm import Session

from talentbank.db import utcnow
from talentbank.models import OutboxMessage

SUPPORTED_LOCALES = ("ja", "en")
logger = logging.getLogger(__name__)


def queue_mail(
    session: Session, *, to: str, template: str, locale: str, flush: bool = True, **context: Any
) -> OutboxMessage:
    """Render `templates/email/<template>.txt` in the recipient's locale and add it to the outbox.

    The first line of the rendered template is the subject; the rest is the body.
    """
    locale = locale if locale in SUPPORTED_LOCALES else "ja"
    with force_locale(locale):
        rendered = render_template(f"email/{template}.txt", **context).strip()
    subject, _, body = rendered.partition("\n")
    message = OutboxMessage(
        to_address=to, subject=subject.strip()[:200], body_text=body.strip() + "\n", kind=template, created_at=utcnow()
    )
    session.add(message)
    if flush:
        session.flush()
    session.info["mail_queued"] = True
    return message


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
