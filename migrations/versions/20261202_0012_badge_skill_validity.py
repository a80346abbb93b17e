"""a badge-verified skill keeps its credential's validUntil; imported credentials keep theirs and when they were last checked

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 19:10:00+00:00

`profile_skills.valid_until`: readers compare it with now, so an expired badge stops counting without
a write. `imported_credentials.valid_until` and `checked_at`: `talentbank refresh-credentials`
re-verifies imported credentials and records when. Existing rows are filled from the credentials
they point at (claimed: `/credentials/<uuid>`; imported: `...#imported-<uuid>`, from the stored
document's validUntil or the JWT's `exp`).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from talentbank.db import UTCDateTime

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _parse_time(value: object) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace('Z', '+00:00'))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _valid_until_of(raw: str) -> datetime | None:
    """validUntil of a stored JSON document or compact VC-JWT (its payload's validUntil, else `exp`)."""
    text = raw.strip()
    try:
        if text.startswith('{'):
            document = json.loads(text)
            return _parse_time(document.get('validUntil') or document.get('expirationDate'))
        body = text.split('.')[1]
        payload = json.loads(base64.urlsafe_b64decode(body + '=' * (-len(body) % 4)))
    except (ValueError, IndexError, AttributeError):
        return None
    if not isinstance(payload, dict):
        return None
    document = payload.get('vc') if isinstance(payload.get('vc'), dict) else payload
    return _parse_time(document.get('validUntil') or document.get('expirationDate') or payload.get('exp'))


def _uuid_after(text: str | None, marker: str) -> uuid.UUID | None:
    if not text or marker not in text:
        return None
    try:
        return uuid.UUID(text.rsplit(marker, 1)[1].strip('/'))
    except ValueError:
        return None


def upgrade() -> None:
    with op.batch_alter_table('profile_skills', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('imported_credentials', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True))

    connection = op.get_bind()
    skills = sa.table('profile_skills', sa.column('id', sa.Integer()), sa.column('source', sa.String()),
                      sa.column('evidence_url', sa.String()), sa.column('valid_until', UTCDateTime()))
    credentials = sa.table('credentials', sa.column('public_id', sa.Uuid()), sa.column('valid_until', UTCDateTime()))
    imported = sa.table('imported_credentials', sa.column('id', sa.Integer()), sa.column('public_id', sa.Uuid()),
                        sa.column('raw', sa.Text()), sa.column('imported_at', UTCDateTime()),
                        sa.column('valid_until', UTCDateTime()), sa.column('checked_at', UTCDateTime()))
    imported_until: dict[uuid.UUID, datetime | None] = {}
    for row_id, public_id, raw, imported_at in connection.execute(
        sa.select(imported.c.id, imported.c.public_id, imported.c.raw, imported.c.imported_at)
    ).all():
        imported_until[public_id] = _valid_until_of(raw or '')
        connection.execute(imported.update().where(imported.c.id == row_id)
                           .values(valid_until=imported_until[public_id], checked_at=imported_at))
    claimed_until = dict(connection.execute(
        sa.select(credentials.c.public_id, credentials.c.valid_until).where(credentials.c.valid_until.is_not(None))
    ).all())
    badge_rows = connection.execute(
        sa.select(skills.c.id, skills.c.evidence_url).where(skills.c.source == 'badge')
    ).all()
    for row_id, evidence_url in badge_rows:
        credential_id = _uuid_after(evidence_url, '/credentials/')
        imported_id = _uuid_after(evidence_url, '#imported-')
        until = claimed_until.get(credential_id) if credential_id else imported_until.get(imported_id)
        if until is not None:
            connection.execute(skills.update().where(skills.c.id == row_id).values(valid_until=until))


def downgrade() -> None:
    with op.batch_alter_table('imported_credentials', schema=None) as batch_op:
        batch_op.drop_column('checked_at')
        batch_op.drop_column('valid_until')
    with op.batch_alter_table('profile_skills', schema=None) as batch_op:
        batch_op.drop_column('valid_until')
