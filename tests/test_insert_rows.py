"""`db.insert_rows` (COPY on PostgreSQL, executemany on SQLite) stores what an ORM insert stores."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from talentbank.db import insert_rows
from talentbank.models import Achievement, AuditEvent, Credential, OutboxMessage, ProofFormat, StatusList
from tests.factories import make_organisation

WHEN = datetime(2026, 4, 1, 9, 30, tzinfo=UTC)


def test_rows_read_back_as_the_orm_writes_them(db):
    insert_rows(db, AuditEvent.__table__, [
        {"occurred_at": WHEN, "actor_id": None, "action": "x.y", "object_type": "credential", "object_id": "1",
         "ip_address": None, "request_id": None, "details": {"名前": "値", "n": [1, None]}},
        {"occurred_at": WHEN, "actor_id": None, "action": "x.y", "object_type": None, "object_id": None,
         "ip_address": "::1", "request_id": "r", "details": {}},
    ])  # fmt: skip
    insert_rows(db, OutboxMessage.__table__, [
        {"to_address": "a@example.jp", "subject": "件名", "body_text": "本文\n'\"\\\t", "kind": "k",
         "created_at": WHEN, "attempts": 0},
    ])  # fmt: skip
    db.commit()
    events = db.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.occurred_at, e.object_type, e.ip_address, e.details) for e in events] == [
        (WHEN, "credential", None, {"名前": "値", "n": [1, None]}),
        (WHEN, None, "::1", {}),
    ]
    [message] = db.scalars(sa.select(OutboxMessage)).all()
    assert (message.subject, message.body_text, message.sent_at) == ("件名", "本文\n'\"\\\t", None)


def _credential_row(achievement, status_list, index: int, key: str) -> dict:
    return {"public_id": uuid.uuid4(), "achievement_id": achievement.id, "recipient_email": "r@example.jp",
            "recipient_name": "r", "proof_format": ProofFormat.JWT, "document": None, "jwt": "a.b.c",
            "status_list_id": status_list.id, "status_index": index, "issued_at": WHEN, "valid_until": None,
            "idempotency_key": key}  # fmt: skip


def test_null_json_and_a_broken_constraint_behave_as_in_an_insert(db):
    organisation = make_organisation(db, verified=True)
    achievement = Achievement(organisation=organisation, name="a", description="d", criteria="c")
    status_list = StatusList(organisation=organisation, encoded_list="u")
    db.add_all([achievement, status_list])
    db.flush()
    insert_rows(db, Credential.__table__, [_credential_row(achievement, status_list, 1, "k1")])
    assert db.scalar(sa.select(Credential.__table__.c.document)) is None  # SQL NULL, not JSON null
    with pytest.raises(sa.exc.IntegrityError):
        insert_rows(db, Credential.__table__, [_credential_row(achievement, status_list, 2, "k1")])
    db.rollback()
