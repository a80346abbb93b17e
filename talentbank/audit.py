"""Audit events: stored in `audit_events` and written to the `talentbank.audit` logger as JSON."""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from talentbank.db import utcnow
from talentbank.models import AuditEvent, User

logger = logging.getLogger("talentbank.audit")


@dataclass(frozen=True)
class RequestInfo:
    ip_address: str | None = None
    request_id: str | None = None


# Set by the web layer for each request so that services need not know about Flask.
current_request_info: ContextVar[RequestInfo | None] = ContextVar("current_request_info", default=None)


def record(
    session: Session,
    actor: User | None,
    action: str,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    **details: Any,
) -> AuditEvent:
    """Store one audit event. `details` must not hold secrets (passwords, tokens, keys)."""
    info = current_request_info.get() or RequestInfo()
    details = json.loads(json.dumps(details, default=str))  # UUIDs and dates as text
    event = AuditEvent(
        occurred_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        ip_address=info.ip_address,
        request_id=info.request_id,
        details=details,
    )
    session.add(event)
    # json.dumps escapes CR/LF in user-supplied values, so one event is always one log line.
    logger.info(
        json.dumps(
            {
                "time": event.occurred_at.isoformat(),
                "actor": event.actor_id,
                "action": action,
                "object": f"{object_type}:{event.object_id}" if object_type else None,
                "request_id": info.request_id,
                "ip": info.ip_address,
                "details": details,
            },
            ensure_ascii=False,
            default=str,
        )
    )
    return event
