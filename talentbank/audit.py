"""Audit events: stored in `audit_events` and written to the `talentbank.audit` logger as JSON."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from talentbank.db import insert_rows, utcnow
from talentbank.models import AuditEvent, User

logger = logging.getLogger("talentbank.audit")


@dataclass(frozen=True)
class RequestInfo:
    ip_address: str | None = None
    request_id: str | None = None


# Set by the web layer for each request so that services need not know about Flask.
current_request_info: ContextVar[RequestInfo | None] = ContextVar("current_request_info", default=None)


def _log(event: dict[str, Any], details: dict[str, Any]) -> None:
    if not logger.isEnabledFor(logging.INFO):
        return
    # json.dumps escapes CR/LF in user-supplied values, so one event is always one log line.
    logger.info(
        json.dumps(
            {
                "time": event["occurred_at"].isoformat(),
                "actor": event["actor_id"],
                "action": event["action"],
                "object": f"{event['object_type']}:{event['object_id']}" if event["object_type"] else None,
                "request_id": event["request_id"],
                "ip": event["ip_address"],
                "details": details,
            },
            ensure_ascii=False,
            default=str,
        )
    )


def _event(actor: User | None, action: str, object_type: str | None, object_id: Any, details: dict[str, Any],
           info: RequestInfo, now: datetime) -> dict[str, Any]:  # fmt: skip
    return {
        "occurred_at": now,
        "actor_id": actor.id if actor is not None else None,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id) if object_id is not None else None,
        "ip_address": info.ip_address,
        "request_id": info.request_id,
        "details": details,
    }


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
    fields = _event(actor, action, object_type, object_id, details, info, utcnow())
    event = AuditEvent(**fields)
    session.add(event)
    _log(fields, details)
    return event


def record_many(
    session: Session,
    actor: User | None,
    action: str,
    *,
    object_type: str | None = None,
    object_ids: Iterable[Any],
    **details: Any,
) -> int:
    """Store one event per object, as `record` would each, in one statement (executemany).

    The events share the actor, action, details and time. Returns how many were stored.
    """
    info = current_request_info.get() or RequestInfo()
    details = json.loads(json.dumps(details, default=str))
    now = utcnow()
    events = [_event(actor, action, object_type, object_id, details, info, now) for object_id in object_ids]
    if not events:
        return 0
    insert_rows(session, AuditEvent.__table__, events)
    for event in events:
        _log(event, details)
    return len(events)
