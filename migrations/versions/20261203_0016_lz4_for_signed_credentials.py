"""signed credentials, imported credentials and mails are compressed with lz4 on PostgreSQL

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 18:00:00+00:00

A VC-JWT is ~3.3 kB of base64url text, above PostgreSQL's 2 kB TOAST threshold, so every stored
credential is compressed on insert; the default pglz made a COPY of 500 credentials cost ~104 us a
row, lz4 ~50 us (bench/badges.py on PostgreSQL). Only new values are written with lz4; a server
built without lz4 (or older than 14) keeps the default. SQLite has nothing to change.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ('credentials', 'jwt'),
    ('credentials', 'document'),
    ('endorsements', 'document'),
    ('imported_credentials', 'raw'),
    ('outbox_messages', 'body_text'),
)


def _lz4_available() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return False
    values = bind.execute(
        sa.text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
    ).scalar_one_or_none()
    return values is not None and 'lz4' in values


def _set_compression(method: str) -> None:
    for table, column in COLUMNS:
        op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}')


def upgrade() -> None:
    if _lz4_available():
        _set_compression('lz4')


def downgrade() -> None:
    if _lz4_available():
        _set_compression('DEFAULT')
